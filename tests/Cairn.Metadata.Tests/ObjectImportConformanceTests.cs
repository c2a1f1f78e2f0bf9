using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The catalog import (<see cref="IObjectCatalog.ImportObjectsAsync"/>) on every target: versions
/// kept as given (ids, times, markers, newest as the latest), chunk references as a commit's (the
/// upload's reservations adopted, then dropped), a prefix replaced wholesale (every version under
/// it, nothing outside it, the replaced references released with the grace delay, a chunk both
/// sides use never queued), the refusals that change nothing (KeyExists, VersioningRequired,
/// Locked, ChunkMissing, NoSuchBucket), the journal's entries, and the arguments no import may bring.
/// </summary>
[Trait("Issue", "11")]
public abstract class ObjectImportConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static readonly DateTimeOffset T1 = new(2023, 5, 6, 7, 8, 9, 101, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddHours(1).AddMilliseconds(1);
    private static readonly DateTimeOffset T3 = T1.AddDays(1).AddMilliseconds(2);

    // ------------------------------------------------------------------ helpers

    private async Task VersioningAsync(BucketVersioning state) =>
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, state, Ct));

    /// <summary>A chunked (or, without chunks, empty) version as a source holds it.</summary>
    private static ObjectVersionRecord Imported(string key, string versionId, string etag, DateTimeOffset at, params ChunkRef[] chunks) =>
        Version(key, etag, chunks) with { VersionId = versionId, LastModified = at };

    private static ObjectVersionRecord ImportedInline(string key, string versionId, string etag, DateTimeOffset at) =>
        InlineVersion(key, etag) with { VersionId = versionId, LastModified = at };

    private static ObjectVersionRecord Marker(string key, string versionId, DateTimeOffset at) => new()
    {
        Bucket = Bucket,
        Key = key,
        VersionId = versionId,
        IsDeleteMarker = true,
        Size = 0,
        ETag = "",
        LastModified = at,
    };

    private static ImportedKey Key(string key, params ObjectVersionRecord[] versions) => new(key, versions);

    private ValueTask<ImportResult> ImportAsync(string prefix, bool replace, Guid? upload, params ImportedKey[] keys) =>
        ImportAtAsync(Now, prefix, replace, upload, keys);

    private ValueTask<ImportResult> ImportAtAsync(DateTimeOffset at, string prefix, bool replace, Guid? upload, params ImportedKey[] keys) =>
        Catalog.Objects.ImportObjectsAsync(new ObjectImport(Bucket, prefix, replace, upload, keys), at, Grace, Ct);

    /// <summary>A versioned put of a chunked version (its chunks reserved by an upload of its own); returns its version id.</summary>
    private async Task<string> PutVersionAsync(string key, string etag, params ChunkRef[] chunks)
    {
        var (upload, _) = await ReserveAsync(chunks);
        var result = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(upload, Version(key, etag, chunks), WritePrecondition.None), Now,
            Grace, Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return result.VersionId!;
    }

    private async Task<string> PutInlineVersionAsync(string key, string etag, ObjectLockState state = default)
    {
        var result = await Catalog.Objects.CommitObjectAsync(
            new ObjectCommit(null, InlineVersion(key, etag) with { Lock = state }, WritePrecondition.None), Now, Grace, Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return result.VersionId!;
    }

    private async Task<string> DeleteAsync(string key)
    {
        var result = await Catalog.Objects.DeleteObjectAsync(Bucket, key, WritePrecondition.None, Now, Grace, Ct);
        Assert.Equal(DeleteObjectOutcome.Deleted, result.Outcome);
        return result.VersionId!;
    }

    private async Task<IReadOnlyList<VersionSummary>> AllVersionsAsync(string prefix = "") =>
        (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery(prefix, null, null, null, 1000), Ct)).Versions;

    private async Task<IEnumerable<string>> LiveKeysAsync() =>
        (await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct)).Objects.Select(static o => o.Key);

    private async Task<IReadOnlyList<JournalEntry>> JournalAsync(long after = 0) =>
        await Catalog.Objects.ReadJournalAsync(Bucket, after, 100_000, Ct);

    /// <summary>
    /// The versions (with their bodies and lock states), chunk rows, delete queue and journal, as
    /// text: what a refused import must leave as it was.
    /// </summary>
    private async Task<string> StateAsync()
    {
        var text = new StringBuilder();
        foreach (var summary in await AllVersionsAsync())
        {
            var record = await Catalog.Objects.GetObjectVersionAsync(Bucket, summary.Key, summary.VersionId, Ct);
            text.AppendLine($"{summary} [{string.Join(',', record!.Chunks)}] {Convert.ToHexString(record.InlineBody ?? [])} {record.Lock}");
        }
        foreach (var key in await LiveKeysAsync())
        {
            text.AppendLine("live " + key);
        }
        foreach (var chunk in (await Catalog.Chunks.ListChunksAsync(Ct)).Select(static c => c.ToString()).Order(StringComparer.Ordinal))
        {
            text.AppendLine(chunk);
        }
        foreach (var entry in await QueueAsync())
        {
            text.AppendLine(entry.ToString());
        }
        foreach (var entry in await JournalAsync())
        {
            text.AppendLine($"{entry.Seq} {entry.Key} {entry.VersionId} {entry.Change}");
        }
        return text.ToString();
    }

    /// <summary>What reserving the chunk again under the upload says: AlreadyReserved while the upload still holds its reservation.</summary>
    private async Task<ChunkReservation> ReserveAgainAsync(Guid upload, ChunkRef chunk) =>
        await Catalog.Chunks.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, "again-" + Guid.NewGuid().ToString("N"), Deadline, Ct);

    private static VersionSummary Summary(ObjectVersionRecord version, bool isLatest) =>
        new(version.Key, version.VersionId, isLatest, version.IsDeleteMarker, version.Size, version.ETag, version.LastModified);

    /// <summary>The summaries a key's versions (newest first) list as.</summary>
    private static IEnumerable<VersionSummary> Summaries(ImportedKey key) => key.Versions.Select((version, i) => Summary(version, i == 0));

    /// <summary>Turns versioning on, and Object Lock (without a default retention) with it.</summary>
    private async Task LockBucketAsync()
    {
        await VersioningAsync(BucketVersioning.Enabled);
        Assert.Equal(PutObjectLockOutcome.Updated,
            await Catalog.Buckets.PutObjectLockConfigurationAsync(Bucket, new ObjectLockConfiguration(null), Ct));
    }

    // ------------------------------------------------------------------ an empty bucket

    [Fact(Timeout = 30_000)]
    public async Task Import_into_an_empty_versioned_bucket_keeps_every_version_as_given_with_the_newest_as_the_latest()
    {
        // Arrange: "docs/a" has three versions (chunked, inline, chunked), "docs/b" a delete marker
        // over a version, "docs/c" a lone null version.
        await VersioningAsync(BucketVersioning.Enabled);
        var (a, b) = (Chunk("a"), Chunk("b", 10));
        var (upload, reservations) = await ReserveAsync(a, b);
        var docA = Key("docs/a",
            Imported("docs/a", "v3", "e3", T3, a, b),
            ImportedInline("docs/a", "v2", "e2", T2),
            Imported("docs/a", "v1", "e1", T1, a));
        var docB = Key("docs/b", Marker("docs/b", "m2", T2), ImportedInline("docs/b", "b1", "eb", T1));
        var docC = Key("docs/c", ImportedInline("docs/c", "null", "ec", T1));

        // Act: keys in no particular order.
        var result = await ImportAsync("docs/", replace: false, upload, docC, docA, docB);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, KeysRemoved: 0, KeysImported: 3, VersionsImported: 6), result);
        var latestA = await Catalog.Objects.GetObjectAsync(Bucket, "docs/a", Ct);
        Assert.Equal(("v3", "e3", T3, false), (latestA!.VersionId, latestA.ETag, latestA.LastModified, latestA.IsDeleteMarker));
        Assert.Equal([a, b], latestA.Chunks);
        Assert.Null(latestA.InlineBody);
        var latestB = await Catalog.Objects.GetObjectAsync(Bucket, "docs/b", Ct);
        Assert.Equal(("m2", true, T2), (latestB!.VersionId, latestB.IsDeleteMarker, latestB.LastModified));
        Assert.Equal([.. Summaries(docA), .. Summaries(docB), .. Summaries(docC)], await AllVersionsAsync());
        Assert.Equal(["docs/a", "docs/c"], await LiveKeysAsync());
        foreach (var version in new[] { docA, docB, docC }.SelectMany(static k => k.Versions))
        {
            var read = await Catalog.Objects.GetObjectVersionAsync(Bucket, version.Key, version.VersionId, Ct);
            Assert.NotNull(read);
            Assert.Equal((version.ETag, version.Size, version.LastModified, version.IsDeleteMarker),
                (read.ETag, read.Size, read.LastModified, read.IsDeleteMarker));
            Assert.Equal(version.Chunks, read.Chunks);
            Assert.Equal(version.InlineBody, read.InlineBody);
        }
        // "a" is used by v3 and v1, "b" by v3: adopted from the upload's blobs.
        Assert.Equal(new ChunkInfo(a.Hash, reservations[0].BlobName!, a.Length, 2), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, reservations[1].BlobName!, b.Length, 1), await FindChunkAsync(b));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Writes_after_an_import_place_their_versions_above_the_imported_ones()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var imported = Key("k", ImportedInline("k", "v3", "e3", T3), ImportedInline("k", "v2", "e2", T2), ImportedInline("k", "v1", "e1", T1));
        Assert.Equal(ImportOutcome.Imported, (await ImportAsync("", replace: false, null, imported)).Outcome);

        // Act: a new version on top, then the newest two removed by id.
        var added = await PutInlineVersionAsync("k", "e4");
        var latestAfterPut = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var afterPut = await AllVersionsAsync();
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", added, WritePrecondition.None, false, Now, Grace, Ct);
        await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", "v3", WritePrecondition.None, false, Now, Grace, Ct);

        // Assert
        Assert.Equal([added, "v3", "v2", "v1"], afterPut.Select(static v => v.VersionId));
        Assert.Equal(added, latestAfterPut!.VersionId);
        Assert.Equal("v2", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.VersionId);
        Assert.Equal(["v2", "v1"], (await AllVersionsAsync()).Select(static v => v.VersionId));
        Assert.True((await AllVersionsAsync())[0].IsLatest);
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_field_of_an_imported_version_is_kept()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var version = new ObjectVersionRecord
        {
            Bucket = Bucket,
            Key = "docs/r\u00e9sum\u00e9 \U0001F600.txt",
            VersionId = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
            Size = 5,
            ETag = "5d41402abc4b2a76b9719d911017c592-2",
            LastModified = T2,
            Headers = new ContentHeaders("text/plain", "gzip", "attachment", "fr", "no-cache", "Thu, 01 Dec 1994 16:00:00 GMT"),
            UserMetadata = new Dictionary<string, string> { ["author"] = "Zo\u00eb", ["empty"] = "" },
            Checksums = new Dictionary<string, string> { ["CRC32"] = "NhCmhg==-2" },
            ChecksumType = "COMPOSITE",
            InlineBody = "hello"u8.ToArray(),
            PartSizes = [3, 2],
            PartChecksums = [new Dictionary<string, string> { ["CRC32"] = "AAAAAA==" }, new Dictionary<string, string> { ["CRC32"] = "BBBBBB==" }],
            Tags = new Dictionary<string, string> { ["project"] = "Cairn \u00e9t\u00e9" },
            Encryption = [0x00, 0xFF, .. "sealed data key"u8],
        };

        // Act
        var result = await ImportAsync("docs/", replace: false, null, Key(version.Key, version));
        var read = await Catalog.Objects.GetObjectAsync(Bucket, version.Key, Ct);

        // Assert
        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.NotNull(read);
        Assert.Equal((version.Key, version.VersionId, version.Size, version.ETag, version.LastModified, version.Headers, version.ChecksumType),
            (read.Key, read.VersionId, read.Size, read.ETag, read.LastModified, read.Headers, read.ChecksumType));
        Assert.Equal(version.UserMetadata.OrderBy(static p => p.Key), read.UserMetadata.OrderBy(static p => p.Key));
        Assert.Equal(version.Checksums.OrderBy(static p => p.Key), read.Checksums.OrderBy(static p => p.Key));
        Assert.Equal(version.InlineBody, read.InlineBody);
        Assert.Equal(version.PartSizes, read.PartSizes);
        Assert.Equal(["AAAAAA==", "BBBBBB=="], read.PartChecksums.Select(static part => part["CRC32"]));
        Assert.Equal(version.Tags.OrderBy(static p => p.Key), read.Tags.OrderBy(static p => p.Key));
        Assert.Equal(version.Encryption, read.Encryption);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_read_before_an_import_does_not_hide_it()
    {
        // Arrange: the key is read (twice: a row cache keeps it) before the import replaces it.
        await VersioningAsync(BucketVersioning.Enabled);
        await PutInlineVersionAsync("k", "old");
        Assert.Equal("old", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
        Assert.Equal("old", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "gone", Ct));

        // Act
        var result = await ImportAsync("", replace: true, null, Key("k", ImportedInline("k", "v9", "new", T1)),
            Key("gone", Marker("gone", "m", T1)));

        // Assert
        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        Assert.Equal(("v9", "new"), (read!.VersionId, read.ETag));
        Assert.True((await Catalog.Objects.GetObjectAsync(Bucket, "gone", Ct))!.IsDeleteMarker);
    }

    // ------------------------------------------------------------------ chunk references

    [Fact(Timeout = 30_000)]
    public async Task The_upload_reservations_are_adopted_committed_chunks_gain_references_and_the_upload_ends()
    {
        // Arrange: "stored" is committed (one reference); the upload writes "fresh", pins "stored",
        // and writes "unused", which no imported version names.
        await VersioningAsync(BucketVersioning.Enabled);
        var (fresh, stored, unused) = (Chunk("fresh"), Chunk("stored"), Chunk("unused"));
        var storedReservation = await PutAsync("existing", stored);
        var (upload, reservations) = await ReserveAsync(fresh, stored, unused);
        var later = Now.AddMinutes(5);

        // Act: "fresh" is named three times, "stored" twice.
        var result = await ImportAtAsync(later, "new/", replace: false, upload,
            Key("new/k", Imported("new/k", "v2", "e2", T2, fresh, stored, fresh), Imported("new/k", "v1", "e1", T1, stored, fresh)));

        // Assert
        Assert.Equal([ChunkReservationKind.MustWrite, ChunkReservationKind.AlreadyStored, ChunkReservationKind.MustWrite],
            reservations.Select(static r => r.Kind));
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 2), result);
        Assert.Equal(new ChunkInfo(fresh.Hash, reservations[0].BlobName!, fresh.Length, 3), await FindChunkAsync(fresh));
        Assert.Equal(new ChunkInfo(stored.Hash, storedReservation[0].BlobName!, stored.Length, 3), await FindChunkAsync(stored));
        Assert.Null(await FindChunkAsync(unused));
        // The blob nothing adopted goes at once, as an aborted upload's.
        Assert.Equal([new DeleteQueueEntry(reservations[2].BlobName!, unused.Hash, later, 0, null)], await QueueAsync());
        // The upload is gone: nothing is left to expire, and its addresses are reserved anew.
        Assert.Equal(0, await Catalog.Chunks.ExpireUploadsAsync(Forever, Ct));
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyStored, reservations[0].BlobName), await ReserveAgainAsync(upload, fresh));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_import_without_an_upload_adds_references_to_committed_chunks()
    {
        // Arrange
        var (a, b) = (Chunk("a"), Chunk("b"));
        var committed = await PutAsync("source", a, b);

        // Act
        var result = await ImportAsync("copy/", replace: false, null, Key("copy/k", Imported("copy/k", "null", "e", T1, b, a, b)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 1), result);
        Assert.Equal([b, a, b], (await Catalog.Objects.GetObjectAsync(Bucket, "copy/k", Ct))!.Chunks);
        Assert.Equal(new ChunkInfo(a.Hash, committed[0].BlobName!, a.Length, 2), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, committed[1].BlobName!, b.Length, 3), await FindChunkAsync(b));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_chunk_neither_reserved_nor_committed_is_ChunkMissing_and_nothing_changes()
    {
        // Arrange: a committed chunk, one the upload reserved, and one nobody has (named last, so
        // the others' references would be added before the missing one is found).
        await VersioningAsync(BucketVersioning.Enabled);
        var (stored, fresh, missing) = (Chunk("stored"), Chunk("fresh"), Chunk("missing"));
        await PutVersionAsync("p/old", "old", stored);
        var (upload, reservations) = await ReserveAsync(fresh);
        var (otherUpload, _) = await ReserveAsync(missing);
        var before = await StateAsync();

        // Act: replacing "p/"; then the same chunks without the upload, and a chunk another upload reserved.
        var withUpload = await ImportAsync("p/", replace: true, upload,
            Key("p/new", Imported("p/new", "v2", "e2", T2, stored, fresh), Imported("p/new", "v1", "e1", T1, missing)));
        var withoutUpload = await ImportAsync("p/", replace: true, null, Key("p/new", Imported("p/new", "v1", "e1", T1, stored, fresh)));
        var othersReservation = await ImportAsync("p/", replace: false, upload, Key("p/new", Imported("p/new", "v1", "e1", T1, missing)));

        // Assert
        Assert.Equal(ImportOutcome.ChunkMissing, withUpload.Outcome);
        Assert.Equal(ImportOutcome.ChunkMissing, withoutUpload.Outcome);
        Assert.Equal(ImportOutcome.ChunkMissing, othersReservation.Outcome);
        Assert.Equal(before, await StateAsync());
        Assert.Equal(1, await RefCountAsync(stored));
        Assert.Null(await FindChunkAsync(fresh));
        // The reservations stay for the caller to abort.
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), await ReserveAgainAsync(upload, fresh));
        Assert.Equal(ChunkReservationKind.AlreadyReserved, (await ReserveAgainAsync(otherUpload, missing)).Kind);
    }

    // ------------------------------------------------------------------ without replace

    [Fact(Timeout = 30_000)]
    public async Task Without_replace_a_key_the_bucket_holds_is_KeyExists_and_nothing_changes()
    {
        // Arrange: "p/a" has a version; "p/m" has only a delete marker (it still has a version).
        await VersioningAsync(BucketVersioning.Enabled);
        var fresh = Chunk("fresh");
        await PutInlineVersionAsync("p/a", "a");
        await DeleteAsync("p/m");
        var (upload, reservations) = await ReserveAsync(fresh);
        var before = await StateAsync();

        // Act
        var existing = await ImportAsync("p/", replace: false, upload,
            Key("p/new", Imported("p/new", "v1", "e1", T1, fresh)), Key("p/a", ImportedInline("p/a", "v1", "e1", T1)));
        var marked = await ImportAsync("p/", replace: false, upload, Key("p/m", ImportedInline("p/m", "v1", "e1", T1)));
        var afterRefusals = await StateAsync();
        var reservation = await ReserveAgainAsync(upload, fresh);
        var added = await ImportAsync("p/", replace: false, upload, Key("p/new", Imported("p/new", "v1", "e1", T1, fresh)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.KeyExists, Key: "p/a"), existing);
        Assert.Equal(new ImportResult(ImportOutcome.KeyExists, Key: "p/m"), marked);
        Assert.Equal(before, afterRefusals);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), reservation);
        // Without replace the other keys under the prefix stay as they were.
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 1), added);
        Assert.Equal(["p/a", "p/m", "p/new"], (await AllVersionsAsync()).Select(static v => v.Key).Order(StringComparer.Ordinal));
        Assert.Equal("a", (await Catalog.Objects.GetObjectAsync(Bucket, "p/a", Ct))!.ETag);
    }

    // ------------------------------------------------------------------ replace

    [Fact(Timeout = 30_000)]
    public async Task Replace_removes_every_version_of_every_key_under_the_prefix_and_nothing_outside_it()
    {
        // Arrange: under "a/": the prefix itself, a key with a noncurrent version, a key whose latest
        // is a delete marker, a deeper key. Around it: "a." and "a" sort before it, "a0" (the prefix's
        // successor) and "b" after it.
        await VersioningAsync(BucketVersioning.Enabled);
        await PutInlineVersionAsync("a/", "prefix");
        var oldX1 = await PutInlineVersionAsync("a/x", "x1");
        var oldX2 = await PutInlineVersionAsync("a/x", "x2");
        await PutInlineVersionAsync("a/y", "y1");
        await DeleteAsync("a/y");
        await PutInlineVersionAsync("a/z/deep", "deep");
        foreach (var outside in new[] { "a", "a.", "a0", "b" })
        {
            await PutInlineVersionAsync(outside, outside + "1");
            await PutInlineVersionAsync(outside, outside + "2");
        }
        await DeleteAsync("a0");
        var outsideBefore = (await AllVersionsAsync()).Where(static v => !v.Key.StartsWith("a/", StringComparison.Ordinal)).ToList();
        var newX = Key("a/x", ImportedInline("a/x", "nx", "new-x", T1));
        var newKey = Key("a/new", ImportedInline("a/new", "nn2", "new-2", T2), ImportedInline("a/new", "nn1", "new-1", T1));

        // Act
        var result = await ImportAsync("a/", replace: true, null, newX, newKey);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, KeysRemoved: 4, KeysImported: 2, VersionsImported: 3), result);
        Assert.Equal([.. Summaries(newKey), .. Summaries(newX)], await AllVersionsAsync("a/"));
        Assert.Equal(outsideBefore, (await AllVersionsAsync()).Where(static v => !v.Key.StartsWith("a/", StringComparison.Ordinal)));
        Assert.Equal(9, outsideBefore.Count);
        Assert.Null(await Catalog.Objects.GetObjectVersionAsync(Bucket, "a/x", oldX1, Ct));
        Assert.Null(await Catalog.Objects.GetObjectVersionAsync(Bucket, "a/x", oldX2, Ct));
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "a/", Ct));
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "a/y", Ct));
        Assert.Equal(["a", "a.", "a/new", "a/x", "b"], await LiveKeysAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Replace_releases_the_replaced_chunks_and_queues_those_at_zero_after_the_grace_but_never_a_shared_one()
    {
        // Arrange: "p/k" has a noncurrent and a current version; "p/other" is not imported; "q" is
        // outside the prefix. "shared" is used only by "p/k" before and by the import after (one
        // reference, so releasing it before adding would reach zero); "both" is used by "p/other" and "q".
        await VersioningAsync(BucketVersioning.Enabled);
        var (shared, gone1, gone2, gone3) = (Chunk("shared"), Chunk("gone1"), Chunk("gone2"), Chunk("gone3"));
        var (both, fresh) = (Chunk("both"), Chunk("fresh"));
        var blobs = new Dictionary<ContentHash, string>();
        var puts = new[] { ("p/k", new[] { shared, gone1 }), ("p/k", new[] { gone2 }), ("p/other", new[] { gone3, both }), ("q", new[] { both }) };
        foreach (var (key, chunks) in puts)
        {
            var (upload, reservations) = await ReserveAsync(chunks);
            Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version(key, "e", chunks)));
            foreach (var (chunk, reservation) in chunks.Zip(reservations))
            {
                blobs.TryAdd(chunk.Hash, reservation.BlobName!);
            }
        }
        var (importUpload, _) = await ReserveAsync(fresh, shared);
        var later = Now.AddMinutes(5);

        // Act
        var result = await ImportAtAsync(later, "p/", replace: true, importUpload,
            Key("p/k", Imported("p/k", "v2", "e2", T2, fresh, shared), Imported("p/k", "v1", "e1", T1, shared)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 2, 1, 2), result);
        Assert.Equal(new ChunkInfo(shared.Hash, blobs[shared.Hash], shared.Length, 2), await FindChunkAsync(shared));
        Assert.Equal(1, await RefCountAsync(both));
        Assert.Equal(1, await RefCountAsync(fresh));
        foreach (var gone in new[] { gone1, gone2, gone3 })
        {
            Assert.Equal(0, await RefCountAsync(gone));
        }
        var queued = await QueueAsync();
        Assert.Equal(
            new[] { gone1, gone2, gone3 }.Select(c => new DeleteQueueEntry(blobs[c.Hash], c.Hash, later + Grace, 0, null))
                .OrderBy(static e => e.BlobName, StringComparer.Ordinal),
            queued.OrderBy(static e => e.BlobName, StringComparer.Ordinal));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(later + Grace - TimeSpan.FromMilliseconds(1), 10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_import_with_replace_wipes_the_prefix()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var chunk = Chunk("c");
        await PutVersionAsync("w/1", "e", chunk);
        await PutInlineVersionAsync("w/2", "e1");
        await PutInlineVersionAsync("w/2", "e2");
        await DeleteAsync("w/3");
        await PutInlineVersionAsync("w0", "outside");
        await PutInlineVersionAsync("v", "outside");

        // Act
        var result = await ImportAsync("w/", replace: true, null);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, KeysRemoved: 3, KeysImported: 0, VersionsImported: 0), result);
        Assert.Empty(await AllVersionsAsync("w/"));
        Assert.Equal(["v", "w0"], (await AllVersionsAsync()).Select(static v => v.Key));
        Assert.Equal(0, await RefCountAsync(chunk));
        Assert.Single(await QueueAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Replace_with_the_empty_prefix_replaces_the_whole_bucket()
    {
        // Arrange: keys across the byte range, including ones above every ASCII key.
        await VersioningAsync(BucketVersioning.Enabled);
        string[] keys = ["A", "m/n", "z\u00ff", "\U0001F600", "\uFFFD"];
        foreach (var key in keys)
        {
            await PutInlineVersionAsync(key, "old");
        }
        await PutInlineVersionAsync("m/n", "older");

        // Act
        var result = await ImportAsync("", replace: true, null, Key("new", ImportedInline("new", "v1", "e", T1)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, KeysRemoved: 5, KeysImported: 1, VersionsImported: 1), result);
        Assert.Equal(["new"], (await AllVersionsAsync()).Select(static v => v.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task Replace_of_a_prefix_without_keys_removes_nothing()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        await PutInlineVersionAsync("other", "e");
        var versions = await AllVersionsAsync();

        // Act
        var result = await ImportAsync("p/", replace: true, null, Key("p/k", ImportedInline("p/k", "v1", "e1", T1)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 1), result);
        Assert.Equal(versions, (await AllVersionsAsync()).Where(static v => v.Key == "other"));
    }

    // ------------------------------------------------------------------ versioning

    [Fact(Timeout = 30_000)]
    public async Task Into_a_bucket_never_versioned_only_one_null_version_per_key_imports()
    {
        // Arrange: the bucket was never versioned.
        await PutInlineAsync("u/old");
        var before = await StateAsync();
        var fine = Key("u/fine", ImportedInline("u/fine", "null", "fine", T1));

        // Act: the acceptable key first, so a refusal must undo nothing it did.
        var twoVersions = await ImportAsync("u/", replace: true, null,
            fine, Key("u/two", ImportedInline("u/two", "null", "e2", T2), ImportedInline("u/two", "v1", "e1", T1)));
        var versionId = await ImportAsync("u/", replace: true, null, fine, Key("u/id", ImportedInline("u/id", "v1", "e1", T1)));
        var marker = await ImportAsync("u/", replace: false, null, fine, Key("u/marker", Marker("u/marker", "null", T1)));
        var afterRefusals = await StateAsync();
        var imported = await ImportAsync("u/", replace: true, null, fine);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.VersioningRequired, Key: "u/two"), twoVersions);
        Assert.Equal(new ImportResult(ImportOutcome.VersioningRequired, Key: "u/id"), versionId);
        Assert.Equal(new ImportResult(ImportOutcome.VersioningRequired, Key: "u/marker"), marker);
        Assert.Equal(before, afterRefusals);
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 1, 1, 1), imported);
        Assert.Equal([Summary(fine.Versions[0], true)], await AllVersionsAsync());
        // An unversioned write then replaces the imported null version, as any other.
        await CommitAsync(null, InlineVersion("u/fine", "put"));
        Assert.Equal(["put"], (await AllVersionsAsync()).Select(static v => v.ETag));
    }

    [Fact(Timeout = 30_000)]
    public async Task Into_a_suspended_bucket_versions_and_markers_import_as_given()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        await VersioningAsync(BucketVersioning.Suspended);
        var key = Key("k", Marker("k", "m", T3), ImportedInline("k", "null", "e2", T2), ImportedInline("k", "v1", "e1", T1));

        // Act
        var result = await ImportAsync("", replace: false, null, key);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 3), result);
        Assert.Equal(Summaries(key), await AllVersionsAsync());
    }

    // ------------------------------------------------------------------ Object Lock

    [Fact(Timeout = 30_000)]
    public async Task Replace_over_a_protected_version_is_Locked_and_nothing_changes()
    {
        // Arrange: a legal hold on a noncurrent version, a governance and a compliance retention in
        // force until tomorrow; a held key outside every prefix replaced.
        await LockBucketAsync();
        await PutInlineVersionAsync("held/k", "held", new ObjectLockState(null, LegalHold: true));
        await PutInlineVersionAsync("held/k", "plain");
        await PutInlineVersionAsync("gov/k", "gov", new ObjectLockState(new ObjectRetention(ObjectLockMode.Governance, Now.AddDays(1)), null));
        await PutInlineVersionAsync("comp/k", "comp", new ObjectLockState(new ObjectRetention(ObjectLockMode.Compliance, Now.AddDays(1)), null));
        await PutInlineVersionAsync("free/k", "free", new ObjectLockState(null, LegalHold: false));
        await PutInlineVersionAsync("free0", "held outside", new ObjectLockState(null, LegalHold: true));
        var before = await StateAsync();

        // Act
        var held = await ImportAsync("held/", replace: true, null, Key("held/new", ImportedInline("held/new", "v1", "e1", T1)));
        var governed = await ImportAsync("gov/", replace: true, null);
        var complied = await ImportAsync("", replace: true, null);
        var afterRefusals = await StateAsync();
        var free = await ImportAsync("free/", replace: true, null, Key("free/k", ImportedInline("free/k", "v1", "e1", T1)));
        // Once the retentions have run out, only the legal hold still protects.
        var dayAfter = Now.AddDays(2);
        var heldLater = await ImportAtAsync(dayAfter, "held/", replace: true, null);
        var governedLater = await ImportAtAsync(dayAfter, "gov/", replace: true, null);
        var compliedLater = await ImportAtAsync(dayAfter, "comp/", replace: true, null);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Locked, Key: "held/k"), held);
        Assert.Equal(new ImportResult(ImportOutcome.Locked, Key: "gov/k"), governed);
        Assert.Equal(ImportOutcome.Locked, complied.Outcome);
        Assert.Equal(before, afterRefusals);
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 1, 1, 1), free);
        Assert.Equal(new ImportResult(ImportOutcome.Locked, Key: "held/k"), heldLater);
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 1, 0, 0), governedLater);
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 1, 0, 0), compliedLater);
        Assert.Equal(["free/k", "free0", "held/k", "held/k"], (await AllVersionsAsync()).Select(static v => v.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_replace_locked_versions_elsewhere_do_not_matter()
    {
        // Arrange
        await LockBucketAsync();
        await PutInlineVersionAsync("p/held", "held", new ObjectLockState(null, LegalHold: true));

        // Act
        var result = await ImportAsync("p/", replace: false, null, Key("p/new", ImportedInline("p/new", "v1", "e1", T1)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 1), result);
        Assert.Equal(["p/held", "p/new"], (await AllVersionsAsync()).Select(static v => v.Key));
    }

    // ------------------------------------------------------------------ no bucket

    [Fact(Timeout = 30_000)]
    public async Task Import_into_a_missing_bucket_is_NoSuchBucket_and_changes_nothing()
    {
        // Arrange
        var chunk = Chunk("a");
        var (upload, reservations) = await ReserveAsync(chunk);
        var version = Imported("k", "null", "e", T1, chunk) with { Bucket = "absent" };

        // Act
        var result = await Catalog.Objects.ImportObjectsAsync(new ObjectImport("absent", "", true, upload, [Key("k", version)]), Now, Grace, Ct);

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.NoSuchBucket), result);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Empty(await QueueAsync());
        Assert.Null(await Catalog.Objects.GetObjectAsync("absent", "k", Ct));
        Assert.Null(await Catalog.Buckets.GetBucketAsync("absent", Ct));
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), await ReserveAgainAsync(upload, chunk));
    }

    // ------------------------------------------------------------------ journal

    [Fact(Timeout = 30_000)]
    public async Task The_journal_gets_the_removals_first_then_each_keys_versions_oldest_first_numbered_on()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        var a1 = await PutInlineVersionAsync("j/a", "a1");
        var a2 = await PutInlineVersionAsync("j/a", "a2");
        var b1 = await PutInlineVersionAsync("j/b", "b1");
        await PutInlineVersionAsync("out", "o");
        var last = (await JournalAsync())[^1].Seq;
        var keyB = Key("j/b", ImportedInline("j/b", "nb2", "new-b2", T2) with { Tags = new Dictionary<string, string> { ["t"] = "1" } },
            ImportedInline("j/b", "nb1", "new-b1", T1));
        var keyC = Key("j/c", Marker("j/c", "nc3", T3), ImportedInline("j/c", "nc2", "new-c2", T2), ImportedInline("j/c", "nc1", "new-c1", T1));

        // Act
        var result = await ImportAsync("j/", replace: true, null, keyB, keyC);
        var entries = await JournalAsync(last);
        await PutInlineVersionAsync("out", "after");

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 2, 2, 5), result);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => last + i), entries.Select(static e => e.Seq));
        var removals = entries.Take(3).ToList();
        Assert.All(removals, static e => Assert.Equal(JournalChange.Remove, e.Change));
        Assert.Equal(new[] { ("j/a", a1), ("j/a", a2), ("j/b", b1) }.Order(), removals.Select(static e => (e.Key, e.VersionId)).Order());
        var puts = entries.Skip(3).ToList();
        Assert.All(puts, static e => Assert.Equal(JournalChange.Put, e.Change));
        // Each key's versions together, oldest first, each entry holding its version's state.
        foreach (var key in new[] { keyB, keyC })
        {
            var expected = key.Versions.Reverse()
                .Select(static v => (v.Key, v.VersionId, (string?)v.ETag, v.Size, (DateTimeOffset?)v.LastModified, v.IsDeleteMarker));
            var first = puts.FindIndex(e => e.Key == key.Key);
            Assert.Equal(expected, puts.Skip(first).Take(key.Versions.Count)
                .Select(static e => (e.Key, e.VersionId, e.ETag, e.Size, e.LastModified, e.IsDeleteMarker)));
        }
        Assert.Equal([new KeyValuePair<string, string>("t", "1")], puts.Single(static e => e.VersionId == "nb2").Tags);
        Assert.Equal(last + 9, Assert.Single(await JournalAsync(last + 8)).Seq);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refused_import_appends_nothing_to_the_journal()
    {
        // Arrange
        await VersioningAsync(BucketVersioning.Enabled);
        await PutInlineVersionAsync("p/a", "a");
        var journal = await JournalAsync();

        // Act
        var exists = await ImportAsync("p/", replace: false, null, Key("p/a", ImportedInline("p/a", "v", "e", T1)));
        var missing = await ImportAsync("p/", replace: true, null, Key("p/b", Imported("p/b", "v", "e", T1, Chunk("nowhere"))));
        await PutInlineVersionAsync("p/a", "next");

        // Assert
        Assert.Equal((ImportOutcome.KeyExists, ImportOutcome.ChunkMissing), (exists.Outcome, missing.Outcome));
        Assert.Equal(Enumerable.Range(1, journal.Count + 1).Select(static i => (long)i), (await JournalAsync()).Select(static e => e.Seq));
    }

    // ------------------------------------------------------------------ arguments

    public static TheoryData<string> BadImports() =>
    [
        "key outside the prefix",
        "key given twice",
        "key without versions",
        "version id given twice",
        "version both inline and chunked",
        "delete marker with an inline body",
        "delete marker with chunks",
        "version of another key",
        "version of another bucket",
    ];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadImports))]
    public async Task An_import_no_source_can_bring_is_an_ArgumentException_and_changes_nothing(string bad)
    {
        // Arrange: the bucket holds a key under the prefix, the upload reserved a chunk.
        await VersioningAsync(BucketVersioning.Enabled);
        var chunk = Chunk("a");
        await PutInlineVersionAsync("p/existing", "e");
        var (upload, reservations) = await ReserveAsync(chunk);
        var good = Key("p/good", Imported("p/good", "v1", "e1", T1, chunk));
        ImportedKey[] keys = bad switch
        {
            "key outside the prefix" => [good, Key("q/k", ImportedInline("q/k", "v1", "e1", T1))],
            "key given twice" => [good, Key("p/good", ImportedInline("p/good", "v2", "e2", T2))],
            "key without versions" => [good, Key("p/empty")],
            "version id given twice" => [Key("p/k", ImportedInline("p/k", "v1", "e2", T2), ImportedInline("p/k", "v1", "e1", T1))],
            "version both inline and chunked" => [Key("p/k", ImportedInline("p/k", "v1", "e1", T1) with { Chunks = [chunk] })],
            "delete marker with an inline body" => [Key("p/k", Marker("p/k", "m", T1) with { InlineBody = [1] })],
            "delete marker with chunks" => [Key("p/k", Marker("p/k", "m", T1) with { Chunks = [chunk] })],
            "version of another key" => [Key("p/k", ImportedInline("p/k", "v2", "e2", T2), ImportedInline("p/other", "v1", "e1", T1))],
            "version of another bucket" => [Key("p/k", ImportedInline("p/k", "v1", "e1", T1) with { Bucket = "elsewhere" })],
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };
        var before = await StateAsync();

        // Act / Assert
        foreach (var replace in new[] { false, true })
        {
            await Assert.ThrowsAsync<ArgumentException>(async () =>
                await Catalog.Objects.ImportObjectsAsync(new ObjectImport(Bucket, "p/", replace, upload, keys), Now, Grace, Ct));
        }
        Assert.Equal(before, await StateAsync());
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), await ReserveAgainAsync(upload, chunk));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_equal_to_the_prefix_is_inside_it()
    {
        // Act
        var result = await ImportAsync("a/", replace: false, null, Key("a/", ImportedInline("a/", "null", "e", T1)));

        // Assert
        Assert.Equal(new ImportResult(ImportOutcome.Imported, 0, 1, 1), result);
        Assert.Equal("e", (await Catalog.Objects.GetObjectAsync(Bucket, "a/", Ct))!.ETag);
    }
}
