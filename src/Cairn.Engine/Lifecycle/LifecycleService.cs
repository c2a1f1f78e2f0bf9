using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Lifecycle;

/// <summary>Outcome of reading, putting or deleting a bucket's lifecycle configuration.</summary>
public enum LifecycleStatus
{
    Done,
    NoSuchBucket,
    /// <summary>The bucket has no lifecycle configuration (S3: 404 NoSuchLifecycleConfiguration on GET).</summary>
    NoConfiguration,
}

/// <summary>
/// A bucket's lifecycle configuration (issue 13), kept in the catalog's bucket configurations
/// (kind <see cref="Kind"/>) as JSON, the form the lifecycle worker reads.
/// </summary>
/// <remarks>
/// The current-version expiration S3 answers in <c>x-amz-expiration</c> (<see cref="CurrentExpirationAsync"/>)
/// is judged on a copy of the configuration kept in memory for <see cref="CacheTime"/>: a put or delete
/// on this node is seen at once, one on another node within that time.
/// </remarks>
public sealed class LifecycleService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, EngineOptions options, TimeProvider time)
{
    /// <summary>The configuration kind of lifecycle configurations in the catalog.</summary>
    public const string Kind = "lifecycle";

    /// <summary>How long a bucket's configuration (or its absence) is kept in memory for <c>x-amz-expiration</c>.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (LifecycleConfiguration? Configuration, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    private const int MaxCachedBuckets = 10_000;

    private readonly LifecycleCalendar _calendar = new(options.LifecycleDay);

    /// <summary>The names of the configured cold tiers: what a Transition's StorageClass may name.</summary>
    public IReadOnlyList<string> Tiers => options.Tiers;

    /// <summary>
    /// When <paramref name="version"/>, the current version of <paramref name="key"/>, expires under the
    /// bucket's configuration, and by which rule (S3's <c>x-amz-expiration</c>); null when no rule expires it.
    /// </summary>
    public async ValueTask<(DateTimeOffset Date, string RuleId)?> CurrentExpirationAsync(string bucket, string key, LifecycleVersion version,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(bucket, out var cached) || now - cached.ReadAt >= CacheTime || now < cached.ReadAt)
        {
            var stored = await configurations.GetBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
            cached = (stored is null ? null : Decode(stored.Document), now);
            if (_cache.Count >= MaxCachedBuckets)
            {
                _cache.Clear(); // names of buckets long gone, or a scan of many: start afresh
            }
            _cache[bucket] = cached;
        }
        return cached.Configuration is { } configuration ? LifecycleEvaluator.CurrentExpiration(configuration, key, version, _calendar) : null;
    }

    /// <summary>The bucket's configuration, or why there is none.</summary>
    public async Task<(LifecycleStatus Status, LifecycleConfiguration? Configuration)> GetAsync(string bucket, CancellationToken cancellationToken)
    {
        var stored = await configurations.GetBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return (LifecycleStatus.Done, Decode(stored.Document));
        }
        return (await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false) ? LifecycleStatus.NoConfiguration : LifecycleStatus.NoSuchBucket,
            null);
    }

    /// <summary>Creates or replaces the bucket's configuration (validated by the caller).</summary>
    public async Task<LifecycleStatus> PutAsync(string bucket, LifecycleConfiguration configuration, CancellationToken cancellationToken)
    {
        var document = JsonSerializer.Serialize(configuration, LifecycleJsonContext.Default.LifecycleConfiguration);
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, Kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        // After the write: a read between would otherwise cache the old configuration again.
        _cache.TryRemove(bucket, out _);
        return put ? LifecycleStatus.Done : LifecycleStatus.NoSuchBucket;
    }

    /// <summary>Removes the bucket's configuration; done whether or not it had one (as S3 answers).</summary>
    public async Task<LifecycleStatus> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = await configurations.DeleteBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(bucket, out _);
        if (deleted)
        {
            return LifecycleStatus.Done;
        }
        return await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false) ? LifecycleStatus.Done : LifecycleStatus.NoSuchBucket;
    }

    /// <summary>A stored document as a configuration.</summary>
    public static LifecycleConfiguration Decode(string document) =>
        JsonSerializer.Deserialize(document, LifecycleJsonContext.Default.LifecycleConfiguration)
        ?? throw new InvalidDataException("A stored lifecycle configuration is null.");

    private async Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
}

/// <summary>The stored form of lifecycle configurations: enums by name, so a document reads the same after a reordering.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LifecycleConfiguration))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
