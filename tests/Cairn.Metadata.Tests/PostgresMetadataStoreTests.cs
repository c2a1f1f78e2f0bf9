using Cairn.Metadata.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace Cairn.Metadata.Tests;

/// <summary>What only the PostgreSQL provider promises (schema types, isolation, retries, concurrent writers), in a fresh database per test; the role suites run on it from CatalogTargets.cs.</summary>
[Collection(PostgresCluster.Collection)]
public sealed partial class PostgresMetadataStoreTests(PostgresCluster cluster, ITestOutputHelper output)
    : CatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster))
{
    private string ConnectionString => Target.ConnectionString;

    /// <summary>Runs <paramref name="sql"/> on this test's database outside the store; returns the first column of the first row.</summary>
    private async Task<object?> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact(Timeout = 10_000)]
    public async Task Migration_records_the_schema_version_once()
    {
        await Catalog.Schema.MigrateAsync(Ct);
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 1 AND name = 'Initial'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 2 AND name = 'Leases'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 3 AND name = 'MultipartCompletions'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 4 AND name = 'Tags'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 5 AND name = 'Versioning'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 6 AND name = 'MultipartTags'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 7 AND name = 'Journal'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 8 AND name = 'PartChecksums'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 9 AND name = 'ObjectLock'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 10 AND name = 'BucketTrees'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 11 AND name = 'TreePins'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 12 AND name = 'TreeBlockPlaces'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 13 AND name = 'InlineBodyHashes'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 14 AND name = 'TreeChunkReferences'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 15 AND name = 'InlineBodiesUncompressed'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 16 AND name = 'TreeHeldBodies'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 17 AND name = 'ChunkPlacements'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 18 AND name = 'Packs'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 19 AND name = 'BucketConfigurations'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 20 AND name = 'Lifecycle'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 21 AND name = 'InventoryReports'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 26 AND name = 'Identities'"));
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version WHERE version = 27 AND name = 'Encryption'"));
        Assert.Equal(27, await QueryAsync("SELECT MAX(version) FROM schema_version"));
    }

    [Fact(Timeout = 10_000)]
    public async Task Inline_bodies_are_stored_uncompressed()
    {
        await Catalog.Schema.MigrateAsync(Ct);
        // 'e' is STORAGE EXTERNAL: out of line when large, never compressed (migration 0015).
        Assert.Equal("e", (await QueryAsync(
            "SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'objects'::regclass AND attname = 'inline_body'"))?.ToString());
        Assert.Equal("e", (await QueryAsync(
            "SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'object_versions'::regclass AND attname = 'inline_body'"))?.ToString());
    }

    [Fact(Timeout = 10_000)]
    public async Task MigrateAsync_refuses_a_database_from_a_newer_build()
    {
        // Arrange
        await QueryAsync("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'Future', 0)");

        // Act + Assert
        await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.Schema.MigrateAsync(Ct).AsTask());
    }

    [Fact(Timeout = 10_000)]
    public async Task Keys_are_stored_as_UTF8_bytes_and_compared_text_is_bytewise()
    {
        await PutInlineAsync("\u00e9");
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, await QueryAsync("SELECT key FROM objects"));
        foreach (var (table, column) in new[] { ("buckets", "name"), ("multipart_uploads", "upload_id"), ("chunks", "blob_name") })
        {
            Assert.Equal("C", await QueryAsync(
                $"SELECT collation_name FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'"));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Writes_run_serializable_with_the_lock_timeout()
    {
        // The isolation the retry loop and the read-decide-write code rely on, as the server sees it.
        var store = Assert.IsType<PostgresMetadataStore>(Catalog.Provider);
        Assert.Equal("serializable", await store.ReadInWriteTransactionAsync("SHOW transaction_isolation", Ct));
        Assert.Equal("100ms", await store.ReadInWriteTransactionAsync("SHOW lock_timeout", Ct));
    }

    [Fact]
    public void Options_without_a_connection_string_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new PostgresMetadataStore(new PostgresMetadataOptions()));
        Assert.Throws<ArgumentException>(() => new PostgresMetadataStore(new PostgresMetadataOptions
        {
            ConnectionString = "Host=127.0.0.1",
            MaxWriteAttempts = 0,
        }));
    }
}
