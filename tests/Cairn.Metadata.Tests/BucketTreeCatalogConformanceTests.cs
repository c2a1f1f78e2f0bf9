using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The verifiable bucket's records (<see cref="IBucketTreeCatalog"/>) on every target: which buckets
/// are behind their journal, fold snapshots that read one state whatever is written meanwhile, the
/// fenced commit record, segments, pins on commits, the collection a record applies (skipped
/// while a commit it drops is pinned), and what deleting a bucket does with its tree and pins.
/// </summary>
[Trait("Issue", "11")]
public abstract class BucketTreeCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private IBucketTreeCatalog Trees => Catalog.Trees;

    private static Cid Block(string text) => Cid.ForDagCbor(Encoding.UTF8.GetBytes(text));

    private static TreeHead Head(long seq, string tag) => new(Bucket, seq, Block("commit " + tag), Block("root " + tag), Now);

    /// <summary>
    /// Reserves a segment and records a commit with it, its commit block at <paramref name="commitPlace"/>
    /// (<see cref="CommitPlace"/> of the commit's number when null); returns the outcome.
    /// </summary>
    private Task<RecordTreeCommitOutcome> RecordAsync(TreeHead head, long? previousSeq, string segment, TreeBlockLocation? commitPlace = null) =>
        RecordCollectingAsync(head, previousSeq, segment, null, commitPlace);

    /// <summary>Reserves a segment and records a commit with it and <paramref name="collection"/>; returns the outcome.</summary>
    private async Task<RecordTreeCommitOutcome> RecordCollectingAsync(TreeHead head, long? previousSeq, string segment, TreeCollection? collection,
        TreeBlockLocation? commitPlace = null)
    {
        await Trees.ReserveTreeSegmentAsync(segment, Now + TimeSpan.FromHours(1), Ct);
        return await Trees.RecordTreeCommitAsync(head, Now, previousSeq, segment, commitPlace ?? CommitPlace(head.Seq), Ct, collection);
    }

    /// <summary>A commit block's place in the segment of the commit at <paramref name="seq"/>, different for each number.</summary>
    private static TreeBlockLocation CommitPlace(long seq) => new(seq, 1000 + seq, 60 + (int)seq, 30 + (int)seq);

    /// <summary>The segment <paramref name="name"/> of the commit at <paramref name="seq"/>, recorded with its <see cref="CommitPlace"/>.</summary>
    private static TreeSegmentInfo Segment(long seq, string name) => new(seq, name, CommitPlace(seq));

    private const string OtherBucket = "other";

    /// <summary>When the segments a collection drops may be deleted (after the reservations' hour).</summary>
    private static readonly DateTimeOffset CollectedDeleteAfter = Now + TimeSpan.FromHours(2);

    private static TreeCollection Collect(long[] commits, string[] segments, DateTimeOffset? at = null) =>
        new(commits, segments, at ?? Now, CollectedDeleteAfter);

    /// <summary>The bucket's segments as listed (by the number of the commit that wrote each).</summary>
    private async Task<List<TreeSegmentInfo>> SegmentsAsync(string bucket = Bucket) => [.. await Trees.ListTreeSegmentsAsync(bucket, Ct)];

    private async Task<List<long>> CommitSeqsAsync(string bucket = Bucket) =>
        [.. (await Trees.ListTreeCommitsAsync(bucket, 100, Ct)).Select(static c => c.Seq)];

    private async Task<List<string>> QueuedNamesAsync(DateTimeOffset at) =>
        [.. (await Catalog.DeleteQueue.GetDueDeletesAsync(at, 100, Ct)).Select(static e => e.BlobName).Order(StringComparer.Ordinal)];

    /// <summary>The segment of the other bucket's commit at 1 (its commit block elsewhere than <see cref="CommitPlace"/> of 1).</summary>
    private static readonly TreeSegmentInfo OtherSegment = new(1, "trees/other/1.car", new TreeBlockLocation(1, 7, 11, 0));

    /// <summary>A second bucket with one commit at 1, its segment <see cref="OtherSegment"/>.</summary>
    private async Task CreateOtherBucketWithTreeAsync()
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(OtherBucket, Now, "us-east-1"), Ct));
        Assert.Equal(RecordTreeCommitOutcome.Recorded,
            await RecordAsync(Head(1, "other") with { Bucket = OtherBucket }, null, OtherSegment.Name, OtherSegment.Commit));
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
        // An inline body comes as its hash, written with the row, not as its bytes.
        var inline = Assert.Single(versions["é"]);
        Assert.Null(inline.InlineBody);
        Assert.Equal(ContentHash.Compute([1, 2, 3]), inline.InlineBodyHash);
        Assert.Equal([1, 2, 3], (await Catalog.Objects.GetObjectVersionAsync(Bucket, "é", inline.VersionId, Ct))?.InlineBody);
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
    public async Task Commits_chain_and_each_records_its_segment_with_the_commit_place_given()
    {
        // Arrange: an offset past 32 bits, a commit block with links and one without.
        var firstPlace = new TreeBlockLocation(0, 5_000_000_123, 1_234_567, 89);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(0, "1"), null, "trees/photos/1.car", firstPlace));

        // Act
        var secondPlace = new TreeBlockLocation(5, 99, 3, 0);
        var outcome = await RecordAsync(Head(5, "2"), 0, "trees/photos/2.car", secondPlace);

        // Assert: both segments, each with its commit's number, its name and the exact place given; both adopted.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal([Head(5, "2"), Head(0, "1")], await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        var first = new TreeSegmentInfo(0, "trees/photos/1.car", firstPlace);
        var second = new TreeSegmentInfo(5, "trees/photos/2.car", secondPlace);
        Assert.Equal([first, second], await SegmentsAsync());
        Assert.Equal(first, await Trees.GetTreeSegmentAsync(Bucket, 0, Ct));
        Assert.Equal(second, await Trees.GetTreeSegmentAsync(Bucket, 5, Ct));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(Forever, 10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_commit_that_lost_a_race_records_nothing_and_leaves_its_segment_queued()
    {
        // Arrange
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));

        // Act: a stale previous number, a first commit again, a segment never reserved, a bucket created again.
        var stale = await RecordAsync(Head(2, "stale"), 0, "trees/photos/late.car");
        var again = await RecordAsync(Head(2, "again"), null, "trees/photos/late.car");
        var unreserved = await Trees.RecordTreeCommitAsync(Head(2, "unreserved"), Now, 1, "trees/photos/never.car", CommitPlace(2), Ct);
        var otherBucket = await Trees.RecordTreeCommitAsync(Head(2, "other"), Now + TimeSpan.FromSeconds(1), 1, "trees/photos/late.car",
            CommitPlace(2), Ct);

        // Assert
        Assert.Equal(RecordTreeCommitOutcome.Conflict, stale);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, again);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, unreserved);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, otherBucket);
        Assert.Equal(Head(1, "1"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([Head(1, "1")], await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        Assert.Equal([Segment(1, "trees/photos/1.car")], await SegmentsAsync());
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 2, Ct));
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
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(0, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "2"), 0, "trees/photos/2.car"));
        Assert.Equal(2, (await SegmentsAsync()).Count);

        // Act
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now + TimeSpan.FromMinutes(1), "us-east-1"), Ct));

        // Assert: the new bucket of that name starts with no tree; the old segments are queued after the grace.
        Assert.Null(await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Empty(await Trees.ListTreeCommitsAsync(Bucket, 10, Ct));
        Assert.Empty(await SegmentsAsync());
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 0, Ct));
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 1, Ct));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(Now, 10, Ct));
        var queued = await Catalog.DeleteQueue.GetDueDeletesAsync(Now + Grace, 10, Ct);
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], queued.Select(static e => e.BlobName).Order(StringComparer.Ordinal));
        foreach (var entry in queued)
        {
            Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(entry.BlobName, Now + Grace, Forever, Ct));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Listing_segments_gives_the_buckets_own_in_commit_order_and_none_of_another_buckets()
    {
        // Arrange: commits at 9 and 10, whose segment names sort the other way round; the other bucket
        // has a commit at 1 too.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(9, "9"), null, "trees/photos/9.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(10, "10"), 9, "trees/photos/10.car"));
        await CreateOtherBucketWithTreeAsync();

        // Act
        var segments = await SegmentsAsync();
        var otherSegments = await SegmentsAsync(OtherBucket);

        // Assert
        Assert.Equal([Segment(9, "trees/photos/9.car"), Segment(10, "trees/photos/10.car")], segments);
        Assert.Equal([OtherSegment], otherSegments);
        Assert.Empty(await SegmentsAsync("nope"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Getting_a_segment_by_number_gives_the_buckets_own_and_null_for_an_unknown_number_or_bucket()
    {
        // Arrange: the bucket and the other one each have a commit at 1, with different segments.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(3, "3"), 1, "trees/photos/3.car"));
        await CreateOtherBucketWithTreeAsync();

        // Act
        var one = await Trees.GetTreeSegmentAsync(Bucket, 1, Ct);
        var three = await Trees.GetTreeSegmentAsync(Bucket, 3, Ct);
        var otherOne = await Trees.GetTreeSegmentAsync(OtherBucket, 1, Ct);

        // Assert
        Assert.Equal(Segment(1, "trees/photos/1.car"), one);
        Assert.Equal(Segment(3, "trees/photos/3.car"), three);
        Assert.Equal(OtherSegment, otherOne);
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 2, Ct));
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 0, Ct));
        Assert.Null(await Trees.GetTreeSegmentAsync(OtherBucket, 3, Ct));
        Assert.Null(await Trees.GetTreeSegmentAsync("nope", 1, Ct));
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
        // Arrange: commits 1, 2, 3, each with a segment; the other bucket has a commit 1 too.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(3, "3"), 2, "trees/photos/3.car"));
        await CreateOtherBucketWithTreeAsync();

        // Act
        var outcome = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car",
            Collect([1, 2], ["trees/photos/1.car", "trees/photos/2.car"]));

        // Assert: the new commit is recorded and the head; what was named is gone, the rest is kept.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(Head(4, "4"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([4, 3], await CommitSeqsAsync());
        Assert.Equal([Segment(3, "trees/photos/3.car"), Segment(4, "trees/photos/4.car")], await SegmentsAsync());
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 1, Ct));
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 2, Ct));

        // Assert: the dropped segments' blobs are queued for deletion at DeleteAfter, not before.
        Assert.Empty(await QueuedNamesAsync(CollectedDeleteAfter - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], await QueuedNamesAsync(CollectedDeleteAfter));
        Assert.All(await QueueAsync(), static entry => Assert.Null(entry.ChunkHash));
        Assert.Equal(SweepDecision.Delete,
            await Catalog.DeleteQueue.PrepareDeleteAsync("trees/photos/1.car", CollectedDeleteAfter, Forever, Ct));

        // Assert: the other bucket's commit 1 and its segment are untouched.
        Assert.Equal([1], await CommitSeqsAsync(OtherBucket));
        Assert.Equal([OtherSegment], await SegmentsAsync(OtherBucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_naming_a_pinned_commit_drops_nothing_until_the_pin_expires()
    {
        // Arrange: commits 1, 2, 3; 2 pinned for an hour, 3 for a day.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(3, "3"), 2, "trees/photos/3.car"));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 2, Guid.NewGuid(), Now + TimeSpan.FromHours(1), Ct));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 3, Guid.NewGuid(), Now + TimeSpan.FromDays(1), Ct));
        var collection = Collect([1, 2], ["trees/photos/1.car", "trees/photos/2.car"]);

        // Act: one of the commits to drop is pinned at the collection's time.
        var pinnedOutcome = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car", collection);

        // Assert: recorded, and nothing dropped or queued.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, pinnedOutcome);
        Assert.Equal(Head(4, "4"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([4, 3, 2, 1], await CommitSeqsAsync());
        Assert.Equal([Segment(1, "trees/photos/1.car"), Segment(2, "trees/photos/2.car"), Segment(3, "trees/photos/3.car"),
            Segment(4, "trees/photos/4.car")], await SegmentsAsync());
        Assert.Empty(await QueueAsync());
        Assert.Equal([2, 3], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));

        // Act: the same collection once the pin on 2 has expired.
        var expiredOutcome = await RecordCollectingAsync(Head(5, "5"), 4, "trees/photos/5.car",
            collection with { Now = Now + TimeSpan.FromHours(2) });

        // Assert: dropped; the expired pin is deleted (not only left out), the pin on 3 kept.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, expiredOutcome);
        Assert.Equal(Head(5, "5"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([5, 4, 3], await CommitSeqsAsync());
        Assert.Equal([Segment(3, "trees/photos/3.car"), Segment(4, "trees/photos/4.car"), Segment(5, "trees/photos/5.car")],
            await SegmentsAsync());
        Assert.Equal(["trees/photos/1.car", "trees/photos/2.car"], await QueuedNamesAsync(CollectedDeleteAfter));
        Assert.Equal([3], await Trees.ListPinnedTreeCommitsAsync(Bucket, Now, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refused_record_applies_none_of_its_collection()
    {
        // Arrange
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car"));

        // Act: a stale previous number.
        var outcome = await RecordCollectingAsync(Head(3, "3"), 1, "trees/photos/3.car", Collect([1], ["trees/photos/1.car"]));

        // Assert: only the refused commit's own segment is queued (its reservation).
        Assert.Equal(RecordTreeCommitOutcome.Conflict, outcome);
        Assert.Equal(Head(2, "2"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([2, 1], await CommitSeqsAsync());
        Assert.Equal([Segment(1, "trees/photos/1.car"), Segment(2, "trees/photos/2.car")], await SegmentsAsync());
        Assert.Null(await Trees.GetTreeSegmentAsync(Bucket, 3, Ct));
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
