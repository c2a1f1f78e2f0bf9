using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core.Access;
using Cairn.Metadata;

namespace Cairn.Engine.Access;

/// <summary>
/// Buckets' CORS configurations (issue 14), kept in the catalog's bucket configurations (kind
/// <see cref="Kind"/>) as JSON. Browsers' requests read them from memory (<see cref="GetAsync"/>): a
/// put or delete on this node counts at once, one on another node within <see cref="CacheTime"/>.
/// </summary>
public sealed class BucketCorsService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time)
{
    /// <summary>The configuration kind of CORS configurations in the catalog.</summary>
    public const string Kind = "cors";

    /// <summary>How long a bucket's configuration (or its absence) is kept in memory.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(5);

    private const int MaxCachedBuckets = 10_000;

    private readonly ConcurrentDictionary<string, (CorsConfiguration? Configuration, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    private long _changes;

    /// <summary>The bucket's configuration (null: none), from memory when read within <see cref="CacheTime"/>.</summary>
    public async ValueTask<CorsConfiguration?> GetAsync(string bucket, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(bucket, out var cached) && now - cached.ReadAt < CacheTime && now >= cached.ReadAt)
        {
            return cached.Configuration;
        }
        var changesBefore = Interlocked.Read(ref _changes);
        var stored = await configurations.GetBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        var configuration = stored is null ? null : JsonSerializer.Deserialize(stored.Document, CorsJsonContext.Default.CorsConfiguration);
        if (_cache.Count >= MaxCachedBuckets)
        {
            _cache.Clear();
        }
        _cache[bucket] = (configuration, now);
        if (Interlocked.Read(ref _changes) != changesBefore)
        {
            _cache.TryRemove(bucket, out _);
        }
        return configuration;
    }

    /// <summary>Creates or replaces the bucket's configuration (checked by the caller); false when there is no such bucket.</summary>
    public async Task<bool> PutAsync(string bucket, CorsConfiguration configuration, CancellationToken cancellationToken)
    {
        var document = JsonSerializer.Serialize(configuration, CorsJsonContext.Default.CorsConfiguration);
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, Kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
        _cache.TryRemove(bucket, out _);
        return put;
    }

    /// <summary>Removes the bucket's configuration; false when there is no such bucket (none to remove is done, as S3 answers).</summary>
    public async Task<bool> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = await configurations.DeleteBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
        _cache.TryRemove(bucket, out _);
        return deleted || await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CorsConfiguration))]
internal sealed partial class CorsJsonContext : JsonSerializerContext;
