using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Packs;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>
/// The pack's bytes (issue 12): a sealed pack's entries come back from its index alone; a segment
/// cut anywhere by a crash gives back exactly the records written whole before the cut; damage is
/// found, never taken for a chunk.
/// </summary>
public sealed class PackFormatTests
{
    [Fact]
    public async Task A_sealed_pack_gives_its_entries_back_from_its_index_and_from_a_scan_and_each_points_at_its_stored_bytes()
    {
        var (pack, entries, chunks) = BuildPack(count: 7, seed: 1);
        var indexOffset = entries[^1].Offset + entries[^1].StoredLength;
        var sealedPack = pack.Concat(PackFormat.EncodeIndex(entries, indexOffset)).ToArray();

        Assert.True(PackFormat.TryReadTrailer(sealedPack.AsSpan(sealedPack.Length - PackFormat.TrailerSize), sealedPack.Length, out var offset, out var count));
        Assert.Equal((indexOffset, 7), (offset, count));
        Assert.Equal(entries, PackFormat.DecodeIndex(sealedPack.AsSpan((int)offset), offset));
        var scan = await PackFormat.ScanAsync(new MemoryStream(pack), CancellationToken.None);
        Assert.Equal(entries, scan.Entries);
        Assert.Equal(pack.Length, scan.ValidLength);
        for (var i = 0; i < entries.Count; i++)
        {
            var stored = sealedPack.AsSpan((int)entries[i].Offset, entries[i].StoredLength).ToArray();
            var decoded = new byte[entries[i].Length];
            if (entries[i].Codec == ChunkCodec.Zstd)
            {
                var chunk = new ChunkRef(entries[i].Hash, entries[i].Length);
                ChunkCodecs.Decode(chunk, new ChunkPlacement("pack", entries[i].Offset, stored.Length, ChunkCodec.Zstd), stored, decoded);
            }
            else
            {
                decoded = stored;
            }
            Assert.Equal(chunks[i], decoded);
            Assert.Equal(entries[i].Hash, ContentHash.Compute(decoded));
        }
    }

    [Fact]
    public async Task A_segment_cut_at_any_byte_gives_back_exactly_the_records_written_whole_before_the_cut()
    {
        var (pack, entries, _) = BuildPack(count: 4, seed: 2);
        for (var cut = 0; cut <= pack.Length; cut++)
        {
            var whole = entries.Where(e => e.Offset + e.StoredLength <= cut).ToList();
            var end = whole.Count == 0 ? 0 : whole[^1].Offset + whole[^1].StoredLength;

            var scan = await PackFormat.ScanAsync(new MemoryStream(pack, 0, cut), CancellationToken.None);

            Assert.Equal(whole, scan.Entries);
            Assert.Equal(end, scan.ValidLength);
        }
    }

    [Fact]
    public async Task A_damaged_byte_in_any_record_ends_the_scan_before_that_record()
    {
        var (pack, entries, _) = BuildPack(count: 3, seed: 3);
        var random = new Random(3);
        for (var record = 0; record < entries.Count; record++)
        {
            var start = entries[record].Offset - PackFormat.RecordHeaderSize;
            var end = entries[record].Offset + entries[record].StoredLength;
            foreach (var at in new[] { start, start + 4, start + 12, start + 20, start + 48, entries[record].Offset, end - 1, random.NextInt64(start, end) }.Where(at => at < end))
            {
                var damaged = pack.ToArray();
                damaged[at] ^= 0x01;

                var scan = await PackFormat.ScanAsync(new MemoryStream(damaged), CancellationToken.None);

                Assert.Equal(entries.Take(record), scan.Entries);
                Assert.Equal(start, scan.ValidLength);
            }
        }
    }

    [Fact]
    public void A_damaged_index_or_trailer_is_refused_never_read_as_entries()
    {
        var (pack, entries, _) = BuildPack(count: 3, seed: 4);
        var indexOffset = (long)pack.Length;
        var index = PackFormat.EncodeIndex(entries, indexOffset);

        for (var at = 0; at < index.Length; at++)
        {
            var damaged = index.ToArray();
            damaged[at] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => PackFormat.DecodeIndex(damaged, indexOffset));
        }
        Assert.Throws<InvalidDataException>(() => PackFormat.DecodeIndex(index.AsSpan(1), indexOffset + 1));
        Assert.Throws<InvalidDataException>(() => PackFormat.DecodeIndex(index.AsSpan(0, PackFormat.TrailerSize - 1), indexOffset));
        // An unsealed segment ends in record bytes, not a trailer.
        Assert.False(PackFormat.TryReadTrailer(pack.AsSpan(pack.Length - PackFormat.TrailerSize), pack.Length, out _, out _));
    }

    [Fact]
    public async Task An_empty_pack_seals_with_an_empty_index_and_an_empty_segment_scans_to_nothing()
    {
        var index = PackFormat.EncodeIndex([], 0);
        Assert.Equal(PackFormat.TrailerSize, index.Length);
        Assert.Empty(PackFormat.DecodeIndex(index, 0));
        var scan = await PackFormat.ScanAsync(new MemoryStream(), CancellationToken.None);
        Assert.Equal((0, 0L), (scan.Entries.Count, scan.ValidLength));
    }

    /// <summary>Records of random sizes (some empty, some compressed text, some random bytes), as a pack writer appends them.</summary>
    private static (byte[] Pack, List<PackEntry> Entries, List<byte[]> Chunks) BuildPack(int count, int seed)
    {
        var random = new Random(seed);
        var pack = new MemoryStream();
        var entries = new List<PackEntry>();
        var chunks = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var chunk = (i % 3) switch
            {
                0 => ChunkPlacementTests.CompressibleBytes(random.Next(200, 3000)),
                1 => EngineHarness.RandomBytes(random.Next(1, 400), seed + i),
                _ => i == 2 ? [] : EngineHarness.RandomBytes(random.Next(1, 50), seed + i),
            };
            using var encoded = ChunkCodecs.TryCompress(chunk, 1, 0.125);
            var stored = encoded is null ? chunk : encoded.Bytes.ToArray();
            var codec = encoded is null ? ChunkCodec.None : ChunkCodec.Zstd;
            var hash = ContentHash.Compute(chunk);
            var header = new byte[PackFormat.RecordHeaderSize];
            PackFormat.WriteRecordHeader(header, hash, chunk.Length, codec, stored);
            pack.Write(header);
            entries.Add(new PackEntry(hash, pack.Position, chunk.Length, stored.Length, codec));
            pack.Write(stored);
            chunks.Add(chunk);
        }
        return (pack.ToArray(), entries, chunks);
    }
}
