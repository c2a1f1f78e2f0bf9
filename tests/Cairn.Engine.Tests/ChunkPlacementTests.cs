using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>
/// A chunk's placement is data (issue 12): reads go where the catalog's row says (blob, offset,
/// stored length, codec), and chunks that compress are stored as one zstd frame, addressed by
/// their uncompressed bytes.
/// </summary>
public sealed class ChunkPlacementTests
{
    private const int ChunkSize = 64 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task A_compressible_body_is_stored_as_zstd_frames_and_every_range_reads_back_exactly()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        var body = CompressibleBytes(5 * ChunkSize + 321);
        await engine.PutAsync("text", body);

        var rows = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        Assert.Equal(6, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(ChunkCodec.Zstd, row.Placement.Codec);
            Assert.True(row.Placement.StoredLength < row.Length / 2, $"{row.Placement.StoredLength} of {row.Length} bytes stored");
            Assert.Equal(row.Placement.StoredLength, (await BlobAsync(engine, row.BlobName)).Length);
            Assert.Equal(0, row.Placement.Offset);
        }

        Assert.Equal(body, await engine.ReadAsync("text"));
        foreach (var (offset, length) in new (long, long)[] { (0, 1), (ChunkSize - 3, 7), (ChunkSize, ChunkSize), (2 * ChunkSize + 9, 2 * ChunkSize), (body.Length - 5, 5) })
        {
            Assert.Equal(body.AsSpan((int)offset, (int)length).ToArray(), await ReadRangeAsync(engine, "text", offset, length));
        }
        await engine.AssertBlobsMatchCatalogAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Incompressible_chunks_and_chunks_with_compression_off_are_stored_as_is()
    {
        await using var compressing = await EngineHarness.CreateAsync(ChunkSize);
        var random = EngineHarness.RandomBytes(2 * ChunkSize + 10, seed: 31);
        await compressing.PutAsync("random", random);
        foreach (var row in await compressing.Metadata.ListChunksAsync(CancellationToken.None))
        {
            Assert.Equal(ChunkPlacement.Whole(row.BlobName, row.Length), row.Placement);
            Assert.Equal(row.Length, (await BlobAsync(compressing, row.BlobName)).Length);
        }
        Assert.Equal(random, await compressing.ReadAsync("random"));

        await using var plain = await EngineHarness.CreateAsync(ChunkSize, compression: ChunkCompression.None);
        var text = CompressibleBytes(ChunkSize + 100);
        await plain.PutAsync("text", text);
        foreach (var row in await plain.Metadata.ListChunksAsync(CancellationToken.None))
        {
            Assert.Equal(ChunkPlacement.Whole(row.BlobName, row.Length), row.Placement);
        }
        Assert.Equal(text, await plain.ReadAsync("text"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_large_chunk_whose_sample_does_not_compress_is_stored_as_is_without_compressing_the_rest()
    {
        await using var engine = await EngineHarness.CreateAsync(4 * ChunkCodecs.SampleBytes);
        // Random first sample, then text that would compress: the sample decides.
        var body = EngineHarness.RandomBytes(ChunkCodecs.SampleBytes, seed: 32).Concat(CompressibleBytes(3 * ChunkCodecs.SampleBytes)).ToArray();
        await engine.PutAsync("mixed", body);

        var row = Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal(ChunkCodec.None, row.Placement.Codec);
        Assert.Equal(body, await engine.ReadAsync("mixed"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_compressed_chunk_that_dedups_keeps_the_first_placement_and_both_versions_read()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        var body = CompressibleBytes(ChunkSize);
        await engine.PutAsync("a", body);
        var first = Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        await engine.PutAsync("b", body);

        var shared = Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal(first.Placement, shared.Placement);
        Assert.Equal(2, shared.RefCount);
        Assert.Equal(body, await engine.ReadAsync("a"));
        Assert.Equal(body, await engine.ReadAsync("b"));
        await engine.AssertBlobsMatchCatalogAsync();
    }

    public static TheoryData<string> Damages => ["flipped byte", "truncated", "frame of another length", "not zstd"];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_compressed_chunk_is_a_hard_error_naming_the_chunk_never_a_wrong_body(string damage)
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        var body = CompressibleBytes(ChunkSize);
        await engine.PutAsync("k", body);
        var row = Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        var stored = await BlobAsync(engine, row.BlobName);
        byte[] replacement = damage switch
        {
            "flipped byte" => Flip(stored, stored.Length / 2),
            "truncated" => stored[..^3],
            // A valid frame of other bytes, stored under the same placement's length: decodes, but not to this chunk.
            "frame of another length" => ZstdFrame(CompressibleBytes(ChunkSize - 1)),
            _ => Encoding.ASCII.GetBytes(new string('x', stored.Length)),
        };
        await engine.Blobs.DeleteAsync(row.BlobName, CancellationToken.None);
        await engine.Blobs.PutAsync(row.BlobName, replacement, CancellationToken.None);

        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None);
        var output = new MemoryStream();
        var error = await Assert.ThrowsAsync<ChunkIntegrityException>(() => engine.Objects.WriteBodyAsync(found, output, CancellationToken.None));
        Assert.Equal(row.Hash, error.Hash);
        Assert.Equal(0, output.Length);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_chunk_placed_at_an_offset_inside_a_larger_blob_reads_from_there()
    {
        // What packs will do: the reservation names the blob, the offset and the stored length; the
        // commit adopts that placement and every read goes there.
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        var chunk = EngineHarness.RandomBytes(5000, seed: 33);
        var hash = ContentHash.Compute(chunk);
        var container = EngineHarness.RandomBytes(100, seed: 34).Concat(chunk).Concat(EngineHarness.RandomBytes(50, seed: 35)).ToArray();
        await engine.Blobs.PutAsync("packs/test", container, CancellationToken.None);
        var upload = Guid.NewGuid();
        var placement = new ChunkPlacement("packs/test", 100, chunk.Length, ChunkCodec.None);
        var reservation = await engine.Metadata.ReserveChunkAsync(upload, hash, chunk.Length, placement, engine.Clock.GetUtcNow().AddHours(1),
            CancellationToken.None);
        Assert.Equal(ChunkReservationKind.MustWrite, reservation.Kind);
        var version = new ObjectVersionRecord
        {
            Bucket = EngineHarness.Bucket,
            Key = "packed",
            Size = chunk.Length,
            ETag = "0123456789abcdef0123456789abcdef",
            LastModified = engine.Clock.GetUtcNow(),
            Chunks = [new ChunkRef(hash, chunk.Length)],
        };
        var commit = await engine.Metadata.CommitObjectAsync(new ObjectCommit(upload, version, WritePrecondition.None), engine.Clock.GetUtcNow(),
            TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CommitOutcome.Committed, commit.Outcome);

        Assert.Equal(placement, Assert.Single(await engine.Metadata.ListChunksAsync(CancellationToken.None)).Placement);
        Assert.Equal(chunk, await engine.ReadAsync("packed"));
        Assert.Equal(chunk.AsSpan(4000, 1000).ToArray(), await ReadRangeAsync(engine, "packed", 4000, 1000));
    }

    /// <summary>Text-like bytes (words from a small vocabulary): zstd at level 1 keeps under half, a quarter of a whole chunk.</summary>
    internal static byte[] CompressibleBytes(int length)
    {
        string[] words = ["cairn", "object", "chunk", "pack", "bucket", "stone", "path", "merkle", "root", "journal"];
        var random = new Random(length);
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(' ');
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x5a;
        return copy;
    }

    private static byte[] ZstdFrame(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(1);
        return compressor.Wrap(data).ToArray();
    }

    private static async Task<byte[]> BlobAsync(EngineHarness engine, string name)
    {
        var length = await engine.Blobs.GetLengthAsync(name, CancellationToken.None) ?? throw new InvalidOperationException($"no blob {name}");
        var bytes = new byte[length];
        Assert.Equal(bytes.Length, await engine.Blobs.ReadAsync(name, 0, bytes, CancellationToken.None));
        return bytes;
    }

    private static async Task<byte[]> ReadRangeAsync(EngineHarness engine, string key, long offset, long length)
    {
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, key, ReadConditions.None,
            new ByteRangeRequest(offset, offset + length - 1, null), CancellationToken.None);
        Assert.Equal(GetObjectStatus.Found, found.Status);
        var output = new MemoryStream();
        await engine.Objects.WriteBodyAsync(found, output, CancellationToken.None);
        return output.ToArray();
    }
}
