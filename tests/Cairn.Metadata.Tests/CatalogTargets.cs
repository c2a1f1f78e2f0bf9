using Cairn.Metadata.Postgres;
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

/// <summary>A SQLite file in a fresh temporary directory; <paramref name="coalesce"/> turns on the batched lookups and creates.</summary>
public sealed class SqliteTarget(bool coalesce = false, bool journalRecords = false) : ICatalogTarget
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-sqlite-").FullName;

    public string DatabasePath => Path.Combine(_directory, "catalog.db");

    public ValueTask<MetadataCatalog> OpenAsync() =>
        ValueTask.FromResult(MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = DatabasePath, CoalesceLookupsAndCreates = coalesce })
        {
            JournalRecords = journalRecords,
        }));

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

/// <summary>
/// A fresh database on the shared throwaway PostgreSQL cluster, dropped afterwards; with
/// <paramref name="coalesce"/> false, the store runs every lookup and create as its own statement.
/// </summary>
public sealed class PostgresTarget(PostgresCluster cluster, bool coalesce = true, bool journalRecords = false) : ICatalogTarget
{
    /// <summary>This test's database (created at the first <see cref="OpenAsync"/>).</summary>
    public string ConnectionString { get; private set; } = "";

    public async ValueTask<MetadataCatalog> OpenAsync()
    {
        if (ConnectionString.Length == 0)
        {
            ConnectionString = await cluster.CreateDatabaseAsync();
        }
        return MetadataCatalog.Over(new PostgresMetadataStore(new PostgresMetadataOptions
        {
            ConnectionString = ConnectionString,
            CoalesceLookupsAndCreates = coalesce,
        })
        {
            JournalRecords = journalRecords,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString.Length > 0)
        {
            await cluster.DropDatabaseAsync(ConnectionString);
        }
    }
}

// Every role suite on every target.
public sealed class SqliteBucketCatalogTests() : BucketCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteObjectCatalogTests() : ObjectCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteChunkCatalogTests() : ChunkCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteMultipartCatalogTests() : MultipartCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteDeleteQueueTests() : DeleteQueueConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteLeaseStoreTests() : LeaseStoreConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteBucketTreeCatalogTests() : BucketTreeCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteObjectImportTests() : ObjectImportConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqlitePackCatalogTests() : PackCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteBucketConfigurationCatalogTests() : BucketConfigurationCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteLifecycleCatalogTests() : LifecycleCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteInventoryCatalogTests() : InventoryCatalogConformanceTests<SqliteTarget>(new SqliteTarget());
public sealed class SqliteIdentityCatalogTests() : IdentityCatalogConformanceTests<SqliteTarget>(new SqliteTarget());

[Collection(PostgresCluster.Collection)]
public sealed class PostgresBucketCatalogTests(PostgresCluster cluster) : BucketCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresObjectCatalogTests(PostgresCluster cluster) : ObjectCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresChunkCatalogTests(PostgresCluster cluster) : ChunkCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresMultipartCatalogTests(PostgresCluster cluster) : MultipartCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresDeleteQueueTests(PostgresCluster cluster) : DeleteQueueConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresLeaseStoreTests(PostgresCluster cluster) : LeaseStoreConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresBucketTreeCatalogTests(PostgresCluster cluster) : BucketTreeCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresObjectImportTests(PostgresCluster cluster) : ObjectImportConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresPackCatalogTests(PostgresCluster cluster) : PackCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresBucketConfigurationCatalogTests(PostgresCluster cluster)
    : BucketConfigurationCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresLifecycleCatalogTests(PostgresCluster cluster) : LifecycleCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresInventoryCatalogTests(PostgresCluster cluster) : InventoryCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
[Collection(PostgresCluster.Collection)]
public sealed class PostgresIdentityCatalogTests(PostgresCluster cluster) : IdentityCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));

// The row cache wraps buckets and objects; multipart completion and imports write object rows through it.
public sealed class CachedSqliteBucketCatalogTests() : BucketCatalogConformanceTests<CachedSqliteTarget>(new CachedSqliteTarget());
public sealed class CachedSqliteMultipartCatalogTests() : MultipartCatalogConformanceTests<CachedSqliteTarget>(new CachedSqliteTarget());
public sealed class CachedSqliteObjectImportTests() : ObjectImportConformanceTests<CachedSqliteTarget>(new CachedSqliteTarget());

// Coalesced lookups and creates (bucket and object rows; multipart completion commits object rows):
// on by default on PostgreSQL, so checked on SQLite here, and the one-statement-each path on PostgreSQL.
public sealed class CoalescedSqliteBucketCatalogTests() : BucketCatalogConformanceTests<SqliteTarget>(new SqliteTarget(coalesce: true));
public sealed class CoalescedSqliteObjectCatalogTests() : ObjectCatalogConformanceTests<SqliteTarget>(new SqliteTarget(coalesce: true));
public sealed class CoalescedSqliteMultipartCatalogTests() : MultipartCatalogConformanceTests<SqliteTarget>(new SqliteTarget(coalesce: true));
[Collection(PostgresCluster.Collection)]
public sealed class UncoalescedPostgresBucketCatalogTests(PostgresCluster cluster)
    : BucketCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster, coalesce: false));
[Collection(PostgresCluster.Collection)]
public sealed class UncoalescedPostgresObjectCatalogTests(PostgresCluster cluster)
    : ObjectCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster, coalesce: false));
