using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task GetObjectTaggingAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var versionId = VersionIdOf(request.Query);
        var result = await objects.GetTagsAsync(bucket, key, context.RequestAborted, versionId).ConfigureAwait(false);
        ThrowIfMissing(result.Status, bucket, key, versionId);
        if (versionId is not null)
        {
            context.Response.Headers["x-amz-version-id"] = versionId;
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, result.Tags!,
            static (writer, tags) => TaggingWriter.Write(writer, tags)).ConfigureAwait(false);
    }

    private async Task PutObjectTaggingAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var tags = TagSets.Validate(S3XmlReader.ReadTagging(document), forBucket: false);
        var versionId = VersionIdOf(request.Query);
        ThrowIfMissing(await objects.PutTagsAsync(bucket, key, tags, context.RequestAborted, versionId).ConfigureAwait(false), bucket, key, versionId);
        if (versionId is not null)
        {
            context.Response.Headers["x-amz-version-id"] = versionId;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteObjectTaggingAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var versionId = VersionIdOf(request.Query);
        ThrowIfMissing(await objects.PutTagsAsync(bucket, key, new Dictionary<string, string>(), context.RequestAborted, versionId).ConfigureAwait(false),
            bucket, key, versionId);
        if (versionId is not null)
        {
            context.Response.Headers["x-amz-version-id"] = versionId;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task GetBucketTaggingAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var record = await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        if (record.Tags.Count == 0)
        {
            // AWS: a bucket without tags has no tag set, and says so with 404.
            throw new S3Exception(S3ErrorCode.NoSuchTagSet) { Details = [new("BucketName", bucket)] };
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, record.Tags,
            static (writer, tags) => TaggingWriter.Write(writer, tags)).ConfigureAwait(false);
    }

    private async Task PutBucketTaggingAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var tags = TagSets.Validate(S3XmlReader.ReadTagging(document), forBucket: true);
        if (!await buckets.PutTagsAsync(bucket, tags, context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task DeleteBucketTaggingAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        if (!await buckets.PutTagsAsync(bucket, new Dictionary<string, string>(), context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static void ThrowIfMissing(ObjectTaggingStatus status, string bucket, string key, string? versionId)
    {
        switch (status)
        {
            case ObjectTaggingStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case ObjectTaggingStatus.NoSuchKey:
                throw S3Errors.NoSuchKey(key);
            case ObjectTaggingStatus.NoSuchVersion:
                throw S3Errors.NoSuchVersion(key, versionId);
            case ObjectTaggingStatus.DeleteMarker:
                throw S3Errors.DeleteMarkerNotAllowed(versionId);
        }
    }
}
