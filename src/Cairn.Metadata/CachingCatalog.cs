using System.Collections.Concurrent;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Serves <see cref="GetObjectAsync"/> and <see cref="GetBucketAsync"/> from memory, in front of a
/// catalog that this process alone writes (the embedded SQLite catalog): a GET or HEAD of a hot object
/// then costs no SQL at all. It plays only the two roles whose rows it caches: every write of an
/// object or bucket row is a member of <see cref="IObjectCatalog"/> or <see cref="IBucketCatalog"/>,
/// so a write added to either role must be implemented here and cannot bypass the invalidation.
/// </summary>
/// <remarks>
/// <para>Exactness rests on one invariant: every write that changes an object or bucket row goes
/// through this instance. Writes are tracked by stripe (a hash of bucket and key; bucket writes use
/// one more slot, which every lookup also checks). A write raises its stripe's "writes in flight"
/// count before it starts; once it has finished (committed, failed, or dropped while queued: the
/// store never commits a write after its caller has returned) it bumps the stripe's version, then
/// lowers the count. A read reads the version, then the count; it serves or keeps a row only when no
/// write was in flight, and a kept row is tagged with that version and served only while the version
/// is unchanged. So no row fetched before a write finished is served after it, and no read is
/// answered from memory while a write that could change its answer is under way.</para>
/// <para>Never put this in front of a catalog other processes write (PostgreSQL shared by nodes): their
/// writes would not invalidate anything here.</para>
/// <para>Memory is bounded by <c>capacityBytes</c>, an estimate per row (key, inline body, chunk
/// list, headers); when a new row would exceed it, arbitrary rows are dropped down to three quarters.</para>
/// </remarks>
public sealed class CachingCatalog : IBucketCatalog, IObjectCatalog
{
    private const int StripeCount = 1024;

    /// <summary>The slot after the stripes: bucket writes, which every lookup also checks.</summary>
    private const int Everywhere = StripeCount;

    private readonly IBucketCatalog _buckets;
    private readonly IObjectCatalog _objects;
    private readonly long _capacityBytes;
    private readonly ConcurrentDictionary<(string Bucket, string Key), CachedObject> _cachedObjects = new();
    private readonly ConcurrentDictionary<string, CachedBucket> _cachedBuckets = new(StringComparer.Ordinal);
    private readonly long[] _versions = new long[StripeCount + 1];
    private readonly int[] _writesInFlight = new int[StripeCount + 1];
    private readonly Lock _evicting = new();
    private long _cachedBytes;
    private long _hits;
    private long _misses;

    /// <param name="buckets">The bucket rows; this instance must see every write made to them.</param>
    /// <param name="objects">The object rows; this instance must see every write made to them.</param>
    /// <param name="capacityBytes">Estimated memory the cached rows may take; zero caches nothing.</param>
    public CachingCatalog(IBucketCatalog buckets, IObjectCatalog objects, long capacityBytes)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _buckets = buckets;
        _objects = objects;
        _capacityBytes = capacityBytes;
    }

    /// <summary>Lookups answered from memory.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups passed to the catalog.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The estimated size of the rows held now.</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>The rows held now (objects and buckets).</summary>
    public int CachedRows => _cachedObjects.Count + _cachedBuckets.Count;

    // ------------------------------------------------------------------ cached reads

    /// <inheritdoc />
    public async ValueTask<ObjectVersionRecord?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var id = (bucket, key);
        var stripe = StripeOf(bucket, key);
        // Version first, then the in-flight counts: a write raises its count before it starts and
        // bumps the version before lowering it, so an unchanged version with no write in flight
        // means no write has finished since the version was read and none is under way.
        var global = Volatile.Read(ref _versions[Everywhere]);
        var local = Volatile.Read(ref _versions[stripe]);
        var quiet = Volatile.Read(ref _writesInFlight[Everywhere]) == 0 && Volatile.Read(ref _writesInFlight[stripe]) == 0;
        if (quiet && _cachedObjects.TryGetValue(id, out var cached) && cached.GlobalVersion == global && cached.StripeVersion == local)
        {
            Interlocked.Increment(ref _hits);
            return cached.Record;
        }
        Interlocked.Increment(ref _misses);
        var record = await _objects.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        if (quiet && record is not null && _capacityBytes > 0
            && Volatile.Read(ref _versions[Everywhere]) == global && Volatile.Read(ref _versions[stripe]) == local)
        {
            // A write that finishes after this check bumps the version, which outdates the entry.
            Store(id, new CachedObject(record, global, local, EstimateBytes(record)));
        }
        return record;
    }

    /// <inheritdoc />
    public async ValueTask<BucketRecord?> GetBucketAsync(string name, CancellationToken cancellationToken)
    {
        var global = Volatile.Read(ref _versions[Everywhere]);
        var quiet = Volatile.Read(ref _writesInFlight[Everywhere]) == 0;
        if (quiet && _cachedBuckets.TryGetValue(name, out var cached) && cached.GlobalVersion == global)
        {
            Interlocked.Increment(ref _hits);
            return cached.Record;
        }
        Interlocked.Increment(ref _misses);
        var record = await _buckets.GetBucketAsync(name, cancellationToken).ConfigureAwait(false);
        if (quiet && record is not null && _capacityBytes > 0 && Volatile.Read(ref _versions[Everywhere]) == global)
        {
            // Buckets are few and small; they are not counted against the capacity.
            _cachedBuckets[name] = new CachedBucket(record, global);
        }
        return record;
    }

    // ------------------------------------------------------------------ writes that invalidate

    /// <inheritdoc />
    public ValueTask<bool> TryCreateBucketAsync(BucketRecord bucket, CancellationToken cancellationToken) =>
        WritingAsync(null, () => _buckets.TryCreateBucketAsync(bucket, cancellationToken));


    /// <inheritdoc />
    public ValueTask<DeleteBucketOutcome> DeleteBucketAsync(string name, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken) =>
        WritingAsync(null, () => _buckets.DeleteBucketAsync(name, now, gracePeriod, cancellationToken));

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitObjectAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken) =>
        WritingAsync((commit.Version.Bucket, commit.Version.Key), () => _objects.CommitObjectAsync(commit, now, gracePeriod, cancellationToken));

    /// <inheritdoc />
    /// <remarks>An import may touch any key of its bucket: it counts as a bucket write (every lookup checks that slot), and the bucket's rows go.</remarks>
    public async ValueTask<ImportResult> ImportObjectsAsync(ObjectImport import, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        try
        {
            return await WritingAsync(null, () => _objects.ImportObjectsAsync(import, now, gracePeriod, cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var id in _cachedObjects.Keys.Where(id => id.Bucket == import.Bucket))
            {
                Drop(id);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, WritePrecondition precondition, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WritingAsync((bucket, key), () => _objects.DeleteObjectAsync(bucket, key, precondition, now, gracePeriod, cancellationToken));

    /// <inheritdoc />
    public ValueTask<DeleteObjectResult> DeleteObjectVersionAsync(string bucket, string key, string versionId, WritePrecondition precondition,
        bool bypassGovernance, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WritingAsync((bucket, key),
            () => _objects.DeleteObjectVersionAsync(bucket, key, versionId, precondition, bypassGovernance, now, gracePeriod, cancellationToken));

    /// <inheritdoc />
    public ValueTask<PutLockOutcome> PutObjectLockAsync(string bucket, string key, string? versionId, ObjectLockChange change, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WritingAsync((bucket, key), () => _objects.PutObjectLockAsync(bucket, key, versionId, change, now, cancellationToken));

    /// <inheritdoc />
    public ValueTask<PutTagsOutcome> PutObjectTagsAsync(string bucket, string key, string? versionId, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken) =>
        WritingAsync((bucket, key), () => _objects.PutObjectTagsAsync(bucket, key, versionId, tags, cancellationToken));

    /// <inheritdoc />
    public ValueTask<TierMoveOutcome> MoveVersionToTierAsync(TierMove move, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WritingAsync((move.Bucket, move.Key), () => _objects.MoveVersionToTierAsync(move, now, gracePeriod, cancellationToken));

    /// <inheritdoc />
    public ValueTask<PutVersioningOutcome> PutBucketVersioningAsync(string name, BucketVersioning versioning, CancellationToken cancellationToken) =>
        WritingAsync(null, () => _buckets.PutBucketVersioningAsync(name, versioning, cancellationToken));

    /// <inheritdoc />
    public ValueTask<PutObjectLockOutcome> PutObjectLockConfigurationAsync(string name, ObjectLockConfiguration configuration,
        CancellationToken cancellationToken) =>
        WritingAsync(null, () => _buckets.PutObjectLockConfigurationAsync(name, configuration, cancellationToken));

    /// <inheritdoc />
    public ValueTask<bool> PutBucketTagsAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        WritingAsync(null, () => _buckets.PutBucketTagsAsync(name, tags, cancellationToken));

    /// <inheritdoc />
    public ValueTask<CompleteMultipartResult> CompleteMultipartUploadAsync(string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, WritePrecondition precondition, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken) =>
        WritingAsync((version.Bucket, version.Key),
            () => _objects.CompleteMultipartUploadAsync(uploadId, parts, version, precondition, now, gracePeriod, cancellationToken));

    // ------------------------------------------------------------------ passed through (reads that span rows)

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BucketRecord>> ListBucketsAsync(CancellationToken cancellationToken) =>
        _buckets.ListBucketsAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BucketUsage>> ListBucketUsageAsync(CancellationToken cancellationToken) =>
        _buckets.ListBucketUsageAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken) =>
        _objects.ListObjectsAsync(bucket, query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<VersionListing> ListObjectVersionsAsync(string bucket, ListVersionsQuery query, CancellationToken cancellationToken) =>
        _objects.ListObjectVersionsAsync(bucket, query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string bucket, long afterSeq, int limit, CancellationToken cancellationToken) =>
        _objects.ReadJournalAsync(bucket, afterSeq, limit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Passed through: no cached row is a journal entry.</remarks>
    public ValueTask<long> PruneJournalAsync(JournalPruning rules, DateTimeOffset now, CancellationToken cancellationToken) =>
        _objects.PruneJournalAsync(rules, now, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Passed through: only the latest version of a key is cached.</remarks>
    public ValueTask<ObjectVersionRecord?> GetObjectVersionAsync(string bucket, string key, string versionId, CancellationToken cancellationToken) =>
        _objects.GetObjectVersionAsync(bucket, key, versionId, cancellationToken);

    // ------------------------------------------------------------------ machinery

    /// <summary>Runs a write of one object <paramref name="row"/> (counted on its stripe, the row dropped after it) or, when null, of a bucket (counted everywhere).</summary>
    private async ValueTask<T> WritingAsync<T>((string Bucket, string Key)? row, Func<ValueTask<T>> write)
    {
        var slot = row is { } id ? StripeOf(id.Bucket, id.Key) : Everywhere;
        Interlocked.Increment(ref _writesInFlight[slot]);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _versions[slot]);
            Interlocked.Decrement(ref _writesInFlight[slot]);
            if (row is { } written)
            {
                Drop(written);
            }
        }
    }

    private static int StripeOf(string bucket, string key) =>
        HashCode.Combine(string.GetHashCode(bucket, StringComparison.Ordinal), string.GetHashCode(key, StringComparison.Ordinal)) & (StripeCount - 1);

    private void Store((string Bucket, string Key) id, CachedObject entry)
    {
        if (entry.Bytes > _capacityBytes / 4)
        {
            return; // one row never crowds out the rest
        }
        if (Interlocked.Read(ref _cachedBytes) + entry.Bytes > _capacityBytes && !Evict())
        {
            return;
        }
        while (true)
        {
            if (_cachedObjects.TryGetValue(id, out var old))
            {
                if (_cachedObjects.TryUpdate(id, entry, old))
                {
                    Interlocked.Add(ref _cachedBytes, entry.Bytes - old.Bytes);
                    return;
                }
            }
            else if (_cachedObjects.TryAdd(id, entry))
            {
                Interlocked.Add(ref _cachedBytes, entry.Bytes);
                return;
            }
        }
    }

    private void Drop((string Bucket, string Key) id)
    {
        if (_cachedObjects.TryRemove(id, out var old))
        {
            Interlocked.Add(ref _cachedBytes, -old.Bytes);
        }
    }

    /// <summary>Drops arbitrary rows down to three quarters of the capacity; false when another thread is at it.</summary>
    private bool Evict()
    {
        if (!_evicting.TryEnter())
        {
            return false;
        }
        try
        {
            var target = _capacityBytes * 3 / 4;
            foreach (var id in _cachedObjects.Keys)
            {
                if (Interlocked.Read(ref _cachedBytes) <= target)
                {
                    break;
                }
                Drop(id);
            }
            return true;
        }
        finally
        {
            _evicting.Exit();
        }
    }

    /// <summary>A rough size of a row in memory: strings as UTF-16, the body, the encryption envelope, the chunk list, the dictionaries.</summary>
    private static long EstimateBytes(ObjectVersionRecord record)
    {
        long bytes = 256 + 2L * (record.Bucket.Length + record.Key.Length + record.ETag.Length);
        bytes += record.InlineBody?.Length ?? 0;
        bytes += record.Encryption?.Length ?? 0;
        bytes += 48L * record.Chunks.Count + 8L * record.PartSizes.Count;
        foreach (var (name, value) in record.UserMetadata)
        {
            bytes += 64 + 2L * (name.Length + value.Length);
        }
        foreach (var (name, value) in record.Checksums)
        {
            bytes += 64 + 2L * (name.Length + value.Length);
        }
        return bytes;
    }

    private sealed record CachedObject(ObjectVersionRecord Record, long GlobalVersion, long StripeVersion, long Bytes);

    private sealed record CachedBucket(BucketRecord Record, long GlobalVersion);
}
