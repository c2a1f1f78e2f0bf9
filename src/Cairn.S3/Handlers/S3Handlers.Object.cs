using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private static readonly (string Query, string Header)[] ResponseOverrides =
    [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];

    private async Task PutObjectAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var headers = context.Request.Headers;
        var lockState = await ReadLockHeadersAsync(headers, bucket, context.RequestAborted).ConfigureAwait(false);
        await using var body = UploadBody.Open(context, auth);
        var result = await objects.PutAsync(new PutObjectCommand
        {
            Bucket = bucket,
            Key = key,
            Body = body.Stream,
            DeclaredLength = body.DeclaredLength,
            Headers = RequestHeaders.ContentHeaders(headers),
            UserMetadata = RequestHeaders.UserMetadata(headers),
            Checksums = body.Checksums,
            ContentMd5 = RequestHeaders.ContentMd5(headers),
            ExpectedChecksums = body.ExpectedChecksums,
            Precondition = RequestHeaders.WritePrecondition(headers),
            Tags = TagSets.FromHeader(RequestHeaders.Value(headers, "x-amz-tagging")),
            Lock = lockState,
            Encryption = EncryptionHeaders.ForWrite(headers),
        }, context.RequestAborted).ConfigureAwait(false);

        switch (result.Status)
        {
            case PutObjectStatus.Created:
                var version = result.Version;
                context.Response.Headers.ETag = ETag.Quote(version.ETag);
                EncryptionHeaders.Write(context.Response, version.EncryptionMode, headers);
                WriteVersionIdHeader(context.Response, version.VersionId);
                WriteChecksumHeaders(context.Response, version);
                await WriteExpirationHeaderAsync(context, version).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
            case PutObjectStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case PutObjectStatus.PreconditionFailed:
                throw S3Errors.Of(S3ErrorCode.PreconditionFailed);
            case PutObjectStatus.IncompleteBody:
                throw S3Errors.Of(S3ErrorCode.IncompleteBody);
            case PutObjectStatus.BadDigest:
                throw S3Errors.Of(S3ErrorCode.BadDigest);
            case PutObjectStatus.ChecksumMismatch:
                throw S3Errors.Of(S3ErrorCode.BadDigest,
                    $"The {ChecksumAlgorithms.WireName(result.MismatchedChecksum!.Value)} you specified did not match the calculated checksum.");
            case PutObjectStatus.LockNeedsIntegrity:
                throw S3Errors.InvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
            default:
                throw new InvalidOperationException($"Unexpected put status {result.Status}.");
        }
    }

    /// <summary>A GET or HEAD that sends <c>x-cairn-manifest: true</c> gets its version's manifest CID (issue 11) ...</summary>
    private const string ManifestRequestHeader = "x-cairn-manifest";

    /// <summary>... in this response header.</summary>
    private const string ManifestResponseHeader = "x-cairn-manifest-cid";

    private async Task GetObjectAsync(HttpContext context, S3Request request, bool headOnly)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var headers = context.Request.Headers;
        int? partNumber = null;
        if (QueryValue(request.Query, "partNumber") is { } partText)
        {
            partNumber = int.TryParse(partText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                && parsed is >= 1 and <= S3Limits.MaxPartNumber
                ? parsed
                : throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", partText);
            if (headers.ContainsKey("Range"))
            {
                throw S3Errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
            }
        }
        var versionId = VersionIdOf(request.Query);
        var found = await objects.GetAsync(bucket, key, RequestHeaders.Conditions(headers), RequestHeaders.Range(headers),
            context.RequestAborted, partNumber, versionId, EncryptionHeaders.CustomerKeyOf(headers)).ConfigureAwait(false);
        var response = context.Response;
        ThrowIfNoVersion(found, bucket, key, versionId, context.Request.Method);
        switch (found.Status)
        {
            case GetObjectStatus.PreconditionFailed:
                throw S3Errors.Of(S3ErrorCode.PreconditionFailed);
            case GetObjectStatus.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ETag = ETag.Quote(found.Version.ETag);
                response.Headers.LastModified = S3Date.ToHttpDate(found.Version.LastModified);
                return;
            case GetObjectStatus.InvalidPartNumber:
                throw S3Errors.Of(S3ErrorCode.InvalidPartNumber);
            case GetObjectStatus.RangeNotSatisfiable:
                var size = found.Version.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new S3Exception(S3ErrorCode.InvalidRange)
                {
                    Details = [new("RangeRequested", headers.Range.ToString()), new("ActualObjectSize", size)],
                    ResponseHeaders = [new("Content-Range", "bytes */" + size)], // RFC 9110 15.5.17, as S3 sends
                };
        }

        var version = found.Version;
        WriteObjectHeaders(response, version);
        if (!request.IsVirtualHostStyle)
        {
            // A path-style object shares its origin with the web console (/_cairn/console/): an HTML body a
            // browser opens runs sandboxed, in an origin of its own, so its scripts can reach neither the
            // console's windows nor anything the origin keeps. Virtual-host objects have origins of their own.
            response.Headers.ContentSecurityPolicy = PathStyleObjectPolicy;
        }
        EncryptionHeaders.Write(response, version.EncryptionMode, headers);
        WriteVersionIdHeader(response, version.VersionId, asked: versionId is not null);
        var checksumMode = string.Equals(RequestHeaders.Value(headers, "x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase);
        if (checksumMode && !found.IsPartial)
        {
            WriteChecksumHeaders(response, version);
        }
        foreach (var (query, header) in ResponseOverrides)
        {
            if (request.Query.TryGetValue(query, out var value) && value.Count > 0)
            {
                var text = value.ToString();
                if (text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || text.Contains('\u007f'))
                {
                    throw S3Errors.InvalidArgument($"The {query} value contains control characters.", query, text);
                }
                response.Headers[header] = text;
            }
        }
        if (versionId is null)
        {
            await WriteExpirationHeaderAsync(context, version).ConfigureAwait(false);
        }
        if (found.PartsCount is { } partsCount)
        {
            response.Headers["x-amz-mp-parts-count"] = partsCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // Asked for only: a versioned key's manifest links its older versions, which takes a read of them all.
        if (string.Equals(RequestHeaders.Value(headers, ManifestRequestHeader), "true", StringComparison.OrdinalIgnoreCase)
            && await trees.GetManifestCidAsync(bucket, key, version.VersionId, context.RequestAborted).ConfigureAwait(false) is { } manifest)
        {
            response.Headers[ManifestResponseHeader] = manifest.ToString();
        }
        response.ContentLength = found.Length;
        if (found.IsPartial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {found.Offset}-{found.Offset + found.Length - 1}/{version.Size}";
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }
        if (headOnly)
        {
            return;
        }
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await objects.WriteBodyAsync(found, response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>x-amz-expiration</c>: when a lifecycle rule expires the current <paramref name="version"/>, and
    /// which (S3 sends it on PUT, copy and multipart completion, and on GET and HEAD of the current version).
    /// </summary>
    private async ValueTask WriteExpirationHeaderAsync(HttpContext context, ObjectVersion version)
    {
        var judged = new LifecycleVersion(version.VersionId, IsDeleteMarker: false, version.Size, version.ETag, version.LastModified, version.Tags,
            version.Lock);
        if (await lifecycle.CurrentExpirationAsync(version.Bucket, version.Key, judged, context.RequestAborted).ConfigureAwait(false) is { } expiration)
        {
            // A rule id may hold any character; a header only printable ASCII (and no quote inside the quotes).
            var ruleId = expiration.RuleId.All(static c => c is >= ' ' and <= '~' and not '"' and not '%')
                ? expiration.RuleId
                : Uri.EscapeDataString(expiration.RuleId);
            context.Response.Headers["x-amz-expiration"] = $"expiry-date=\"{S3Date.ToHttpDate(expiration.Date)}\", rule-id=\"{ruleId}\"";
        }
    }

    private async Task DeleteObjectAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var ifMatch = RequestHeaders.Value(context.Request.Headers, "If-Match");
        var deletion = await objects.DeleteAsync(bucket, key, context.RequestAborted, ifMatch, VersionIdOf(request.Query),
            BypassesGovernance(context.Request.Headers)).ConfigureAwait(false);
        switch (deletion.Status)
        {
            case DeleteObjectStatus.Locked:
                throw S3Errors.ProtectedByObjectLock();
            case DeleteObjectStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case DeleteObjectStatus.NoSuchKey:
                throw S3Errors.NoSuchKey(key);
            case DeleteObjectStatus.PreconditionFailed:
                throw S3Errors.Of(S3ErrorCode.PreconditionFailed);
        }
        if (deletion.VersionId is { } deletedVersion)
        {
            context.Response.Headers["x-amz-version-id"] = deletedVersion;
        }
        if (deletion.IsDeleteMarker)
        {
            context.Response.Headers["x-amz-delete-marker"] = "true";
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The errors of a read that found no version to answer with, as S3 sends them: no bucket; no
    /// key, or a latest version that is a delete marker (404 with the marker's headers); no version
    /// with the id; a delete marker asked for by id (405, as AWS answers: a marker has no body).
    /// </summary>
    private static void ThrowIfNoVersion(GetObjectResult found, string bucket, string key, string? versionId, string method)
    {
        switch (found.Status)
        {
            case GetObjectStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case GetObjectStatus.NoSuchKey when found.Version.IsDeleteMarker:
                throw new S3Exception(S3ErrorCode.NoSuchKey)
                {
                    Details = [new("Key", key)],
                    ResponseHeaders = [new("x-amz-delete-marker", "true"), new("x-amz-version-id", found.Version.VersionId)],
                };
            case GetObjectStatus.NoSuchKey:
                throw S3Errors.NoSuchKey(key);
            case GetObjectStatus.NoSuchVersion:
                throw S3Errors.NoSuchVersion(key, versionId);
            case GetObjectStatus.DeleteMarker:
                throw new S3Exception(S3ErrorCode.MethodNotAllowed)
                {
                    Details = [new("Method", method), new("ResourceType", "DeleteMarker")],
                    ResponseHeaders = [new("x-amz-delete-marker", "true"), new("x-amz-version-id", found.Version.VersionId),
                        new("Last-Modified", S3Date.ToHttpDate(found.Version.LastModified))],
                };
        }
    }

    /// <summary>
    /// x-amz-version-id for a version written or read: sent for a version with an id, and for the
    /// null version when the request named it; a key in a bucket that never had versioning has
    /// only the null version, and AWS sends no header for it.
    /// </summary>
    private static void WriteVersionIdHeader(HttpResponse response, string versionId, bool asked = false)
    {
        if (asked || versionId != Engine.Objects.ObjectService.NullVersionId)
        {
            response.Headers["x-amz-version-id"] = versionId;
        }
    }

    /// <summary>What a browser may do with a path-style object it opens: run scripts, forms, pop-ups and downloads, as an opaque origin.</summary>
    private const string PathStyleObjectPolicy = "sandbox allow-scripts allow-forms allow-popups allow-downloads";

    private static void WriteObjectHeaders(HttpResponse response, ObjectVersion version)
    {
        var headers = response.Headers;
        headers.ETag = ETag.Quote(version.ETag);
        headers.LastModified = S3Date.ToHttpDate(version.LastModified);
        headers.AcceptRanges = "bytes";
        headers.ContentType = version.Headers.ContentType ?? "binary/octet-stream";
        SetIfPresent(headers, "Content-Encoding", version.Headers.ContentEncoding);
        SetIfPresent(headers, "Content-Disposition", version.Headers.ContentDisposition);
        SetIfPresent(headers, "Content-Language", version.Headers.ContentLanguage);
        SetIfPresent(headers, "Cache-Control", version.Headers.CacheControl);
        SetIfPresent(headers, "Expires", version.Headers.Expires);
        foreach (var (name, value) in version.UserMetadata)
        {
            headers["x-amz-meta-" + name] = MetadataHeaderValue.Encode(value);
        }
        if (version.Tags.Count > 0)
        {
            headers["x-amz-tagging-count"] = version.Tags.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        WriteLockHeaders(headers, version.Lock);
        if (version.StorageClass != "STANDARD")
        {
            // As S3 does: sent for every class but STANDARD.
            headers["x-amz-storage-class"] = version.StorageClass;
        }
    }

    private static void WriteChecksumHeaders(HttpResponse response, ObjectVersion version)
    {
        foreach (var (wireName, value) in version.Checksums)
        {
            if (ChecksumAlgorithms.TryParseWireName(wireName, out var algorithm))
            {
                response.Headers[ChecksumAlgorithms.HeaderName(algorithm)] = value;
                response.Headers["x-amz-checksum-type"] = version.ChecksumType;
            }
        }
    }

    /// <summary>
    /// The versionId query parameter: null when absent. As AWS does, an empty one and one that no
    /// version of this server could have (<see cref="IsWellFormedVersionId"/>) are refused with 400
    /// InvalidArgument; a well-formed id that names no version is the operation's to answer.
    /// </summary>
    private static string? VersionIdOf(IQueryCollection query, string parameter = "versionId")
    {
        if (!query.TryGetValue(parameter, out var value))
        {
            return null;
        }
        var versionId = value.ToString();
        if (versionId.Length == 0)
        {
            throw S3Errors.InvalidArgument("Version id cannot be the empty string", parameter, versionId);
        }
        return IsWellFormedVersionId(versionId)
            ? versionId
            : throw S3Errors.InvalidArgument("Invalid version id specified", parameter, versionId);
    }

    /// <summary>
    /// Whether a version id has the form this server gives ids: <c>null</c>, or 32 characters of
    /// URL-safe base64 (the catalog's ids are 24 random bytes).
    /// </summary>
    private static bool IsWellFormedVersionId(string versionId) =>
        versionId == ObjectService.NullVersionId
        || (versionId.Length == 32 && versionId.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    private static void SetIfPresent(IHeaderDictionary headers, string name, string? value)
    {
        if (value is not null)
        {
            headers[name] = value;
        }
    }

    private static string ValidKey(S3Request request)
    {
        var key = RequireKey(request);
        return ObjectKey.Validate(key) switch
        {
            ObjectKey.Validity.Valid => key,
            ObjectKey.Validity.TooLong => throw new S3Exception(S3ErrorCode.KeyTooLongError)
            {
                Details = [new("Size", System.Text.Encoding.UTF8.GetByteCount(key).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("MaxSizeAllowed", S3Limits.MaxKeyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            },
            _ => throw S3Errors.InvalidArgument("The key must not be empty."),
        };
    }
}
