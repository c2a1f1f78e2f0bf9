using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;

namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>
    /// Stores a body and makes it the key's latest version in one catalog transaction. The new
    /// version is visible only once the chunks are durable and the transaction has committed; on
    /// any other outcome nothing of the body stays referenced.
    /// </summary>
    public async Task<PutObjectResult> PutAsync(PutObjectCommand command, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(command.Bucket, cancellationToken).ConfigureAwait(false) is not { } bucket)
        {
            return new PutObjectResult(PutObjectStatus.NoSuchBucket);
        }
        // S3 wants a body it can check end to end before it locks it: Content-MD5 or a checksum.
        if ((command.Lock != default || bucket.ObjectLock?.DefaultRetention is not null) && command.ContentMd5 is null && command.Checksums.Count == 0)
        {
            return new PutObjectResult(PutObjectStatus.LockNeedsIntegrity);
        }
        if (command.Precondition != WritePrecondition.None && !await PreconditionMayHoldAsync(command, cancellationToken).ConfigureAwait(false))
        {
            return new PutObjectResult(PutObjectStatus.PreconditionFailed);
        }

        var encrypted = await EncryptionForWriteAsync(command.Bucket, command.Encryption, cancellationToken).ConfigureAwait(false);
        var body = await chunks.WriteAsync(command.Body, command.Checksums, cancellationToken, command.DeclaredLength, cipher: encrypted.Cipher)
            .ConfigureAwait(false);
        PutObjectResult? rejection;
        try
        {
            // Reading the claims can itself fail (a malformed trailer value): release either way.
            rejection = Verify(command, body);
        }
        catch
        {
            await ReleaseAsync(body).ConfigureAwait(false);
            throw;
        }
        if (rejection is not null)
        {
            await ReleaseAsync(body).ConfigureAwait(false);
            return rejection;
        }

        var version = new ObjectVersionRecord
        {
            Bucket = command.Bucket,
            Key = command.Key,
            Size = body.Size,
            ETag = ETagOf(body.Md5, encrypted),
            LastModified = time.GetUtcNow(),
            Headers = command.Headers,
            UserMetadata = command.UserMetadata,
            Checksums = body.ChecksumsByWireName(),
            InlineBody = body.InlineBody,
            InlineBodyHash = body.InlineBodyHash,
            Chunks = body.Chunks,
            Tags = command.Tags,
            Lock = command.Lock,
            Encryption = encrypted.Envelope,
        };
        var outcome = await CommitWrittenAsync(body, version, command.Precondition, cancellationToken).ConfigureAwait(false);
        if (outcome.Outcome != CommitOutcome.Committed)
        {
            return outcome.Outcome switch
            {
                CommitOutcome.NoSuchBucket => new PutObjectResult(PutObjectStatus.NoSuchBucket),
                CommitOutcome.PreconditionFailed => new PutObjectResult(PutObjectStatus.PreconditionFailed),
                // The upload's reservations expired before the commit (the writer stalled longer than
                // ReservationTimeout) and the sweeper may have reclaimed its chunks: nothing is committed,
                // and the client should retry.
                _ => throw new TimeoutException($"The upload of {command.Bucket}/{command.Key} outlived its chunk reservations; nothing was committed."),
            };
        }
        return new PutObjectResult(PutObjectStatus.Created, new ObjectVersion(version with { VersionId = outcome.VersionId! }));
    }

    /// <summary>Checks the precondition before reading the body, so a doomed upload is refused early; the commit checks again.</summary>
    private async Task<bool> PreconditionMayHoldAsync(PutObjectCommand command, CancellationToken cancellationToken)
    {
        var current = await objects.GetObjectAsync(command.Bucket, command.Key, cancellationToken).ConfigureAwait(false);
        return command.Precondition.HoldsFor(current is { IsDeleteMarker: false } ? current.ETag : null);
    }

    private static PutObjectResult? Verify(PutObjectCommand command, StoredBody body)
    {
        var verdict = body.Verify(command.DeclaredLength, command.ContentMd5, command.ExpectedChecksums);
        return verdict.Kind switch
        {
            BodyVerdictKind.Valid => null,
            BodyVerdictKind.IncompleteBody => new PutObjectResult(PutObjectStatus.IncompleteBody),
            BodyVerdictKind.BadDigest => new PutObjectResult(PutObjectStatus.BadDigest),
            _ => new PutObjectResult(PutObjectStatus.ChecksumMismatch, MismatchedChecksum: verdict.MismatchedChecksum),
        };
    }

    /// <summary>Commits a version whose body was just written; the body's reservations are released when it is not committed (or the commit throws).</summary>
    private async Task<CommitResult> CommitWrittenAsync(StoredBody body, ObjectVersionRecord version, WritePrecondition precondition,
        CancellationToken cancellationToken)
    {
        CommitResult outcome;
        try
        {
            outcome = await objects.CommitObjectAsync(new ObjectCommit(body.UploadId, version, precondition), time.GetUtcNow(),
                options.GracePeriod, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(body).ConfigureAwait(false);
            throw;
        }
        if (outcome.Outcome != CommitOutcome.Committed)
        {
            await ReleaseAsync(body).ConfigureAwait(false);
        }
        return outcome;
    }

    private async Task ReleaseAsync(StoredBody body)
    {
        if (body.UploadId is { } uploadId)
        {
            await chunks.AbortAsync(uploadId).ConfigureAwait(false);
        }
    }
}
