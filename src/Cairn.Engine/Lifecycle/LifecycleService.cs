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
public sealed class LifecycleService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time)
{
    /// <summary>The configuration kind of lifecycle configurations in the catalog.</summary>
    public const string Kind = "lifecycle";

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
        return await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, Kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false) ? LifecycleStatus.Done : LifecycleStatus.NoSuchBucket;
    }

    /// <summary>Removes the bucket's configuration; done whether or not it had one (as S3 answers).</summary>
    public async Task<LifecycleStatus> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        if (await configurations.DeleteBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false))
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
