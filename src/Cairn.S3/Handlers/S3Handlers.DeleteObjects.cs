using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task DeleteObjectsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var delete = S3XmlReader.ReadDelete(document);
        if (await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        var bypassGovernance = BypassesGovernance(context.Request.Headers);
        var deleted = new List<DeletedObject>(delete.Objects.Count);
        var errors = new List<DeleteError>();
        foreach (var (key, versionId, ifMatch) in delete.Objects)
        {
            if (versionId is not null && !IsWellFormedVersionId(versionId))
            {
                errors.Add(new DeleteError(key, S3ErrorCode.InvalidArgument, "Invalid version id specified") { VersionId = versionId });
                continue;
            }
            if (ObjectKey.Validate(key) != ObjectKey.Validity.Valid)
            {
                errors.Add(new DeleteError(key, S3ErrorCode.KeyTooLongError, S3ErrorCatalog.MessageOf(S3ErrorCode.KeyTooLongError)) { VersionId = versionId });
                continue;
            }
            // The authorization decision, key by key (a policy may allow or deny a prefix).
            if (!auth.Principal.IsRoot && await authorizer.DecideAsync(auth.Principal, bucket, key,
                    versionId is null ? "s3:DeleteObject" : "s3:DeleteObjectVersion", context, query: null, context.RequestAborted).ConfigureAwait(false)
                != AccessDecision.Allowed)
            {
                errors.Add(new DeleteError(key, S3ErrorCode.AccessDenied, S3ErrorCatalog.MessageOf(S3ErrorCode.AccessDenied)) { VersionId = versionId });
                continue;
            }
            // An entry's ETag element is its If-Match (a conditional delete of that key alone).
            var deletion = await objects.DeleteAsync(bucket, key, context.RequestAborted, ifMatch, versionId, bypassGovernance).ConfigureAwait(false);
            var status = deletion.Status;
            if (status == DeleteObjectStatus.Locked)
            {
                errors.Add(new DeleteError(key, S3ErrorCode.AccessDenied, S3Errors.ProtectedByObjectLock().Message) { VersionId = versionId });
                continue;
            }
            if (status is DeleteObjectStatus.NoSuchKey or DeleteObjectStatus.PreconditionFailed)
            {
                var code = status == DeleteObjectStatus.NoSuchKey ? S3ErrorCode.NoSuchKey : S3ErrorCode.PreconditionFailed;
                errors.Add(new DeleteError(key, code, S3ErrorCatalog.MessageOf(code)) { VersionId = versionId });
                continue;
            }
            if (!delete.Quiet)
            {
                // A marker added: DeleteMarker and its id; a version removed by id: that id, and
                // DeleteMarker when it was a marker.
                deleted.Add(new DeletedObject(key)
                {
                    VersionId = versionId,
                    DeleteMarker = deletion.IsDeleteMarker ? true : null,
                    DeleteMarkerVersionId = deletion.IsDeleteMarker ? deletion.VersionId : null,
                });
            }
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, new DeleteResult(deleted, errors),
            static (writer, result) => DeleteResultWriter.Write(writer, result)).ConfigureAwait(false);
    }
}
