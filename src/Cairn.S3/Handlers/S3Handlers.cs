using Cairn.Engine.Access;
using Cairn.Engine.Buckets;
using Cairn.Engine.Encryption;
using Cairn.Engine.Inventory;
using Cairn.Engine.Lifecycle;
using Cairn.Engine.Multipart;
using Cairn.Engine.Objects;
using Cairn.Engine.Trees;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>
/// One method per S3 operation: parse headers, call one engine method, write the response.
/// Failures are thrown as <see cref="S3Exception"/> and written by the middleware, never here.
/// </summary>
public sealed partial class S3Handlers(BucketService buckets, ObjectService objects, MultipartService multipart, BucketTreeService trees,
    LifecycleService lifecycle, InventoryService inventory, BucketPolicyService policies, BucketCorsService cors, ObjectEncryption encryption,
    S3Authorizer authorizer, S3Options options)
{
    /// <summary>
    /// Dispatches a parsed, authenticated request (one switch, STYLE top rule 1), after refusing any
    /// header that asks for something Cairn does not do (<see cref="RefusedRequestHeaders"/>) and after
    /// the one authorization decision (<see cref="S3Authorizer"/>): before a handler reads a body or
    /// writes anything. Root's requests, which may do everything, skip the decision's await.
    /// </summary>
    public Task HandleAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        RefusedRequestHeaders.ThrowIfAnyRefused(request.Operation, context.Request.Headers);
        return auth.Principal.IsRoot ? DispatchAsync(context, request, auth) : AuthorizeThenDispatchAsync(context, request, auth);
    }

    private async Task AuthorizeThenDispatchAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        await authorizer.AuthorizeAsync(request, auth, context, context.RequestAborted).ConfigureAwait(false);
        try
        {
            await DispatchAsync(context, request, auth).ConfigureAwait(false);
        }
        catch (S3Exception error) when (error.Code == S3ErrorCode.NoSuchKey
            && request.Operation is S3Operation.GetObject or S3Operation.HeadObject or S3Operation.GetObjectAttributes)
        {
            // As S3 answers: a missing key is 404 NoSuchKey only to a caller who may list the bucket, and 403
            // to others, so reading keys one by one is no way to learn which exist.
            var mayList = await authorizer.DecideAsync(auth.Principal, request.Bucket!, key: null, "s3:ListBucket", context, query: null,
                context.RequestAborted).ConfigureAwait(false);
            if (mayList != AccessDecision.Allowed)
            {
                throw S3Errors.AccessDenied();
            }
            throw;
        }
    }

    private Task DispatchAsync(HttpContext context, S3Request request, AuthResult auth) => request.Operation switch
    {
        S3Operation.ListBuckets => ListBucketsAsync(context, auth),
        S3Operation.CreateBucket => CreateBucketAsync(context, request, auth),
        S3Operation.HeadBucket => HeadBucketAsync(context, request),
        S3Operation.DeleteBucket => DeleteBucketAsync(context, request),
        S3Operation.GetBucketLocation => GetBucketLocationAsync(context, request),
        S3Operation.ListObjects => ListObjectsAsync(context, request, auth, v2: false),
        S3Operation.ListObjectsV2 => ListObjectsAsync(context, request, auth, v2: true),
        S3Operation.DeleteObjects => DeleteObjectsAsync(context, request, auth),
        S3Operation.PutObject => PutObjectAsync(context, request, auth),
        S3Operation.CopyObject => CopyObjectAsync(context, request),
        S3Operation.GetObject => GetObjectAsync(context, request, headOnly: false),
        S3Operation.HeadObject => GetObjectAsync(context, request, headOnly: true),
        S3Operation.DeleteObject => DeleteObjectAsync(context, request),
        S3Operation.CreateMultipartUpload => CreateMultipartUploadAsync(context, request),
        S3Operation.UploadPart => UploadPartAsync(context, request, auth),
        S3Operation.UploadPartCopy => UploadPartCopyAsync(context, request),
        S3Operation.CompleteMultipartUpload => CompleteMultipartUploadAsync(context, request, auth),
        S3Operation.AbortMultipartUpload => AbortMultipartUploadAsync(context, request),
        S3Operation.ListParts => ListPartsAsync(context, request, auth),
        S3Operation.ListMultipartUploads => ListMultipartUploadsAsync(context, request, auth),
        S3Operation.ListObjectVersions => ListObjectVersionsAsync(context, request, auth),
        S3Operation.GetBucketVersioning => GetBucketVersioningAsync(context, request),
        S3Operation.PutBucketVersioning => PutBucketVersioningAsync(context, request, auth),
        S3Operation.GetObjectLockConfiguration => GetObjectLockConfigurationAsync(context, request),
        S3Operation.PutObjectLockConfiguration => PutObjectLockConfigurationAsync(context, request, auth),
        S3Operation.GetObjectRetention => GetObjectRetentionAsync(context, request),
        S3Operation.PutObjectRetention => PutObjectRetentionAsync(context, request, auth),
        S3Operation.GetObjectLegalHold => GetObjectLegalHoldAsync(context, request),
        S3Operation.PutObjectLegalHold => PutObjectLegalHoldAsync(context, request, auth),
        S3Operation.GetBucketTagging => GetBucketTaggingAsync(context, request),
        S3Operation.PutBucketTagging => PutBucketTaggingAsync(context, request, auth),
        S3Operation.DeleteBucketTagging => DeleteBucketTaggingAsync(context, request),
        S3Operation.GetBucketLifecycleConfiguration => GetBucketLifecycleAsync(context, request),
        S3Operation.PutBucketLifecycleConfiguration => PutBucketLifecycleAsync(context, request, auth),
        S3Operation.DeleteBucketLifecycle => DeleteBucketLifecycleAsync(context, request),
        S3Operation.GetBucketInventoryConfiguration => GetBucketInventoryAsync(context, request),
        S3Operation.ListBucketInventoryConfigurations => ListBucketInventoryAsync(context, request),
        S3Operation.PutBucketInventoryConfiguration => PutBucketInventoryAsync(context, request, auth),
        S3Operation.DeleteBucketInventoryConfiguration => DeleteBucketInventoryAsync(context, request),
        S3Operation.GetObjectTagging => GetObjectTaggingAsync(context, request),
        S3Operation.PutObjectTagging => PutObjectTaggingAsync(context, request, auth),
        S3Operation.DeleteObjectTagging => DeleteObjectTaggingAsync(context, request),
        S3Operation.GetObjectAttributes => GetObjectAttributesAsync(context, request),
        S3Operation.GetBucketPolicy => GetBucketPolicyAsync(context, request),
        S3Operation.PutBucketPolicy => PutBucketPolicyAsync(context, request, auth),
        S3Operation.DeleteBucketPolicy => DeleteBucketPolicyAsync(context, request),
        S3Operation.GetBucketPolicyStatus => GetBucketPolicyStatusAsync(context, request),
        S3Operation.GetPublicAccessBlock => GetPublicAccessBlockAsync(context, request),
        S3Operation.PutPublicAccessBlock => PutPublicAccessBlockAsync(context, request, auth),
        S3Operation.DeletePublicAccessBlock => DeletePublicAccessBlockAsync(context, request),
        S3Operation.GetBucketOwnershipControls => GetBucketOwnershipControlsAsync(context, request),
        S3Operation.PutBucketOwnershipControls => PutBucketOwnershipControlsAsync(context, request, auth),
        S3Operation.DeleteBucketOwnershipControls => DeleteBucketOwnershipControlsAsync(context, request),
        S3Operation.GetBucketAcl => GetBucketAclAsync(context, request),
        S3Operation.PutBucketAcl => PutBucketAclAsync(context, request, auth),
        S3Operation.GetObjectAcl => GetObjectAclAsync(context, request),
        S3Operation.PutObjectAcl => PutObjectAclAsync(context, request, auth),
        S3Operation.GetBucketCors => GetBucketCorsAsync(context, request),
        S3Operation.PutBucketCors => PutBucketCorsAsync(context, request, auth),
        S3Operation.DeleteBucketCors => DeleteBucketCorsAsync(context, request),
        S3Operation.PreflightCors => PreflightCorsAsync(context, request),
        S3Operation.PostObject => PostObjectAsync(context, request),
        S3Operation.GetBucketEncryption => GetBucketEncryptionAsync(context, request),
        S3Operation.PutBucketEncryption => PutBucketEncryptionAsync(context, request, auth),
        S3Operation.DeleteBucketEncryption => DeleteBucketEncryptionAsync(context, request),
        _ => throw S3Errors.NotImplemented(request.UnsupportedName ?? request.Operation.ToString()),
    };

    private static string RequireBucket(S3Request request) => request.Bucket ?? throw S3Errors.Of(S3ErrorCode.MethodNotAllowed);

    private static string RequireKey(S3Request request) => request.Key ?? throw S3Errors.Of(S3ErrorCode.MethodNotAllowed);
}
