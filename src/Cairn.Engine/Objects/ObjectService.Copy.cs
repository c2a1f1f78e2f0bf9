using Cairn.Metadata;

namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>
    /// Server-side copy: the new version references the source's chunks (no bytes move). If the
    /// source is replaced and swept between the read and the commit, the copy is retried once
    /// against the new source.
    /// </summary>
    public async Task<CopyObjectResult> CopyAsync(CopyObjectCommand command, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(command.Bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new CopyObjectResult(CopyObjectStatus.NoSuchBucket);
        }
        for (var attempt = 0; ; attempt++)
        {
            var source = command.SourceVersionId is { } sourceVersionId
                ? await objects.GetObjectVersionAsync(command.SourceBucket, command.SourceKey, sourceVersionId, cancellationToken).ConfigureAwait(false)
                : await objects.GetObjectAsync(command.SourceBucket, command.SourceKey, cancellationToken).ConfigureAwait(false);
            if (source is null || (source.IsDeleteMarker && command.SourceVersionId is null))
            {
                var sourceBucketExists = await buckets.GetBucketAsync(command.SourceBucket, cancellationToken).ConfigureAwait(false) is not null;
                return new CopyObjectResult(!sourceBucketExists ? CopyObjectStatus.NoSuchSourceBucket
                    : source is null && command.SourceVersionId is not null ? CopyObjectStatus.NoSuchSourceVersion
                    : CopyObjectStatus.NoSuchSourceKey);
            }
            if (source.IsDeleteMarker)
            {
                return new CopyObjectResult(CopyObjectStatus.SourceIsDeleteMarker);
            }
            if (source.Size > command.MaxSourceSize)
            {
                return new CopyObjectResult(CopyObjectStatus.SourceTooLarge);
            }
            if (ReadConditionEvaluator.Evaluate(command.SourceConditions, source.ETag, source.LastModified) != GetObjectStatus.Found)
            {
                return new CopyObjectResult(CopyObjectStatus.SourcePreconditionFailed);
            }
            var version = source with
            {
                Bucket = command.Bucket,
                Key = command.Key,
                VersionId = "null",
                LastModified = time.GetUtcNow(),
                Headers = command.ReplaceMetadata ? command.Headers : source.Headers,
                UserMetadata = command.ReplaceMetadata ? command.UserMetadata : source.UserMetadata,
                Tags = command.ReplaceTags ? command.Tags : source.Tags,
                Lock = command.Lock,
                // A copy is a new version, written hot (it shares the source's chunks wherever they are).
                StorageClass = null,
            };
            var outcome = await objects.CommitObjectAsync(new ObjectCommit(UploadId: null, version, command.Precondition), time.GetUtcNow(),
                options.GracePeriod, cancellationToken).ConfigureAwait(false);
            switch (outcome.Outcome)
            {
                case CommitOutcome.Committed:
                    return new CopyObjectResult(CopyObjectStatus.Copied, new ObjectVersion(version with { VersionId = outcome.VersionId! }), source.VersionId);
                case CommitOutcome.NoSuchBucket:
                    return new CopyObjectResult(CopyObjectStatus.NoSuchBucket);
                case CommitOutcome.PreconditionFailed:
                    return new CopyObjectResult(CopyObjectStatus.PreconditionFailed);
                case CommitOutcome.ChunkMissing when attempt == 0:
                    continue;
                default:
                    return new CopyObjectResult(CopyObjectStatus.NoSuchSourceKey);
            }
        }
    }
}
