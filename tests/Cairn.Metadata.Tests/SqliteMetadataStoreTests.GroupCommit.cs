using System.Data.Common;
using Cairn.Core;
using Cairn.Metadata.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Group commit: concurrent writes share one transaction, each in its own savepoint, and are answered
/// only after the one COMMIT. The tests hold one group open before its COMMIT (the internal hook) so
/// that the writes issued meanwhile queue up and deterministically form the next group.
/// </summary>
public sealed partial class SqliteMetadataStoreTests
{
    private SqliteMetadataStore SqliteStore => Assert.IsType<SqliteMetadataStore>(Catalog.Provider);

    /// <summary>
    /// Holds the next group (one write of key "blocker") before its COMMIT until <c>Gate</c> is opened;
    /// returns once it is held. Every later group runs <paramref name="laterGroups"/> before its COMMIT.
    /// </summary>
    private async Task<(TaskCompletionSource Gate, Task Blocker)> HoldNextGroupAsync(Func<DbTransaction, ValueTask>? laterGroups = null)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var groups = 0;
        SqliteStore.BeforeGroupCommitHook = async transaction =>
        {
            if (Interlocked.Increment(ref groups) == 1)
            {
                held.SetResult();
                await gate.Task;
            }
            else if (laterGroups is not null)
            {
                await laterGroups(transaction);
            }
        };
        var blocker = PutInlineAsync("blocker");
        await held.Task;
        return (gate, blocker);
    }

    [Fact(Timeout = 20_000)]
    public async Task Writes_queued_behind_a_commit_share_the_next_transaction()
    {
        // Arrange
        const int Writes = 50;
        var before = SqliteStore.WriteTransactionsCommitted;
        var (gate, blocker) = await HoldNextGroupAsync();

        // Act
        var writes = Enumerable.Range(0, Writes).Select(i => CommitAsync(null, InlineVersion("k" + i))).ToArray();
        gate.SetResult();
        await blocker;
        var outcomes = await Task.WhenAll(writes);

        // Assert: the held group and one group for all fifty, not fifty-one transactions.
        Assert.All(outcomes, static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        Assert.Equal(2, SqliteStore.WriteTransactionsCommitted - before);
        for (var i = 0; i < Writes; i++)
        {
            Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "k" + i, Ct));
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Metrics_record_each_group_its_size_its_commit_duration_and_every_answered_write()
    {
        // Arrange
        const int Writes = 20;
        using var recorder = new MeasurementRecorder();
        SqliteStore.Metrics = new MetadataMetrics(recorder);
        var (gate, blocker) = await HoldNextGroupAsync();

        // Act
        var writes = Enumerable.Range(0, Writes).Select(i => CommitAsync(null, InlineVersion("m" + i))).ToArray();
        gate.SetResult();
        await blocker;
        await Task.WhenAll(writes);

        // Assert: the held group of one, then one group of twenty.
        Assert.Equal([1.0, Writes], recorder.Values("cairn.metadata.commit.group_size"));
        Assert.Equal(2, recorder.Values("cairn.metadata.commit.duration").Count);
        Assert.All(recorder.Values("cairn.metadata.commit.duration"), static seconds => Assert.InRange(seconds, 0, 20));
        Assert.Equal(Writes + 1, recorder.Values("cairn.metadata.write.duration").Count);
        Assert.Empty(recorder.Values("cairn.metadata.write.retries"));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_failed_precondition_and_a_throwing_write_in_a_group_leave_the_others_committed()
    {
        // Arrange: an existing key for If-None-Match, and an upload whose Complete throws halfway:
        // chunk b's row is removed behind the store's back, so Complete adds a reference to chunk a,
        // then finds no row for b and throws.
        await CommitAsync(null, InlineVersion("existing", etag: "original"));
        var (a, b) = (Chunk("a"), Chunk("b"));
        var uploadId = await CreateUploadAsync();
        var part = Part(1, "p1", a, b);
        await UploadPartAsync(uploadId, part);
        await QueryFileAsync($"DELETE FROM chunks WHERE hash = x'{Convert.ToHexString(b.Hash.Bytes)}'");
        var uploadBefore = await SnapshotAsync(uploadId);
        var (gate, blocker) = await HoldNextGroupAsync();

        // Act: one group of four, in this order.
        var first = CommitAsync(null, InlineVersion("first"));
        var conditional = CommitAsync(null, InlineVersion("existing", etag: "loser"), new WritePrecondition(IfNoneMatchAny: true, null));
        var throwing = CompleteAsync(uploadId, [part]);
        var last = CommitAsync(null, InlineVersion("last"));
        gate.SetResult();
        await blocker;

        // Assert
        Assert.Equal(CommitOutcome.Committed, await first);
        Assert.Equal(CommitOutcome.PreconditionFailed, await conditional);
        await Assert.ThrowsAsync<InvalidOperationException>(() => throwing);
        Assert.Equal(CommitOutcome.Committed, await last);
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "first", Ct));
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "last", Ct));
        Assert.Equal("original", (await Catalog.Objects.GetObjectAsync(Bucket, "existing", Ct))!.ETag);
        // The throwing write's reference to chunk a was rolled back with its savepoint.
        Assert.Equal(uploadBefore, await SnapshotAsync(uploadId));
        Assert.Equal(1, await RefCountAsync(a));
    }

    [Fact(Timeout = 20_000)]
    public async Task Two_conditional_creates_of_one_key_in_one_group_exactly_one_wins()
    {
        // Arrange
        var before = SqliteStore.WriteTransactionsCommitted;
        var (gate, blocker) = await HoldNextGroupAsync();
        var ifAbsent = new WritePrecondition(IfNoneMatchAny: true, null);

        // Act
        var one = CommitAsync(null, InlineVersion("race", etag: "one"), ifAbsent);
        var two = CommitAsync(null, InlineVersion("race", etag: "two"), ifAbsent);
        gate.SetResult();
        await blocker;
        var outcomes = new[] { await one, await two };

        // Assert: the second saw the first's uncommitted write in the shared transaction, as if serial.
        Assert.Equal(2, SqliteStore.WriteTransactionsCommitted - before);
        Assert.Single(outcomes, CommitOutcome.Committed);
        Assert.Single(outcomes, CommitOutcome.PreconditionFailed);
        var winner = outcomes[0] == CommitOutcome.Committed ? "one" : "two";
        Assert.Equal(winner, (await Catalog.Objects.GetObjectAsync(Bucket, "race", Ct))!.ETag);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_failed_COMMIT_fails_every_write_of_its_group_and_the_next_group_commits()
    {
        // Arrange: the later group's COMMIT fails for real: deferred foreign keys are checked only at
        // COMMIT, and a row for a bucket that does not exist violates one. SQLite keeps the
        // transaction open after such a failure; the store must roll it back.
        var before = SqliteStore.WriteTransactionsCommitted;
        var failNextCommit = true;
        var (gate, blocker) = await HoldNextGroupAsync(async transaction =>
        {
            if (!failNextCommit)
            {
                return;
            }
            failNextCommit = false;
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "PRAGMA defer_foreign_keys = ON; " +
                "INSERT INTO objects (bucket, key, version_id, size, etag, last_modified) VALUES ('no-such-bucket', x'00', 'v', 0, 'e', 0)";
            await command.ExecuteNonQueryAsync();
        });

        // Act
        var doomed = Enumerable.Range(0, 5).Select(i => CommitAsync(null, InlineVersion("doomed" + i))).ToArray();
        gate.SetResult();
        await blocker;
        var failures = new List<Exception>();
        foreach (var write in doomed)
        {
            failures.Add(await Assert.ThrowsAsync<SqliteException>(() => write));
        }
        var after = await CommitAsync(null, InlineVersion("after"));

        // Assert: none of the five was answered as committed, and none is there.
        Assert.All(failures, static failure => Assert.Contains("FOREIGN KEY", failure.Message, StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "doomed" + i, Ct));
        }
        Assert.Equal(0L, await QueryFileAsync("SELECT COUNT(*) FROM objects WHERE bucket = 'no-such-bucket'"));
        Assert.Equal(CommitOutcome.Committed, after);
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "after", Ct));
        Assert.Equal(2, SqliteStore.WriteTransactionsCommitted - before);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_write_cancelled_while_queued_is_dropped_and_one_cancelled_in_its_group_still_commits()
    {
        // Arrange: the later group cancels the caller of "started" after its work ran, before COMMIT.
        using var queuedCancellation = new CancellationTokenSource();
        using var startedCancellation = new CancellationTokenSource();
        var (gate, blocker) = await HoldNextGroupAsync(_ =>
        {
            startedCancellation.Cancel();
            return ValueTask.CompletedTask;
        });
        var queued = Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion("queued"), WritePrecondition.None), Now, Grace,
            queuedCancellation.Token).AsTask();
        var started = Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion("started"), WritePrecondition.None), Now, Grace,
            startedCancellation.Token).AsTask();

        // Act: the queued write is answered at once, while the group ahead of it is still held.
        await queuedCancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        gate.SetResult();
        await blocker;

        // Assert
        Assert.Equal(CommitOutcome.Committed, await started);
        Assert.True(startedCancellation.IsCancellationRequested);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "queued", Ct));
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "started", Ct));
    }

    [Fact(Timeout = 20_000)]
    public async Task Disposing_finishes_the_queued_writes_then_refuses_new_ones()
    {
        // Arrange
        var store = SqliteStore;
        var writes = Enumerable.Range(0, 20).Select(i => CommitAsync(null, InlineVersion("k" + i))).ToArray();

        // Act
        await store.DisposeAsync();

        // Assert
        Assert.All(await Task.WhenAll(writes), static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => CommitAsync(null, InlineVersion("late")));
        await ReopenAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "k" + i, Ct));
        }
    }
}
