using Cairn.Engine.Archive;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Engine.Packs;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Tests;

/// <summary>
/// A restore with small objects in packs (issues 12 and 13): the chunk store's packs are found by
/// their indexes, a pack still in a local segment is shipped, the packs used are registered with the
/// live bytes of the restored chunks, a pack nothing restored uses goes to the sweeper, and a pack
/// whose trailer does not check is reported and its chunks missing.
/// </summary>
public abstract partial class JournalArchiveTests
{
    private const string PackedBucket = "packed";

    [Fact(Timeout = 60_000)]
    public async Task Small_objects_in_packs_are_restored_with_their_packs_registered_and_read_back_byte_exact()
    {
        // Arrange: a pack whose objects are all deleted; stored packs with some objects deleted; a
        // last pack still open in the node's local segment.
        var packed = await PackedWorkloadAsync();
        var sourcePacks = await _store.ListPacksAsync(Ct);
        await ArchiveAllAsync();

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System, packed.Segments)
            .RestoreAsync(null, null, Ct);

        // Assert: every object reads back; the packs in use registered as stored with the same data
        // and live bytes the source counted; the open one shipped; the dead one queued a day on.
        Assert.Empty(report.MissingChunks);
        Assert.Empty(report.UnreadablePacks);
        Assert.Equal([packed.OpenPack], report.SegmentsShipped);
        await AssertReadBackAsync(rebuilt, packed.Bodies);
        var restoredPacks = await rebuilt.ListPacksAsync(Ct);
        Assert.All(restoredPacks, static pack => Assert.Equal(PackState.Stored, pack.State));
        Assert.Equal(report.Packs, restoredPacks.Count);
        Assert.Equal(
            sourcePacks.Where(static p => p.LiveChunks > 0).Select(static p => (p.Id, p.BlobName, p.LiveChunks, p.LiveBytes)).OrderBy(static p => p.Id, StringComparer.Ordinal),
            restoredPacks.Select(static p => (p.Id, p.BlobName, p.LiveChunks, p.LiveBytes)).OrderBy(static p => p.Id, StringComparer.Ordinal));
        Assert.All(restoredPacks.Where(p => p.Id != packed.OpenPack),
            pack => Assert.Equal(sourcePacks.Single(p => p.Id == pack.Id).DataLength, pack.DataLength));
        Assert.True(restoredPacks.Single(p => p.Id == packed.OpenPack).DataLength > 0);
        Assert.True(await _hot.GetLengthAsync(PackNames.BlobNameOf(packed.OpenPack), Ct) > 0);
        var queued = await rebuilt.GetDueDeletesAsync(DateTimeOffset.MaxValue, 1000, Ct);
        var dead = Assert.Single(queued, entry => entry.BlobName == packed.DeadPackBlob);
        Assert.True(dead.NotBefore > DateTimeOffset.UtcNow.AddHours(23));
        Assert.DoesNotContain(restoredPacks, pack => pack.BlobName == packed.DeadPackBlob);
        Assert.DoesNotContain(queued, entry => restoredPacks.Any(pack => pack.BlobName == entry.BlobName));

        // And the compactor takes the restored packs as its own: the deleted objects' dead space is
        // rewritten away, and every object still reads back.
        var compaction = await new PackCompactor(rebuilt, _hot, packed.Options, _clock).CompactAsync(Ct);
        Assert.True(compaction.PacksWritten > 0 && compaction.Refused == 0, compaction.ToString());
        await AssertReadBackAsync(rebuilt, packed.Bodies);
    }

    [Fact(Timeout = 60_000)]
    public async Task Packs_compacted_before_the_archive_are_restored_from_the_new_pack_and_the_old_ones_queued()
    {
        // Arrange: the packed workload, compacted; the rewritten packs retired, their blobs still there (grace).
        var packed = await PackedWorkloadAsync();
        var compaction = await new PackCompactor(_store, _hot, packed.Options, _clock).CompactAsync(Ct);
        Assert.True(compaction.PacksWritten > 0, compaction.ToString());
        var sourcePacks = await _store.ListPacksAsync(Ct);
        var retired = sourcePacks.Where(static p => p.State == PackState.Retired).Select(static p => p.BlobName).ToList();
        Assert.NotEmpty(retired);
        foreach (var blob in retired)
        {
            Assert.NotNull(await _hot.GetLengthAsync(blob, Ct));
        }
        await ArchiveAllAsync();

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System, packed.Segments)
            .RestoreAsync(null, null, Ct);

        // Assert: the chunks placed where the source placed them (the compaction's output and the
        // packs it left alone); the retired packs queued, not registered.
        Assert.Empty(report.MissingChunks);
        Assert.Equal(
            sourcePacks.Where(static p => p.LiveChunks > 0).Select(static p => (p.Id, p.LiveChunks, p.LiveBytes)).OrderBy(static p => p.Id, StringComparer.Ordinal),
            (await rebuilt.ListPacksAsync(Ct)).Select(static p => (p.Id, p.LiveChunks, p.LiveBytes)).OrderBy(static p => p.Id, StringComparer.Ordinal));
        var queued = (await rebuilt.GetDueDeletesAsync(DateTimeOffset.MaxValue, 1000, Ct)).Select(static e => e.BlobName).ToHashSet(StringComparer.Ordinal);
        Assert.All(retired, blob => Assert.Contains(blob, queued));
        await AssertReadBackAsync(rebuilt, packed.Bodies);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pack_whose_trailer_does_not_check_is_reported_and_its_chunks_missing()
    {
        // Arrange: the packed workload, with one stored pack's trailer damaged (its magic's last byte).
        var packed = await PackedWorkloadAsync();
        await ArchiveAllAsync();
        var damaged = (await _store.ListPacksAsync(Ct)).Where(static p => p.State == PackState.Stored && p.LiveChunks > 0)
            .OrderBy(static p => p.Id, StringComparer.Ordinal).First();
        var bytes = await _hot.ReadAllAsync(damaged.BlobName, Ct);
        bytes[^1] ^= 0x01;
        await _hot.PutAsync(damaged.BlobName, bytes, Ct);
        var inDamaged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in packed.Bodies.Keys)
        {
            var version = (await _store.GetObjectAsync(PackedBucket, key, Ct))!;
            var placements = await _store.LocateChunksAsync([.. version.Chunks.Select(static c => c.Hash)], Ct);
            if (placements.Values.Any(p => p.PackId == damaged.Id))
            {
                inDamaged.Add(key);
            }
        }
        Assert.NotEmpty(inDamaged);

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System, packed.Segments)
            .RestoreAsync(null, null, Ct);

        // Assert: the pack reported and not trusted (not registered, not queued: the operator's to look
        // at); its keys missing and left out; every other key restored byte-exact.
        Assert.StartsWith(damaged.BlobName + ":", Assert.Single(report.UnreadablePacks), StringComparison.Ordinal);
        Assert.Equal(inDamaged.Order(StringComparer.Ordinal),
            report.MissingChunks.Select(static m => m[(m.IndexOf('/', StringComparison.Ordinal) + 1)..^1]).Order(StringComparer.Ordinal));
        foreach (var key in inDamaged)
        {
            Assert.Null(await rebuilt.GetObjectAsync(PackedBucket, key, Ct));
        }
        await AssertReadBackAsync(rebuilt, packed.Bodies.Where(pair => !inDamaged.Contains(pair.Key)).ToDictionary());
        Assert.DoesNotContain(await rebuilt.ListPacksAsync(Ct), pack => pack.Id == damaged.Id);
        Assert.DoesNotContain(await rebuilt.GetDueDeletesAsync(DateTimeOffset.MaxValue, 1000, Ct), entry => entry.BlobName == damaged.BlobName);
    }

    private sealed record PackedWorkload(Dictionary<string, byte[]> Bodies, InMemorySegmentStore Segments, EngineOptions Options, string DeadPackBlob,
        string OpenPack);

    /// <summary>
    /// Small objects in packs of about 64 KiB in bucket <see cref="PackedBucket"/>: a first pack whose
    /// objects are then all deleted, stored packs with every third object deleted, and a last pack left
    /// open in the local segment. Returns the objects left and where the packs are.
    /// </summary>
    private async Task<PackedWorkload> PackedWorkloadAsync()
    {
        var options = new EngineOptions
        {
            ChunkSize = 64 * 1024,
            InlineThreshold = 1024,
            PackThreshold = 64 * 1024,
            PackTargetSize = 64 * 1024,
        };
        var segments = new InMemorySegmentStore();
        await using var writer = new PackWriter(segments, _store, _hot, options, _clock);
        var objects = new ObjectService(_store, _store, new ChunkStore(_hot, _store, options, _clock, new ChunkReadPins(), packs: writer), options, _clock);
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(PackedBucket, _clock.GetUtcNow(), "us-east-1"), Ct));
        var bodies = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var random = new Random(13);

        async Task PutSmallAsync(string key)
        {
            var body = new byte[random.Next(2_000, 12_000)];
            random.NextBytes(body);
            Assert.Equal(PutObjectStatus.Created, (await objects.PutAsync(new PutObjectCommand
            {
                Bucket = PackedBucket,
                Key = key,
                Body = new MemoryStream(body),
                DeclaredLength = body.Length,
            }, Ct)).Status);
            bodies[key] = body;
        }

        async Task ShipAsync()
        {
            await writer.SealOpenPackAsync(Ct);
            await writer.SealAndShipDueAsync(Ct);
        }

        for (var i = 0; i < 4; i++)
        {
            await PutSmallAsync($"dead/{i}");
        }
        await ShipAsync();
        var deadPack = Assert.Single(await _store.ListPacksAsync(Ct)).BlobName;
        foreach (var key in bodies.Keys.ToList())
        {
            await objects.DeleteAsync(PackedBucket, key, Ct);
            bodies.Remove(key);
        }
        for (var i = 0; i < 30; i++)
        {
            await PutSmallAsync($"live/{i:D2}");
        }
        await ShipAsync();
        for (var i = 0; i < 30; i += 3)
        {
            await objects.DeleteAsync(PackedBucket, $"live/{i:D2}", Ct);
            bodies.Remove($"live/{i:D2}");
        }
        for (var i = 0; i < 3; i++)
        {
            await PutSmallAsync($"open/{i}");
        }
        var open = Assert.Single(await _store.ListPacksAsync(Ct), static p => p.State == PackState.Open).Id;
        Assert.True((await _store.ListPacksAsync(Ct)).Count(static p => p.State == PackState.Stored) >= 3);
        return new PackedWorkload(bodies, segments, options, deadPack, open);
    }

    /// <summary>Every object of <paramref name="bodies"/> reads back byte-exact from <paramref name="store"/>, through the engine.</summary>
    private async Task AssertReadBackAsync(SqlMetadataStore store, Dictionary<string, byte[]> bodies)
    {
        var objects = ObjectsOver(store);
        foreach (var (key, body) in bodies)
        {
            var found = await objects.GetAsync(PackedBucket, key, ReadConditions.None, null, Ct);
            Assert.Equal(GetObjectStatus.Found, found.Status);
            var read = new MemoryStream();
            await objects.WriteBodyAsync(found, read, Ct);
            Assert.True(body.AsSpan().SequenceEqual(read.ToArray()), $"{key} reads back as written");
        }
    }
}
