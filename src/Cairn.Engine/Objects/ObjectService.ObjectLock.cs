using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>
    /// The lock state of a version of a key (the latest when <paramref name="versionId"/> is null);
    /// <see cref="ObjectLockStatus.NotSet"/> when the part asked for (<paramref name="legalHold"/>:
    /// the legal hold, else the retention) was never set.
    /// </summary>
    public async Task<ObjectLockResult> GetLockAsync(string bucket, string key, string? versionId, bool legalHold,
        CancellationToken cancellationToken)
    {
        if (await LockRefusalAsync(bucket, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return new ObjectLockResult(refusal);
        }
        var version = versionId is null
            ? await objects.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false)
            : await objects.GetObjectVersionAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        return version switch
        {
            null => new ObjectLockResult(versionId is null ? ObjectLockStatus.NoSuchKey : ObjectLockStatus.NoSuchVersion),
            // The latest version a delete marker: the key reads as absent; a marker by id has no lock state.
            { IsDeleteMarker: true } => new ObjectLockResult(versionId is null ? ObjectLockStatus.NoSuchKey : ObjectLockStatus.DeleteMarker),
            _ when (legalHold ? version.Lock.LegalHold is null : version.Lock.Retention is null) => new ObjectLockResult(ObjectLockStatus.NotSet),
            _ => new ObjectLockResult(ObjectLockStatus.Done, version.Lock),
        };
    }

    /// <summary>Why the bucket can hold no lock state (no such bucket, or no Object Lock); null when it can.</summary>
    private async Task<ObjectLockStatus?> LockRefusalAsync(string bucket, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) switch
        {
            null => ObjectLockStatus.NoSuchBucket,
            { ObjectLock: null } => ObjectLockStatus.ObjectLockNotEnabled,
            _ => null,
        };

    /// <summary>
    /// Replaces a version's retention (null removes it) when its current retention allows it (see
    /// <see cref="ObjectLockState.AllowsRetention"/>), or sets its legal hold; nothing else of the version changes.
    /// </summary>
    public async Task<ObjectLockStatus> PutLockAsync(string bucket, string key, string? versionId, ObjectLockChange change,
        CancellationToken cancellationToken)
    {
        if (await LockRefusalAsync(bucket, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return refusal;
        }
        var now = time.GetUtcNow();
        if (change.Retention is { } retention && !retention.IsInForce(now))
        {
            return ObjectLockStatus.RetainUntilNotInFuture;
        }
        return await objects.PutObjectLockAsync(bucket, key, versionId, change, now, cancellationToken).ConfigureAwait(false) switch
        {
            PutLockOutcome.Updated => ObjectLockStatus.Done,
            PutLockOutcome.Locked => ObjectLockStatus.Locked,
            PutLockOutcome.DeleteMarker when versionId is null => ObjectLockStatus.NoSuchKey,
            PutLockOutcome.DeleteMarker => ObjectLockStatus.DeleteMarker,
            _ => versionId is null ? ObjectLockStatus.NoSuchKey : ObjectLockStatus.NoSuchVersion,
        };
    }
}
