using Cairn.Core;
using Cairn.Metadata.Sqlite;

namespace Cairn.Metadata.Tests;

/// <summary>WAL checkpoints on their own thread (WalCheckpointer), not inside the group's COMMIT.</summary>
public sealed partial class SqliteMetadataStoreTests
{
    [Fact(Timeout = 10_000)]
    public async Task The_writer_leaves_checkpoints_to_the_checkpointer_unless_its_interval_is_zero()
    {
        var store = Assert.IsType<SqliteMetadataStore>(Catalog.Provider);
        Assert.Equal(0L, await store.ReadWriterPragmaAsync("wal_autocheckpoint", Ct));

        var directory = Directory.CreateTempSubdirectory("cairn-sqlite-").FullName;
        try
        {
            await using (var automatic = new SqliteMetadataStore(new SqliteMetadataOptions
            {
                DatabasePath = Path.Combine(directory, "catalog.db"),
                CheckpointInterval = TimeSpan.Zero,
            }))
            {
                Assert.Equal(1000L, await automatic.ReadWriterPragmaAsync("wal_autocheckpoint", Ct));
                Assert.Equal(0L, automatic.CheckpointsRun);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Under_steady_concurrent_writes_the_WAL_is_copied_back_and_restarted_instead_of_growing()
    {
        // Arrange: a store checkpointing every 10 ms, and 4,000 rows of 4 KiB written by 64 writers
        // without a pause, so the writer appends while every checkpoint copies.
        const int Writers = 64, RowsEach = 64, BodyBytes = 4096;
        const long BytesWritten = (long)Writers * RowsEach * BodyBytes;
        var directory = Directory.CreateTempSubdirectory("cairn-sqlite-").FullName;
        var path = Path.Combine(directory, "catalog.db");
        try
        {
            var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path, CheckpointInterval = TimeSpan.FromMilliseconds(10) });
            await using (var catalog = MetadataCatalog.Over(store))
            {
                await catalog.Schema.MigrateAsync(Ct);
                Assert.True(await catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now, "us-east-1"), Ct));

                // Act
                await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
                {
                    for (var i = 0; i < RowsEach; i++)
                    {
                        var body = new byte[BodyBytes];
                        Random.Shared.NextBytes(body);
                        var version = InlineVersion($"w{writer:D2}/{i:D3}") with { Size = BodyBytes, InlineBody = body };
                        Assert.Equal(CommitOutcome.Committed,
                            await catalog.Objects.CommitObjectAsync(new ObjectCommit(null, version, WritePrecondition.None), Now, Grace, Ct));
                    }
                })));

                // Assert: the pages reached the database file, by the checkpointer's hand, while the WAL
                // file (whose length is the most it ever held: SQLite rewrites it from the start) stayed
                // far below what was written through it.
                Assert.True(store.CheckpointsRun > 0, "no checkpoint ran");
                var databaseBytes = new FileInfo(path).Length;
                var walBytes = new FileInfo(path + "-wal").Length;
                Assert.True(databaseBytes > BytesWritten, $"database file {databaseBytes} bytes after {BytesWritten} written");
                Assert.True(walBytes < BytesWritten / 2, $"WAL file {walBytes} bytes after {BytesWritten} written");
            }

            // Every row is in the file once the store is closed.
            await using var reopened = MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path }));
            await reopened.Schema.MigrateAsync(Ct);
            for (var writer = 0; writer < Writers; writer += 9)
            {
                var row = await reopened.Objects.GetObjectAsync(Bucket, $"w{writer:D2}/{RowsEach - 1:D3}", Ct);
                Assert.Equal(BodyBytes, row?.Size);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
