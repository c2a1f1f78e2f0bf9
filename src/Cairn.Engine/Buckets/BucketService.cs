using Cairn.Metadata;

namespace Cairn.Engine.Buckets;

/// <summary>Outcome of creating a bucket.</summary>
public enum CreateBucketStatus
{
    Created,
    /// <summary>The bucket exists (Cairn has one owner, so it is always the caller's).</summary>
    AlreadyExists,
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
    public Task<BucketRecord?> GetAsync(string name, CancellationToken cancellationToken) =>
        buckets.GetBucketAsync(name, cancellationToken).AsTask();

    /// <summary>Deletes a bucket that holds no objects; multipart uploads in progress are aborted with it, as in S3.</summary>
    public Task<DeleteBucketOutcome> DeleteAsync(string name, CancellationToken cancellationToken) =>
        buckets.DeleteBucketAsync(name, time.GetUtcNow(), options.GracePeriod, cancellationToken).AsTask();

    /// <summary>All buckets by name.</summary>
    public Task<IReadOnlyList<BucketRecord>> ListAsync(CancellationToken cancellationToken) =>
        buckets.ListBucketsAsync(cancellationToken).AsTask();
}
