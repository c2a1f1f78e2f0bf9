using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The verifiable bucket's records (<see cref="IBucketTreeCatalog"/>) on every target: which buckets
/// are behind their journal, fold snapshots that read one state whatever is written meanwhile, the
/// fenced commit record, segments, pins on commits, the collection a record applies (skipped
/// while a commit it drops is pinned), the references a recorded segment holds on the chunks its
/// manifests name (taken with the record, released as a removed body's when a collection drops the
/// segment or the bucket is deleted), and what deleting a bucket does with its tree and pins.
/// </summary>
[Trait("Issue", "11")]
public abstract partial class BucketTreeCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
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
        TreeBlockLocation? commitPlace = null, IReadOnlyList<ChunkRef>? bodyChunks = null)
    {
        await Trees.ReserveTreeSegmentAsync(segment, Now + TimeSpan.FromHours(1), Ct);
        return await Trees.RecordTreeCommitAsync(head, Now, previousSeq, segment, commitPlace ?? CommitPlace(head.Seq), bodyChunks ?? [], Ct, collection);
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
        var unreserved = await Trees.RecordTreeCommitAsync(Head(2, "unreserved"), Now, 1, "trees/photos/never.car", CommitPlace(2), [], Ct);
        var otherBucket = await Trees.RecordTreeCommitAsync(Head(2, "other"), Now + TimeSpan.FromSeconds(1), 1, "trees/photos/late.car",
            CommitPlace(2), [], Ct);

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

    // Chunk references: a segment holds one on each chunk its manifests name, per use.

    /// <summary>Reserves a segment and records a commit with it, its manifests naming <paramref name="bodyChunks"/>; returns the outcome.</summary>
    private Task<RecordTreeCommitOutcome> RecordHoldingAsync(TreeHead head, long? previousSeq, string segment, params ChunkRef[] bodyChunks) =>
        RecordCollectingAsync(head, previousSeq, segment, null, bodyChunks: bodyChunks);

    /// <summary>Deletes the current version of <paramref name="key"/> (the bucket is unversioned: its body is removed for good).</summary>
    private async Task DeleteObjectAsync(string key) =>
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, key, WritePrecondition.None, Now, Grace, Ct));

    private async Task<string> BlobNameAsync(ChunkRef chunk) => (await FindChunkAsync(chunk))!.Value.BlobName;

    [Fact(Timeout = 30_000)]
    public async Task A_recorded_commit_holds_each_use_of_its_body_chunks_after_the_object_is_deleted()
    {
        // Arrange: two chunked objects; the tree will name "body" twice and "other" once.
        var body = Chunk("body");
        var other = Chunk("other");
        await PutAsync("k", body);
        await PutAsync("o", other);
        Assert.Equal(1, await RefCountAsync(body));
        var blob = await BlobNameAsync(body);

        // Act
        var outcome = await RecordHoldingAsync(Head(2, "2"), null, "trees/photos/2.car", body, other, body);

        // Assert: one reference per use.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(3, await RefCountAsync(body));
        Assert.Equal(2, await RefCountAsync(other));
        Assert.Empty(await QueueAsync());

        // Act: the object's body is removed for good.
        await DeleteObjectAsync("k");

        // Assert: the tree's two references keep the chunk, its blob not queued.
        Assert.Equal(2, await RefCountAsync(body));
        Assert.Equal(2, await RefCountAsync(other));
        Assert.Null(await FindQueuedAsync(blob));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_dropping_a_segment_releases_its_chunk_references_and_queues_a_chunk_left_unreferenced()
    {
        // Arrange: segment 1 names "body" twice and "kept" once; segment 2 names "kept" once; "kept" is
        // still an object's; "body"'s object is deleted.
        var body = Chunk("body");
        var kept = Chunk("kept");
        await PutAsync("k", body);
        await PutAsync("o", kept);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordHoldingAsync(Head(1, "1"), null, "trees/photos/1.car", body, kept, body));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordHoldingAsync(Head(2, "2"), 1, "trees/photos/2.car", kept));
        await DeleteObjectAsync("k");
        Assert.Equal(2, await RefCountAsync(body));
        Assert.Equal(3, await RefCountAsync(kept));
        var blob = await BlobNameAsync(body);
        var keptBlob = await BlobNameAsync(kept);

        // Act
        var outcome = await RecordCollectingAsync(Head(3, "3"), 2, "trees/photos/3.car", Collect([1], ["trees/photos/1.car"]));

        // Assert: segment 1's references released; segment 2's and the object's kept.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(0, await RefCountAsync(body));
        Assert.Equal(2, await RefCountAsync(kept));

        // Assert: the chunk left unreferenced is queued with the segment, at DeleteAfter and not before.
        Assert.Empty(await QueuedNamesAsync(CollectedDeleteAfter - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(new[] { blob, "trees/photos/1.car" }.Order(StringComparer.Ordinal), await QueuedNamesAsync(CollectedDeleteAfter));
        var queued = await FindQueuedAsync(blob);
        Assert.NotNull(queued);
        Assert.Equal(body.Hash, queued.ChunkHash);
        Assert.Equal(CollectedDeleteAfter, queued.NotBefore);
        Assert.Null(await FindQueuedAsync(keptBlob));
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(blob, CollectedDeleteAfter, Forever, Ct));
        Assert.Null(await FindChunkAsync(body));

        // Act: dropping segment 2 as well releases its one reference on "kept", and nothing on "body" again.
        var second = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car", Collect([2], ["trees/photos/2.car"]));

        // Assert
        Assert.Equal(RecordTreeCommitOutcome.Recorded, second);
        Assert.Equal(1, await RefCountAsync(kept));
        Assert.Null(await FindQueuedAsync(keptBlob));
        Assert.Null(await FindChunkAsync(body));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_chunk_no_longer_in_the_catalog_is_passed_over_and_never_released()
    {
        // Arrange: "kept" is an object's; "gone" was never committed.
        var kept = Chunk("kept");
        var gone = Chunk("gone");
        await PutAsync("o", kept);
        var before = await Catalog.Chunks.ListChunksAsync(Ct);

        // Act
        var outcome = await RecordHoldingAsync(Head(1, "1"), null, "trees/photos/1.car", gone, kept, gone);

        // Assert: recorded; "kept" held; no row for "gone", and nothing queued.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(Head(1, "1"), await Trees.GetTreeHeadAsync(Bucket, Ct));
        Assert.Equal([Segment(1, "trees/photos/1.car")], await SegmentsAsync());
        var after = Assert.Single(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Equal(Assert.Single(before) with { RefCount = 2 }, after);
        Assert.Null(await FindChunkAsync(gone));
        Assert.Empty(await QueueAsync());

        // Act: a chunk of that address committed later, then the segment dropped.
        await PutAsync("late", gone);
        var goneBlob = await BlobNameAsync(gone);
        var collected = await RecordCollectingAsync(Head(2, "2"), 1, "trees/photos/2.car", Collect([1], ["trees/photos/1.car"]));

        // Assert: the segment held no reference on "gone", so it releases none; "kept" loses the tree's.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, collected);
        Assert.Equal(1, await RefCountAsync(gone));
        Assert.Equal(1, await RefCountAsync(kept));
        Assert.Null(await FindQueuedAsync(goneBlob));
        Assert.Equal(["trees/photos/1.car"], await QueuedNamesAsync(Forever));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refused_record_takes_no_chunk_references()
    {
        // Arrange: commits 1 and 2; "body" is an object's.
        var body = Chunk("body");
        await PutAsync("k", body);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car"));
        var blob = await BlobNameAsync(body);

        // Act: a stale previous number, and a segment never reserved.
        var stale = await RecordHoldingAsync(Head(3, "stale"), 1, "trees/photos/3.car", body, body);
        var unreserved = await Trees.RecordTreeCommitAsync(Head(3, "unreserved"), Now, 2, "trees/photos/never.car", CommitPlace(3), [body], Ct);

        // Assert
        Assert.Equal(RecordTreeCommitOutcome.Conflict, stale);
        Assert.Equal(RecordTreeCommitOutcome.Conflict, unreserved);
        Assert.Equal(1, await RefCountAsync(body));

        // Act: the object's body removed for good.
        await DeleteObjectAsync("k");

        // Assert: nothing else held it, so it is queued after the grace with the refused segment.
        Assert.Equal(0, await RefCountAsync(body));
        var queued = await FindQueuedAsync(blob);
        Assert.NotNull(queued);
        Assert.Equal(Now + Grace, queued.NotBefore);
        Assert.Equal(new[] { blob, "trees/photos/3.car" }.Order(StringComparer.Ordinal), await QueuedNamesAsync(Forever));
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_bucket_releases_its_trees_chunk_references()
    {
        // Arrange: "body" named once by segment 1 and twice by segment 2, its object deleted; "kept" is an
        // object's in another bucket and named once by segment 2.
        var body = Chunk("body");
        var kept = Chunk("kept");
        await PutAsync("k", body);
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(OtherBucket, Now, "us-east-1"), Ct));
        var (upload, _) = await ReserveAsync(kept);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("o", "etag-o", kept) with { Bucket = OtherBucket }));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordHoldingAsync(Head(1, "1"), null, "trees/photos/1.car", body));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordHoldingAsync(Head(2, "2"), 1, "trees/photos/2.car", body, kept, body));
        await DeleteObjectAsync("k");
        Assert.Equal(3, await RefCountAsync(body));
        Assert.Equal(2, await RefCountAsync(kept));
        var blob = await BlobNameAsync(body);
        var keptBlob = await BlobNameAsync(kept);
        var deletedAt = Now + TimeSpan.FromHours(1);

        // Act
        var deleted = await Catalog.Buckets.DeleteBucketAsync(Bucket, deletedAt, Grace, Ct);

        // Assert: every reference of the tree released; "kept" still the other bucket's.
        Assert.Equal(DeleteBucketOutcome.Deleted, deleted);
        Assert.Equal(0, await RefCountAsync(body));
        Assert.Equal(1, await RefCountAsync(kept));
        Assert.Null(await FindQueuedAsync(keptBlob));

        // Assert: the chunk left unreferenced is queued with the segments after the deletion's grace, not before.
        Assert.Empty(await QueuedNamesAsync(deletedAt + Grace - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(new[] { blob, "trees/photos/1.car", "trees/photos/2.car" }.Order(StringComparer.Ordinal),
            await QueuedNamesAsync(deletedAt + Grace));
        Assert.Equal(body.Hash, (await FindQueuedAsync(blob))?.ChunkHash);
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(blob, deletedAt + Grace, Forever, Ct));

        // Assert: a bucket of that name created again holds nothing on the chunks.
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, deletedAt + TimeSpan.FromMinutes(1), "us-east-1"), Ct));
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, deletedAt, Grace, Ct));
        Assert.Equal(1, await RefCountAsync(kept));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_skipped_for_a_pin_releases_no_chunk_references_until_it_applies()
    {
        // Arrange: segment 1 names "body" once; commit 1 pinned for an hour; the object deleted.
        var body = Chunk("body");
        await PutAsync("k", body);
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordHoldingAsync(Head(1, "1"), null, "trees/photos/1.car", body));
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(2, "2"), 1, "trees/photos/2.car"));
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 1, Guid.NewGuid(), Now + TimeSpan.FromHours(1), Ct));
        await DeleteObjectAsync("k");
        Assert.Equal(1, await RefCountAsync(body));
        var blob = await BlobNameAsync(body);
        var collection = Collect([1], ["trees/photos/1.car"]);

        // Act
        var pinnedOutcome = await RecordCollectingAsync(Head(3, "3"), 2, "trees/photos/3.car", collection);

        // Assert: recorded, segment 1 kept with its reference; nothing queued.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, pinnedOutcome);
        Assert.Equal([Segment(1, "trees/photos/1.car"), Segment(2, "trees/photos/2.car"), Segment(3, "trees/photos/3.car")],
            await SegmentsAsync());
        Assert.Equal(1, await RefCountAsync(body));
        Assert.Empty(await QueueAsync());

        // Act: the same collection once the pin has expired.
        var expiredOutcome = await RecordCollectingAsync(Head(4, "4"), 3, "trees/photos/4.car",
            collection with { Now = Now + TimeSpan.FromHours(2) });

        // Assert: the reference the skip left is released now, once.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, expiredOutcome);
        Assert.Equal(0, await RefCountAsync(body));
        Assert.Equal(new[] { blob, "trees/photos/1.car" }.Order(StringComparer.Ordinal), await QueuedNamesAsync(CollectedDeleteAfter));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_chunk_queued_for_deletion_but_still_in_the_catalog_is_held_and_kept_by_the_sweep()
    {
        // Arrange: "body"'s only object deleted: refcount 0, its blob queued, its row still there.
        var body = Chunk("body");
        await PutAsync("k", body);
        await DeleteObjectAsync("k");
        Assert.Equal(0, await RefCountAsync(body));
        var blob = await BlobNameAsync(body);
        Assert.NotNull(await FindQueuedAsync(blob));

        // Act
        var outcome = await RecordHoldingAsync(Head(2, "2"), null, "trees/photos/2.car", body);
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Now + Grace, Forever, Ct);

        // Assert: held, so the sweep keeps the blob and takes it off the queue.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal(1, await RefCountAsync(body));
        Assert.Equal(SweepDecision.Keep, decision);
        Assert.Null(await FindQueuedAsync(blob));

        // Act: the segment dropped.
        Assert.Equal(RecordTreeCommitOutcome.Recorded,
            await RecordCollectingAsync(Head(3, "3"), 2, "trees/photos/3.car", Collect([2], ["trees/photos/2.car"])));

        // Assert: unreferenced again, and queued again at the collection's DeleteAfter.
        Assert.Equal(0, await RefCountAsync(body));
        Assert.Equal(CollectedDeleteAfter, (await FindQueuedAsync(blob))?.NotBefore);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
