using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The change journal on every catalog target: replaying a bucket's entries from empty gives its
/// keys, versions, delete markers, tags and lock states; numbers run 1, 2, 3, ... without gaps; a write that
/// changes nothing appends nothing.
/// </summary>
public abstract partial class ObjectCatalogConformanceTests<TTarget>
{
    private async Task<IReadOnlyList<JournalEntry>> JournalAsync() => await Catalog.Objects.ReadJournalAsync(Bucket, 0, 100_000, Ct);

    /// <summary>Each key's versions, newest first, as (version id, ETag, marker, tags, lock state) text.</summary>
    private static Dictionary<string, List<string>> Replay(IEnumerable<JournalEntry> entries)
    {
        var keys = new Dictionary<string, List<(string Id, string Text, IReadOnlyDictionary<string, string> Tags, ObjectLockState Lock)>>(
            StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!keys.TryGetValue(entry.Key, out var versions))
            {
                keys[entry.Key] = versions = [];
            }
            switch (entry.Change)
            {
                case JournalChange.Put:
                    versions.Insert(0, (entry.VersionId, $"{entry.ETag}|{entry.IsDeleteMarker}", entry.Tags, entry.Lock));
                    break;
                case JournalChange.Remove:
                    Assert.Equal(1, versions.RemoveAll(v => v.Id == entry.VersionId));
                    break;
                case JournalChange.Tags:
                    var at = versions.FindIndex(v => v.Id == entry.VersionId);
                    versions[at] = versions[at] with { Tags = entry.Tags };
                    break;
                case JournalChange.Lock:
                    var locked = versions.FindIndex(v => v.Id == entry.VersionId);
                    versions[locked] = versions[locked] with { Lock = entry.Lock };
                    break;
            }
        }
        return keys.Where(static k => k.Value.Count > 0).ToDictionary(static k => k.Key,
            static k => k.Value.Select(static v => $"{v.Id}|{v.Text}|{TagsText(v.Tags)}|{v.Lock}").ToList(), StringComparer.Ordinal);
    }

    private static string TagsText(IReadOnlyDictionary<string, string> tags) =>
        string.Join(",", tags.OrderBy(static t => t.Key, StringComparer.Ordinal).Select(static t => t.Key + "=" + t.Value));

    /// <summary>The same shape, read from the catalog's rows.</summary>
    private async Task<Dictionary<string, List<string>>> CatalogStateAsync()
    {
        var state = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var version in await AllVersionsAsync())
        {
            var record = await Catalog.Objects.GetObjectVersionAsync(Bucket, version.Key, version.VersionId, Ct);
            if (!state.TryGetValue(version.Key, out var versions))
            {
                state[version.Key] = versions = [];
            }
            versions.Add($"{version.VersionId}|{version.ETag}|{version.IsDeleteMarker}|{TagsText(record!.Tags)}|{record.Lock}");
        }
        return state;
    }

    [Theory(Timeout = 60_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Replaying_the_journal_after_a_random_workload_gives_the_catalogs_versions_markers_tags_and_locks(int seed)
    {
        // Arrange
        var random = new Random(seed);
        string[] keys = ["a", "b", "c/d", "e"];
        var operations = 0;

        // Act: puts (chunked and inline), deletes with and without version id, tags, lock changes,
        // state changes. Locked versions refuse some deletes; that changes nothing, as it should.
        for (var step = 0; step < 120; step++)
        {
            var key = keys[random.Next(keys.Length)];
            switch (random.Next(11))
            {
                case 10:
                    var lockable = (await AllVersionsAsync()).Where(v => v.Key == key && !v.IsDeleteMarker).ToList();
                    if (lockable.Count > 0)
                    {
                        var change = random.Next(2) == 0
                            ? ObjectLockChange.OfLegalHold(random.Next(2) == 0)
                            : ObjectLockChange.OfRetention(random.Next(3) == 0 ? null : new ObjectRetention(ObjectLockMode.Governance, Now.AddMinutes(step)),
                                bypassGovernance: true);
                        await Catalog.Objects.PutObjectLockAsync(Bucket, key, lockable[random.Next(lockable.Count)].VersionId, change, Now, Ct);
                    }
                    break;
                case 0 when step % 3 == 0:
                    await VersioningAsync(random.Next(2) == 0 ? BucketVersioning.Enabled : BucketVersioning.Suspended);
                    break;
                case 0 or 1 or 2:
                    await PutVersionAsync(key, "e" + step, Chunk("c" + random.Next(6)));
                    operations++;
                    break;
                case 3:
                    await Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion(key, "i" + step), WritePrecondition.None), Now, Grace, Ct);
                    break;
                case 4 or 5:
                    await Catalog.Objects.DeleteObjectAsync(Bucket, key, WritePrecondition.None, Now, Grace, Ct);
                    break;
                case 6 or 7:
                    var versions = (await AllVersionsAsync()).Where(v => v.Key == key).ToList();
                    if (versions.Count > 0)
                    {
                        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, key, versions[random.Next(versions.Count)].VersionId,
                            WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
                    }
                    break;
                default:
                    var tagged = (await AllVersionsAsync()).Where(v => v.Key == key && !v.IsDeleteMarker).ToList();
                    if (tagged.Count > 0)
                    {
                        await Catalog.Objects.PutObjectTagsAsync(Bucket, key, tagged[random.Next(tagged.Count)].VersionId,
                            new Dictionary<string, string> { ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Ct);
                    }
                    break;
            }
        }
        var journal = await JournalAsync();

        // Assert
        Assert.True(operations > 0);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(static n => (long)n), journal.Select(static e => e.Seq));
        Assert.Equal(await CatalogStateAsync(), Replay(journal));
    }

    [Fact(Timeout = 10_000)]
    public async Task Each_change_appends_its_entries_in_order_and_a_write_that_changes_nothing_appends_none()
    {
        // Arrange
        var put = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion("k", "e1"), WritePrecondition.None), Now, Grace, Ct);
        await CommitAsync(null, InlineVersion("k", "e2"));

        // Act: a failed precondition, an unknown version, a missing key's tags: nothing changes.
        var refused = await CommitAsync(null, InlineVersion("k", "e3"), new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null));
        var unknown = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", "no-such-version", WritePrecondition.None, bypassGovernance: false, Now, Grace, Ct);
        var untagged = await Catalog.Objects.PutObjectTagsAsync(Bucket, "absent", null, new Dictionary<string, string> { ["t"] = "1" }, Ct);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);

        // Assert: unversioned, an overwrite removes the null version and puts the new one.
        Assert.Equal(("null", CommitOutcome.PreconditionFailed, DeleteObjectOutcome.NoSuchVersion, PutTagsOutcome.NotFound),
            (put.VersionId, refused, unknown.Outcome, untagged));
        Assert.Equal([(1L, JournalChange.Put, "e1"), (2L, JournalChange.Remove, null), (3L, JournalChange.Put, "e2"), (4L, JournalChange.Remove, null)],
            (await JournalAsync()).Select(static e => (e.Seq, e.Change, e.ETag)));
        Assert.All(await JournalAsync(), static e => Assert.Equal(("k", "null"), (e.Key, e.VersionId)));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_deleted_bucket_forgets_its_journal_and_one_created_again_starts_at_one()
    {
        // Arrange
        await PutInlineAsync("k");
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        Assert.Equal(2, (await JournalAsync()).Count);

        // Act
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now, "us-east-1"), Ct));
        await PutInlineAsync("again");

        // Assert
        Assert.Equal([(1L, "again")], (await JournalAsync()).Select(static e => (e.Seq, e.Key)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_creates_each_land_once_with_their_own_body_and_one_journal_entry_numbered_without_gaps()
    {
        // Arrange: one key exists, so one create of the burst must be refused by its precondition
        // (where a provider coalesces, batches of sizes that are not powers of two get padded).
        const int Creates = 37;
        await CommitAsync(null, InlineVersion("key7", "before"));

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Creates).Select(i => Task.Run(() => CommitAsync(null,
            InlineVersion("key" + i, "etag" + i) with { InlineBody = [(byte)i, (byte)(i * 7), 9] }, new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null)))));

        // Assert
        Assert.Equal(Enumerable.Range(0, Creates).Select(static i => i == 7 ? CommitOutcome.PreconditionFailed : CommitOutcome.Committed), outcomes);
        var listing = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct);
        Assert.Equal(Enumerable.Range(0, Creates).Select(static i => "key" + i).Order(StringComparer.Ordinal), listing.Objects.Select(static o => o.Key));
        for (var i = 0; i < Creates; i++)
        {
            var stored = await Catalog.Objects.GetObjectAsync(Bucket, "key" + i, Ct);
            Assert.Equal(i == 7 ? "before" : "etag" + i, stored!.ETag);
            Assert.Equal(i == 7 ? [1, 2, 3] : [(byte)i, (byte)(i * 7), 9], stored.InlineBody);
        }
        var journal = await JournalAsync();
        Assert.Equal(Enumerable.Range(1, Creates).Select(static n => (long)n), journal.Select(static e => e.Seq));
        Assert.Equal(Enumerable.Range(0, Creates).Select(static i => "key" + i).Order(StringComparer.Ordinal),
            journal.Select(static e => e.Key).Order(StringComparer.Ordinal));
    }
}
