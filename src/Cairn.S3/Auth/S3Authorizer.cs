using Cairn.Engine.Buckets;
using Cairn.S3.Errors;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Auth;

/// <summary>
/// The one authorization decision every S3 request passes before its handler runs
/// (<see cref="S3Handlers.HandleAsync"/>). Root may do everything. A user may list buckets (it sees
/// its own), create a bucket (which it then owns), and do anything else only in buckets it owns,
/// including the source bucket of a copy. A bucket that does not exist is answered NoSuchBucket here,
/// so no handler runs for a bucket the check did not see.
/// </summary>
public sealed class S3Authorizer(BucketService buckets)
{
    /// <summary>Returns when <paramref name="auth"/>'s principal may make <paramref name="request"/>; throws AccessDenied or NoSuchBucket otherwise.</summary>
    public async Task AuthorizeAsync(S3Request request, AuthResult auth, IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        var principal = auth.Principal;
        if (principal.IsRoot || request.Operation is S3Operation.ListBuckets or S3Operation.CreateBucket)
        {
            return;
        }
        if (request.Bucket is not { } bucket)
        {
            // Only ListBuckets names no bucket; anything else without one is refused by its handler.
            throw S3Errors.AccessDenied();
        }
        await RequireOwnerAsync(bucket, principal, cancellationToken).ConfigureAwait(false);
        if (request.Operation is S3Operation.CopyObject or S3Operation.UploadPartCopy
            && RequestHeaders.Value(headers, "x-amz-copy-source") is { } copySource)
        {
            var (sourceBucket, _, _) = S3Handlers.CopySource(copySource);
            await RequireOwnerAsync(sourceBucket, principal, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RequireOwnerAsync(string bucket, Principal principal, CancellationToken cancellationToken)
    {
        var record = await buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        if (!string.Equals(record.Owner, principal.User, StringComparison.Ordinal))
        {
            throw S3Errors.AccessDenied();
        }
    }
}
