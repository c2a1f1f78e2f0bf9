using System.Security.Cryptography;
using Cairn.Engine.Lifecycle;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>A bucket's lifecycle configuration: put (validated as S3 validates it), read back, deleted.</summary>
public sealed partial class S3Handlers
{
    private async Task GetBucketLifecycleAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var (status, configuration) = await lifecycle.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        switch (status)
        {
            case LifecycleStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case LifecycleStatus.NoConfiguration:
                throw new S3Exception(S3ErrorCode.NoSuchLifecycleConfiguration) { Details = [new("BucketName", bucket)] };
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, configuration!,
            static (writer, configuration) => LifecycleWriter.WriteConfiguration(writer, configuration)).ConfigureAwait(false);
    }

    private async Task PutBucketLifecycleAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        // As S3 does, a rule without an ID gets one made up (here 32 hex digits, random). A transition
        // names one of the configured tiers.
        var configuration = await RequestBody.ReadCheckedDocumentAsync(context, auth, lifecycle.Tiers,
            static (body, tiers) => S3XmlReader.ReadLifecycleConfiguration(body, static () => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), tiers))
            .ConfigureAwait(false);
        if (await lifecycle.PutAsync(bucket, configuration, context.RequestAborted).ConfigureAwait(false) == LifecycleStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteBucketLifecycleAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        if (await lifecycle.DeleteAsync(bucket, context.RequestAborted).ConfigureAwait(false) == LifecycleStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
