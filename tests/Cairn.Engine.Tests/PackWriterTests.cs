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
        engine.Packs.SealOpenPack();
        Assert.Equal(1, (await engine.Packs.SealAndShipDueAsync(CancellationToken.None)).Count);

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
        Assert.Equal(2, (await engine.Packs.SealAndShipDueAsync(CancellationToken.None)).Count);
        var packs = await engine.Metadata.ListPacksAsync(CancellationToken.None);
        Assert.Equal([PackState.Open, PackState.Stored, PackState.Stored], packs.Select(static p => p.State).Order());
        Assert.Equal(0, (await engine.Packs.SealAndShipDueAsync(CancellationToken.None)).Count);

        engine.Clock.Advance(engine.Options.PackMaxAge);
        Assert.Equal(1, (await engine.Packs.SealAndShipDueAsync(CancellationToken.None)).Count);

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
        engine.Packs.SealOpenPack();
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
        engine.Packs.SealOpenPack();
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
