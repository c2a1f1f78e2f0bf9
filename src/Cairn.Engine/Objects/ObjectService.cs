using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;

namespace Cairn.Engine.Objects;

/// <summary>
/// Object operations with S3 semantics and no HTTP: every outcome a client can cause is a status
/// value; exceptions are for failures of the machine (storage, catalog, corruption).
/// </summary>
public sealed partial class ObjectService(IBucketCatalog buckets, IObjectCatalog objects, ChunkStore chunks, EngineOptions options, TimeProvider time)
{
    /// <summary>Removes the latest version of a key. Deleting an absent key succeeds (S3 answers 204 either way).</summary>
    public async Task<bool> DeleteAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }
        await objects.DeleteObjectAsync(bucket, key, time.GetUtcNow(), options.GracePeriod, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>One page of a bucket's keys.</summary>
    public async Task<ListObjectsResult> ListAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new ListObjectsResult(BucketExists: false, null);
        }
        if (query.MaxKeys == 0)
        {
            return new ListObjectsResult(true, new ObjectListing([], [], IsTruncated: false, NextAfter: null));
        }
        var listing = await objects.ListObjectsAsync(bucket, query, cancellationToken).ConfigureAwait(false);
        return new ListObjectsResult(true, listing);
    }

    /// <summary>Streams part of a version found by <see cref="GetAsync"/> (see <see cref="ChunkStore.CopyRangeToAsync"/>).</summary>
    public Task WriteBodyAsync(GetObjectResult found, Stream destination, CancellationToken cancellationToken) =>
        chunks.CopyRangeToAsync(found.Version.Record, found.Offset, found.Length, destination, cancellationToken);
}
