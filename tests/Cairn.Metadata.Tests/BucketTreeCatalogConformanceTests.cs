using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The verifiable bucket's records (<see cref="IBucketTreeCatalog"/>) on every target: which buckets
/// are behind their journal, fold snapshots that read one state whatever is written meanwhile, the
/// fenced commit record, block places, pins on commits, the collection a record applies (skipped
/// while a commit it drops is pinned), and what deleting a bucket does with its tree and pins.
/// </summary>
[Trait("Issue", "11")]
public abstract class BucketTreeCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private IBucketTreeCatalog Trees => Catalog.Trees;

    private static Cid Block(string text) => Cid.ForDagCbor(Encoding.UTF8.GetBytes(text));

    private static TreeHead Head(long seq, string tag) => new(Bucket, seq, Block("commit " + tag), Block("root " + tag), Now);

    /// <summary>Reserves a segment and records a commit with it; returns the outcome.</summary>
    private Task<RecordTreeCommitOutcome> RecordAsync(TreeHead head, long? previousSeq, string segment, params TreeBlockLocation[] blocks) =>
        RecordCollectingAsync(head, previousSeq, segment, null, blocks);

    /// <summary>Reserves a segment and records a commit with it and <paramref name="collection"/>; returns the outcome.</summary>
    private async Task<RecordTreeCommitOutcome> RecordCollectingAsync(TreeHead head, long? previousSeq, string segment, TreeCollection? collection,
        params TreeBlockLocation[] blocks)
    {
        await Trees.ReserveTreeSegmentAsync(segment, Now + TimeSpan.FromHours(1), Ct);
        return await Trees.RecordTreeCommitAsync(head, Now, previousSeq, segment, blocks, Ct, collection);
    }

    private const string OtherBucket = "other";

    /// <summary>When the segments a collection drops may be deleted (after the reservations' hour).</summary>
    private static readonly DateTimeOffset CollectedDeleteAfter = Now + TimeSpan.FromHours(2);

    private static TreeCollection Collect(long[] commits, string[] segments, DateTimeOffset? at = null) =>
        new(commits, segments, at ?? Now, CollectedDeleteAfter);

    private static TreeBlockLocation Place(string block, string segment, long offset, int length) => new(Block(block), segment, offset, length);

    /// <summary>The bucket's stored blocks, in segment and offset order (the catalog promises no order).</summary>
    private async Task<List<TreeBlockLocation>> BlocksAsync(string bucket = Bucket) =>
        [.. (await Trees.ListTreeBlocksAsync(bucket, Ct)).OrderBy(static b => b.Segment, StringComparer.Ordinal).ThenBy(static b => b.Offset)];

    private async Task<List<long>> CommitSeqsAsync(string bucket = Bucket) =>
        [.. (await Trees.ListTreeCommitsAsync(bucket, 100, Ct)).Select(static c => c.Seq)];

    private async Task<List<string>> QueuedNamesAsync(DateTimeOffset at) =>
        [.. (await Catalog.DeleteQueue.GetDueDeletesAsync(at, 100, Ct)).Select(static e => e.BlobName).Order(StringComparer.Ordinal)];

    /// <summary>A second bucket with one commit at 1 whose segment holds <paramref name="blocks"/>.</summary>
    private async Task CreateOtherBucketWithTreeAsync(params TreeBlockLocation[] blocks)
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(OtherBucket, Now, "us-east-1"), Ct));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "other") with { Bucket = OtherBucket }, null, "trees/other/1.car", blocks));
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

    [Fact(Timeout = 30_000)]
    public async Task Listing_blocks_gives_every_recorded_block_with_its_place_and_none_of_another_buckets()
    {
        // Arrange: two segments; the second holds a block of the first again (it keeps its first place).
        // The other bucket holds one of the same blocks elsewhere and one of its own.
        var a = Place("a", "trees/photos/1.car", 0, 5);
        var b = Place("b", "trees/photos/1.car", 5, 7);
        var c = Place("c", "trees/photos/2.car", 0, 3);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car", a, b));
        Assert.Equal(RecordTreeCommitOutcome.Recorded,
            await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car", c, a with { Segment = "trees/photos/2.car", Offset = 3 }));
        var otherA = Place("a", "trees/other/1.car", 100, 5);
        var otherOnly = Place("other only", "trees/other/1.car", 105, 9);
        await CreateOtherBucketWithTreeAsync(otherA, otherOnly);

        // Act
        var blocks = await BlocksAsync();
        var otherBlocks = await BlocksAsync(OtherBucket);

        // Assert
        Assert.Equal([a, b, c], blocks);
        Assert.Equal([otherA, otherOnly], otherBlocks);
        Assert.Empty(await Trees.ListTreeBlocksAsync("nope", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pin_on_a_recorded_commit_is_listed_until_it_expires_or_is_removed()
    {
        // Arrange
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(4, "4"), 1, "trees/photos/4.car"));
        await CreateOtherBucketWithTreeAsync();
        var long1 = Guid.NewGuid();
        var short4 = Guid.NewGuid();
        var long4 = Guid.NewGuid();
        var never = Guid.NewGuid();

        // Act
        var pinned = new[]
        {
            await Trees.PinTreeCommitAsync(Bucket, 1, long1, Now + TimeSpan.FromHours(1), Ct),
            await Trees.PinTreeCommitAsync(Bucket, 4, short4, Now + TimeSpan.FromMinutes(1), Ct),
            await Trees.PinTreeCommitAsync(Bucket, 4, long4, Now + TimeSpan.FromHours(1), Ct),
        };
        var unrecorded = await Trees.PinTreeCommitAsync(Bucket, 2, never, Forever, Ct);
        var missingBucket = await Trees.PinTreeCommitAsync("nope", 1, Guid.NewGuid(), Forever, Ct);

        // Assert: each commit once; a seq with no commit is not pinned; the other bucket has its own pins.
        Assert.Equal([true, true, true], pinned);
        Assert.False(unrecorded);
        Assert.False(missingBucket);
        Assert.Equal([1, 4], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));
        Assert.Empty(await Trees.ListPinnedTreeCommitsAsync(OtherBucket, Now, Ct));
        Assert.Empty(await Trees.ListPinnedTreeCommitsAsync("nope", Now, Ct));
        Assert.Equal([1, 4], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now + TimeSpan.FromMinutes(59), Ct));
        Assert.Empty(await Trees.ListPinnedTreeCommitsAsync(Bucket, Now + TimeSpan.FromHours(2), Ct));

        // Act: the long pin on 4 removed leaves only the short one, expired after a minute.
        await Trees.UnpinTreeCommitAsync(long4, Ct);

        // Assert
        Assert.Equal([1, 4], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));
        Assert.Equal([1], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now + TimeSpan.FromMinutes(2), Ct));

        // Act: removing a pin twice, one never taken, and one that was refused changes nothing more.
        await Trees.UnpinTreeCommitAsync(long1, Ct);
        await Trees.UnpinTreeCommitAsync(long1, Ct);
        await Trees.UnpinTreeCommitAsync(never, Ct);
        await Trees.UnpinTreeCommitAsync(Guid.NewGuid(), Ct);

        // Assert
        Assert.Equal([4], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));
        Assert.Empty(await Trees.ListPinnedTreeCommitsAsync(Bucket, Now + TimeSpan.FromMinutes(2), Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_drops_the_commits_and_segments_it_names_and_queues_their_blobs()
    {
        // Arrange: commits 1, 2, 3, each with a segment; the other bucket has a commit 1 and a block of the same CID.
        var a = Place("a", "trees/photos/1.car", 0, 5);
        var b = Place("b", "trees/photos/1.car", 5, 7);
        var c = Place("c", "trees/photos/2.car", 0, 3);
        var d = Place("d", "trees/photos/3.car", 0, 4);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car", a, b));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car", c));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(3, "3"), 2, "trees/photos/3.car", d));
        var otherA = Place("a", "trees/other/1.car", 0, 5);
        await CreateOtherBucketWithTreeAsync(otherA);
        var e = Place("e", "trees/photos/4.car", 0, 6);

        // Act
        var outcome = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car",
            Collect([1, 2], ["trees/photos/1.car", "trees/photos/2.car"]), e);

        // Assert: the new commit is recorded and the head; what was named is gone, the rest is kept.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(Head(4, "4"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([4, 3], await CommitSeqsAsync());
        Assert.Equal([d, e], await BlocksAsync());
        var located = await Trees.LocateTreeBlocksAsync(Bucket, [a.Cid, b.Cid, c.Cid, d.Cid, e.Cid], Ct);
        Assert.Equal(2, located.Count);
        Assert.Equal(d, located[d.Cid]);
        Assert.Equal(e, located[e.Cid]);

        // Assert: the dropped segments' blobs are queued for deletion at DeleteAfter, not before.
        Assert.Empty(await QueuedNamesAsync(CollectedDeleteAfter - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], await QueuedNamesAsync(CollectedDeleteAfter));
        Assert.All(await QueueAsync(), static entry => Assert.Null(entry.ChunkHash));
        Assert.Equal(SweepDecision.Delete,
            await Catalog.DeleteQueue.PrepareDeleteAsync("trees/photos/1.car", CollectedDeleteAfter, Forever, Ct));

        // Assert: the other bucket's commit 1 and its block are untouched.
        Assert.Equal([1], await CommitSeqsAsync(OtherBucket));
        Assert.Equal([otherA], await BlocksAsync(OtherBucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_naming_a_pinned_commit_drops_nothing_until_the_pin_expires()
    {
        // Arrange: commits 1, 2, 3; 2 pinned for an hour, 3 for a day.
        var a = Place("a", "trees/photos/1.car", 0, 5);
        var b = Place("b", "trees/photos/2.car", 0, 6);
        var c = Place("c", "trees/photos/3.car", 0, 7);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car", a));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car", b));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(3, "3"), 2, "trees/photos/3.car", c));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 2, Guid.NewGuid(), Now + TimeSpan.FromHours(1), Ct));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 3, Guid.NewGuid(), Now + TimeSpan.FromDays(1), Ct));
        var d = Place("d", "trees/photos/4.car", 0, 8);
        var collection = Collect([1, 2], ["trees/photos/1.car", "trees/photos/2.car"]);

        // Act: one of the commits to drop is pinned at the collection's time.
        var pinnedOutcome = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car", collection, d);

        // Assert: recorded, and nothing dropped or queued.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, pinnedOutcome);
        Assert.Equal(Head(4, "4"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([4, 3, 2, 1], await CommitSeqsAsync());
        Assert.Equal([a, b, c, d], await BlocksAsync());
        Assert.Empty(await QueueAsync());
        Assert.Equal([2, 3], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));

        // Act: the same collection once the pin on 2 has expired.
        var e = Place("e", "trees/photos/5.car", 0, 9);
        var expiredOutcome = await RecordCollectingAsync(Head(5, "5"), 4, "trees/photos/5.car",
            collection with { Now = Now + TimeSpan.FromHours(2) }, e);

        // Assert: dropped; the expired pin is deleted (not only left out), the pin on 3 kept.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, expiredOutcome);
        Assert.Equal(Head(5, "5"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([5, 4, 3], await CommitSeqsAsync());
        Assert.Equal([c, d, e], await BlocksAsync());
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], await QueuedNamesAsync(CollectedDeleteAfter));
        Assert.Equal([3], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refused_record_applies_none_of_its_collection()
    {
        // Arrange
        var a = Place("a", "trees/photos/1.car", 0, 5);
        var b = Place("b", "trees/photos/2.car", 0, 6);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car", a));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car", b));
        var c = Place("c", "trees/photos/3.car", 0, 7);

        // Act: a stale previous number.
        var outcome = await RecordCollectingAsync(Head(3, "3"), 1, "trees/photos/3.car", Collect([1], ["trees/photos/1.car"]), c);

        // Assert: only the refused commit's own segment is queued (its reservation).
        Assert.Equal(RecordTreeCommitOutcome.Conflict, outcome);
        Assert.Equal(Head(2, "2"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([2, 1], await CommitSeqsAsync());
        Assert.Equal([a, b], await BlocksAsync());
        Assert.Equal(["trees/photos/3.car"], await QueuedNamesAsync(Forever));
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_bucket_with_pins_forgets_them()
    {
        // Arrange
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 1, Guid.NewGuid(), Forever, Ct));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 1, Guid.NewGuid(), Now - TimeSpan.FromHours(1), Ct));

        // Act
        var deleted = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now + TimeSpan.FromMinutes(1), "us-east-1"), Ct));

        // Assert: the bucket of that name again has no pins, and no commit to pin.
        Assert.Equal(DeleteBucketOutcome.Deleted, deleted);
        Assert.Empty(await Trees.ListPinnedTreeCommitsAsync(Bucket, Now - TimeSpan.FromDays(1), Ct));
        Assert.False(await Trees.PinTreeCommitAsync(Bucket, 1, Guid.NewGuid(), Forever, Ct));
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
