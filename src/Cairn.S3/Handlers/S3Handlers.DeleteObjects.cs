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
        using var document = await RequestBody.ReadDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        VerifyDocumentIntegrity(context, document);
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
            // An entry's ETag element is its If-Match (a conditional delete of that key alone).
            var deletion = await objects.DeleteAsync(bucket, key, context.RequestAborted, ifMatch, versionId, bypassGovernance).ConfigureAwait(false);
            var status = deletion.Status;
            if (status == DeleteObjectStatus.Locked)
            {
                errors.Add(new DeleteError(key, S3ErrorCode.AccessDenied, ProtectedByObjectLock().Message) { VersionId = versionId });
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

    /// <summary>Content-MD5 and x-amz-checksum-* of a document body, when sent, must match (BadDigest otherwise).</summary>
    private static void VerifyDocumentIntegrity(HttpContext context, MemoryStream document)
    {
        var bytes = document.GetBuffer().AsSpan(0, (int)document.Length);
        if (RequestHeaders.ContentMd5(context.Request.Headers) is { } expected
            && !System.Security.Cryptography.MD5.HashData(bytes).AsSpan().SequenceEqual(expected))
        {
            throw S3Errors.Of(S3ErrorCode.BadDigest);
        }
        var (checksums, _) = RequestHeaders.Checksums(context.Request.Headers);
        foreach (var (algorithm, value) in checksums)
        {
            using var checksum = IncrementalChecksum.Create(algorithm);
            checksum.Append(bytes);
            if (checksum.GetBase64AndReset() != value)
            {
                throw S3Errors.Of(S3ErrorCode.BadDigest,
                    $"The {ChecksumAlgorithms.WireName(algorithm)} you specified did not match the calculated checksum.");
            }
        }
    }
}
