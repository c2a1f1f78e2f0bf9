using Cairn.Core;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Archive;

/// <summary>What a restore did, and what it could not.</summary>
/// <param name="Lineage">The archive lineage restored from.</param>
/// <param name="NewLineage">The lineage the rebuilt catalog archives into from now on.</param>
/// <param name="StateAt">The time of the bucket-state document used.</param>
/// <param name="LastEntryAt">The commit time of the newest journal entry replayed after the snapshots used (null: none, or none had one).</param>
/// <param name="Buckets">Buckets rebuilt.</param>
/// <param name="Keys">Keys rebuilt.</param>
/// <param name="Versions">Versions (and delete markers) rebuilt.</param>
/// <param name="ChunksReferenced">Chunks the rebuilt versions name that the chunk store holds.</param>
/// <param name="MissingChunks">Chunks a restored version names that the chunk store does not hold (each with a key naming it); their keys are left out.</param>
/// <param name="VersionsWithoutRecord">Versions archived without their contents (written before journal records, gone when archived); left out.</param>
/// <param name="UnreferencedBlobs">Chunk and pack blobs nothing restored names: queued for the sweeper, deleted a day after the restore.</param>
/// <param name="Packs">Packs some restored chunk is placed in, registered in the catalog as stored.</param>
/// <param name="UnreadablePacks">Pack blobs whose trailer or index does not check, each with why: not trusted (none of their chunks is placed in them) and left where they are.</param>
/// <param name="SegmentsShipped">Packs whose local segment (never shipped by the node) the restore shipped into the chunk store before reading it.</param>
/// <param name="SnapshotsUsed">Buckets rebuilt from a snapshot (their journal replayed from its number on), not from their first entry.</param>
/// <param name="NewestSnapshotAt">When the newest snapshot used was read (null: none used).</param>
public sealed record RestoreReport(string Lineage, string NewLineage, DateTimeOffset StateAt, DateTimeOffset? LastEntryAt, int Buckets, int Keys,
    int Versions, int ChunksReferenced, IReadOnlyList<string> MissingChunks, IReadOnlyList<string> VersionsWithoutRecord, int UnreferencedBlobs,
    int Packs, IReadOnlyList<string> UnreadablePacks, IReadOnlyList<string> SegmentsShipped, int SnapshotsUsed, DateTimeOffset? NewestSnapshotAt)
{
    /// <summary>The latest change the rebuilt catalog holds, as far as the archive dates it: the newer of the last entry replayed and the newest snapshot used.</summary>
    public DateTimeOffset? StandsAt => LastEntryAt > NewestSnapshotAt || NewestSnapshotAt is null ? LastEntryAt : NewestSnapshotAt;
}

/// <summary>
/// Rebuilds a catalog from a journal archive alone (issue 13, <c>cairn restore</c>, with the server
/// stopped): the newest bucket-state document at or before the point in time, then each bucket's
/// newest snapshot read by then (none: an empty bucket at entry 0) and its journal segments after the
/// snapshot's number replayed in order up to the moment (every file checked whole; a gap in the
/// numbers is an error, never skipped). Chunk placements are not in the archive: they are found in the chunk
/// store itself (the hot store's <c>chunks/</c> and each tier's), and every chunk a restored version
/// names must be there; chunk blobs nothing names are queued for the sweeper. The rebuilt catalog
/// gets a new archive lineage, so its own journal never writes over the one it came from.
/// </summary>
/// <remarks>
/// Chunks in packs are found too (<see cref="ChunkStoreInventory"/>): each pack in <c>packs/</c> by
/// its index, after the packs whose local segments <paramref name="localSegments"/> still holds are
/// shipped as the node would have. The packs restored chunks are placed in are registered as stored;
/// packs none is placed in are queued for the sweeper like unnamed chunk blobs.
/// </remarks>
/// <param name="archive">The journal archive.</param>
/// <param name="chunkStore">The chunk store (the server's blob store, tiers routed by name).</param>
/// <param name="tiers">The configured tiers, whose <c>chunks/</c> are searched too.</param>
/// <param name="target">The empty, migrated catalog to rebuild.</param>
/// <param name="time">The clock for the new lineage, reservations and the sweeper's times.</param>
/// <param name="localSegments">The node's local segment store (packs not shipped yet); null when there is none.</param>
public sealed class ArchiveRestorer(IBlobBackend archive, IBlobBackend chunkStore, IReadOnlyList<string> tiers, MetadataCatalog target, TimeProvider time,
    ISegmentStore? localSegments = null)
{
    /// <summary>The node a restore registers the packs it finds under, until they are recorded as stored (which clears it).</summary>
    private const string RestoreNode = "(restore)";

    /// <summary>Keys brought in per catalog transaction.</summary>
    private const int KeysPerImport = 500;

    /// <summary>How long blobs nothing restored names wait before the sweeper deletes them: time to think again.</summary>
    public static readonly TimeSpan UnreferencedGrace = TimeSpan.FromDays(1);

    /// <summary>The lineages in the archive, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListLineagesAsync(CancellationToken cancellationToken)
    {
        var lineages = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var name in archive.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveLayout.TryParseStateName(name, out var lineage, out _))
            {
                lineages.Add(lineage);
            }
        }
        return [.. lineages];
    }

    /// <summary>
    /// Rebuilds the (empty, migrated) target catalog from <paramref name="lineage"/> (the newest when null)
    /// as it was at <paramref name="at"/> (the newest entry when null); a bucket named in
    /// <paramref name="toEntries"/> exactly as it was right after that entry of its journal (and no
    /// later than the moment).
    /// </summary>
    /// <exception cref="InvalidDataException">The archive has no such lineage or no bucket state by then, a segment does not check, entries are
    /// missing, or a bucket of <paramref name="toEntries"/> is not restored or its archive ends before that entry.</exception>
    /// <exception cref="InvalidOperationException">The target catalog is not empty.</exception>
    public async Task<RestoreReport> RestoreAsync(string? lineage, DateTimeOffset? at, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, long>? toEntries = null)
    {
        toEntries ??= new Dictionary<string, long>();
        if (toEntries.Values.Any(static seq => seq < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(toEntries), "A journal entry number is 0 or more.");
        }
        if ((await target.Buckets.ListBucketsAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new InvalidOperationException("The catalog to rebuild already has buckets: restore builds a new catalog.");
        }
        if (lineage is null)
        {
            var lineages = await ListLineagesAsync(cancellationToken).ConfigureAwait(false);
            lineage = lineages.Count switch
            {
                0 => throw new InvalidDataException("The archive holds no lineage (no bucket state)."),
                1 => lineages[0],
                // A catalog restored before writes a lineage of its own: which one to restore is the operator's call.
                _ => throw new InvalidDataException($"The archive holds {lineages.Count} lineages ({string.Join(", ", lineages)}): name one with --lineage."),
            };
        }
        var until = at ?? DateTimeOffset.MaxValue;

        // 1. The buckets, from the newest state at or before the moment.
        var (stateAt, stateName) = await FindStateAsync(lineage, until, cancellationToken).ConfigureAwait(false);
        var stateBuckets = BucketStateFormat.Decode(await ReadArchiveAsync(stateName, cancellationToken).ConfigureAwait(false));

        // 2. Each bucket's newest snapshot by the moment, and its journal after it replayed up to the moment.
        var segments = await ListSegmentsAsync(lineage, cancellationToken).ConfigureAwait(false);
        var snapshots = await ListSnapshotsAsync(lineage, until, cancellationToken).ConfigureAwait(false);
        var snapshotsUsed = 0;
        DateTimeOffset? newestSnapshotAt = null;
        var restored = new List<(ArchivedBucket Bucket, Dictionary<string, List<ObjectVersionRecord>> Keys)>();
        var withoutRecord = new List<string>();
        DateTimeOffset? lastEntryAt = null;
        var known = stateBuckets.ToDictionary(static b => (b.Bucket.Name, b.Bucket.CreatedAt.ToUnixTimeMilliseconds()));
        // The buckets of the state, and those made after it and by the moment (a journal of a bucket
        // gone by the state's time is left out).
        var madeLater = segments.Select(static s => (s.Bucket, s.CreatedAt)).Concat(snapshots.Select(static s => (s.Bucket, s.CreatedAt)))
            .Where(s => !known.ContainsKey((s.Bucket, s.CreatedAt.ToUnixTimeMilliseconds())) && s.CreatedAt > stateAt && s.CreatedAt <= until)
            .GroupBy(static s => (s.Bucket, s.CreatedAt))
            // A bucket made after the state document: its row as the journal can tell it; the newest
            // of one name (deleted and made again) is the one that stands at the moment.
            .Select(static g => new ArchivedBucket(new BucketRecord(g.Key.Bucket, g.Key.CreatedAt, "us-east-1"), []))
            .GroupBy(static b => b.Bucket.Name, StringComparer.Ordinal)
            .Select(static g => g.MaxBy(static b => b.Bucket.CreatedAt)!)
            .ToList();
        var replacedLater = madeLater.Select(static b => b.Bucket.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var bucket in stateBuckets.Where(b => !replacedLater.Contains(b.Bucket.Name)).Concat(madeLater))
        {
            var keys = new Dictionary<string, List<ObjectVersionRecord>>(StringComparer.Ordinal);
            long applied = 0;
            var untilSeq = toEntries.TryGetValue(bucket.Bucket.Name, out var entrySeq) ? entrySeq : long.MaxValue;
            // A snapshot stands exactly at its number: one past the entry asked for holds later changes.
            if (snapshots.Where(s => s.Bucket == bucket.Bucket.Name && s.CreatedAt == bucket.Bucket.CreatedAt && s.Seq <= untilSeq)
                .MaxBy(static s => (s.TakenAt, s.Seq)) is { } start)
            {
                (keys, applied) = (await ReadSnapshotAsync(start, cancellationToken).ConfigureAwait(false), start.Seq);
                snapshotsUsed++;
                newestSnapshotAt = newestSnapshotAt > start.TakenAt ? newestSnapshotAt : start.TakenAt;
            }
            var journal = segments.Where(s => s.Bucket == bucket.Bucket.Name && s.CreatedAt == bucket.Bucket.CreatedAt).ToList();
            var (last, reached) = await ReplayAsync(journal, keys, applied, until, untilSeq, withoutRecord, cancellationToken).ConfigureAwait(false);
            if (untilSeq != long.MaxValue && reached < untilSeq)
            {
                throw new InvalidDataException($"Bucket {bucket.Bucket.Name}'s archive ends at entry {reached}{(at is null ? "" : " by that moment")}, " +
                    $"before entry {untilSeq}.");
            }
            if (last is { } entryAt && (lastEntryAt is null || entryAt > lastEntryAt))
            {
                lastEntryAt = entryAt;
            }
            var archivedBucket = bucket;
            if (bucket.Bucket.Versioning == BucketVersioning.Unversioned
                && keys.Values.Any(static versions => versions.Count > 1 || versions.Any(static v => v.VersionId != "null" || v.IsDeleteMarker)))
            {
                // Made after the state document, and versioned since: what its versions say.
                archivedBucket = bucket with { Bucket = bucket.Bucket with { Versioning = BucketVersioning.Enabled } };
            }
            restored.Add((archivedBucket, keys));
        }

        if (toEntries.Keys.FirstOrDefault(name => !restored.Any(r => r.Bucket.Bucket.Name == name)) is { } unknown)
        {
            throw new InvalidDataException($"Bucket {unknown} is not in the archive{(at is null ? "" : " at that moment")}: no entry of it can be restored.");
        }

        // 3. The chunks the versions name, where the chunk store holds them.
        IReadOnlyList<string> shipped = localSegments is null
            ? []
            : await ChunkStoreInventory.ShipSegmentsAsync(localSegments, chunkStore, cancellationToken).ConfigureAwait(false);
        var inventory = await ChunkStoreInventory.ScanAsync(chunkStore, tiers, cancellationToken).ConfigureAwait(false);
        var referenced = new Dictionary<ContentHash, (int Length, string Key)>();
        foreach (var (bucket, keys) in restored)
        {
            foreach (var (key, versions) in keys)
            {
                foreach (var chunk in versions.SelectMany(static v => v.Chunks))
                {
                    referenced.TryAdd(chunk.Hash, (chunk.Length, bucket.Bucket.Name + "/" + key));
                }
            }
        }
        var placements = inventory.Place(referenced.ToDictionary(static pair => pair.Key, static pair => pair.Value.Length));
        var missing = referenced.Where(pair => !placements.ContainsKey(pair.Key)).Select(static pair => $"{pair.Key} ({pair.Value.Key})").ToList();
        // A key with a chunk missing is left out whole: its other chunks are used only if another key names them.
        var importable = restored.Select(r => (r.Bucket, Keys: r.Keys.Where(pair => pair.Value.All(v => v.Chunks.All(c => placements.ContainsKey(c.Hash))))
            .OrderBy(static pair => pair.Key, StringComparer.Ordinal)
            .Select(static pair => new ImportedKey(pair.Key, pair.Value))
            .ToList())).ToList();
        var used = importable.SelectMany(static r => r.Keys).SelectMany(static key => key.Versions).SelectMany(static v => v.Chunks)
            .Select(static c => c.Hash).Distinct().ToDictionary(static hash => hash, hash => placements[hash]);

        // 4. The catalog: buckets, then keys imported with their chunks reserved at their places.
        var now = time.GetUtcNow();
        var newLineage = await target.JournalArchive.GetOrCreateArchiveLineageAsync(ArchiveLayout.NewLineage(now), now, cancellationToken).ConfigureAwait(false);
        var packs = inventory.PacksUsedBy(used.Values);
        await RegisterPacksAsync(packs, now, cancellationToken).ConfigureAwait(false);
        var keyCount = 0;
        var versionCount = 0;
        foreach (var (bucket, keys) in importable)
        {
            await CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            foreach (var batch in keys.Chunk(KeysPerImport))
            {
                // Each import adopts what its upload reserved, at the places found (a chunk an earlier
                // import committed is only pinned), and drops the rest.
                var upload = Guid.NewGuid();
                foreach (var hash in batch.SelectMany(static key => key.Versions).SelectMany(static v => v.Chunks).Select(static c => c.Hash).Distinct())
                {
                    await target.Chunks.ReserveChunkAsync(upload, hash, referenced[hash].Length, placements[hash], now + TimeSpan.FromDays(1),
                        cancellationToken).ConfigureAwait(false);
                }
                var result = await target.Objects.ImportObjectsAsync(new ObjectImport(bucket.Bucket.Name, "", Replace: false, upload, batch), now,
                    TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                await target.Chunks.AbortUploadAsync(upload, now, cancellationToken).ConfigureAwait(false);
                if (result.Outcome != ImportOutcome.Imported)
                {
                    throw new InvalidDataException($"Bucket {bucket.Bucket.Name}: the import refused key '{result.Key}' ({result.Outcome}).");
                }
                keyCount += result.KeysImported;
                versionCount += result.VersionsImported;
            }
            await RestoreStorageClassesAsync(bucket.Bucket.Name, keys, placements, now, cancellationToken).ConfigureAwait(false);
            if (bucket.Bucket.ObjectLock is { DefaultRetention: not null } locking)
            {
                await target.Buckets.PutObjectLockConfigurationAsync(bucket.Bucket.Name, locking, cancellationToken).ConfigureAwait(false);
            }
        }

        // 5. Blobs nothing restored names (chunk blobs, and packs none of whose chunks is placed in
        // them; a pack with no row is deleted whole), a left-out key's included: for the sweeper, after a day.
        var unreferenced = inventory.UnusedBlobs(used.Values);
        await target.DeleteQueue.QueueBlobsAsync(unreferenced, now + UnreferencedGrace, cancellationToken).ConfigureAwait(false);
        return new RestoreReport(lineage, newLineage, stateAt, lastEntryAt, restored.Count, keyCount, versionCount, used.Count, missing, withoutRecord,
            unreferenced.Count, packs.Count, inventory.UnreadablePacks, shipped, snapshotsUsed, newestSnapshotAt);
    }

    private async Task<(DateTimeOffset At, string Name)> FindStateAsync(string lineage, DateTimeOffset until, CancellationToken cancellationToken)
    {
        (DateTimeOffset At, string Name)? best = null;
        await foreach (var name in archive.ListAsync(lineage + "/state/", cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveLayout.TryParseStateName(name, out _, out var at) && at <= until && (best is null || at > best.Value.At))
            {
                best = (at, name);
            }
        }
        return best ?? throw new InvalidDataException($"Lineage {lineage} has no bucket state at or before {until:O}.");
    }

    private sealed record SegmentName(string Name, string Bucket, DateTimeOffset CreatedAt, long First, long Last);

    private async Task<List<SegmentName>> ListSegmentsAsync(string lineage, CancellationToken cancellationToken)
    {
        var segments = new List<SegmentName>();
        await foreach (var name in archive.ListAsync(lineage + "/journal/", cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveLayout.TryParseSegmentName(name, out _, out var bucket, out var created, out var first, out var last))
            {
                segments.Add(new SegmentName(name, bucket, created, first, last));
            }
        }
        segments.Sort(static (a, b) => a.First != b.First ? a.First.CompareTo(b.First) : b.Last.CompareTo(a.Last));
        return segments;
    }

    private sealed record SnapshotName(string Name, string Bucket, DateTimeOffset CreatedAt, long Seq, DateTimeOffset TakenAt);

    /// <summary>The lineage's snapshots read at or before <paramref name="until"/> (a later one may hold changes after it).</summary>
    private async Task<List<SnapshotName>> ListSnapshotsAsync(string lineage, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var snapshots = new List<SnapshotName>();
        await foreach (var name in archive.ListAsync(lineage + "/snapshot/", cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveLayout.TryParseSnapshotName(name, out _, out var bucket, out var created, out var seq, out var takenAt) && takenAt <= until)
            {
                snapshots.Add(new SnapshotName(name, bucket, created, seq, takenAt));
            }
        }
        return snapshots;
    }

    private async Task<Dictionary<string, List<ObjectVersionRecord>>> ReadSnapshotAsync(SnapshotName name, CancellationToken cancellationToken)
    {
        BucketSnapshot snapshot;
        try
        {
            // Through a temporary file: a bucket's snapshot can be larger than one array holds.
            await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"cairn-restore-{Guid.NewGuid():N}.jsonl.gz"), FileMode.CreateNew,
                FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            await DownloadAsync(name.Name, file, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            snapshot = await BucketSnapshotFormat.ReadAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Snapshot {name.Name}: {ex.Message}", ex);
        }
        if (snapshot.Bucket != name.Bucket || snapshot.BucketCreatedAt != name.CreatedAt || snapshot.Seq != name.Seq || snapshot.TakenAt != name.TakenAt)
        {
            throw new InvalidDataException($"Snapshot {name.Name}: its header names another bucket, number or time than its name.");
        }
        return snapshot.Keys;
    }

    /// <summary>
    /// Replays the segments (sorted by first number) into <paramref name="keys"/>, which stand at entry
    /// <paramref name="applied"/>, up to <paramref name="until"/> and entry <paramref name="untilSeq"/>;
    /// returns the last entry's time and number.
    /// </summary>
    private async Task<(DateTimeOffset? LastAt, long Applied)> ReplayAsync(List<SegmentName> segments, Dictionary<string, List<ObjectVersionRecord>> keys,
        long applied, DateTimeOffset until, long untilSeq, List<string> withoutRecord, CancellationToken cancellationToken)
    {
        DateTimeOffset? lastAt = null;
        foreach (var name in segments)
        {
            if (applied >= untilSeq)
            {
                break;
            }
            if (name.Last <= applied)
            {
                continue; // uploaded again after a failure to record it, or overlapped by a longer one
            }
            if (name.First > applied + 1)
            {
                throw new InvalidDataException($"Entries {applied + 1} to {name.First - 1} of bucket {name.Bucket} are missing from the archive.");
            }
            JournalSegment segment;
            try
            {
                segment = await JournalSegmentFormat.ReadAsync(new MemoryStream(await ReadArchiveAsync(name.Name, cancellationToken).ConfigureAwait(false)),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"Segment {name.Name}: {ex.Message}", ex);
            }
            if (segment.Bucket != name.Bucket || segment.BucketCreatedAt != name.CreatedAt || segment.FirstSeq != name.First || segment.LastSeq != name.Last)
            {
                throw new InvalidDataException($"Segment {name.Name}: its header names another bucket or range than its name.");
            }
            foreach (var entry in segment.Entries)
            {
                if (entry.Seq <= applied)
                {
                    continue;
                }
                if (entry.Seq > untilSeq || (entry.CommittedAt is { } committed && committed > until))
                {
                    return (lastAt, applied);
                }
                Apply(keys, entry, segment.Bucket, withoutRecord);
                applied = entry.Seq;
                lastAt = entry.CommittedAt ?? lastAt;
            }
        }
        return (lastAt, applied);
    }

    private static void Apply(Dictionary<string, List<ObjectVersionRecord>> keys, ArchivedEntry entry, string bucket, List<string> withoutRecord)
    {
        keys.TryGetValue(entry.Key, out var versions);
        var index = versions?.FindIndex(v => v.VersionId == entry.VersionId) ?? -1;
        switch (entry.Change)
        {
            case JournalChange.Put when entry.Version is null:
                withoutRecord.Add($"{bucket}/{entry.Key} version {entry.VersionId}");
                break;
            case JournalChange.Put:
                versions ??= keys[entry.Key] = [];
                if (index >= 0)
                {
                    versions.RemoveAt(index); // the null version written again
                }
                versions.Insert(0, entry.Version!);
                break;
            case JournalChange.Remove when index >= 0:
                versions!.RemoveAt(index);
                if (versions.Count == 0)
                {
                    keys.Remove(entry.Key);
                }
                break;
            case JournalChange.Tags when index >= 0:
                versions![index] = versions[index] with { Tags = entry.Tags ?? new Dictionary<string, string>() };
                break;
            case JournalChange.Lock when index >= 0:
                versions![index] = versions[index] with { Lock = entry.Lock };
                break;
        }
    }

    private async Task CreateBucketAsync(ArchivedBucket archived, CancellationToken cancellationToken)
    {
        var bucket = archived.Bucket;
        // Object Lock without its default retention until the keys are in: an import gives the default
        // to a version without a retention, and these versions are restored as they were.
        var created = bucket with
        {
            Tags = new Dictionary<string, string>(),
            ObjectLock = bucket.ObjectLock is null ? null : new ObjectLockConfiguration(null),
        };
        if (bucket.Owner is { } owner)
        {
            // Users and keys are not archived: the owner comes back as a user without keys (root gives it new ones).
            await target.Identities.TryCreateUserAsync(new UserRecord(owner, bucket.CreatedAt), cancellationToken).ConfigureAwait(false);
        }
        if (!await target.Buckets.TryCreateBucketAsync(created, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Bucket {bucket.Name} exists in the catalog being rebuilt.");
        }
        if (bucket.ObjectLock is null && bucket.Versioning != BucketVersioning.Unversioned)
        {
            await target.Buckets.PutBucketVersioningAsync(bucket.Name, bucket.Versioning, cancellationToken).ConfigureAwait(false);
        }
        if (bucket.Tags.Count > 0)
        {
            await target.Buckets.PutBucketTagsAsync(bucket.Name, bucket.Tags, cancellationToken).ConfigureAwait(false);
        }
        foreach (var configuration in archived.Configurations)
        {
            await target.Configurations.PutBucketConfigurationAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A version whose every chunk is in one tier was moved there: its storage class says so again.</summary>
    private async Task RestoreStorageClassesAsync(string bucket, List<ImportedKey> keys, Dictionary<ContentHash, ChunkPlacement> placements,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tierBySegment = tiers.ToDictionary(TieredBlobBackend.SegmentOf, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            foreach (var version in key.Versions.Where(static v => v.Chunks.Count > 0))
            {
                var segmentsUsed = version.Chunks
                    .Select(c => TieredBlobBackend.TrySplitName(placements[c.Hash].BlobName, out var segment, out _) ? segment : null)
                    .Distinct().ToList();
                if (segmentsUsed is [{ } only] && tierBySegment.TryGetValue(only, out var tier))
                {
                    await target.Objects.MoveVersionToTierAsync(new TierMove(bucket, key.Key, version.VersionId, version.ETag, tier, []), now, TimeSpan.Zero,
                        cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Registers each pack a restored chunk is placed in as the pack writer leaves a shipped one
    /// (registered, sealed with the length of its records, stored), before any reservation names it:
    /// a chunk row's pack must exist, and a stored pack is one the compactor may rewrite.
    /// </summary>
    private async Task RegisterPacksAsync(IReadOnlyList<StoredPack> packs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var pack in packs)
        {
            if (!await target.Packs.CreatePackAsync(pack.Id, pack.BlobName, RestoreNode, now, cancellationToken).ConfigureAwait(false)
                || !await target.Packs.SealPackAsync(pack.Id, pack.DataLength, now, cancellationToken).ConfigureAwait(false)
                || !await target.Packs.MarkPackStoredAsync(pack.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Pack {pack.Id} is already in the catalog being rebuilt.");
            }
        }
    }

    /// <summary>Copies an archive file into <paramref name="destination"/>, 4 MiB per read.</summary>
    private async Task DownloadAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        var length = await archive.GetLengthAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{name} is missing from the archive.");
        var buffer = new byte[(int)Math.Min(length, 4 * 1024 * 1024)];
        for (long offset = 0; offset < length;)
        {
            var want = (int)Math.Min(buffer.Length, length - offset);
            if (await archive.ReadFullyAsync(name, offset, buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false) is var read && read < want)
            {
                throw new InvalidDataException($"{name} ended at {offset + read} of its {length} bytes.");
            }
            await destination.WriteAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
            offset += want;
        }
    }

    private async Task<byte[]> ReadArchiveAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await archive.ReadAllAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            throw new InvalidDataException($"{name} is missing from the archive.", ex);
        }
    }
}
