using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

// Removed inline bodies held for the tree (IBucketTreeCatalog.GetHeldBodyAsync): copied by every
// kind of removal once the bucket's first fold has begun, numbered by the removal's journal entry,
// dropped by a collection only once the recorded commit has folded the removal, and forgotten with
// the bucket.
public abstract partial class BucketTreeCatalogConformanceTests<TTarget>
{
    private static byte[] Body(string text) => Encoding.UTF8.GetBytes(text);

    private static ContentHash HashOf(string text) => ContentHash.Compute(Body(text));

    /// <summary>Commits an inline version of <paramref name="key"/> whose body is <paramref name="text"/>; returns its version id.</summary>
    private async Task<string> PutBodyAsync(string key, string text)
    {
        var result = await Catalog.Objects.CommitObjectAsync(
            new ObjectCommit(null, InlineVersion(key) with { InlineBody = Body(text), Size = text.Length }, WritePrecondition.None), Now, Grace, Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return result.VersionId!;
    }

    /// <summary>Opens and closes a fold snapshot: the bucket's first fold begins.</summary>
    private async Task BeginFirstFoldAsync(string bucket = Bucket)
    {
        await using var snapshot = await Trees.OpenFoldSnapshotAsync(bucket, null, Ct);
        Assert.NotNull(snapshot);
    }

    private async Task<long> LastJournalNumberAsync() => (await Catalog.Objects.ReadJournalAsync(Bucket, 0, 10_000, Ct))[^1].Seq;

    private async Task<HashSet<ContentHash>> HeldAsync(long upTo = long.MaxValue, long after = 0, string bucket = Bucket) =>
        [.. await Trees.ListHeldBodiesAsync(bucket, after, upTo, Ct)];

    /// <summary>Asserts the body of <paramref name="text"/> is held, as removed at exactly <paramref name="removedAt"/>.</summary>
    private async Task AssertHeldAsync(string text, long removedAt)
    {
        Assert.Equal(Body(text), await Trees.GetHeldBodyAsync(Bucket, HashOf(text), Ct));
        Assert.Contains(HashOf(text), await HeldAsync(removedAt));
        Assert.Contains(HashOf(text), await HeldAsync(removedAt, after: removedAt - 1));
        Assert.DoesNotContain(HashOf(text), await HeldAsync(removedAt - 1));
        Assert.DoesNotContain(HashOf(text), await HeldAsync(after: removedAt));
    }

    [Fact(Timeout = 30_000)]
    public async Task Removed_inline_bodies_are_held_only_once_the_buckets_first_fold_has_begun()
    {
        // Arrange: a body removed before any fold, after a reading that is not a fold's.
        await using (var reading = await Trees.OpenFoldSnapshotAsync(Bucket, 0, Ct, forFold: false))
        {
            Assert.NotNull(reading);
        }
        await PutBodyAsync("early", "removed before any fold");
        await DeleteObjectAsync("early");

        // Act
        await BeginFirstFoldAsync();
        await PutBodyAsync("late", "removed after the first fold began");
        await PutAsync("chunked", Chunk("chunked body"));
        await DeleteObjectAsync("late");
        var removedAt = await LastJournalNumberAsync();
        await DeleteObjectAsync("chunked");

        // Assert: only the inline body removed after the fold began is held (chunks are held by segments).
        Assert.Null(await Trees.GetHeldBodyAsync(Bucket, HashOf("removed before any fold"), Ct));
        await AssertHeldAsync("removed after the first fold began", removedAt);
        Assert.Equal([HashOf("removed after the first fold began")], await HeldAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_way_a_version_is_removed_for_good_holds_its_inline_body_numbered_by_its_removal()
    {
        // Arrange
        await BeginFirstFoldAsync();
        var removals = new List<(string Body, long At)>();

        // Act: unversioned, a PUT over a key and a DELETE.
        await PutBodyAsync("k", "unversioned, overwritten");
        await PutBodyAsync("k", "unversioned, deleted");
        removals.Add(("unversioned, overwritten", await LastJournalNumberAsync() - 1)); // its remove, then the new put
        await DeleteObjectAsync("k");
        removals.Add(("unversioned, deleted", await LastJournalNumberAsync()));

        // Act: versioned, a noncurrent version removed by id, then the current one.
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        var older = await PutBodyAsync("v", "versioned, noncurrent");
        var newer = await PutBodyAsync("v", "versioned, current");
        await PutBodyAsync("marked", "versioned, under a delete marker");
        Assert.Equal(DeleteObjectOutcome.Deleted, (await Catalog.Objects.DeleteObjectAsync(Bucket, "marked", WritePrecondition.None, Now, Grace, Ct)).Outcome);
        Assert.Equal(DeleteObjectOutcome.Deleted,
            (await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "v", older, WritePrecondition.None, false, Now, Grace, Ct)).Outcome);
        removals.Add(("versioned, noncurrent", await LastJournalNumberAsync()));
        Assert.Equal(DeleteObjectOutcome.Deleted,
            (await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "v", newer, WritePrecondition.None, false, Now, Grace, Ct)).Outcome);
        removals.Add(("versioned, current", await LastJournalNumberAsync()));

        // Act: suspended, the null version replaced.
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Suspended, Ct));
        await PutBodyAsync("s", "suspended, replaced");
        await PutBodyAsync("s", "suspended, current");
        removals.Add(("suspended, replaced", await LastJournalNumberAsync() - 1));

        // Act: an import replacing a prefix with nothing (two removals: the last one's number).
        await PutBodyAsync("p/1", "imported over, 1");
        await PutBodyAsync("p/2", "imported over, 2");
        var imported = await Catalog.Objects.ImportObjectsAsync(new ObjectImport(Bucket, "p/", true, null, []), Now, Grace, Ct);
        Assert.Equal(ImportOutcome.Imported, imported.Outcome);
        var importEnd = await LastJournalNumberAsync();
        removals.Add(("imported over, 1", importEnd));
        removals.Add(("imported over, 2", importEnd));

        // Assert: each removed body held, numbered as said; bodies still in rows (or under a marker) are not.
        foreach (var (body, at) in removals)
        {
            await AssertHeldAsync(body, at);
        }
        Assert.Equal(removals.Select(static r => HashOf(r.Body)).ToHashSet(), await HeldAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_drops_a_held_body_it_names_only_once_the_recorded_commit_has_folded_its_removal()
    {
        // Arrange: two bodies held, removed at r1 < r2; a commit recorded at r1.
        await BeginFirstFoldAsync();
        await PutBodyAsync("a", "first removed");
        await PutBodyAsync("b", "second removed");
        await DeleteObjectAsync("a");
        var r1 = await LastJournalNumberAsync();
        await DeleteObjectAsync("b");
        var r2 = await LastJournalNumberAsync();
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        var both = new[] { HashOf("first removed"), HashOf("second removed") };

        // Act: a collection naming both, recorded at r1 (between the removals).
        var atFirst = await RecordCollectingAsync(Head(r1, "r1"), 1, "trees/photos/r1.car", Collect([], []) with { DropHeldBodies = both });

        // Assert: only the copy whose removal the commit folded is dropped.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, atFirst);
        Assert.Null(await Trees.GetHeldBodyAsync(Bucket, both[0], Ct));
        Assert.Equal(Body("second removed"), await Trees.GetHeldBodyAsync(Bucket, both[1], Ct));

        // Act: at r2, a collection skipped for a pin, then one naming nothing held, then one naming it.
        Assert.True(await Trees.PinTreeCommitAsync(Bucket, 1, Guid.NewGuid(), Forever, Ct));
        Assert.Equal(RecordTreeCommitOutcome.Recorded,
            await RecordCollectingAsync(Head(r2, "r2"), r1, "trees/photos/r2.car", Collect([1], []) with { DropHeldBodies = both }));
        var afterPinned = await HeldAsync();
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordCollectingAsync(Head(r2 + 1, "a"), r2, "trees/photos/a.car", Collect([], [])));
        var afterUnnamed = await HeldAsync();
        Assert.Equal(RecordTreeCommitOutcome.Recorded,
            await RecordCollectingAsync(Head(r2 + 2, "b"), r2 + 1, "trees/photos/b.car", Collect([], []) with { DropHeldBodies = [both[1]] }));

        // Assert
        Assert.Equal([both[1]], afterPinned);
        Assert.Equal([both[1]], afterUnnamed);
        Assert.Empty(await HeldAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_collection_drops_every_held_body_removed_at_or_before_the_oldest_kept_commit_whatever_it_is()
    {
        // Arrange: three bodies removed at r1 < r2 < r3; a commit recorded before them.
        await BeginFirstFoldAsync();
        var removedAt = new List<long>();
        foreach (var name in new[] { "one", "two", "three" })
        {
            await PutBodyAsync(name, "held " + name);
        }
        Assert.Equal(RecordTreeCommitOutcome.Recorded, await RecordAsync(Head(1, "1"), null, "trees/photos/1.car"));
        foreach (var name in new[] { "one", "two", "three" })
        {
            await DeleteObjectAsync(name);
            removedAt.Add(await LastJournalNumberAsync());
        }

        // Act: a collection at r3 whose oldest kept commit is r2, naming no hash.
        var outcome = await RecordCollectingAsync(Head(removedAt[2], "r3"), 1, "trees/photos/r3.car",
            Collect([1], ["trees/photos/1.car"]) with { DropHeldRemovedUpTo = removedAt[1] });

        // Assert: the two removed at or before r2 are gone; the third stays.
        Assert.Equal(RecordTreeCommitOutcome.Recorded, outcome);
        Assert.Equal([HashOf("held three")], await HeldAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_bucket_forgets_its_held_bodies_and_the_bucket_made_again_holds_none_until_its_first_fold()
    {
        // Arrange
        await BeginFirstFoldAsync();
        await PutBodyAsync("a", "held then forgotten");
        await DeleteObjectAsync("a");
        Assert.NotEmpty(await HeldAsync());

        // Act
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now + TimeSpan.FromMinutes(1), "us-east-1"), Ct));
        await PutBodyAsync("b", "removed before the new bucket's first fold");
        await DeleteObjectAsync("b");

        // Assert
        Assert.Empty(await HeldAsync());
        Assert.Null(await Trees.GetHeldBodyAsync(Bucket, HashOf("held then forgotten"), Ct));
    }
}
