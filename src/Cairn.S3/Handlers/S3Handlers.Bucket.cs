using Cairn.Core;
using Cairn.Engine.Buckets;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task ListBucketsAsync(HttpContext context, AuthResult auth)
    {
        var all = await buckets.ListAsync(context.RequestAborted).ConfigureAwait(false);
        var entries = new List<BucketEntry>(all.Count);
        foreach (var bucket in all)
        {
            // Root sees every bucket; a user, the buckets it owns.
            if (auth.Principal.IsRoot || string.Equals(bucket.Owner, auth.Principal.User, StringComparison.Ordinal))
            {
                entries.Add(new BucketEntry(bucket.Name, bucket.CreatedAt, bucket.Region));
            }
        }
        var owner = OwnerOf(auth);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, new ListAllMyBucketsResult(owner, entries),
            static (writer, result) => ListAllMyBucketsResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private async Task CreateBucketAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        if (!BucketName.IsValid(bucket))
        {
            throw S3Errors.InvalidBucketName(bucket);
        }
        using var document = await RequestBody.ReadDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var location = document.Length == 0 ? null : S3XmlReader.ReadCreateBucketConfiguration(document);
        if (location == "EU")
        {
            // S3's legacy name for eu-west-1 ("Buckets with a LocationConstraint of EU reside in eu-west-1",
            // GetBucketLocation reference); the AWS SDK for .NET still sends it for eu-west-1.
            location = "eu-west-1";
        }
        if (!string.IsNullOrEmpty(location) && !string.Equals(location, options.Region, StringComparison.Ordinal))
        {
            throw new S3Exception(S3ErrorCode.IllegalLocationConstraintException,
                $"The {location} location constraint is incompatible for the region specific endpoint this request was sent to ({options.Region}).");
        }
        var objectLockEnabled = string.Equals(RequestHeaders.Value(context.Request.Headers, "x-amz-bucket-object-lock-enabled"), "true",
            StringComparison.OrdinalIgnoreCase);
        var status = await buckets.CreateAsync(bucket, options.Region, auth.Principal.User, context.RequestAborted, objectLockEnabled)
            .ConfigureAwait(false);
        if (status == CreateBucketStatus.NoSuchOwner)
        {
            // The key's user was deleted after this node last read the keys: as AWS answers a deleted key.
            throw S3Errors.InvalidAccessKeyId(auth.Principal.AccessKeyId);
        }
        if (status == CreateBucketStatus.OwnedByAnother)
        {
            throw new S3Exception(S3ErrorCode.BucketAlreadyExists) { Details = [new("BucketName", bucket)] };
        }
        // AWS answers 200 to the owner re-creating a bucket only in us-east-1 (legacy behaviour); 409 elsewhere.
        if (status == CreateBucketStatus.AlreadyExists && options.Region != "us-east-1")
        {
            throw new S3Exception(S3ErrorCode.BucketAlreadyOwnedByYou) { Details = [new("BucketName", bucket)] };
        }
        context.Response.Headers.Location = "/" + bucket;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task HeadBucketAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var record = await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        context.Response.Headers["x-amz-bucket-region"] = record.Region;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteBucketAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var outcome = await buckets.DeleteAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = outcome switch
        {
            DeleteBucketStatus.Deleted => StatusCodes.Status204NoContent,
            DeleteBucketStatus.NoSuchBucket => throw S3Errors.NoSuchBucket(bucket),
            _ => throw new S3Exception(S3ErrorCode.BucketNotEmpty) { Details = [new("BucketName", bucket)] },
        };
    }

    private async Task GetBucketLocationAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var record = await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, record.Region,
            static (writer, region) => LocationConstraintWriter.Write(writer, region)).ConfigureAwait(false);
    }

    /// <summary>The caller as S3 shows an owner (see <see cref="OwnerOf(string?)"/>).</summary>
    private static S3Owner OwnerOf(AuthResult auth) => auth.Principal.IsRoot ? OwnerOf(user: null) : OwnerOf(auth.Principal.User ?? "anonymous");

    /// <summary>
    /// An identity as S3 shows an owner: a stable 64-hex canonical id, as S3's look, derived from the
    /// user's name (so it stays when the user's keys are rotated), or from "root" (null).
    /// </summary>
    private static S3Owner OwnerOf(string? user) =>
        new(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            user is null ? "root" : "user:" + user))), user ?? "root");
}
