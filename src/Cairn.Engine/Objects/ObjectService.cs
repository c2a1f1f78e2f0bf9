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
    /// <summary>
    /// Removes the latest version of a key. Without <paramref name="ifMatch"/>, deleting an absent key
    /// succeeds (S3 answers 204 either way); with it (an ETag, a list, or <c>*</c>), the key must
    /// exist with a matching ETag, checked in the delete's transaction (conditional delete).
    /// </summary>
    public async Task<DeleteObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken, string? ifMatch = null)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return DeleteObjectStatus.NoSuchBucket;
        }
        var precondition = ifMatch is null ? WritePrecondition.None : new WritePrecondition(IfNoneMatchAny: false, ifMatch);
        var outcome = await objects.DeleteObjectAsync(bucket, key, precondition, time.GetUtcNow(), options.GracePeriod, cancellationToken)
            .ConfigureAwait(false);
        return outcome switch
        {
            DeleteObjectOutcome.PreconditionFailed => DeleteObjectStatus.PreconditionFailed,
            DeleteObjectOutcome.NoSuchKey when ifMatch is not null => DeleteObjectStatus.NoSuchKey,
            _ => DeleteObjectStatus.Deleted,
        };
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

    /// <summary>
    /// One page of a bucket's versions. The catalog keeps one version per key today, the null
    /// version, so this is the key listing with each key's null version as its latest: what S3
    /// answers for a bucket that never had versioning enabled.
    /// </summary>
    public async Task<ListVersionsResult> ListVersionsAsync(string bucket, ListVersionsQuery query, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new ListVersionsResult(BucketExists: false, null);
        }
        if (query.MaxKeys <= 0)
        {
            return new ListVersionsResult(true, new VersionListing([], [], IsTruncated: false, null, null));
        }
        // Every key has exactly one version, so "after version V of key K" is "after key K" whatever V is.
        var listing = await objects.ListObjectsAsync(bucket, new ListObjectsQuery(query.Prefix, query.Delimiter, query.KeyMarker, query.MaxKeys),
            cancellationToken).ConfigureAwait(false);
        var versions = new List<VersionSummary>(listing.Objects.Count);
        foreach (var summary in listing.Objects)
        {
            versions.Add(new VersionSummary(summary.Key, NullVersionId, IsLatest: true, IsDeleteMarker: false, summary.Size, summary.ETag,
                summary.LastModified));
        }
        // The page ends with a key (its null version is the marker) or a common prefix (no version id).
        var nextVersionIdMarker = listing.IsTruncated && listing.NextAfter is { } next && !listing.CommonPrefixes.Contains(next)
            ? NullVersionId
            : null;
        return new ListVersionsResult(true, new VersionListing(versions, listing.CommonPrefixes, listing.IsTruncated,
            listing.IsTruncated ? listing.NextAfter : null, nextVersionIdMarker));
    }

    /// <summary>The version id of the null version (S3's spelling), the only version a key has today.</summary>
    public const string NullVersionId = "null";

    /// <summary>Streams part of a version found by <see cref="GetAsync"/> (see <see cref="ChunkStore.CopyRangeToAsync"/>).</summary>
    public Task WriteBodyAsync(GetObjectResult found, Stream destination, CancellationToken cancellationToken) =>
        chunks.CopyRangeToAsync(found.Version.Record, found.Offset, found.Length, destination, cancellationToken);
}
