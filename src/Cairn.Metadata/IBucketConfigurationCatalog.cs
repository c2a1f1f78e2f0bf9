namespace Cairn.Metadata;

/// <summary>
/// A bucket's configurations (lifecycle, inventory, ...): documents by kind and id, kept as the S3
/// front end stores them (the catalog never reads a document). A kind a bucket has at most one of
/// uses the id <see cref="BucketConfiguration.Single"/>. Every write is one transaction; a bucket's
/// configurations go with it.
/// </summary>
public interface IBucketConfigurationCatalog
{
    /// <summary>The bucket's configuration of <paramref name="kind"/> and <paramref name="id"/>; null when it has none (or there is no such bucket).</summary>
    ValueTask<BucketConfiguration?> GetBucketConfigurationAsync(string bucket, string kind, string id, CancellationToken cancellationToken);

    /// <summary>The bucket's configurations of <paramref name="kind"/>, by id (ordinal).</summary>
    ValueTask<IReadOnlyList<BucketConfiguration>> ListBucketConfigurationsAsync(string bucket, string kind, CancellationToken cancellationToken);

    /// <summary>Every bucket's configurations of <paramref name="kind"/>, by bucket and id (what a worker acting on them reads).</summary>
    ValueTask<IReadOnlyList<BucketConfiguration>> ListConfigurationsOfKindAsync(string kind, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the configuration. False when there is no such bucket (nothing is written).</summary>
    ValueTask<bool> PutBucketConfigurationAsync(BucketConfiguration configuration, CancellationToken cancellationToken);

    /// <summary>Removes the configuration; false when there was none.</summary>
    ValueTask<bool> DeleteBucketConfigurationAsync(string bucket, string kind, string id, CancellationToken cancellationToken);
}

/// <summary>One configuration of a bucket: its kind (e.g. <c>lifecycle</c>), its id within the kind, the document, and when it was last put.</summary>
public sealed record BucketConfiguration(string Bucket, string Kind, string Id, string Document, DateTimeOffset UpdatedAt)
{
    /// <summary>The id of a kind a bucket has at most one of.</summary>
    public const string Single = "";
}
