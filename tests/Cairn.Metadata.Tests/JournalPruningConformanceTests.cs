using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Journal pruning (<see cref="IObjectCatalog.PruneJournalAsync"/>, issue 13), the same on every
/// catalog: an entry goes only at or below the archived number (when archiving), the tree head's and
/// the lifecycle progress's numbers (when the bucket has them), and once older than the retention;
/// each rule alone holds pruning back exactly at its number. The head stays, so numbering goes on; a
/// bucket made again starts with nothing of the old one's numbers; batches are bounded; a reader
/// that records its first number after entries past it were pruned is refused.
/// </summary>
[Trait("Issue", "13")]
public abstract class JournalPruningConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static readonly DateTimeOffset FarFuture = DateTimeOffset.UtcNow.AddYears(10);

    private static readonly JournalPruning Archiving = new(UntilArchived: true, Retention: TimeSpan.FromHours(1));

    private static readonly JournalPruning NoArchive = new(UntilArchived: false, Retention: TimeSpan.Zero);

    private async Task<List<long>> JournalSeqsAsync(string bucket = Bucket) =>
        [.. (await Catalog.Objects.ReadJournalAsync(bucket, 0, 10_000, Ct)).Select(static e => e.Seq)];

    private async Task<DateTimeOffset> CreatedAtAsync() => (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.CreatedAt;

    private async Task PutManyAsync(int count, string prefix = "k")
    {
        for (var i = 0; i < count; i++)
        {
            await PutInlineAsync($"{prefix}{i}");
        }
    }

    private async Task<RecordTreeCommitOutcome> RecordFirstTreeCommitAsync(long seq)
    {
        var segment = $"trees/{Bucket}/{seq}-{Guid.NewGuid():N}.car";
        await Catalog.Trees.ReserveTreeSegmentAsync(segment, Now + TimeSpan.FromHours(1), Ct);
        var head = new TreeHead(Bucket, seq, Cid.ForDagCbor(Encoding.UTF8.GetBytes("commit " + seq)),
            Cid.ForDagCbor(Encoding.UTF8.GetBytes("root " + seq)), Now);
        return await Catalog.Trees.RecordTreeCommitAsync(head, await CreatedAtAsync(), null, segment, new TreeBlockLocation(seq, 0, 10, 0), [], Ct);
    }

    private Task<bool> SaveLifecycleProgressAsync(long seq) =>
        Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [], new LifecycleProgress(Bucket, Now, seq), Ct).AsTask();

    [Theory(Timeout = 20_000)]
    [InlineData("archive")]
    [InlineData("tree")]
    [InlineData("lifecycle")]
    [InlineData("retention")]
    public async Task Each_rule_alone_holds_pruning_back_exactly_at_its_number(string holding)
    {
        // Arrange: entries 1-3 committed before a moment, 4-8 after it; the holding rule's number is
        // 3, every other rule's is 6.
        await PutManyAsync(3, "old");
        await Task.Delay(10);
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(10);
        await PutManyAsync(5, "new");
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, await CreatedAtAsync(), holding == "archive" ? 3 : 6, Now, Ct));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordFirstTreeCommitAsync(holding == "tree" ? 3 : 6));
        Assert.True(await SaveLifecycleProgressAsync(holding == "lifecycle" ? 3 : 6));
        var now = holding == "retention" ? moment + Archiving.Retention : FarFuture;

        // Act
        var pruned = await Catalog.Objects.PruneJournalAsync(Archiving, now, Ct);
        var again = await Catalog.Objects.PruneJournalAsync(Archiving, now, Ct);

        // Assert: 1-3 gone, 4-8 kept, the head where it was.
        Assert.Equal(3, pruned);
        Assert.Equal(0, again);
        Assert.Equal([4L, 5, 6, 7, 8], await JournalSeqsAsync());
        Assert.Equal(8, (await Catalog.JournalArchive.ListJournalArchiveStatesAsync(Ct)).Single().HeadSeq);
    }

    [Fact(Timeout = 20_000)]
    public async Task With_archiving_nothing_goes_until_an_upload_is_confirmed_and_then_up_to_the_archived_number()
    {
        // Arrange: four entries, none confirmed archived.
        await PutManyAsync(4);

        // Act
        var unconfirmed = await Catalog.Objects.PruneJournalAsync(Archiving with { Retention = TimeSpan.Zero }, FarFuture, Ct);
        var keptWhileUnconfirmed = await JournalSeqsAsync();
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, await CreatedAtAsync(), 2, Now, Ct));
        var confirmed = await Catalog.Objects.PruneJournalAsync(Archiving with { Retention = TimeSpan.Zero }, FarFuture, Ct);

        // Assert: the archive's lag still reads the first entry not archived (3), which is kept.
        Assert.Equal(0, unconfirmed);
        Assert.Equal([1L, 2, 3, 4], keptWhileUnconfirmed);
        Assert.Equal(2, confirmed);
        Assert.Equal([3L, 4], await JournalSeqsAsync());
        var state = (await Catalog.JournalArchive.ListJournalArchiveStatesAsync(Ct)).Single();
        Assert.Equal((4L, 2L), (state.HeadSeq, state.ArchivedSeq));
        Assert.NotNull(state.OldestUnarchivedAt);
    }

    [Fact(Timeout = 20_000)]
    public async Task Without_archiving_or_readers_everything_old_enough_goes_and_numbering_goes_on()
    {
        // Arrange
        await PutManyAsync(5);

        // Act: a retention in the future keeps everything; none keeps nothing.
        var tooYoung = await Catalog.Objects.PruneJournalAsync(NoArchive with { Retention = TimeSpan.FromHours(1) }, DateTimeOffset.UtcNow, Ct);
        var all = await Catalog.Objects.PruneJournalAsync(NoArchive, FarFuture, Ct);
        var emptied = await JournalSeqsAsync();
        await PutInlineAsync("after");
        await ReopenAsync();

        // Assert: the next entry is the head's next number, not 1.
        Assert.Equal(0, tooYoung);
        Assert.Equal(5, all);
        Assert.Empty(emptied);
        var next = Assert.Single(await Catalog.Objects.ReadJournalAsync(Bucket, 0, 100, Ct));
        Assert.Equal((6L, "after"), (next.Seq, next.Key));
        Assert.Equal(6, (await Catalog.JournalArchive.ListJournalArchiveStatesAsync(Ct)).Single().HeadSeq);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_bucket_made_again_keeps_none_of_the_old_buckets_numbers()
    {
        // Arrange: the old bucket archived and folded up to 2 of its entries, emptied and deleted,
        // made again with four new entries.
        await PutManyAsync(2);
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, await CreatedAtAsync(), 2, Now, Ct));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordFirstTreeCommitAsync(2));
        Assert.True(await SaveLifecycleProgressAsync(2));
        for (var i = 0; i < 2; i++)
        {
            await Catalog.Objects.DeleteObjectAsync(Bucket, $"k{i}", WritePrecondition.None, Now, Grace, Ct);
        }
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddMinutes(1), "us-east-1"), Ct));
        await PutManyAsync(4, "again");
        var rules = Archiving with { Retention = TimeSpan.Zero };

        // Act
        var beforeArchived = await Catalog.Objects.PruneJournalAsync(rules, FarFuture, Ct);
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, await CreatedAtAsync(), 3, Now, Ct));
        var afterArchived = await Catalog.Objects.PruneJournalAsync(rules, FarFuture, Ct);

        // Assert: nothing of the new journal went on the old archived number; then up to the new one.
        Assert.Equal(0, beforeArchived);
        Assert.Equal(3, afterArchived);
        Assert.Equal([4L], await JournalSeqsAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_backlog_goes_in_transactions_of_at_most_the_batch_each()
    {
        // Arrange: 25 entries, and another bucket's 3 that nothing holds back either.
        await PutManyAsync(25);
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        for (var i = 0; i < 3; i++)
        {
            await CommitAsync(null, InlineVersion($"o{i}") with { Bucket = "other" });
        }
        var store = Catalog.Provider!;
        var rules = NoArchive with { BatchEntries = 4 };
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, await CreatedAtAsync(), 10, Now, Ct));

        // Act: first up to the archived number (batches of 4, 4, 2), then the whole backlog.
        var before = store.WriteTransactionsCommitted;
        var upToTen = await Catalog.Objects.PruneJournalAsync(rules with { UntilArchived = true }, FarFuture, Ct);
        var firstTransactions = store.WriteTransactionsCommitted - before;
        var afterTen = await JournalSeqsAsync();
        before = store.WriteTransactionsCommitted;
        var rest = await Catalog.Objects.PruneJournalAsync(rules, FarFuture, Ct);
        var restTransactions = store.WriteTransactionsCommitted - before;

        // Assert: 15 left in this bucket in 4 batches of 4 (the last one short: 3), the other's 3 in one.
        Assert.Equal(10, upToTen);
        Assert.Equal(3, firstTransactions);
        Assert.Equal(Enumerable.Range(11, 15).Select(static i => (long)i), afterTen);
        Assert.Equal(18, rest);
        Assert.Equal(5, restTransactions);
        Assert.Empty(await JournalSeqsAsync());
        Assert.Empty(await JournalSeqsAsync("other"));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_first_tree_commit_or_lifecycle_progress_below_pruned_entries_is_refused()
    {
        // Arrange: four entries pruned while the bucket had neither a tree nor lifecycle progress,
        // as if a first fold and a judgement of the whole bucket read the rows at 2 before that.
        await PutManyAsync(4);
        Assert.Equal(4, await Catalog.Objects.PruneJournalAsync(NoArchive, FarFuture, Ct));

        // Act
        var staleTree = await RecordFirstTreeCommitAsync(2);
        var staleLifecycle = await SaveLifecycleProgressAsync(2);
        var currentTree = await RecordFirstTreeCommitAsync(4);
        var currentLifecycle = await SaveLifecycleProgressAsync(4);

        // Assert: the stale numbers would have read entries 3 and 4 from a journal without them.
        Assert.Equal(RecordTreeCommitOutcome.Conflict, staleTree);
        Assert.False(staleLifecycle);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, currentTree);
        Assert.True(currentLifecycle);
        Assert.Equal(4, (await Catalog.Trees.GetTreeHeadAsync(Bucket, Ct))!.Seq);
        Assert.Equal(4, (await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct)).Single().JournalSeq);
    }
}

public sealed class SqliteJournalPruningTests() : JournalPruningConformanceTests<SqliteTarget>(new SqliteTarget());

[Collection(PostgresCluster.Collection)]
public sealed class PostgresJournalPruningTests(PostgresCluster cluster)
    : JournalPruningConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
