namespace Cairn.Metadata;

/// <summary>
/// The catalog as its roles. A provider (one <see cref="SqlMetadataStore"/>) plays every role; a
/// decorator replaces only the roles it wraps (<see cref="WithRowCache"/>). The composition root
/// registers each role, and each engine service asks only for the roles it uses.
/// </summary>
public sealed record MetadataCatalog(
    ICatalogSchema Schema,
    IBucketCatalog Buckets,
    IObjectCatalog Objects,
    IChunkCatalog Chunks,
    IMultipartCatalog Multipart,
    IDeleteQueue DeleteQueue,
    ILeaseStore Leases,
    IBucketTreeCatalog Trees,
    IPackCatalog Packs,
    IBucketConfigurationCatalog Configurations,
    ILifecycleCatalog Lifecycle,
    IInventoryCatalog Inventory,
    IJournalArchiveCatalog JournalArchive,
    IIdentityCatalog Identities) : IAsyncDisposable
{
    /// <summary>Every role played by one provider.</summary>
    public static MetadataCatalog Over(SqlMetadataStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new MetadataCatalog(store, store, store, store, store, store, store, store, store, store, store, store, store, store) { Provider = store };
    }

    /// <summary>The provider behind the roles, which owns the connections (disposed with the catalog).</summary>
    public SqlMetadataStore? Provider { get; private init; }

    /// <summary>
    /// The same catalog with bucket and object rows served from memory when they can be
    /// (<see cref="CachingCatalog"/>). Exact only while this process is the catalog's only writer.
    /// </summary>
    public MetadataCatalog WithRowCache(long capacityBytes)
    {
        var cache = new CachingCatalog(Buckets, Objects, capacityBytes);
        return this with { Buckets = cache, Objects = cache };
    }

    /// <summary>Closes the provider.</summary>
    public ValueTask DisposeAsync() => Provider?.DisposeAsync() ?? ValueTask.CompletedTask;
}
