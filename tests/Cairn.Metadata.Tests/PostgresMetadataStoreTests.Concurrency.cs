using System.Collections.Concurrent;
using Cairn.Core;
using Cairn.Metadata.Postgres;
using Npgsql;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Concurrency that is real on PostgreSQL: writes from separate stores (each with its own pool, as
/// separate nodes would be) run at once on one database, SERIALIZABLE aborts the ones that raced,
/// and the retry loop runs them again. Every outcome must be one that running the writes one at a
/// time could give.
/// </summary>
public sealed partial class PostgresMetadataStoreTests
{
    /// <summary>Stores over this test's database, one per simulated node, each with a small pool of its own.</summary>
    private async Task<Nodes> OpenNodesAsync(int count)
    {
        // A write and a read at a time per node; more writes wait for their turn in the store.
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = 2 }.ConnectionString;
        var nodes = new Nodes(Enumerable.Range(0, count)
            .Select(_ => new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = connectionString, MaxConcurrentWrites = 1 }))
            .ToArray());
        // Each node opens its pool before the race starts, so the writes collide rather than queue on connects.
        await Task.WhenAll(nodes.Stores.Select(static node => node.GetBucketAsync(Bucket, Ct).AsTask()));
        return nodes;
    }

    private sealed class Nodes(PostgresMetadataStore[] stores) : IAsyncDisposable
    {
        public PostgresMetadataStore[] Stores => stores;

        public long ConflictsRetried => stores.Sum(static store => store.WriteConflictsRetried);

        public async ValueTask DisposeAsync()
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once per writer, all released at the same moment; logs how long
    /// it took and how many writes SERIALIZABLE aborted and the nodes ran again.
    /// </summary>
    private async Task<T[]> RaceAsync<T>(Nodes nodes, int writers, Func<int, Task<T>> work)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await work(i);
        })).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        start.SetResult();
        try
        {
            return await Task.WhenAll(tasks);
        }
        finally
        {
            output.WriteLine($"{writers} writers on {nodes.Stores.Length} nodes: {clock.ElapsedMilliseconds} ms, " +
                $"{nodes.ConflictsRetried} attempts aborted by the server (serialization failure, deadlock, lock timeout) and run again");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Sixty_four_If_None_Match_creates_of_one_key_from_separate_nodes_let_exactly_one_win()
    {
        // Arrange
        const int Writers = 64;
        await using var nodes = await OpenNodesAsync(Writers);
        var ifNoneMatch = new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null);

        // Act
        var outcomes = await RaceAsync(nodes, Writers, i => nodes.Stores[i].CommitObjectAsync(
            new ObjectCommit(null, InlineVersion("k", "e" + i), ifNoneMatch), Now, Grace, Ct).AsTask());

        // Assert
        var winner = Assert.Single(Enumerable.Range(0, Writers), i => outcomes[i] == CommitOutcome.Committed);
        Assert.All(outcomes.Where((_, i) => i != winner), static outcome => Assert.Equal(CommitOutcome.PreconditionFailed, outcome));
        Assert.Equal("e" + winner, (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 180_000)]
    public async Task Concurrent_commits_and_deletes_of_objects_sharing_chunks_from_separate_nodes_keep_refcounts_exact()
    {
        // Arrange: 64 writers on 8 nodes put and delete 16 keys whose bodies draw one to three chunks
        // from 32 shared ones (a chunk may appear twice in a body): overwrites and deletes release
        // what other writers add, on the same rows, at the same time. (Every commit changes the
        // refcount rows of its chunks, and SERIALIZABLE lets only one of two writes that change the
        // same row commit: with far fewer rows than writers in flight, most attempts would be
        // aborted and some writes would run out of attempts.)
        const int NodeCount = 8, Writers = 64, Rounds = 4, Keys = 16;
        await using var nodes = await OpenNodesAsync(NodeCount);
        var pool = Enumerable.Range(0, 32).Select(static i => Chunk("shared" + i)).ToArray();
        var written = new ConcurrentBag<string>();

        // Act
        var outcomes = await RaceAsync(nodes, Writers, async writer =>
        {
            var node = nodes.Stores[writer % NodeCount];
            var random = new Random(writer);
            var results = new List<CommitOutcome>();
            for (var round = 0; round < Rounds; round++)
            {
                var key = "k" + random.Next(Keys);
                if (random.Next(6) == 0)
                {
                    await node.DeleteObjectAsync(Bucket, key, WritePrecondition.None, Now, Grace, Ct);
                    continue;
                }
                var body = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => pool[random.Next(pool.Length)]).ToArray();
                var upload = Guid.NewGuid();
                foreach (var chunk in body.Distinct())
                {
                    var reservation = await node.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, NewBlobName(chunk), Deadline, Ct);
                    if (reservation.Kind == ChunkReservationKind.MustWrite)
                    {
                        written.Add(reservation.BlobName!);
                    }
                }
                results.Add(await node.CommitObjectAsync(new ObjectCommit(upload, Version(key, $"w{writer}r{round}", body),
                    WritePrecondition.None), Now, Grace, Ct));
            }
            return results;
        });

        // Assert: every commit landed, and each chunk row counts exactly the uses of the bodies stored now.
        Assert.All(outcomes.SelectMany(static o => o), static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        var uses = new Dictionary<Core.ContentHash, long>();
        for (var i = 0; i < Keys; i++)
        {
            foreach (var chunk in (await Catalog.Objects.GetObjectAsync(Bucket, "k" + i, Ct))?.Chunks ?? [])
            {
                uses[chunk.Hash] = uses.GetValueOrDefault(chunk.Hash) + 1;
            }
        }
        var rows = await Catalog.Chunks.ListChunksAsync(Ct);
        Assert.Equal(uses.OrderBy(static u => u.Key.ToString()).Select(static u => (u.Key, u.Value)),
            rows.Where(static r => r.RefCount != 0).OrderBy(static r => r.Hash.ToString()).Select(static r => (r.Hash, r.RefCount)));
        // Nothing leaks: a chunk row at zero has its blob queued, and so has every blob a writer wrote
        // that no chunk row adopted (it lost the race to another upload of the same bytes).
        var queued = (await QueueAsync()).Select(static e => e.BlobName).ToHashSet(StringComparer.Ordinal);
        Assert.All(rows.Where(static r => r.RefCount == 0), row => Assert.Contains(row.BlobName, queued));
        var adopted = rows.Select(static r => r.BlobName).ToHashSet(StringComparer.Ordinal);
        Assert.All(written, blob => Assert.True(adopted.Contains(blob) || queued.Contains(blob), $"{blob} is neither adopted nor queued"));
    }

    [Fact(Timeout = 180_000)]
    public async Task Concurrent_If_Match_overwrites_from_separate_nodes_each_winner_saw_the_ETag_it_matched()
    {
        // Arrange: 64 writers on 16 nodes each read the ETag and overwrite If-Match it, five times.
        const int NodeCount = 16, Writers = 64, Attempts = 5;
        await CommitAsync(null, InlineVersion("k", "v0"));
        await using var nodes = await OpenNodesAsync(NodeCount);
        var wins = new ConcurrentBag<(string Matched, string Written)>();

        // Act
        await RaceAsync(nodes, Writers, async writer =>
        {
            var node = nodes.Stores[writer % NodeCount];
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var matched = (await node.GetObjectAsync(Bucket, "k", Ct))!.ETag;
                var written = $"w{writer}a{attempt}";
                var outcome = await node.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k", written),
                    new WritePrecondition(IfNoneMatchAny: false, IfMatchETag: matched)), Now, Grace, Ct);
                if (outcome == CommitOutcome.Committed)
                {
                    wins.Add((matched, written));
                }
                else
                {
                    Assert.Equal(CommitOutcome.PreconditionFailed, outcome);
                }
            }
            return 0;
        });

        // Assert: no two winners replaced the same version (no lost update), and the winners form one
        // chain from the first version to the stored one: each replaced exactly the version before it.
        Assert.NotEmpty(wins);
        var next = wins.ToDictionary(static w => w.Matched, static w => w.Written, StringComparer.Ordinal);
        Assert.Equal(wins.Count, next.Count);
        var current = "v0";
        var steps = 0;
        while (next.TryGetValue(current, out var following))
        {
            current = following;
            steps++;
        }
        Assert.Equal(wins.Count, steps);
        Assert.Equal(current, (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 120_000)]
    public async Task Concurrent_creates_of_neighbouring_new_keys_from_separate_nodes_commit_without_conflicts()
    {
        // Arrange: 64 writers on 16 nodes create 256 keys named in sequence, neighbours at the same
        // moment (writer w writes k0w, k0(64+w), ...). Reading an absent key first would lock the index
        // page the neighbours insert into, and SERIALIZABLE would abort most of these commits.
        const int NodeCount = 16, Writers = 64, PerWriter = 4;
        await using var nodes = await OpenNodesAsync(NodeCount);

        // Act
        var outcomes = await RaceAsync(nodes, Writers, async writer =>
        {
            var node = nodes.Stores[writer % NodeCount];
            var mine = new List<CommitOutcome>();
            for (var i = 0; i < PerWriter; i++)
            {
                var key = "k" + ((i * Writers) + writer).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                mine.Add(await node.CommitObjectAsync(new ObjectCommit(null, InlineVersion(key, "e"), WritePrecondition.None), Now, Grace, Ct));
            }
            return mine;
        });

        // Assert
        Assert.All(outcomes.SelectMany(static o => o), static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        // Not zero: SERIALIZABLE may abort a transaction that conflicts with nothing when the server
        // summarizes old transactions' predicate locks (many serializable sessions across the
        // cluster, as in CI). A read of the absent key would abort most of the 256 commits.
        Assert.InRange(nodes.ConflictsRetried, 0, Writers * PerWriter / 32);
        var listed = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct);
        Assert.Equal(Writers * PerWriter, listed.Objects.Count);
    }

    [Fact(Timeout = 120_000)]
    public async Task Concurrent_writes_to_one_bucket_from_separate_nodes_number_its_journal_without_gaps_in_commit_order()
    {
        // Arrange: a versioned bucket; 32 writers on 8 nodes each create 4 keys of their own and
        // overwrite one shared key 4 times (every commit adds one entry: a Put).
        const int NodeCount = 8, Writers = 32, Rounds = 4;
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, Cairn.Core.BucketVersioning.Enabled, Ct));
        await using var nodes = await OpenNodesAsync(NodeCount);

        // Act
        var committed = await RaceAsync(nodes, Writers, async writer =>
        {
            var node = nodes.Stores[writer % NodeCount];
            var mine = new List<string>();
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var key in (string[])[$"own-{writer}-{round}", "shared"])
                {
                    var result = await node.CommitObjectAsync(new ObjectCommit(null, InlineVersion(key, $"e{writer}-{round}"), WritePrecondition.None),
                        Now, Grace, Ct);
                    Assert.Equal(CommitOutcome.Committed, result.Outcome);
                    mine.Add(result.VersionId!);
                }
            }
            return mine;
        });

        // Assert: one entry per commit, numbered 1..256; the shared key's entries are in the order
        // of its versions (newest last), which is the order its commits took effect.
        var journal = await Catalog.Objects.ReadJournalAsync(Bucket, 0, 10_000, Ct);
        Assert.Equal(Enumerable.Range(1, Writers * Rounds * 2).Select(static n => (long)n), journal.Select(static e => e.Seq));
        Assert.Equal(committed.SelectMany(static ids => ids).Order(StringComparer.Ordinal), journal.Select(static e => e.VersionId).Order(StringComparer.Ordinal));
        var shared = (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("shared", null, null, null, 1000), Ct)).Versions;
        Assert.Equal(shared.Select(static v => v.VersionId).Reverse(), journal.Where(static e => e.Key == "shared").Select(static e => e.VersionId));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_write_that_loses_a_serialization_race_runs_again_and_decides_on_the_winners_row()
    {
        // Arrange: another session changes the row and holds its lock while the store's If-Match
        // write reads the old ETag, passes the check and waits to upsert the row (without a lock
        // timeout, so it waits exactly once).
        await CommitAsync(null, InlineVersion("k", "old"));
        await using var store = OpenStoreWithoutLockTimeout();
        await using var other = await BeginOtherSessionAsync("UPDATE objects SET etag = 'new' WHERE key = 'k'::bytea");
        var write = store.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k", "mine"),
            new WritePrecondition(IfNoneMatchAny: false, IfMatchETag: "old")), Now, Grace, Ct).AsTask();
        await WaitForALockWaitAsync();

        // Act: the other session commits, so the waiting upsert fails with 40001.
        await other.Transaction.CommitAsync();
        var outcome = await write;

        // Assert: the write ran again, saw "new" and refused; the other session's row stands.
        Assert.Equal(CommitOutcome.PreconditionFailed, outcome);
        Assert.Equal(1, store.WriteConflictsRetried);
        Assert.Equal("new", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_write_still_in_conflict_after_MaxWriteAttempts_fails_with_the_serialization_failure()
    {
        // Arrange: as above, with a store that tries once.
        await CommitAsync(null, InlineVersion("k", "old"));
        await using var once = OpenStoreWithoutLockTimeout(maxWriteAttempts: 1);
        await using var other = await BeginOtherSessionAsync("UPDATE objects SET etag = 'new' WHERE key = 'k'::bytea");
        var write = once.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k", "mine"),
            new WritePrecondition(IfNoneMatchAny: false, IfMatchETag: "old")), Now, Grace, Ct).AsTask();
        await WaitForALockWaitAsync();

        // Act
        await other.Transaction.CommitAsync();

        // Assert
        var failure = await Assert.ThrowsAsync<PostgresException>(() => write);
        Assert.Equal(PostgresErrorCodes.SerializationFailure, failure.SqlState);
        Assert.Equal("new", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_write_waiting_past_the_lock_timeout_is_run_again_and_lands_once_the_lock_is_free()
    {
        // Arrange: another session holds the row's lock for a while (its change is then rolled back).
        await CommitAsync(null, InlineVersion("k", "old"));
        var store = Assert.IsType<PostgresMetadataStore>(Catalog.Provider);
        var conflictsBefore = store.WriteConflictsRetried;
        await using var other = await BeginOtherSessionAsync("UPDATE objects SET etag = 'held' WHERE key = 'k'::bytea");
        var write = CommitAsync(null, InlineVersion("k", "mine"), new WritePrecondition(IfNoneMatchAny: false, IfMatchETag: "old"));

        // Act: several lock timeouts (100 ms each) pass before the lock is released.
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        await other.Transaction.RollbackAsync();
        var outcome = await write;

        // Assert
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.True(store.WriteConflictsRetried > conflictsBefore, "the write timed out waiting and was run again");
        Assert.Equal("mine", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_create_whose_bucket_is_deleted_while_it_waits_answers_NoSuchBucket()
    {
        // Arrange: another session deletes the (empty) bucket and holds the row's lock; the store's
        // create of a new key (coalesced, READ COMMITTED) finds the bucket still there and waits on
        // it for the foreign key check.
        await using var store = OpenStoreWithoutLockTimeout();
        await using var other = await BeginOtherSessionAsync($"DELETE FROM buckets WHERE name = '{Bucket}'");
        var write = store.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k", "mine"), WritePrecondition.None), Now, Grace, Ct).AsTask();
        await WaitForALockWaitAsync();

        // Act: the deletion commits, so the waiting insert fails its foreign key check (23503).
        await other.Transaction.CommitAsync();
        var outcome = await write;

        // Assert: the create ran again, found no bucket, and wrote nothing.
        Assert.Equal(CommitOutcome.NoSuchBucket, outcome.Outcome);
        Assert.True(store.WriteConflictsRetried >= 1, "the create was run again after the foreign key violation");
        Assert.Null(await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
        Assert.Empty(await Catalog.Objects.ReadJournalAsync(Bucket, 0, 10, Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_create_waits_for_the_journal_turn_of_a_write_in_progress_and_numbers_its_entry_after_it()
    {
        // Arrange: an If-Match overwrite of "a" in one store waits on the row another session holds,
        // with the bucket's journal turn taken; a create of a new key starts in a second store.
        await CommitAsync(null, InlineVersion("a", "old"));
        await using var overwriter = OpenStoreWithoutLockTimeout();
        await using var creator = OpenStoreWithoutLockTimeout();
        await using var other = await BeginOtherSessionAsync("UPDATE objects SET size = size WHERE key = 'a'::bytea");
        var overwrite = overwriter.CommitObjectAsync(new ObjectCommit(null, InlineVersion("a", "second"),
            new WritePrecondition(IfNoneMatchAny: false, IfMatchETag: "old")), Now, Grace, Ct).AsTask();
        await WaitForALockWaitAsync();
        var create = creator.CommitObjectAsync(new ObjectCommit(null, InlineVersion("b", "new"), WritePrecondition.None), Now, Grace, Ct).AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var createdWhileTheTurnWasHeld = create.IsCompleted;

        // Act: the other session ends; the overwrite commits and gives up its turn.
        await other.Transaction.RollbackAsync();
        var overwritten = await overwrite;
        var created = await create;

        // Assert: the create waited for the turn, and the journal numbers follow the commits.
        Assert.False(createdWhileTheTurnWasHeld, "the create committed while another writer held the bucket's journal turn");
        Assert.Equal(CommitOutcome.Committed, overwritten.Outcome);
        Assert.Equal(CommitOutcome.Committed, created.Outcome);
        var journal = await Catalog.Objects.ReadJournalAsync(Bucket, 0, 10, Ct);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(static n => (long)n), journal.Select(static e => e.Seq));
        Assert.Equal("b", journal[^1].Key);
        Assert.All(journal.SkipLast(1), static e => Assert.Equal("a", e.Key));
        Assert.Contains(journal, e => e.Key == "a" && e.VersionId == overwritten.VersionId);
    }

    private PostgresMetadataStore OpenStoreWithoutLockTimeout(int maxWriteAttempts = 30) =>
        new(new PostgresMetadataOptions { ConnectionString = ConnectionString!, LockTimeout = TimeSpan.Zero, MaxWriteAttempts = maxWriteAttempts });

    /// <summary>A session outside the store, in a SERIALIZABLE transaction that has run <paramref name="sql"/> (taking its locks).</summary>
    private async Task<OtherSession> BeginOtherSessionAsync(string sql)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
        return new OtherSession(connection, transaction);
    }

    private sealed class OtherSession(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public NpgsqlTransaction Transaction => transaction;

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Nodes_starting_at_once_on_a_new_database_migrate_it_once()
    {
        // Arrange
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var stores = Enumerable.Range(0, 8)
                .Select(_ => new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = connectionString }))
                .ToArray();
            await using var nodes = new Nodes(stores);

            // Act
            await RaceAsync(nodes, stores.Length, async i =>
            {
                await stores[i].MigrateAsync(Ct);
                return 0;
            });

            // Assert: one row per migration, and the schema works from every node.
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_version", connection);
            Assert.Equal((long)SqlMigration.FromEmbeddedResources(typeof(PostgresMetadataStore).Assembly).Count,
                await count.ExecuteScalarAsync());
            Assert.True(await stores[0].TryCreateBucketAsync(new BucketRecord("b", Now, "us-east-1"), Ct));
            Assert.NotNull(await stores[^1].GetBucketAsync("b", Ct));
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>Returns once a session of this test's database waits for a lock.</summary>
    private async Task WaitForALockWaitAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        while ((long)(await waiting.ExecuteScalarAsync())! == 0)
        {
            await Task.Delay(10);
        }
    }
}
