using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Metadata;

namespace Cairn.Engine.Access;

/// <summary>
/// One kind of bucket configuration kept in the catalog's bucket configurations as JSON and read by
/// requests from memory (<see cref="TimedBucketCache{T}"/>). CORS rules and default encryption are kept this way.
/// </summary>
public sealed class BucketConfigurationCache<T>(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time, string kind,
    JsonTypeInfo<T> json)
    where T : class
{
    private readonly TimedBucketCache<T?> _cache = new(time);

    /// <summary>The loader, made once: browsers' requests and writes ask on every request.</summary>
    private Func<string, CancellationToken, ValueTask<T?>>? _load;

    /// <summary>The bucket's configuration (null: none).</summary>
    public ValueTask<T?> GetAsync(string bucket, CancellationToken cancellationToken) => _cache.GetAsync(bucket, _load ??= LoadAsync, cancellationToken);

    /// <summary>Creates or replaces the bucket's configuration (checked by the caller); false when there is no such bucket.</summary>
    public async Task<bool> PutAsync(string bucket, T configuration, CancellationToken cancellationToken)
    {
        var document = JsonSerializer.Serialize(configuration, json);
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        _cache.Invalidate(bucket);
        return put;
    }

    /// <summary>Removes the bucket's configuration; false when there is no such bucket (none to remove is done, as S3 answers).</summary>
    public async Task<bool> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = await configurations.DeleteBucketConfigurationAsync(bucket, kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        _cache.Invalidate(bucket);
        return deleted || await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
    }

    private async ValueTask<T?> LoadAsync(string bucket, CancellationToken cancellationToken)
    {
        var stored = await configurations.GetBucketConfigurationAsync(bucket, kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : JsonSerializer.Deserialize(stored.Document, json);
    }
}
