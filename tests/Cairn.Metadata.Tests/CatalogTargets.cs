using Cairn.Metadata.Sqlite;

namespace Cairn.Metadata.Tests;

/// <summary>
/// One test's database for a catalog provider: <see cref="OpenAsync"/> opens a catalog over it (the
/// same database at every call, so a test can reopen), and disposing removes the database.
/// </summary>
public interface ICatalogTarget : IAsyncDisposable
{
    ValueTask<MetadataCatalog> OpenAsync();
}

/// <summary>A SQLite file in a fresh temporary directory.</summary>
public sealed class SqliteTarget : ICatalogTarget
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-sqlite-").FullName;

    public string DatabasePath => Path.Combine(_directory, "catalog.db");

    public ValueTask<MetadataCatalog> OpenAsync() =>
        ValueTask.FromResult(MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = DatabasePath })));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A SQLite catalog whose bucket and object rows go through the row cache, and the cache's reads of
/// the catalog through a <see cref="CatalogGate"/> that tests can hold.
/// </summary>
public sealed class CachedSqliteTarget : ICatalogTarget
{
    private readonly SqliteTarget _database = new();

    public CatalogGate Gate { get; private set; } = new();

    public CachingCatalog Cache { get; private set; } = null!;

    public ValueTask<MetadataCatalog> OpenAsync()
    {
        var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = _database.DatabasePath });
        Gate = new CatalogGate();
        var rows = Gate.Wrap(store);
        Cache = new CachingCatalog(rows, rows, capacityBytes: 1 << 20);
        return ValueTask.FromResult(MetadataCatalog.Over(store) with { Buckets = Cache, Objects = Cache });
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

// Every role suite on every target.
public sealed class SqliteBucketCatalogTests : BucketCatalogConformanceTests<SqliteTarget>;
public sealed class SqliteObjectCatalogTests : ObjectCatalogConformanceTests<SqliteTarget>;
public sealed class SqliteChunkCatalogTests : ChunkCatalogConformanceTests<SqliteTarget>;
public sealed class SqliteMultipartCatalogTests : MultipartCatalogConformanceTests<SqliteTarget>;
public sealed class SqliteDeleteQueueTests : DeleteQueueConformanceTests<SqliteTarget>;
public sealed class SqliteLeaseStoreTests : LeaseStoreConformanceTests<SqliteTarget>;

// The row cache wraps buckets and objects; multipart completion writes object rows through it.
public sealed class CachedSqliteBucketCatalogTests : BucketCatalogConformanceTests<CachedSqliteTarget>;
public sealed class CachedSqliteMultipartCatalogTests : MultipartCatalogConformanceTests<CachedSqliteTarget>;
