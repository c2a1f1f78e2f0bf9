using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Versioning on every catalog target: what a write keeps, replaces or adds in each bucket state,
/// version removal by id, the version listing's order and pages, and the references versions hold.
/// </summary>
public abstract partial class ObjectCatalogConformanceTests<TTarget>
{
    private async Task VersioningAsync(BucketVersioning state) =>
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, state, Ct));

    private async Task<string> PutVersionAsync(string key, string etag, params ChunkRef[] chunks)
    {
        var (upload, _) = await ReserveAsync(chunks);
        var result = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(upload, Version(key, etag, chunks), WritePrecondition.None), Now,
            Grace, Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return result.VersionId!;
    }

    private async Task<IReadOnlyList<VersionSummary>> AllVersionsAsync(string prefix = "") =>
        (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery(prefix, null, null, null, 1000), Ct)).Versions;

    [Fact(Timeout = 10_000)]
    public async Task With_versioning_enabled_each_put_adds_a_version_with_a_new_id_and_keeps_the_older_ones_and_their_chunks()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var (a, b) = (Chunk("a"), Chunk("b"));

        // Act
        var first = await PutVersionAsync("k", "e1", a);
        var second = await PutVersionAsync("k", "e2", b);

        // Assert
        Assert.NotEqual("null", first);
        Assert.NotEqual(first, second);
        Assert.Equal(("e2", second), ((await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag, (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.VersionId));
        Assert.Equal("e1", (await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", first, Ct))!.ETag);
        Assert.Equal("e2", (await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", second, Ct))!.ETag);
        Assert.Equal([(second, true), (first, false)], (await AllVersionsAsync()).Select(static v => (v.VersionId, v.IsLatest)));
        Assert.Equal(1, (await FindChunkAsync(a))!.Value.RefCount);
        Assert.Equal(1, (await FindChunkAsync(b))!.Value.RefCount);
        Assert.Equal(0, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_delete_with_versioning_enabled_adds_a_marker_that_hides_the_key_until_the_marker_is_removed_by_id()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var kept = await PutVersionAsync("k", "e1", Chunk("a"));

        // Act
        var deleted = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        var current = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var listed = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 100), Ct);
        var versions = await AllVersionsAsync();
        var removed = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", deleted.VersionId!, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);

        // Assert
        Assert.Equal((DeleteObjectOutcome.Deleted, true), (deleted.Outcome, deleted.IsDeleteMarker));
        Assert.True(current!.IsDeleteMarker);
        Assert.Empty(listed.Objects);
        Assert.Equal([(deleted.VersionId!, true, true), (kept, false, false)], versions.Select(static v => (v.VersionId, v.IsDeleteMarker, v.IsLatest)));
        Assert.Equal(new DeleteObjectResult(DeleteObjectOutcome.Deleted, deleted.VersionId, IsDeleteMarker: true), removed);
        var restored = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        Assert.Equal((kept, false), (restored!.VersionId, restored.IsDeleteMarker));
        Assert.Equal([(kept, true)], (await AllVersionsAsync()).Select(static v => (v.VersionId, v.IsLatest)));
        Assert.Equal(1, (await FindChunkAsync(Chunk("a")))!.Value.RefCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task With_versioning_enabled_a_delete_of_a_key_without_versions_still_adds_a_marker()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);

        // Act
        var deleted = await Catalog.Objects.DeleteObjectAsync(Bucket, "never", WritePrecondition.None, Now, Grace, Ct);

        // Assert
        Assert.True(deleted.IsDeleteMarker);
        Assert.Equal([(deleted.VersionId!, true)], (await AllVersionsAsync()).Select(static v => (v.VersionId, v.IsDeleteMarker)));
        Assert.Equal(DeleteBucketOutcome.NotEmpty, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Removing_a_noncurrent_version_by_id_releases_its_chunks_and_leaves_the_latest()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var (old, shared) = (Chunk("old"), Chunk("shared"));
        var first = await PutVersionAsync("k", "e1", old, shared);
        var second = await PutVersionAsync("k", "e2", shared);

        // Act
        var removed = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", first, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        var again = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", first, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);

        // Assert: the shared chunk keeps the latest's reference; the other is queued for deletion.
        Assert.Equal((DeleteObjectOutcome.Deleted, false), (removed.Outcome, removed.IsDeleteMarker));
        Assert.Equal(DeleteObjectOutcome.NoSuchVersion, again.Outcome);
        Assert.Equal(second, (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.VersionId);
        Assert.Null(await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", first, Ct));
        Assert.Equal(0, (await FindChunkAsync(old))!.Value.RefCount);
        Assert.Equal(1, (await FindChunkAsync(shared))!.Value.RefCount);
        Assert.Equal(1, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Removing_the_latest_version_by_id_makes_the_newest_remaining_one_the_latest()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var first = await PutVersionAsync("k", "e1", Chunk("a"));
        var second = await PutVersionAsync("k", "e2", Chunk("b"));
        var third = await PutVersionAsync("k", "e3", Chunk("c"));

        // Act
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", third, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        var fourth = await PutVersionAsync("k", "e4", Chunk("d"));

        // Assert: the order survives the promotion, and a new version still goes on top.
        Assert.Equal([fourth, second, first], (await AllVersionsAsync()).Select(static v => v.VersionId));
        Assert.Equal(0, (await FindChunkAsync(Chunk("c")))!.Value.RefCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_encryption_envelope_stays_with_its_version_as_current_noncurrent_by_id_in_a_snapshot_and_current_again()
    {
        // Arrange: the first version inline (a new key: the coalesced create where the store has one),
        // the second chunked, each with an envelope of its own.
        await VersioningAsync(BucketVersioning.Enabled);
        byte[] firstEnvelope = [0x00, 0x01, 0xFE, 0xFF, .. "envelope-one"u8];
        byte[] secondEnvelope = [.. Enumerable.Range(0, 300).Select(static i => (byte)(i * 7))];
        var first = await Catalog.Objects.CommitObjectAsync(
            new ObjectCommit(null, InlineVersion("k", "e1") with { Encryption = firstEnvelope }, WritePrecondition.None), Now, Grace, Ct);
        var firstAsCurrent = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Act
        var (upload, _) = await ReserveAsync(Chunk("a"));
        var second = await Catalog.Objects.CommitObjectAsync(
            new ObjectCommit(upload, Version("k", "e2", Chunk("a")) with { Encryption = secondEnvelope }, WritePrecondition.None), Now, Grace, Ct);
        var secondAsCurrent = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var firstById = await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", first.VersionId!, Ct);
        var secondById = await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", second.VersionId!, Ct);
        IReadOnlyList<ObjectVersionRecord> snapshotted;
        await using (var snapshot = await Catalog.Trees.OpenFoldSnapshotAsync(Bucket, null, Ct, forFold: false))
        {
            snapshotted = (await snapshot!.ReadVersionsAsync(["k"], Ct, withInlineBodies: true))["k"];
        }
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", second.VersionId!, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        var firstPromoted = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var plain = await PutVersionAsync("k", "e3", Chunk("b"));
        var plainAsCurrent = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var firstNoncurrentAgain = await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", first.VersionId!, Ct);

        // Assert
        Assert.Equal((CommitOutcome.Committed, CommitOutcome.Committed), (first.Outcome, second.Outcome));
        Assert.Equal(firstEnvelope, firstAsCurrent!.Encryption);
        Assert.Equal(second.VersionId, secondAsCurrent!.VersionId);
        Assert.Equal(secondEnvelope, secondAsCurrent.Encryption);
        Assert.Equal(firstEnvelope, firstById!.Encryption);
        Assert.Equal(secondEnvelope, secondById!.Encryption);
        Assert.Equal([second.VersionId, first.VersionId], snapshotted.Select(static v => v.VersionId));
        Assert.Equal([secondEnvelope, firstEnvelope], snapshotted.Select(static v => v.Encryption));
        Assert.Equal(first.VersionId, firstPromoted!.VersionId);
        Assert.Equal(firstEnvelope, firstPromoted.Encryption);
        Assert.Equal((plain, (byte[]?)null), (plainAsCurrent!.VersionId, plainAsCurrent.Encryption));
        Assert.Equal(firstEnvelope, firstNoncurrentAgain!.Encryption);
    }

    [Fact(Timeout = 10_000)]
    public async Task With_versioning_suspended_a_put_replaces_the_null_version_wherever_it_is_and_keeps_versions_with_ids()
    {
        // Arrange: a null version from before versioning, a version with an id above it.
        var unversioned = await PutVersionAsync("k", "e0", Chunk("zero"));
        await VersioningAsync(BucketVersioning.Enabled);
        var withId = await PutVersionAsync("k", "e1", Chunk("one"));
        await VersioningAsync(BucketVersioning.Suspended);

        // Act
        var suspended = await PutVersionAsync("k", "e2", Chunk("two"));
        var versions = await AllVersionsAsync();
        var again = await PutVersionAsync("k", "e3", Chunk("three"));

        // Assert
        Assert.Equal(("null", "null", "null"), (unversioned, suspended, again));
        Assert.Equal([("null", "e2"), (withId, "e1")], versions.Select(static v => (v.VersionId, v.ETag)));
        Assert.Equal([("null", "e3"), (withId, "e1")], (await AllVersionsAsync()).Select(static v => (v.VersionId, v.ETag)));
        Assert.Equal((0, 0, 1, 1), ((await FindChunkAsync(Chunk("zero")))!.Value.RefCount, (await FindChunkAsync(Chunk("two")))!.Value.RefCount,
            (await FindChunkAsync(Chunk("one")))!.Value.RefCount, (await FindChunkAsync(Chunk("three")))!.Value.RefCount));
    }

    [Fact(Timeout = 10_000)]
    public async Task With_versioning_suspended_a_delete_adds_a_null_marker_in_place_of_the_null_version()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var withId = await PutVersionAsync("k", "e1", Chunk("one"));
        await VersioningAsync(BucketVersioning.Suspended);
        await PutVersionAsync("k", "e2", Chunk("two"));

        // Act
        var deleted = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);

        // Assert
        Assert.Equal(new DeleteObjectResult(DeleteObjectOutcome.Deleted, "null", IsDeleteMarker: true), deleted);
        Assert.Equal([("null", true), (withId, false)], (await AllVersionsAsync()).Select(static v => (v.VersionId, v.IsDeleteMarker)));
        Assert.Equal(0, (await FindChunkAsync(Chunk("two")))!.Value.RefCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task Version_listing_pages_resume_at_the_key_and_version_markers_and_concatenate_to_the_whole_listing()
    {
        // Arrange: a: 3 versions, b: a marker over 1 version, c/: a common prefix, d: 1 version.
        await VersioningAsync(BucketVersioning.Enabled);
        for (var i = 0; i < 3; i++)
        {
            await PutVersionAsync("a", "a" + i, Chunk("a" + i));
        }
        await PutVersionAsync("b", "b0", Chunk("b0"));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "b", WritePrecondition.None, Now, Grace, Ct);
        await PutVersionAsync("c/1", "c1", Chunk("c1"));
        await PutVersionAsync("c/2", "c2", Chunk("c2"));
        await PutVersionAsync("d", "d0", Chunk("d0"));
        var whole = await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", "/", null, null, 1000), Ct);

        // Act
        var paged = new List<string>();
        string? keyMarker = null, versionIdMarker = null;
        for (var page = 0; page < 20; page++)
        {
            var listing = await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", "/", keyMarker, versionIdMarker, 2), Ct);
            paged.AddRange(listing.Versions.Select(static v => v.Key + "@" + v.VersionId));
            paged.AddRange(listing.CommonPrefixes);
            if (!listing.IsTruncated)
            {
                break;
            }
            (keyMarker, versionIdMarker) = (listing.NextKeyMarker, listing.NextVersionIdMarker);
        }

        // Assert
        Assert.Equal(["a", "a", "a", "b", "b", "d"], whole.Versions.Select(static v => v.Key));
        Assert.Equal(["a2", "a1", "a0"], whole.Versions.Take(3).Select(static v => v.ETag));
        Assert.Equal([true, false], whole.Versions.Where(static v => v.Key == "b").Select(static v => v.IsDeleteMarker));
        Assert.Equal(["c/"], whole.CommonPrefixes);
        var expected = whole.Versions.Select(static v => v.Key + "@" + v.VersionId).ToList();
        expected.Insert(5, "c/");
        Assert.Equal(expected, paged);
    }

    [Fact(Timeout = 10_000)]
    public async Task Tags_are_replaced_on_the_version_named_and_a_marker_has_none()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var first = await PutVersionAsync("k", "e1", Chunk("a"));
        await PutVersionAsync("k", "e2", Chunk("b"));
        var marker = (await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct)).VersionId!;
        var tags = new Dictionary<string, string> { ["t"] = "1" };

        // Act
        var onFirst = await Catalog.Objects.PutObjectTagsAsync(Bucket, "k", first, tags, Ct);
        var onMarker = await Catalog.Objects.PutObjectTagsAsync(Bucket, "k", marker, tags, Ct);
        var onLatest = await Catalog.Objects.PutObjectTagsAsync(Bucket, "k", null, tags, Ct);
        var onUnknown = await Catalog.Objects.PutObjectTagsAsync(Bucket, "k", "no-such-version", tags, Ct);

        // Assert
        Assert.Equal((PutTagsOutcome.Updated, PutTagsOutcome.DeleteMarker, PutTagsOutcome.DeleteMarker, PutTagsOutcome.NotFound),
            (onFirst, onMarker, onLatest, onUnknown));
        Assert.Equal("1", (await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", first, Ct))!.Tags["t"]);
        Assert.Empty((await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", marker, Ct))!.Tags);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_bucket_holding_only_noncurrent_versions_is_not_empty_and_PutBucketVersioning_needs_a_bucket()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var only = await PutVersionAsync("k", "e1", Chunk("a"));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        var marker = (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.VersionId;
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", marker, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", only, WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        await PutVersionAsync("j", "e2", Chunk("b"));
        await PutVersionAsync("j", "e3", Chunk("c"));
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "j", (await Catalog.Objects.GetObjectAsync(Bucket, "j", Ct))!.VersionId,
            WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);

        // Act
        var notEmpty = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);
        var missing = await Catalog.Buckets.PutBucketVersioningAsync("no-such-bucket", BucketVersioning.Enabled, Ct);

        // Assert
        Assert.Equal(DeleteBucketOutcome.NotEmpty, notEmpty);
        Assert.Equal(PutVersioningOutcome.NoSuchBucket, missing);
        Assert.Equal(BucketVersioning.Enabled, (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.Versioning);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Unversioned, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_new_key_in_a_versioned_bucket_gets_an_id_and_in_an_unversioned_one_the_null_version()
    {
        // Arrange: inline bodies, the case a coalescing provider batches.
        var unversioned = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion("plain"), WritePrecondition.None), Now, Grace, Ct);
        await VersioningAsync(BucketVersioning.Enabled);

        // Act
        var versioned = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion("fresh"), WritePrecondition.None), Now, Grace, Ct);

        // Assert
        Assert.Equal("null", unversioned.VersionId);
        Assert.NotEqual("null", versioned.VersionId);
        Assert.Equal(versioned.VersionId, (await Catalog.Objects.GetObjectAsync(Bucket, "fresh", Ct))!.VersionId);
    }
}
