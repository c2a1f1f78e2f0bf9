using Cairn.Engine.Packs;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>
/// Small chunks in packs (issue 12), through the engine: appended to one local segment, durable
/// there when the PUT returns, read from the segment and then from the blob store once the pack is
/// sealed and shipped as one blob whose index lists its chunks.
/// </summary>
public sealed class PackWriterTests
{
    private const int PackThreshold = 64 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task Small_bodies_share_one_pack_read_back_from_its_segment_and_after_shipping_from_its_one_blob()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var bodies = Enumerable.Range(0, 40).Select(i => EngineHarness.RandomBytes(2000 + (i * 97), seed: 100 + i)).ToList();
        for (var i = 0; i < bodies.Count; i++)
        {
            await engine.PutAsync("small/" + i, bodies[i]);
        }

        // In the open pack: one pack for all, nothing in the blob store yet, every body reads back.
        var rows = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        Assert.Equal(40, rows.Count);
        var packId = Assert.Single(rows.Select(static r => r.Placement.PackId).Distinct());
        Assert.NotNull(packId);
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Equal(PackState.Open, Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None)).State);
        await AssertReadBackAsync(engine, bodies);

        // Sealed and shipped: one blob, the segment gone, the pack stored.
        await engine.Packs.SealOpenPackAsync(CancellationToken.None);
        Assert.Equal(1, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));

        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal((PackState.Stored, 40L, 0L), (pack.State, pack.LiveChunks, pack.DeadBytes(PackFormat.RecordHeaderSize)));
        Assert.Equal([pack.BlobName], await engine.BlobNamesAsync());
        Assert.Equal(0, engine.Segments.GetUsedBytes());
        await AssertReadBackAsync(engine, bodies);

        // The blob alone says where each chunk is: its index matches the catalog's rows.
        var blob = await ReadBlobAsync(engine, pack.BlobName);
        Assert.True(PackFormat.TryReadTrailer(blob.AsSpan(blob.Length - PackFormat.TrailerSize), blob.Length, out var indexOffset, out _));
        Assert.Equal(pack.DataLength, indexOffset);
        var entries = PackFormat.DecodeIndex(blob.AsSpan((int)indexOffset), indexOffset);
        Assert.Equal(
            rows.Select(static r => (r.Hash, r.Placement.Offset, r.Placement.StoredLength, r.Placement.Codec)).OrderBy(static e => e.Offset),
            entries.Select(static e => (e.Hash, e.Offset, e.StoredLength, e.Codec)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_full_pack_is_shipped_and_the_next_chunk_opens_another_and_an_old_one_is_shipped_by_age()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 20_000);
        for (var i = 0; i < 10; i++)
        {
            await engine.PutAsync("k" + i, EngineHarness.RandomBytes(5000, seed: i));
        }

        // 5,052 bytes a record: the fourth fills a pack.
        Assert.Equal(2, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));
        var packs = await engine.Metadata.ListPacksAsync(CancellationToken.None);
        Assert.Equal([PackState.Open, PackState.Stored, PackState.Stored], packs.Select(static p => p.State).Order());
        Assert.Equal(0, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));

        engine.Clock.Advance(engine.Options.PackMaxAge);
        Assert.Equal(1, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));

        Assert.All(await engine.Metadata.ListPacksAsync(CancellationToken.None), static p => Assert.Equal(PackState.Stored, p.State));
        Assert.Equal(3, (await engine.BlobNamesAsync()).Count);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(EngineHarness.RandomBytes(5000, seed: i), await engine.ReadAsync("k" + i));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task An_acknowledged_small_put_survives_a_crash_of_the_segment_store()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var body = EngineHarness.RandomBytes(3000, seed: 7);
        await engine.PutAsync("k", body);

        // What a crash keeps: the flushed bytes only.
        engine.Segments.Crash(unflushedKept: 0);

        Assert.Equal(body, await engine.ReadAsync("k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bytes_the_catalog_already_holds_are_not_appended_again_and_compressible_ones_are_packed_compressed()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var text = ChunkPlacementTests.CompressibleBytes(20_000);
        await engine.PutAsync("a", text);
        await engine.PutAsync("b", text);

        var row = Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal((2L, ChunkCodec.Zstd), (row.RefCount, row.Placement.Codec));
        Assert.True(row.Placement.StoredLength < text.Length / 2);
        await engine.Packs.SealOpenPackAsync(CancellationToken.None);
        await engine.Packs.SealAndShipDueAsync(CancellationToken.None);
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal(PackFormat.RecordHeaderSize + row.Placement.StoredLength, pack.DataLength);
        Assert.Equal(text, await engine.ReadAsync("a"));
        Assert.Equal(text, await engine.ReadAsync("b"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_packed_objects_leaves_dead_space_in_the_pack_and_deletes_no_blob()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        for (var i = 0; i < 6; i++)
        {
            await engine.PutAsync("k" + i, EngineHarness.RandomBytes(2000 + i, seed: 50 + i));
        }
        await engine.Packs.SealOpenPackAsync(CancellationToken.None);
        await engine.Packs.SealAndShipDueAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, "k" + i, CancellationToken.None);
        }

        Assert.Equal(0, await engine.SweepAfterGraceAsync());
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal(3, pack.LiveChunks);
        Assert.Equal(3 * PackFormat.RecordHeaderSize + 2000 + 2001 + 2002, pack.DeadBytes(PackFormat.RecordHeaderSize));
        Assert.Single(await engine.BlobNamesAsync());
        for (var i = 3; i < 6; i++)
        {
            Assert.Equal(EngineHarness.RandomBytes(2000 + i, seed: 50 + i), await engine.ReadAsync("k" + i));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Chunks_above_the_threshold_stay_blobs_of_their_own()
    {
        await using var engine = await EngineHarness.CreateAsync(chunkSize: 128 * 1024, packThreshold: PackThreshold);
        var body = EngineHarness.RandomBytes((128 * 1024) + 500, seed: 9);
        await engine.PutAsync("mixed", body);

        var rows = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        Assert.Null(rows.Single(static r => r.Length == 128 * 1024).Placement.PackId);
        Assert.NotNull(rows.Single(static r => r.Length == 500).Placement.PackId);
        Assert.Equal(2, rows.Count);
        Assert.Equal(body, await engine.ReadAsync("mixed"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(PackFormat.RecordHeaderSize + 10)]
    public async Task After_a_crash_an_open_pack_is_sealed_with_its_whole_records_and_shipped_and_a_torn_tail_goes(int tornBytes)
    {
        // Arrange: five acknowledged PUTs in the open pack, then a record torn by the crash.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var bodies = Enumerable.Range(0, 5).Select(i => EngineHarness.RandomBytes(3000 + i, seed: 200 + i)).ToList();
        for (var i = 0; i < bodies.Count; i++)
        {
            await engine.PutAsync("small/" + i, bodies[i]);
        }
        var open = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        var acknowledged = (await engine.Metadata.ListChunksAsync(CancellationToken.None)).Max(static r => r.Placement.Offset + r.Placement.StoredLength);
        await using (var tail = await engine.Segments.ResumeAsync(open.Id, acknowledged, CancellationToken.None))
        {
            await tail.AppendAsync(EngineHarness.RandomBytes(PackFormat.RecordHeaderSize + 500, seed: 1), ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        }
        engine.Segments.Crash(unflushedKept: tornBytes);

        // Act: the node starts again (a new writer over the same catalog and stores).
        await using var restarted = new PackWriter(engine.Segments, engine.Metadata, engine.Flaky, engine.Options, engine.Clock);
        Assert.Equal(1, await restarted.RecoverAsync(CancellationToken.None));
        Assert.Equal(1, await restarted.SealAndShipDueAsync(CancellationToken.None));

        // Assert: sealed at the acknowledged length, shipped, every acknowledged body reads back.
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal((PackState.Stored, acknowledged, 5L), (pack.State, pack.DataLength, pack.LiveChunks));
        Assert.Equal([pack.BlobName], await engine.BlobNamesAsync());
        Assert.Equal(0, engine.Segments.GetUsedBytes());
        var blob = await ReadBlobAsync(engine, pack.BlobName);
        Assert.Equal(5, PackFormat.DecodeIndex(blob.AsSpan((int)acknowledged), acknowledged).Count);
        await AssertReadBackAsync(engine, bodies);
    }

    [Fact(Timeout = 30_000)]
    public async Task After_a_crash_a_sealed_pack_that_failed_to_ship_is_shipped_and_a_leftover_segment_is_deleted()
    {
        // Arrange: a pack sealed, whose upload fails; and a segment no pack waits for.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var body = EngineHarness.RandomBytes(4000, seed: 300);
        await engine.PutAsync("k", body);
        await engine.Packs.SealOpenPackAsync(CancellationToken.None);
        engine.Flaky.Inject(Storage.BlobOperation.Put, new BlobFault { FailureRate = 1.0, IsTransient = false });
        await Assert.ThrowsAnyAsync<Exception>(() => engine.Packs.SealAndShipDueAsync(CancellationToken.None));
        engine.Flaky.ClearAll();
        Assert.Equal(PackState.Sealed, Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None)).State);
        await (await engine.Segments.CreateAsync("orphan", CancellationToken.None)).DisposeAsync();

        // Act
        await using var restarted = new PackWriter(engine.Segments, engine.Metadata, engine.Flaky, engine.Options, engine.Clock);
        Assert.Equal(1, await restarted.RecoverAsync(CancellationToken.None));
        await restarted.SealAndShipDueAsync(CancellationToken.None);

        // Assert
        Assert.Equal(PackState.Stored, Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None)).State);
        Assert.Empty(await SegmentNamesAsync(engine));
        Assert.Equal(body, await engine.ReadAsync("k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pack_registered_just_before_a_crash_is_sealed_empty_and_one_whose_referenced_segment_is_lost_is_left_alone()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        Assert.True(await engine.Metadata.CreatePackAsync("empty", "packs/em/empty", engine.Options.NodeId, engine.Clock.GetUtcNow(), CancellationToken.None));
        Assert.True(await engine.Metadata.CreatePackAsync("elsewhere", "packs/el/elsewhere", "another-node", engine.Clock.GetUtcNow(), CancellationToken.None));
        await engine.PutAsync("k", EngineHarness.RandomBytes(4000, seed: 301));
        var lost = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None), static p => p.LiveChunks == 1);
        await engine.Segments.DeleteAsync(lost.Id, CancellationToken.None);

        await using var restarted = new PackWriter(engine.Segments, engine.Metadata, engine.Flaky, engine.Options, engine.Clock);
        Assert.Equal(1, await restarted.RecoverAsync(CancellationToken.None));
        await restarted.SealAndShipDueAsync(CancellationToken.None);

        var packs = (await engine.Metadata.ListPacksAsync(CancellationToken.None)).ToDictionary(static p => p.Id);
        Assert.Equal((PackState.Stored, 0L), (packs["empty"].State, packs["empty"].DataLength));
        Assert.Equal(PackState.Open, packs["elsewhere"].State);
        Assert.Equal(PackState.Open, packs[lost.Id].State);
    }

    [Fact(Timeout = 30_000)]
    public async Task With_acknowledgement_after_upload_puts_return_once_their_pack_is_stored()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packAcknowledge: PackAcknowledgement.Upload);
        var bodies = Enumerable.Range(0, 5).Select(i => EngineHarness.RandomBytes(3000 + i, seed: 200 + i)).ToList();

        // Act: five PUTs append to one pack and wait; the window closes and the worker ships the pack.
        var puts = bodies.Select((body, i) => Task.Run(() => engine.PutAsync("small/" + i, body))).ToList();
        await WaitUntilAsync(() => engine.Packs.LocalSegmentBytes >= bodies.Sum(static b => b.Length + PackFormat.RecordHeaderSize));
        await Task.Delay(50);
        Assert.DoesNotContain(puts, static put => put.IsCompleted);
        Assert.Equal(0, await engine.Packs.SealAndShipDueAsync(CancellationToken.None)); // the window is still open
        engine.Clock.Advance(engine.Options.PackUploadWindow);
        Assert.Equal(1, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));
        await Task.WhenAll(puts);

        // Assert: acknowledged with their pack in the blob store, nothing left in the segment store.
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal((PackState.Stored, 5L), (pack.State, pack.LiveChunks));
        Assert.Equal([pack.BlobName], await engine.BlobNamesAsync());
        Assert.Equal(0, engine.Packs.LocalSegmentBytes);
        Assert.Empty(await SegmentNamesAsync(engine));
        await AssertReadBackAsync(engine, bodies);
    }

    [Fact(Timeout = 30_000)]
    public async Task With_acknowledgement_after_upload_a_failed_upload_fails_the_put_and_nothing_is_committed()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packAcknowledge: PackAcknowledgement.Upload);
        engine.Flaky.Inject(Cairn.Storage.BlobOperation.Put, BlobFault.Always(isTransient: false));
        var put = Task.Run(() => engine.PutAsync("small/0", EngineHarness.RandomBytes(3000, seed: 210)));
        await WaitUntilAsync(() => engine.Packs.LocalSegmentBytes > 0);

        engine.Clock.Advance(engine.Options.PackUploadWindow);
        await Assert.ThrowsAnyAsync<Exception>(() => engine.Packs.SealAndShipDueAsync(CancellationToken.None));

        // The PUT fails and its object does not exist; the pack ships later, as dead space.
        await Assert.ThrowsAnyAsync<Exception>(() => put);
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "small/0", Cairn.Engine.Objects.ReadConditions.None, null, CancellationToken.None);
        Assert.Equal(Cairn.Engine.Objects.GetObjectStatus.NoSuchKey, found.Status);
        engine.Flaky.ClearAll();
        Assert.Equal(1, await engine.Packs.SealAndShipDueAsync(CancellationToken.None));
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(CancellationToken.None));
        Assert.Equal((PackState.Stored, 0L), (pack.State, pack.LiveChunks));
    }

    [Fact(Timeout = 30_000)]
    public async Task At_the_segment_store_limit_small_chunks_are_stored_as_blobs_of_their_own_and_the_store_never_passes_it()
    {
        // Arrange: a limit of 64 KiB and no shipping (as if the upstream were slow): 60 PUTs of about 3 KiB.
        const long limit = 64 * 1024;
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: limit, segmentStoreLimit: limit);
        var bodies = Enumerable.Range(0, 60).Select(i => EngineHarness.RandomBytes(3000 + i, seed: 300 + i)).ToList();

        // Act
        long peak = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            await engine.PutAsync("small/" + i, bodies[i]);
            peak = Math.Max(peak, engine.Packs.LocalSegmentBytes);
        }

        // Assert: the store stayed within its limit; the rest became blobs; all read back, and once
        // the packs ship the store is empty.
        Assert.InRange(peak, limit / 2, limit);
        var rows = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        Assert.Equal(60, rows.Count);
        Assert.InRange(rows.Count(static r => r.Placement.PackId is null), 30, 45);
        await AssertReadBackAsync(engine, bodies);
        Assert.True(await engine.Packs.SealAndShipDueAsync(CancellationToken.None) >= 1);
        Assert.Equal(0, engine.Packs.LocalSegmentBytes);
        await AssertReadBackAsync(engine, bodies);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the condition did not hold within 10 s");
    }

    private static async Task<List<string>> SegmentNamesAsync(EngineHarness engine)
    {
        var names = new List<string>();
        await foreach (var name in engine.Segments.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }
        return names;
    }

    private static async Task AssertReadBackAsync(EngineHarness engine, List<byte[]> bodies)
    {
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(bodies[i], await engine.ReadAsync("small/" + i));
        }
    }

    private static async Task<byte[]> ReadBlobAsync(EngineHarness engine, string name)
    {
        var length = await engine.Blobs.GetLengthAsync(name, CancellationToken.None) ?? throw new InvalidOperationException(name);
        var bytes = new byte[length];
        Assert.Equal(bytes.Length, await engine.Blobs.ReadAsync(name, 0, bytes, CancellationToken.None));
        return bytes;
    }
}
