using Cairn.Core;
using Cairn.Metadata.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cairn.Metadata.Tests;

/// <summary>What only the SQLite provider promises: WAL, fsync at commit, foreign keys, lock waits, group commit.</summary>
public sealed partial class SqliteMetadataStoreTests() : CatalogConformanceTests<SqliteTarget>(new SqliteTarget())
{
    private string DatabasePath => Target.DatabasePath;

    private async Task<object?> QueryFileAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_row_written_before_inline_hashes_were_kept_gives_a_fold_its_inline_body_instead()
    {
        // Arrange: two inline objects; one row loses its hash, as rows written before migration 0014 have none.
        await PutInlineAsync("old");
        await PutInlineAsync("new");
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE objects SET inline_sha256 = NULL WHERE key = CAST('old' AS BLOB)";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        // Act
        await using var snapshot = await Catalog.Trees.OpenFoldSnapshotAsync(Bucket, null, Ct);
        Assert.NotNull(snapshot);
        var versions = await snapshot.ReadVersionsAsync(["old", "new"], Ct);

        // Assert
        var old = Assert.Single(versions["old"]);
        Assert.Equal([1, 2, 3], old.InlineBody);
        Assert.Null(old.InlineBodyHash);
        var fresh = Assert.Single(versions["new"]);
        Assert.Null(fresh.InlineBody);
        Assert.Equal(ContentHash.Compute([1, 2, 3]), fresh.InlineBodyHash);
    }

    [Fact(Timeout = 10_000)]
    public async Task Database_file_is_in_WAL_mode()
    {
        Assert.Equal("wal", await QueryFileAsync("PRAGMA journal_mode"));
    }

    [Fact(Timeout = 10_000)]
    public async Task Writer_fsyncs_every_commit_and_enforces_foreign_keys()
    {
        var store = Assert.IsType<SqliteMetadataStore>(Catalog.Provider);
        Assert.Equal(2L, await store.ReadWriterPragmaAsync("synchronous", Ct)); // 2 = FULL
        Assert.Equal(1L, await store.ReadWriterPragmaAsync("foreign_keys", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetSchemaVersion_returns_the_newest_migration_applied()
    {
        var newest = SqlMigration.FromEmbeddedResources(typeof(SqliteMetadataStore).Assembly)[^1].Version;
        Assert.Equal(newest, await Catalog.Schema.GetSchemaVersionAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Readers_and_the_writer_carry_the_busy_timeout()
    {
        await using var store = new SqliteMetadataStore(new SqliteMetadataOptions
        {
            DatabasePath = DatabasePath,
            BusyTimeout = TimeSpan.FromMilliseconds(1234),
        });

        Assert.Equal(1234L, await store.ReadWriterPragmaAsync("busy_timeout", Ct));
        Assert.Equal(1234L, await store.ReadReaderPragmaAsync("busy_timeout", Ct));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_write_behind_a_short_lock_waits_milliseconds_not_whole_seconds()
    {
        // Arrange: another connection (as another process would) holds the write lock for 50 ms.
        // SQLite builds without HAVE_USLEEP sleep a whole second per busy retry (SQLitePCLRaw 2.0.6).
        await using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await other.OpenAsync();
        var commit = new ObjectCommit(null, InlineVersion("k"), WritePrecondition.None);
        var held = other.BeginTransaction(deferred: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Act: the lock is released from a thread of its own and the write's end is timed where it
        // completes, because the waiting write blocks a pool thread and on two cores the pool can
        // take most of a second to run anything else.
        var waited = Catalog.Objects.CommitObjectAsync(commit, Now, Grace, Ct).AsTask();
        var finishedAt = waited.ContinueWith(_ => clock.Elapsed, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var releaser = new Thread(() =>
        {
            Thread.Sleep(50);
            held.Commit();
        });
        releaser.Start();
        var outcome = await waited;
        var elapsed = await finishedAt;
        releaser.Join();

        // Assert: committed, and well under the one second a single coarse sleep would take.
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(900), $"The write took {elapsed.TotalMilliseconds:F0} ms.");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_write_waits_for_a_lock_another_connection_holds_and_fails_once_the_busy_timeout_passes()
    {
        // Arrange: a second process would hold the write lock exactly like this connection does.
        await using var store = new SqliteMetadataStore(new SqliteMetadataOptions
        {
            DatabasePath = DatabasePath,
            BusyTimeout = TimeSpan.FromMilliseconds(300),
        });
        await using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await other.OpenAsync();
        var commit = new ObjectCommit(null, InlineVersion("k"), WritePrecondition.None);

        // Act + Assert: a lock released after 50 ms is waited for.
        var held = other.BeginTransaction(deferred: false);
        var waited = store.CommitObjectAsync(commit, Now, Grace, Ct).AsTask();
        await Task.Delay(50);
        held.Commit();
        Assert.Equal(CommitOutcome.Committed, await waited);

        // Act + Assert: a lock held past the timeout fails the write with SQLITE_BUSY (5), and the
        // next write, once the lock is free, commits.
        using (other.BeginTransaction(deferred: false))
        {
            var failure = await Assert.ThrowsAsync<SqliteException>(() => store.CommitObjectAsync(commit, Now, Grace, Ct).AsTask());
            Assert.Equal(5, failure.SqliteErrorCode);
        }
        Assert.Equal(CommitOutcome.Committed, await store.CommitObjectAsync(commit, Now, Grace, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Migration_records_the_schema_version_once()
    {
        await Catalog.Schema.MigrateAsync(Ct);
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 1 AND name = 'Initial'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 2 AND name = 'Multipart'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 3 AND name = 'Leases'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 4 AND name = 'MultipartCompletions'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 5 AND name = 'Tags'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 6 AND name = 'Versioning'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 7 AND name = 'MultipartTags'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 8 AND name = 'Journal'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 9 AND name = 'PartChecksums'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 10 AND name = 'ObjectLock'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 11 AND name = 'BucketTrees'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 12 AND name = 'TreePins'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 13 AND name = 'TreeBlockPlaces'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 14 AND name = 'InlineBodyHashes'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 15 AND name = 'TreeChunkReferences'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 16 AND name = 'TreeHeldBodies'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 17 AND name = 'ChunkPlacements'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 18 AND name = 'Packs'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 19 AND name = 'BucketConfigurations'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 20 AND name = 'Lifecycle'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 21 AND name = 'InventoryReports'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 26 AND name = 'Identities'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 27 AND name = 'Encryption'"));
        Assert.Equal(1L, await QueryFileAsync("SELECT COUNT(*) FROM schema_version WHERE version = 28 AND name = 'InlineBodiesLast'"));
        Assert.Equal(28L, await QueryFileAsync("SELECT MAX(version) FROM schema_version"));
    }

    /// <summary>
    /// Migration numbers are handed out to work in progress, so one can land after a higher one ran
    /// (multipart completions, 4, after tags, 5): a database that has 1, 2, 3 and 5 gets 4.
    /// </summary>
    [Fact(Timeout = 10_000)]
    [Trait("Issue", "10")]
    public async Task Migrate_applies_a_migration_numbered_below_one_the_database_already_has()
    {
        // Arrange: every migration but 4 applied and recorded, as a build without it left the file.
        var path = Path.Combine(Path.GetDirectoryName(DatabasePath)!, "gap.db");
        var migrations = SqlMigration.FromEmbeddedResources(typeof(SqliteMetadataStore).Assembly);
        Assert.Contains(migrations, static m => m.Version == 4);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); " +
                string.Concat(migrations.Where(static m => m.Version != 4).Select(static m =>
                    $"{m.Script};\nINSERT INTO schema_version VALUES ({m.Version}, '{m.Name}', 0);\n"));
            await command.ExecuteNonQueryAsync();
        }
        await using var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path });

        // Act
        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct);

        // Assert: 4 ran once; the store completes an upload, which writes 4's table.
        Assert.Equal(migrations[^1].Version, await store.GetSchemaVersionAsync(Ct));
        Assert.True(await store.TryCreateBucketAsync(new BucketRecord("b", Now, "us-east-1"), Ct));
        Assert.True(await store.CreateMultipartUploadAsync(new MultipartUploadRecord { UploadId = "u", Bucket = "b", Key = "k", Initiated = Now }, Ct));
        var chunk = Chunk("a");
        var part = Part(1, "p1", chunk);
        var reservation = Guid.NewGuid();
        await store.ReserveChunkAsync(reservation, chunk.Hash, chunk.Length, NewBlobName(chunk), Deadline, Ct);
        Assert.Equal(PartCommitOutcome.Committed, await store.CommitPartAsync("u", reservation, part, Now, Grace, Ct));
        Assert.Equal(CompleteMultipartOutcome.Completed, await store.CompleteMultipartUploadAsync("u", [new CompletedPart(1, "p1")],
            MultipartVersion("k", part) with { Bucket = "b" }, WritePrecondition.None, Now, Grace, Ct));
        Assert.NotNull(await store.GetCompletedMultipartUploadAsync("u", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Migration_0002_upgrades_a_version_1_database_that_holds_data()
    {
        // Arrange: the file as the previous build left it: schema 1, a bucket, a chunked object.
        var path = Path.Combine(Path.GetDirectoryName(DatabasePath)!, "v1.db");
        var initial = SqlMigration.FromEmbeddedResources(typeof(SqliteMetadataStore).Assembly)[0];
        Assert.Equal(1, initial.Version);
        var chunk = Chunk("a");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText =
                "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); " +
                initial.Script + "; INSERT INTO schema_version VALUES (1, 'Initial', 0); " +
                "INSERT INTO buckets VALUES ('old', 0, 'us-east-1'); " +
                "INSERT INTO chunks VALUES (@hash, 'blob-a', 1000, 1); " +
                "INSERT INTO objects (bucket, key, version_id, size, etag, last_modified, chunks) VALUES ('old', @key, 'null', 1000, 'e', 0, @chunks)";
            command.Parameters.AddWithValue("@hash", chunk.Hash.Bytes.ToArray());
            command.Parameters.AddWithValue("@key", "k"u8.ToArray());
            command.Parameters.AddWithValue("@chunks", ChunkListFormat.Encode([chunk]));
            await command.ExecuteNonQueryAsync();
        }
        await using var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path });

        // Act
        await store.MigrateAsync(Ct);
        var existing = await store.GetObjectAsync("old", "k", Ct);

        // Assert: the old object reads back as a single PUT; multipart works over the old data.
        Assert.NotNull(existing);
        Assert.Equal(("e", 1000L), (existing.ETag, existing.Size));
        Assert.Equal([chunk], existing.Chunks);
        Assert.Empty(existing.PartSizes);
        Assert.Equal("FULL_OBJECT", existing.ChecksumType);
        Assert.True(await store.CreateMultipartUploadAsync(new MultipartUploadRecord { UploadId = "u", Bucket = "old", Key = "k", Initiated = Now }, Ct));
        var part = Part(1, "p1", chunk);
        Assert.Equal(PartCommitOutcome.Committed, await store.CommitPartAsync("u", null, part, Now, Grace, Ct));
        Assert.Equal(CompleteMultipartOutcome.Completed, await store.CompleteMultipartUploadAsync("u", [new CompletedPart(1, "p1")],
            MultipartVersion("k", part) with { Bucket = "old" }, WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal([1000L], (await store.GetObjectAsync("old", "k", Ct))!.PartSizes);
        Assert.Equal("old", (await store.GetCompletedMultipartUploadAsync("u", Ct))?.Bucket);
        Assert.Equal(new ChunkInfo(chunk.Hash, "blob-a", 1000, 1), Assert.Single(await store.ListChunksAsync(Ct)));
        Assert.Equal(0, await store.CountPendingDeletesAsync(Ct));
    }

    /// <summary>
    /// Migration 28 rebuilds objects and object_versions with inline_body as the last column (so the
    /// columns after it are not on a 4 KiB body's overflow page): every row keeps every value, and the
    /// tables keep their keys and indexes.
    /// </summary>
    [Fact(Timeout = 10_000)]
    [Trait("Issue", "11")]
    public async Task Migration_0028_moves_inline_bodies_last_and_keeps_every_row()
    {
        // Arrange: a file at schema 27 with a current and a noncurrent version carrying every column.
        var path = Path.Combine(Path.GetDirectoryName(DatabasePath)!, "v27.db");
        var migrations = SqlMigration.FromEmbeddedResources(typeof(SqliteMetadataStore).Assembly);
        Assert.Equal(28, migrations[^1].Version);
        var body = Enumerable.Range(0, 4096).Select(static i => (byte)i).ToArray();
        const string Columns = "version_id, size, etag, last_modified, headers, user_metadata, checksums, inline_body, chunks, part_sizes, " +
            "checksum_type, tags, delete_marker, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, encryption";
        const string Values = "'v', 4096, 'e', 7, '{\"contentType\":\"text/plain\"}', '{\"a\":\"b\"}', '{\"CRC32\":\"AAAAAA==\"}', @body, " +
            "NULL, @parts, 'COMPOSITE', '{\"t\":\"u\"}', 1, '[]', 'GOVERNANCE', 9, 1, @hash, 'COLD', x'0404'";
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); " +
                string.Concat(migrations.Where(static m => m.Version < 28).Select(static m =>
                    $"{m.Script};\nINSERT INTO schema_version VALUES ({m.Version}, '{m.Name}', 0);\n")) +
                "INSERT INTO buckets (name, created_at, region) VALUES ('old', 0, 'us-east-1'); " +
                $"INSERT INTO objects (bucket, key, version_seq, {Columns}) VALUES ('old', x'6b', 2, {Values}); " +
                $"INSERT INTO object_versions (bucket, key, version_seq, {Columns}) VALUES ('old', x'6b', 1, {Values.Replace("'v'", "'w'", StringComparison.Ordinal)});";
            command.Parameters.AddWithValue("@body", body);
            command.Parameters.AddWithValue("@parts", PartSizeListFormat.Encode([4096L]));
            command.Parameters.AddWithValue("@hash", System.Security.Cryptography.SHA256.HashData(body));
            await command.ExecuteNonQueryAsync();
        }
        var before = await DumpVersionsAsync(path);
        await using var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path });

        // Act
        await store.MigrateAsync(Ct);

        // Assert: the same rows, value for value; inline_body last in both tables; keys still unique.
        Assert.Equal(28, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(before, await DumpVersionsAsync(path));
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var table in new[] { "objects", "object_versions" })
            {
                await using var columns = connection.CreateCommand();
                columns.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid DESC LIMIT 1";
                Assert.Equal("inline_body", await columns.ExecuteScalarAsync());
            }
            await using var indexes = connection.CreateCommand();
            indexes.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('objects', 'object_versions')";
            Assert.Equal(3L, await indexes.ExecuteScalarAsync()); // the two primary keys and object_versions_id
            await using var duplicate = connection.CreateCommand();
            duplicate.CommandText = $"INSERT INTO object_versions (bucket, key, version_seq, {Columns}) VALUES ('old', x'6b', 3, {Values.Replace("'v'", "'w'", StringComparison.Ordinal).Replace("@body", "NULL", StringComparison.Ordinal).Replace("@parts", "NULL", StringComparison.Ordinal).Replace("@hash", "NULL", StringComparison.Ordinal)})";
            Assert.Equal(19, Assert.Throws<SqliteException>(() => duplicate.ExecuteNonQuery()).SqliteErrorCode); // version id w is taken
        }
        var current = await store.GetObjectAsync("old", "k", Ct);
        Assert.NotNull(current);
        Assert.Equal(body, current.InlineBody);
        Assert.Equal(("v", "text/plain", "b", "u", 4096L), (current.VersionId, current.Headers.ContentType, current.UserMetadata["a"], current.Tags["t"],
            Assert.Single(current.PartSizes)));
    }

    private static async Task<List<string>> DumpVersionsAsync(string path)
    {
        var rows = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        foreach (var table in new[] { "objects", "object_versions" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT bucket, key, version_seq, version_id, size, etag, last_modified, headers, user_metadata, checksums, inline_body, " +
                $"chunks, part_sizes, checksum_type, tags, delete_marker, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, " +
                $"encryption FROM {table} ORDER BY bucket, key, version_seq";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(table + ": " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i =>
                    reader.GetValue(i) switch { byte[] bytes => Convert.ToHexString(bytes), var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) })));
            }
        }
        return rows;
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_returns_NoSuchBucket_when_the_bucket_row_is_gone()
    {
        // Arrange: the catalog never lets this happen (the foreign key, DeleteBucket aborting uploads);
        // the row is removed behind its back to prove the check inside the transaction.
        var uploadId = await CreateUploadAsync();
        var part = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, part);
        await QueryFileAsync($"PRAGMA foreign_keys = OFF; DELETE FROM buckets WHERE name = '{Bucket}'");
        var before = await SnapshotAsync(uploadId);

        // Act
        var outcome = await CompleteAsync(uploadId, [part]);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.NoSuchBucket, outcome);
        Assert.Equal(before, await SnapshotAsync(uploadId));
    }

    [Fact(Timeout = 10_000)]
    public async Task MigrateAsync_refuses_a_database_from_a_newer_build()
    {
        // Arrange
        await QueryFileAsync("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'Future', 0)");

        // Act + Assert
        await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.Schema.MigrateAsync(Ct).AsTask());
    }

    [Fact(Timeout = 10_000)]
    public async Task Keys_are_stored_as_UTF8_bytes()
    {
        await PutInlineAsync("\u00e9");
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, await QueryFileAsync("SELECT key FROM objects"));
    }

    [Fact(Timeout = 10_000)]
    public async Task In_memory_store_works_and_is_private_to_its_instance()
    {
        // Arrange
        await using var first = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory });
        await using var second = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory });
        await first.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);

        // Act
        await first.TryCreateBucketAsync(new BucketRecord("mem", Now, "us-east-1"), Ct);
        await first.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k") with { Bucket = "mem" }, WritePrecondition.None), Now, Grace, Ct);

        // Assert
        Assert.NotNull(await first.GetObjectAsync("mem", "k", Ct));
        Assert.Empty(await second.ListBucketsAsync(Ct));
    }

    [Fact(Timeout = 20_000)]
    public async Task Disposing_the_store_closes_every_connection_to_the_file()
    {
        // Arrange: concurrent lookups and writes open several read connections, which the store keeps.
        if (!OperatingSystem.IsLinux())
        {
            return; // open files are listed from /proc/self/fd
        }
        await PutInlineAsync("k");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
                await Catalog.Buckets.GetBucketAsync(Bucket, Ct);
            }
        })));
        Assert.NotEmpty(OpenFilesOfTheDatabase());

        // Act
        await Catalog.DisposeAsync();

        // Assert
        Assert.Empty(OpenFilesOfTheDatabase());
    }

    private List<string> OpenFilesOfTheDatabase()
    {
        var open = new List<string>();
        foreach (var descriptor in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(DatabasePath, StringComparison.Ordinal))
                {
                    open.Add(target);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while the directory was being listed.
            }
        }
        return open;
    }

    [Fact]
    public void Options_without_a_database_path_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SqliteMetadataStore(new SqliteMetadataOptions()));
    }
}
