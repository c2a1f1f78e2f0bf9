using System.Globalization;
using System.Text.Json;
using Cairn.Core;
using Cairn.Engine.Buckets;
using Cairn.Engine.Identity;
using Cairn.Engine.Inventory;
using Cairn.Engine.Lifecycle;
using Cairn.Engine.Trees;
using Cairn.Engine.Workers;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.S3.Admin;

/// <summary>
/// Cairn's own API under <c>/_cairn/buckets/</c>, for the <c>cairn</c> command-line tools and
/// operators: a bucket's verifiable tree (issue 11). Every request is authenticated like an S3
/// request (SigV4 or SigV2, header or query, by <see cref="SigV4Verifier"/>); answers and errors are
/// JSON (<c>{"code", "message"}</c>), except proofs, which are CAR files.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET /_cairn/buckets/{bucket}/tree[?flush=true]</c>: the latest commit (after folding the journal up to now with flush).</item>
/// <item><c>GET /_cairn/buckets/{bucket}/proof?key=K[&amp;flush=true]</c>: a proof of K's presence (with its manifest) or absence.</item>
/// <item><c>GET /_cairn/buckets/{bucket}/export[?seq=N][&amp;prefix=P]</c>: the bucket as a CAR file (the latest state, folded now, or the commit recorded at N);
/// with a prefix, the range proof of the keys starting with it against the same commit.</item>
/// <item><c>POST /_cairn/buckets/{bucket}/import[?prefix=P][&amp;replace=true]</c>: a bucket export (the body) brought into the bucket.</item>
/// <item><c>GET /_cairn/buckets/{bucket}/lifecycle[?at=T][&amp;max=N]</c>: what the lifecycle would expire, remove or abort by T (now by default); changes nothing.</item>
/// <item><c>GET /_cairn/buckets/{bucket}/verify</c>: the latest commit (folded now) checked against what the blob store holds, as <c>cairn verify</c> checks a file.</item>
/// <item>Users and access keys: see <c>CairnAdminApi.Identity.cs</c>; what the buckets hold: <c>CairnAdminApi.Usage.cs</c>;
/// what the background work has before it (<c>GET /_cairn/work</c>): <c>CairnAdminApi.Work.cs</c>.</item>
/// <item><c>GET /_cairn/buckets/{bucket}/inventory[?id=ID][&amp;from=K][&amp;to=K][&amp;max=N]</c>: the inventory reports written, newest first, with the row groups that may hold keys in the range.</item>
/// </list>
/// </remarks>
public sealed partial class CairnAdminApi(SigV4Verifier verifier, BucketTreeService trees, LifecycleWorker lifecycle, InventoryService inventory,
    IdentityService identities, BucketService buckets, BackgroundWorkService work, ILogger<CairnAdminApi> logger)
{
    /// <summary>The path every bucket call starts with.</summary>
    public const string BucketsPrefix = "/_cairn/buckets/";

    /// <summary>Whether <paramref name="rawPath"/> is one of this API's (buckets, users, keys), which <see cref="InvokeAsync"/> serves.</summary>
    public static bool Serves(ReadOnlySpan<char> rawPath) =>
        rawPath.StartsWith(BucketsPrefix, StringComparison.Ordinal) || IsIdentityPath(rawPath) || IsUsagePath(rawPath) || IsWorkPath(rawPath);

    /// <summary>The media type of a CAR file.</summary>
    public const string CarMediaType = "application/vnd.ipld.car";

    /// <summary>Serves one admin request whose raw path <see cref="Serves"/> says is this API's: the root credentials only.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (rawPath, rawQuery) = S3Middleware.SplitTarget(context);
        try
        {
            var auth = verifier.Verify(new SigV4Request(context.Request.Method, rawPath, rawQuery, context.Request.Headers));
            if (!auth.Principal.IsRoot)
            {
                throw new AdminException(StatusCodes.Status403Forbidden, "AccessDenied", "The admin API answers the root credentials only.");
            }
            if (IsIdentityPath(rawPath))
            {
                await IdentityAsync(context, rawPath).ConfigureAwait(false);
                return;
            }
            if (IsUsagePath(rawPath))
            {
                await UsageAsync(context).ConfigureAwait(false);
                return;
            }
            if (IsWorkPath(rawPath))
            {
                await WorkAsync(context).ConfigureAwait(false);
                return;
            }
            var (bucket, action) = ParsePath(rawPath);
            if (action == "import")
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    throw new AdminException(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "An import is a POST of the CAR file.");
                }
                await ImportAsync(context, auth, bucket).ConfigureAwait(false);
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                throw new AdminException(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "The admin API answers GET only, and POST for import.");
            }
            var flush = IsTrue(context.Request.Query["flush"]);
            switch (action)
            {
                case "tree":
                    await TreeAsync(context, bucket, flush).ConfigureAwait(false);
                    break;
                case "proof":
                    var key = context.Request.Query["key"].ToString();
                    if (key.Length == 0)
                    {
                        throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArgument", "A proof needs the key: ?key=K.");
                    }
                    await ProofAsync(context, bucket, key, flush).ConfigureAwait(false);
                    break;
                case "lifecycle":
                    await LifecyclePreviewAsync(context, bucket).ConfigureAwait(false);
                    break;
                case "inventory":
                    await InventoryReportsAsync(context, bucket).ConfigureAwait(false);
                    break;
                case "verify":
                    await VerifyAsync(context, bucket).ConfigureAwait(false);
                    break;
                case "export":
                    await ExportAsync(context, bucket, ParseSeq(context.Request.Query["seq"]), OneOrNone(context.Request.Query, "prefix"))
                        .ConfigureAwait(false);
                    break;
                default:
                    throw new AdminException(StatusCodes.Status404NotFound, "NoSuchAction", $"No admin call '{action}' for buckets.");
            }
        }
        catch (S3Exception error)
        {
            await WriteErrorAsync(context, error.StatusCode, error.Code.ToString(), error.Message).ConfigureAwait(false);
        }
        catch (TreeCommitCollectedException error)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "NoSuchCommit", error.Message).ConfigureAwait(false);
        }
        catch (IdentityException error)
        {
            var (status, code) = IdentityErrorAnswer(error.Error);
            await WriteErrorAsync(context, status, code, error.Message).ConfigureAwait(false);
        }
        catch (AdminException error)
        {
            await WriteErrorAsync(context, error.Status, error.Code, error.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogFailed(ex, context.Request.Method, rawPath);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "InternalError", "The admin call failed; see the server log.")
                .ConfigureAwait(false);
        }
    }

    private async Task TreeAsync(HttpContext context, string bucket, bool flush)
    {
        var (status, head) = await trees.GetHeadAsync(bucket, flush, context.RequestAborted).ConfigureAwait(false);
        ThrowOnStatus(status, bucket);
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("bucket", head.Bucket);
            json.WriteNumber("seq", head.Seq);
            json.WriteString("commit", head.Commit.ToString());
            json.WriteString("root", head.Root.ToString());
            json.WriteString("committedAt", S3Date.ToXmlDate(head.CommittedAt));
        }).ConfigureAwait(false);
    }

    private async Task ProofAsync(HttpContext context, string bucket, string key, bool flush)
    {
        var proof = await trees.GetProofAsync(bucket, key, flush, context.RequestAborted).ConfigureAwait(false);
        ThrowOnStatus(proof.Status, bucket);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = CarMediaType;
        response.Headers["x-cairn-proof"] = proof.Present ? "present" : "absent";
        response.Headers["x-cairn-commit"] = proof.Head.Commit.ToString();
        response.Headers["x-cairn-root"] = proof.Head.Root.ToString();
        response.Headers["x-cairn-seq"] = proof.Head.Seq.ToString(CultureInfo.InvariantCulture);
        if (proof.Manifest is { } manifest)
        {
            response.Headers["x-cairn-manifest"] = manifest.ToString();
        }
        response.ContentLength = proof.Car!.Length;
        await response.Body.WriteAsync(proof.Car, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the bucket's export (a CAR rooted at the commit), or with <paramref name="prefix"/> its
    /// range's; headers name the commit before the first byte.
    /// </summary>
    private async Task ExportAsync(HttpContext context, string bucket, long? seq, string? prefix)
    {
        var (status, head) = await trees.PrepareExportAsync(bucket, seq, context.RequestAborted).ConfigureAwait(false);
        ThrowOnStatus(status, bucket);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = CarMediaType;
        response.Headers["x-cairn-commit"] = head.Commit.ToString();
        response.Headers["x-cairn-root"] = head.Root.ToString();
        response.Headers["x-cairn-seq"] = head.Seq.ToString(CultureInfo.InvariantCulture);
        await trees.ExportAsync(head, prefix, response.Body, progress: null, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A query parameter given at most once; null when absent or empty (an export's or import's prefix: the whole bucket).</summary>
    private static string? OneOrNone(IQueryCollection query, string name) => query[name].Count switch
    {
        0 => null,
        1 => string.IsNullOrEmpty(query[name][0]) ? null : query[name][0],
        _ => throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArgument", $"{name} is given at most once."),
    };

    /// <summary><c>max</c>: <paramref name="fallback"/> when absent, else a number from 1 to <paramref name="limit"/> (of <paramref name="what"/>).</summary>
    private static int ParseMax(IQueryCollection query, int fallback, int limit, string what)
    {
        var value = query["max"];
        if (value.Count == 0)
        {
            return fallback;
        }
        return value.Count == 1 && int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 1 && max <= limit
            ? max
            : throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArgument", $"max is a number of {what} from 1 to {limit}.");
    }

    private static long? ParseSeq(Microsoft.Extensions.Primitives.StringValues value)
    {
        if (value.Count == 0)
        {
            return null;
        }
        return value.Count == 1 && long.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq
            : throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArgument", "seq is a journal number: digits only.");
    }

    private static void ThrowOnStatus(BucketTreeStatus status, string bucket)
    {
        switch (status)
        {
            case BucketTreeStatus.NoSuchCommit:
                throw new AdminException(StatusCodes.Status404NotFound, "NoSuchCommit", $"The bucket '{bucket}' has no commit recorded at that journal number.");
            case BucketTreeStatus.NoSuchBucket:
                throw new AdminException(StatusCodes.Status404NotFound, "NoSuchBucket", $"The bucket '{bucket}' does not exist.");
            case BucketTreeStatus.NotCommitted:
                throw new AdminException(StatusCodes.Status404NotFound, "NoTreeCommit",
                    $"The bucket '{bucket}' has no tree commit yet; ask with flush=true to fold its journal now.");
        }
    }

    /// <summary><c>/_cairn/buckets/{bucket}/{action}</c>, the bucket percent-decoded and checked as a bucket name.</summary>
    private static (string Bucket, string Action) ParsePath(string rawPath)
    {
        var rest = rawPath[BucketsPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || rest.IndexOf('/', slash + 1) >= 0)
        {
            throw new AdminException(StatusCodes.Status404NotFound, "NoSuchAction", "Admin bucket calls are /_cairn/buckets/{bucket}/{tree|proof|verify|export|import|lifecycle|inventory}.");
        }
        var bucket = Uri.UnescapeDataString(rest[..slash]);
        if (!BucketName.IsValid(bucket))
        {
            throw new AdminException(StatusCodes.Status400BadRequest, "InvalidBucketName", "The specified bucket is not valid.");
        }
        return (bucket, rest[(slash + 1)..]);
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count == 1 && (value[0] == "1" || string.Equals(value[0], "true", StringComparison.OrdinalIgnoreCase));

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }
        context.Response.Clear();
        return WriteJsonAsync(context, status, json =>
        {
            json.WriteString("code", code);
            json.WriteString("message", message);
        });
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>An admin error: HTTP status, code and message, written as JSON.</summary>
    private sealed class AdminException(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Admin call {Method} {Path} failed")]
    private partial void LogFailed(Exception exception, string method, string path);
}
