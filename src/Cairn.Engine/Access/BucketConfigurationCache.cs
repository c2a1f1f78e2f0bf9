using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Metadata;

namespace Cairn.Engine.Access;

/// <summary>
/// One kind of bucket configuration kept in the catalog's bucket configurations as JSON and read by
/// requests from memory (<see cref="GetAsync"/>): a put or delete on this node counts at once, one on
/// another node within <see cref="CacheTime"/>. CORS rules and default encryption are kept this way.
/// </summary>
public sealed class BucketConfigurationCache<T>(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time, string kind,
    JsonTypeInfo<T> json)
    where T : class
{
    /// <summary>How long a bucket's configuration (or its absence) is kept in memory.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(5);

    private const int MaxCachedBuckets = 10_000;

    private readonly ConcurrentDictionary<string, (T? Configuration, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    private long _changes;

    /// <summary>The bucket's configuration (null: none), from memory when read within <see cref="CacheTime"/>.</summary>
    public async ValueTask<T?> GetAsync(string bucket, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(bucket, out var cached) && now - cached.ReadAt < CacheTime && now >= cached.ReadAt)
        {
            return cached.Configuration;
        }
        var changesBefore = Interlocked.Read(ref _changes);
        var stored = await configurations.GetBucketConfigurationAsync(bucket, kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        var configuration = stored is null ? null : JsonSerializer.Deserialize(stored.Document, json);
        if (_cache.Count >= MaxCachedBuckets)
        {
            _cache.Clear();
        }
        _cache[bucket] = (configuration, now);
        if (Interlocked.Read(ref _changes) != changesBefore)
        {
            // A change made on this node while the read was out: the value read may predate it.
            _cache.TryRemove(bucket, out _);
        }
        return configuration;
    }

    /// <summary>Creates or replaces the bucket's configuration (checked by the caller); false when there is no such bucket.</summary>
    public async Task<bool> PutAsync(string bucket, T configuration, CancellationToken cancellationToken)
    {
        var document = JsonSerializer.Serialize(configuration, json);
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
        _cache.TryRemove(bucket, out _);
        return put;
    }

    /// <summary>Removes the bucket's configuration; false when there is no such bucket (none to remove is done, as S3 answers).</summary>
    public async Task<bool> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = await configurations.DeleteBucketConfigurationAsync(bucket, kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
        _cache.TryRemove(bucket, out _);
        return deleted || await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
    }
}
