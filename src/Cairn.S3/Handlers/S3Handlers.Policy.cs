using System.Text;
using Cairn.Core.Access;
using Cairn.Engine.Access;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

// Bucket policies (issue 14): Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus. A policy is
// checked whole before it is stored (Cairn.Core.Access.BucketPolicy); GetBucketPolicy answers the
// document as it was sent.
public sealed partial class S3Handlers
{
    private async Task GetBucketPolicyAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var document = await policies.GetDocumentAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw await NoPolicyAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        var bytes = Encoding.UTF8.GetBytes(document);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task PutBucketPolicyAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        string document;
        using (var body = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false))
        {
            document = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        }
        BucketPolicy policy;
        try
        {
            policy = BucketPolicy.Parse(document, bucket);
        }
        catch (PolicyException error)
        {
            throw new S3Exception(S3ErrorCode.MalformedPolicy, error.Message);
        }
        if (await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        if (policy.IsPublic && (await policies.GetPublicAccessBlockAsync(bucket, context.RequestAborted).ConfigureAwait(false))?.BlockPublicPolicy == true)
        {
            throw S3Errors.AccessDenied("Access Denied because public policies are blocked by the BlockPublicPolicy block public access setting.");
        }
        if (await policies.PutAsync(bucket, document, context.RequestAborted).ConfigureAwait(false) == BucketPolicyStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task DeleteBucketPolicyAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        if (await policies.DeleteAsync(bucket, context.RequestAborted).ConfigureAwait(false) == BucketPolicyStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Why a bucket has no policy to show: NoSuchBucket, or NoSuchBucketPolicy.</summary>
    private async Task<S3Exception> NoPolicyAsync(string bucket, CancellationToken cancellationToken) =>
        await buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false) is null
            ? S3Errors.NoSuchBucket(bucket)
            : new S3Exception(S3ErrorCode.NoSuchBucketPolicy) { Details = [new("BucketName", bucket)] };

    private async Task GetBucketPolicyStatusAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var policy = await policies.GetPolicyAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw await NoPolicyAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, policy.IsPublic,
            static (writer, isPublic) => PolicyStatusWriter.Write(writer, isPublic)).ConfigureAwait(false);
    }
}
