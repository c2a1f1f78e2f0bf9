using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The verifiable bucket's records (<see cref="IBucketTreeCatalog"/>) on every target: which buckets
/// are behind their journal, fold snapshots that read one state whatever is written meanwhile, the
/// fenced commit record, block places, and what deleting a bucket does with its tree.
/// </summary>
[Trait("Issue", "11")]
public abstract class BucketTreeCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private IBucketTreeCatalog Trees => Catalog.Trees;

    private static Cid Block(string text) => Cid.ForDagCbor(Encoding.UTF8.GetBytes(text));

    private static TreeHead Head(long seq, string tag) => new(Bucket, seq, Block("commit " + tag), Block("root " + tag), Now);

    /// <summary>Reserves a segment and records a commit with it; returns the outcome.</summary>
    private async Task<RecordTreeCommitOutcome> RecordAsync(TreeHead head, long? previousSeq, string segment, params TreeBlockLocation[] blocks)
    {
        await Trees.ReserveTreeSegmentAsync(segment, Now + TimeSpan.FromHours(1), Ct);
        return await Trees.RecordTreeCommitAsync(head, Now, previousSeq, segment, blocks, Ct);
    }

    private async Task<List<string>> ChangedKeysAsync(long? afterSeq)
    {
        await using var snapshot = await Trees.OpenFoldSnapshotAsync(Bucket, afterSeq, Ct);
        Assert.NotNull(snapshot);
        var keys = new List<string>();
        await foreach (var key in snapshot.ReadChangedKeysAsync(Ct))
        {
            keys.Add(key);
        }
        return keys;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bucket_is_behind_until_a_commit_reaches_its_journal_and_again_after_a_write()
    {
        // Arrange: a bucket with no tree is behind even with an empty journal.
        var lag = Assert.Single(await Trees.ListTreesBehindAsync(10, Ct));
        Assert.Equal(new TreeLag(Bucket, 0, null), lag);
        await PutInlineAsync("a");
        await PutInlineAsync("b");

        // Act
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "1"), null, "trees/photos/1.car"));

        // Assert
        Assert.Empty(await Trees.ListTreesBehindAsync(10, Ct));
        Assert.Equal(Head(2, "1"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        await PutInlineAsync("c");
        lag = Assert.Single(await Trees.ListTreesBehindAsync(10, Ct));
        Assert.Equal(3, lag.JournalSeq);
        Assert.Equal(Head(2, "1"), lag.Head);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_snapshot_from_nothing_lists_every_key_in_utf8_byte_order_with_versions_newest_first()
    {
        // Arrange: UTF-16 order puts U+FFFD after U+1F600's surrogates; UTF-8 byte order puts it before.
        await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        string[] keys = ["z", "a/b", "é", "\uFFFD", "\U0001F600", "A"];
        foreach (var key in keys)
        {
            await PutInlineAsync(key);
        }
        await CommitAsync(null, InlineVersion("a/b", "second"));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "z", WritePrecondition.None, Now, Grace, Ct);

        // Act
        await using var snapshot = await Trees.OpenFoldSnapshotAsync(Bucket, null, Ct);
        Assert.NotNull(snapshot);
        var listed = new List<string>();
        await foreach (var key in snapshot.ReadChangedKeysAsync(Ct))
        {
            listed.Add(key);
        }
        var versions = await snapshot.ReadVersionsAsync([.. listed, "missing"], Ct);

        // Assert
        Assert.Equal(8, snapshot.HeadSeq);
        Assert.Equal(Now, snapshot.BucketCreatedAt);
        Assert.Equal(keys.OrderBy(static k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance), listed);
        Assert.Equal(["second", "inline"], versions["a/b"].Select(static v => v.ETag));
        Assert.Equal([true, false], versions["z"].Select(static v => v.IsDeleteMarker));
        Assert.Equal([1, 2, 3], Assert.Single(versions["é"]).InlineBody);
        Assert.Empty(versions["missing"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_snapshot_after_a_number_lists_each_key_changed_since_once()
    {
        // Arrange
        await PutInlineAsync("a");
        await PutInlineAsync("b");
        await PutInlineAsync("c");
        await PutInlineAsync("b");
        await Catalog.Objects.DeleteObjectAsync(Bucket, "a", WritePrecondition.None, Now, Grace, Ct);

        // Act
        var sinceTwo = await ChangedKeysAsync(2);
        var sinceAll = await ChangedKeysAsync(await CurrentHeadAsync());

        // Assert: b replaced (a remove and a put), c put, a removed; nothing after the head.
        Assert.Equal(["a", "b", "c"], sinceTwo);
        Assert.Empty(sinceAll);
    }

    private async Task<long> CurrentHeadAsync()
    {
        await using var snapshot = await Trees.OpenFoldSnapshotAsync(Bucket, 0, Ct);
        return snapshot!.HeadSeq;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_snapshot_keeps_reading_the_state_it_started_at_while_writes_go_on()
    {
        // Arrange
        await PutInlineAsync("a");
        await using var snapshot = await Trees.OpenFoldSnapshotAsync(Bucket, null, Ct);
        Assert.NotNull(snapshot);

        // Act: writes after the snapshot began, from other connections.
        await CommitAsync(null, InlineVersion("a", "newer"));
        await PutInlineAsync("b");
        var keys = new List<string>();
        await foreach (var key in snapshot.ReadChangedKeysAsync(Ct))
        {
            keys.Add(key);
        }
        var versions = await snapshot.ReadVersionsAsync(["a", "b"], Ct);

        // Assert
        Assert.Equal(1, snapshot.HeadSeq);
        Assert.Equal(["a"], keys);
        Assert.Equal("inline", Assert.Single(versions["a"]).ETag);
        Assert.Empty(versions["b"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_snapshot_of_a_missing_bucket_is_null()
    {
        Assert.Null(await Trees.OpenFoldSnapshotAsync("nope", null, Ct));
        Assert.Null(await Trees.GetTreeHeadAsync("nope", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Commits_chain_and_their_blocks_keep_their_first_place()
    {
        // Arrange
        var shared = new TreeBlockLocation(Block("shared"), "trees/photos/1.car", 10, 5);
        var first = new TreeBlockLocation(Block("first"), "trees/photos/1.car", 20, 7);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(0, "1"), null, "trees/photos/1.car", shared, first));

        // Act: the second segment holds the shared block again, elsewhere.
        var again = shared with { Segment = "trees/photos/2.car", Offset = 99 };
        var second = new TreeBlockLocation(Block("second"), "trees/photos/2.car", 40, 3);
        var outcome = await RecordAsync(Head(5, "2"), 0, "trees/photos/2.car", again, second);

        // Assert
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal([Head(5, "2"), Head(0, "1")], await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        var places = await Trees.LocateTreeBlocksAsync(Bucket, [shared.Cid, first.Cid, second.Cid, Block("absent")], Ct);
        Assert.Equal(3, places.Count);
        Assert.Equal(shared, places[shared.Cid]);
        Assert.Equal(first, places[first.Cid]);
        Assert.Equal(second, places[second.Cid]);
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(Forever, 10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_commit_that_lost_a_race_records_nothing_and_leaves_its_segment_queued()
    {
        // Arrange
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        var block = new TreeBlockLocation(Block("late"), "trees/photos/late.car", 0, 1);

        // Act: a stale previous number, a first commit again, a segment never reserved, a bucket created again.
        var stale = await RecordAsync(Head(2, "stale"), 0, "trees/photos/late.car", block);
        var again = await RecordAsync(Head(2, "again"), null, "trees/photos/late.car", block);
        var unreserved = await Trees.RecordTreeCommitAsync(Head(2, "unreserved"), Now, 1, "trees/photos/never.car", [], Ct);
        var otherBucket = await Trees.RecordTreeCommitAsync(Head(2, "other"), Now + TimeSpan.FromSeconds(1), 1, "trees/photos/late.car", [], Ct);

        // Assert
        Assert.Equal(RecordTreeCommitOutcome.Conflict, stale);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, again);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, unreserved);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, otherBucket);
        Assert.Equal(Head(1, "1"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([Head(1, "1")], await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        Assert.Empty(await Trees.LocateTreeBlocksAsync(Bucket, [block.Cid], Ct));
        var queued = Assert.Single(await Catalog.DeleteQueue.GetDueDeletesAsync(Forever, 10, Ct));
        Assert.Equal("trees/photos/late.car", queued.BlobName);
        Assert.Null(queued.ChunkHash);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_reserved_segment_never_adopted_is_deleted_by_the_sweep()
    {
        // Arrange
        await Trees.ReserveTreeSegmentAsync("trees/photos/orphan.car", Now, Ct);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync("trees/photos/orphan.car", Now, Now + Grace, Ct);

        // Assert
        Assert.Equal(SweepDecision.Delete, decision);
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_bucket_queues_its_segments_and_forgets_its_tree()
    {
        // Arrange
        var block = new TreeBlockLocation(Block("node"), "trees/photos/1.car", 0, 4);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(0, "1"), null, "trees/photos/1.car", block));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "2"), 0, "trees/photos/2.car"));

        // Act
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now + TimeSpan.FromMinutes(1), "us-east-1"), Ct));

        // Assert: the new bucket of that name starts with no tree; the old segments are queued after the grace.
        Assert.Null(await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Empty(await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        Assert.Empty(await Trees.LocateTreeBlocksAsync(Bucket, [block.Cid], Ct));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(Now, 10, Ct));
        var queued = await Catalog.DeleteQueue.GetDueDeletesAsync(Now + Grace, 10, Ct);
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], queued.Select(static e => e.BlobName).Order(StringComparer.Ordinal));
        foreach (var entry in queued)
        {
            Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(entry.BlobName, Now + Grace, Forever, Ct));
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
