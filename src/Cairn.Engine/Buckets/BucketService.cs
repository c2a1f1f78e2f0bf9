using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Buckets;

/// <summary>Outcome of creating a bucket.</summary>
public enum CreateBucketStatus
{
    Created,
    /// <summary>The bucket exists and the caller owns it.</summary>
    AlreadyExists,

    /// <summary>The bucket exists and another identity owns it (S3: 409 BucketAlreadyExists).</summary>
    OwnedByAnother,

    /// <summary>The owner named is no user (deleted since its key signed the request): nothing made.</summary>
    NoSuchOwner,
}

/// <summary>Outcome of deleting a bucket.</summary>
public enum DeleteBucketStatus
{
    Deleted,
    NoSuchBucket,
    /// <summary>The bucket still holds objects.</summary>
    NotEmpty,
}

/// <summary>Outcome of setting a bucket's versioning state.</summary>
public enum PutVersioningStatus
{
    Done,
    NoSuchBucket,
    /// <summary>The bucket has Object Lock, which keeps versioning enabled (S3: 409 InvalidBucketState).</summary>
    ObjectLockEnabled,
}

/// <summary>Outcome of putting a bucket's Object Lock configuration.</summary>
public enum PutObjectLockConfigurationStatus
{
    Done,
    NoSuchBucket,
    /// <summary>Versioning is not enabled on the bucket (S3: 409 InvalidBucketState).</summary>
    VersioningNotEnabled,
}

/// <summary>Whether a write may ask for a lock state (x-amz-object-lock-* headers).</summary>
public enum LockRequestStatus
{
    Accepted,
    NoSuchBucket,
    /// <summary>The bucket does not have Object Lock (S3: 400 InvalidRequest).</summary>
    ObjectLockNotEnabled,
    /// <summary>The retain-until date is not in the future (S3: 400 InvalidArgument).</summary>
    RetainUntilNotInFuture,
}

/// <summary>Bucket operations.</summary>
public sealed class BucketService(IBucketCatalog buckets, EngineOptions options, TimeProvider time)
{
    /// <summary>
    /// Creates a bucket in <paramref name="region"/> owned by <paramref name="owner"/> (a user's name;
    /// null for root), with Object Lock (and versioning enabled with it) when
    /// <paramref name="objectLockEnabled"/>. The name has been validated by the caller.
    /// </summary>
    public async Task<CreateBucketStatus> CreateAsync(string name, string region, string? owner, CancellationToken cancellationToken,
        bool objectLockEnabled = false)
    {
        // The catalog enables versioning with Object Lock (IBucketCatalog.TryCreateBucketAsync).
        var record = new BucketRecord(name, time.GetUtcNow(), region)
        {
            ObjectLock = objectLockEnabled ? new Core.ObjectLockConfiguration(DefaultRetention: null) : null,
            Owner = owner,
        };
        if (await buckets.TryCreateBucketAsync(record, cancellationToken).ConfigureAwait(false))
        {
            return CreateBucketStatus.Created;
        }
        var existing = await buckets.GetBucketAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return CreateBucketStatus.NoSuchOwner;
        }
        return string.Equals(existing.Owner, owner, StringComparison.Ordinal) ? CreateBucketStatus.AlreadyExists : CreateBucketStatus.OwnedByAnother;
    }

    /// <summary>The bucket, or null.</summary>
    public async Task<Bucket?> GetAsync(string name, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(name, cancellationToken).ConfigureAwait(false) is { } bucket ? new Bucket(bucket) : null;

    /// <summary>Replaces the bucket's tags (validated by the caller; none removes them). False when there is no such bucket.</summary>
    public async Task<bool> PutTagsAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        await buckets.PutBucketTagsAsync(name, tags, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sets the bucket's versioning to Enabled or Suspended (validated by the caller); a bucket with
    /// Object Lock cannot be suspended.
    /// </summary>
    public async Task<PutVersioningStatus> PutVersioningAsync(string name, Core.BucketVersioning versioning, CancellationToken cancellationToken) =>
        await buckets.PutBucketVersioningAsync(name, versioning, cancellationToken).ConfigureAwait(false) switch
        {
            PutVersioningOutcome.Updated => PutVersioningStatus.Done,
            PutVersioningOutcome.NoSuchBucket => PutVersioningStatus.NoSuchBucket,
            _ => PutVersioningStatus.ObjectLockEnabled,
        };

    /// <summary>
    /// Enables Object Lock on a bucket whose versioning is enabled and sets its default retention
    /// (validated by the caller; none removes it).
    /// </summary>
    public async Task<PutObjectLockConfigurationStatus> PutObjectLockConfigurationAsync(string name, Core.ObjectLockConfiguration configuration,
        CancellationToken cancellationToken) =>
        await buckets.PutObjectLockConfigurationAsync(name, configuration, cancellationToken).ConfigureAwait(false) switch
        {
            PutObjectLockOutcome.Updated => PutObjectLockConfigurationStatus.Done,
            PutObjectLockOutcome.NoSuchBucket => PutObjectLockConfigurationStatus.NoSuchBucket,
            _ => PutObjectLockConfigurationStatus.VersioningNotEnabled,
        };

    /// <summary>
    /// Whether a write into <paramref name="name"/> may ask for <paramref name="requested"/> (the
    /// x-amz-object-lock-* headers of PutObject, CopyObject, CreateMultipartUpload): the bucket must
    /// have Object Lock, and a retention must end in the future. Object Lock is never disabled once
    /// enabled, so the answer holds when the write commits.
    /// </summary>
    public async Task<LockRequestStatus> CheckLockRequestAsync(string name, Core.ObjectLockState requested, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(name, cancellationToken).ConfigureAwait(false) is not { } bucket)
        {
            return LockRequestStatus.NoSuchBucket;
        }
        if (bucket.ObjectLock is null)
        {
            return LockRequestStatus.ObjectLockNotEnabled;
        }
        return requested.Retention is { } retention && !retention.IsInForce(time.GetUtcNow())
            ? LockRequestStatus.RetainUntilNotInFuture
            : LockRequestStatus.Accepted;
    }

    /// <summary>Deletes a bucket that holds no objects; multipart uploads in progress are aborted with it, as in S3.</summary>
    public async Task<DeleteBucketStatus> DeleteAsync(string name, CancellationToken cancellationToken) =>
        await buckets.DeleteBucketAsync(name, time.GetUtcNow(), options.GracePeriod, cancellationToken).ConfigureAwait(false) switch
        {
            DeleteBucketOutcome.Deleted => DeleteBucketStatus.Deleted,
            DeleteBucketOutcome.NoSuchBucket => DeleteBucketStatus.NoSuchBucket,
            _ => DeleteBucketStatus.NotEmpty,
        };

    /// <summary>All buckets by name.</summary>
    public async Task<IReadOnlyList<Bucket>> ListAsync(CancellationToken cancellationToken)
    {
        var records = await buckets.ListBucketsAsync(cancellationToken).ConfigureAwait(false);
        var all = new Bucket[records.Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = new Bucket(records[i]);
        }
        return all;
    }

    /// <summary>
    /// Every bucket, by name, with its owner (null: root) and what it holds: an operator's report
    /// (<c>cairn usage</c>); it counts every row, so it is not for the request path.
    /// </summary>
    public async Task<IReadOnlyList<BucketUsageReport>> ListUsageAsync(CancellationToken cancellationToken)
    {
        var records = (await buckets.ListBucketsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(static b => b.Name, StringComparer.Ordinal);
        var usage = await buckets.ListBucketUsageAsync(cancellationToken).ConfigureAwait(false);
        // A bucket made between the two reads has no usage row yet; one deleted between them has no record: both are left out.
        return [.. usage.Where(row => records.ContainsKey(row.Bucket)).Select(row =>
        {
            var record = records[row.Bucket];
            return new BucketUsageReport(row.Bucket, record.Owner, record.CreatedAt, record.Versioning, row.Objects, row.Bytes,
                row.NoncurrentVersions, row.NoncurrentBytes, row.DeleteMarkers);
        })];
    }
}

/// <summary>A bucket and what it holds: current objects and noncurrent versions (delete markers apart) with their bytes.</summary>
public sealed record BucketUsageReport(string Bucket, string? Owner, DateTimeOffset CreatedAt, BucketVersioning Versioning, long Objects, long Bytes,
    long NoncurrentVersions, long NoncurrentBytes, long DeleteMarkers);
