using System.Text.Json.Serialization;
using Cairn.Core.Access;
using Cairn.Metadata;

namespace Cairn.Engine.Access;

/// <summary>
/// Buckets' CORS configurations (issue 14), kept in the catalog's bucket configurations (kind
/// <see cref="Kind"/>) as JSON and read by browsers' requests from memory (<see cref="BucketConfigurationCache{T}"/>).
/// </summary>
public sealed class BucketCorsService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time)
{
    /// <summary>The configuration kind of CORS configurations in the catalog.</summary>
    public const string Kind = "cors";

    private readonly BucketConfigurationCache<CorsConfiguration> _store = new(buckets, configurations, time, Kind, CorsJsonContext.Default.CorsConfiguration);

    /// <summary>The bucket's configuration (null: none).</summary>
    public ValueTask<CorsConfiguration?> GetAsync(string bucket, CancellationToken cancellationToken) => _store.GetAsync(bucket, cancellationToken);

    /// <summary>Creates or replaces the bucket's configuration (checked by the caller); false when there is no such bucket.</summary>
    public Task<bool> PutAsync(string bucket, CorsConfiguration configuration, CancellationToken cancellationToken) =>
        _store.PutAsync(bucket, configuration, cancellationToken);

    /// <summary>Removes the bucket's configuration; false when there is no such bucket.</summary>
    public Task<bool> DeleteAsync(string bucket, CancellationToken cancellationToken) => _store.DeleteAsync(bucket, cancellationToken);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CorsConfiguration))]
internal sealed partial class CorsJsonContext : JsonSerializerContext;
