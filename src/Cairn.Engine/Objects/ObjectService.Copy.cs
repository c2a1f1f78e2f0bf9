using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Encryption;
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
            // The source's SSE-C key is checked whether or not its bytes are read (a wrong one is refused).
            var sourceCipher = CipherForRead(source, command.SourceCustomerKey);
            var targetMode = encryption is null ? EncryptionMode.None
                : await encryption.ModeForWriteAsync(command.Bucket, command.Encryption, cancellationToken).ConfigureAwait(false);
            if (targetMode != DataKeyEnvelope.ModeOf(source.Encryption) || targetMode == EncryptionMode.CustomerKey)
            {
                // Another encryption (or another customer key): the bytes are read, decrypted and written anew.
                return await CopyReencryptingAsync(command, source, sourceCipher, cancellationToken).ConfigureAwait(false);
            }
            var version = CopyOf(source, command);
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

    /// <summary>The copy's row as the source's with what a copy changes: place, time, metadata and tags as asked, its own lock; written hot.</summary>
    private ObjectVersionRecord CopyOf(ObjectVersionRecord source, CopyObjectCommand command) => source with
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

    /// <summary>
    /// A copy whose encryption differs from its source's: the source is read (decrypted) and streamed into
    /// a new body under the copy's encryption, a single-part object with the source's checksum algorithms
    /// computed over it. S3 copies this way too (a copy is how SSE-C objects change keys).
    /// </summary>
    private async Task<CopyObjectResult> CopyReencryptingAsync(CopyObjectCommand command, ObjectVersionRecord source, BodyCipher? sourceCipher,
        CancellationToken cancellationToken)
    {
        var written = await EncryptionForWriteAsync(command.Bucket, command.Encryption, cancellationToken).ConfigureAwait(false);
        var algorithms = source.Checksums.Keys
            .Select(static name => ChecksumAlgorithms.TryParseWireName(name, out var algorithm) ? algorithm : (ChecksumAlgorithm?)null)
            .OfType<ChecksumAlgorithm>().ToList();
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: options.ChunkSize,
            resumeWriterThreshold: options.ChunkSize / 2));
        // A write that fails stops the reading too (a pipe whose reader is gone takes writes without complaint).
        using var producing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(pipe.Writer, producing.Token);
        StoredBody body;
        try
        {
            body = await chunks.WriteAsync(pipe.Reader.AsStream(), algorithms, cancellationToken, source.Size, cipher: written.Cipher).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producing.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
        var version = CopyOf(source, command) with
        {
            Size = body.Size,
            ETag = ETagOf(body.Md5, written),
            Checksums = body.ChecksumsByWireName(),
            ChecksumType = "FULL_OBJECT",
            InlineBody = body.InlineBody,
            InlineBodyHash = body.InlineBodyHash,
            Chunks = body.Chunks,
            PartSizes = [],
            PartChecksums = [],
            Encryption = written.Envelope,
        };
        var outcome = await CommitWrittenAsync(body, version, command.Precondition, cancellationToken).ConfigureAwait(false);
        return outcome.Outcome switch
        {
            CommitOutcome.Committed => new CopyObjectResult(CopyObjectStatus.Copied, new ObjectVersion(version with { VersionId = outcome.VersionId! }), source.VersionId),
            CommitOutcome.NoSuchBucket => new CopyObjectResult(CopyObjectStatus.NoSuchBucket),
            CommitOutcome.PreconditionFailed => new CopyObjectResult(CopyObjectStatus.PreconditionFailed),
            _ => throw new TimeoutException($"The copy to {command.Bucket}/{command.Key} outlived its chunk reservations; nothing was committed."),
        };

        async Task ProduceAsync(System.IO.Pipelines.PipeWriter writer, CancellationToken producing)
        {
            try
            {
                await chunks.CopyRangeToAsync(source, 0, source.Size, writer.AsStream(leaveOpen: true), producing, sourceCipher).ConfigureAwait(false);
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The reader sees the failure instead of a short body.
                await writer.CompleteAsync(ex).ConfigureAwait(false);
            }
        }
    }
}
