using Cairn.Engine.Trees;
using Cairn.S3.Auth;
using Cairn.S3.Handlers;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

public sealed partial class CairnAdminApi
{
    /// <summary>Errors quoted in an InvalidArchive message; the rest are counted.</summary>
    private const int QuotedArchiveErrors = 5;

    /// <summary>
    /// <c>POST /_cairn/buckets/{bucket}/import[?prefix=P][&amp;replace=true]</c>: the body is a bucket
    /// export (a CAR), checked as its signature promises (x-amz-content-sha256), verified whole, then
    /// made visible in one transaction. The answer says what changed; an empty archive with replace
    /// empties the prefix and says so (<c>emptySource</c>), which is not an error.
    /// </summary>
    private async Task ImportAsync(HttpContext context, AuthResult auth, string bucket)
    {
        var query = context.Request.Query;
        var prefix = OneOrNone(query, "prefix") ?? "";
        var replace = IsTrue(query["replace"]);
        var body = RequestBody.Open(context, auth, out _);
        BucketImportResult result;
        await using (body == context.Request.Body ? null : body)
        {
            result = await trees.ImportAsync(body, new BucketImportRequest(bucket, prefix, replace), context.RequestAborted).ConfigureAwait(false);
        }
        switch (result.Status)
        {
            case BucketImportStatus.NoSuchBucket:
                throw new AdminException(StatusCodes.Status404NotFound, "NoSuchBucket", $"The bucket '{bucket}' does not exist.");
            case BucketImportStatus.InvalidArchive:
                var quoted = string.Join(" ", result.Errors.Take(QuotedArchiveErrors));
                var more = result.Errors.Count > QuotedArchiveErrors ? $" ({result.Errors.Count - QuotedArchiveErrors} more errors.)" : "";
                throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArchive", $"The archive was refused; nothing changed. {quoted}{more}");
            case BucketImportStatus.KeyExists:
                throw new AdminException(StatusCodes.Status409Conflict, "KeyExists",
                    $"The key '{result.Key}' is already in the bucket; nothing changed. Import with replace=true to replace the prefix.");
            case BucketImportStatus.Locked:
                throw new AdminException(StatusCodes.Status409Conflict, "ObjectLocked",
                    $"A version of '{result.Key}' under the prefix is protected by Object Lock; nothing changed.");
            case BucketImportStatus.VersioningRequired:
                throw new AdminException(StatusCodes.Status409Conflict, "InvalidBucketState",
                    $"The archive holds versions of '{result.Key}', and the bucket '{bucket}' has never had versioning enabled; enable it first. Nothing changed.");
        }
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("bucket", bucket);
            json.WriteString("prefix", prefix);
            json.WriteBoolean("replace", replace);
            json.WriteString("sourceBucket", result.SourceBucket);
            json.WriteNumber("sourceSeq", result.SourceSeq ?? 0);
            json.WriteString("sourceCommit", result.SourceCommit?.ToString());
            json.WriteString("sourceRoot", result.SourceRoot?.ToString());
            json.WriteNumber("keysRemoved", result.KeysRemoved);
            json.WriteNumber("keysImported", result.KeysImported);
            json.WriteNumber("versionsImported", result.VersionsImported);
            json.WriteNumber("chunks", result.Chunks);
            json.WriteNumber("chunkBytes", result.ChunkBytes);
            json.WriteBoolean("emptySource", result.KeysImported == 0);
        }).ConfigureAwait(false);
    }
}
