using Cairn.Metadata;

namespace Cairn.Engine.Buckets;

/// <summary>Outcome of creating a bucket.</summary>
public enum CreateBucketStatus
{
    Created,
    /// <summary>The bucket exists (Cairn has one owner, so it is always the caller's).</summary>
    AlreadyExists,
}

/// <summary>Outcome of deleting a bucket.</summary>
public enum DeleteBucketStatus
{
    Deleted,
    NoSuchBucket,
    /// <summary>The bucket still holds objects.</summary>
    NotEmpty,
}

/// <summary>Bucket operations.</summary>
public sealed class BucketService(IBucketCatalog buckets, EngineOptions options, TimeProvider time)
{
    /// <summary>Creates a bucket in <paramref name="region"/>. The name has been validated by the caller.</summary>
    public async Task<CreateBucketStatus> CreateAsync(string name, string region, CancellationToken cancellationToken)
    {
        var created = await buckets.TryCreateBucketAsync(new BucketRecord(name, time.GetUtcNow(), region), cancellationToken).ConfigureAwait(false);
        return created ? CreateBucketStatus.Created : CreateBucketStatus.AlreadyExists;
    }

    /// <summary>The bucket, or null.</summary>
    public async Task<Bucket?> GetAsync(string name, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(name, cancellationToken).ConfigureAwait(false) is { } bucket ? new Bucket(bucket) : null;

    /// <summary>Replaces the bucket's tags (validated by the caller; none removes them). False when there is no such bucket.</summary>
    public async Task<bool> PutTagsAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        await buckets.PutBucketTagsAsync(name, tags, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sets the bucket's versioning to Enabled or Suspended (validated by the caller). False when
    /// there is no such bucket.
    /// </summary>
    public async Task<bool> PutVersioningAsync(string name, Core.BucketVersioning versioning, CancellationToken cancellationToken) =>
        await buckets.PutBucketVersioningAsync(name, versioning, cancellationToken).ConfigureAwait(false);

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
}
