namespace Cairn.Metadata;

/// <summary>The bucket rows. Every write is one transaction.</summary>
public interface IBucketCatalog
{
    ValueTask<BucketRecord?> GetBucketAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the bucket; false when a bucket of that name exists, or when its
    /// <see cref="BucketRecord.Owner"/> is not a user (any more). A bucket created with
    /// <see cref="BucketRecord.ObjectLock"/> has versioning enabled, whatever the record says.
    /// </summary>
    ValueTask<bool> TryCreateBucketAsync(BucketRecord bucket, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a bucket that holds no object versions and no delete markers (otherwise <see cref="DeleteBucketOutcome.NotEmpty"/>).
    /// Multipart uploads in progress do not keep it, as in S3 (general purpose buckets): they are
    /// aborted in the same transaction, exactly as <see cref="IMultipartCatalog.AbortMultipartUploadAsync"/> does.
    /// </summary>
    ValueTask<DeleteBucketOutcome> DeleteBucketAsync(string name, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Replaces the bucket's tags (none: removes them). False when there is no such bucket.</summary>
    ValueTask<bool> PutBucketTagsAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the bucket's versioning to <see cref="Cairn.Core.BucketVersioning.Enabled"/> or
    /// <see cref="Cairn.Core.BucketVersioning.Suspended"/> (a bucket never returns to unversioned).
    /// A bucket with Object Lock stays enabled (<see cref="PutVersioningOutcome.ObjectLockEnabled"/> for Suspended).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="versioning"/> is Unversioned.</exception>
    ValueTask<PutVersioningOutcome> PutBucketVersioningAsync(string name, Cairn.Core.BucketVersioning versioning, CancellationToken cancellationToken);

    /// <summary>
    /// Enables Object Lock on a bucket whose versioning is enabled (for good) and sets its default
    /// retention (none: removes it).
    /// </summary>
    ValueTask<PutObjectLockOutcome> PutObjectLockConfigurationAsync(string name, Cairn.Core.ObjectLockConfiguration configuration,
        CancellationToken cancellationToken);

    /// <summary>All buckets, by name.</summary>
    ValueTask<IReadOnlyList<BucketRecord>> ListBucketsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What each bucket holds, by name: its current objects and noncurrent versions (delete markers
    /// apart) with their bytes. Counts every row of every bucket: an operator's call, not a request's.
    /// </summary>
    ValueTask<IReadOnlyList<BucketUsage>> ListBucketUsageAsync(CancellationToken cancellationToken);
}

/// <summary>One bucket's contents as <see cref="IBucketCatalog.ListBucketUsageAsync"/> counts them.</summary>
public sealed record BucketUsage(string Bucket, long Objects, long Bytes, long NoncurrentVersions, long NoncurrentBytes, long DeleteMarkers);
