using System.Text;
using Cairn.Core;

namespace Cairn.Mst.Tests;

public class CarTests
{
    private static (List<Cid> Roots, List<CarBlock> Blocks) SampleContent()
    {
        var random = new Random(5);
        var blocks = new List<CarBlock>();
        var tree = MstTree.Create(Enumerable.Range(0, 200).Select(i =>
        {
            var chunk = new byte[random.Next(0, 3000)];
            random.NextBytes(chunk);
            var cid = Cid.ForRaw(chunk);
            blocks.Add(new CarBlock(cid, chunk));
            return new KeyValuePair<byte[], Cid>(Encoding.UTF8.GetBytes($"key/{i}"), cid);
        }));
        var big = new byte[1 << 20];
        random.NextBytes(big);
        blocks.Add(new CarBlock(Cid.ForRaw(big), big));
        var root = tree.ComputeRoot();
        blocks.InsertRange(0, tree.GetAllBlocks().Select(b => new CarBlock(b.Cid, b.Data)).Reverse());
        return ([root], blocks);
    }

    private static async Task<byte[]> WriteCarAsync(IReadOnlyList<Cid> roots, IEnumerable<CarBlock> blocks)
    {
        using var stream = new MemoryStream();
        var writer = new CarWriter(stream);
        await writer.WriteHeaderAsync(roots, CancellationToken.None);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(block.Cid, block.Data, CancellationToken.None);
        }
        return stream.ToArray();
    }

    private static async Task<(IReadOnlyList<Cid> Roots, List<CarBlock> Blocks)> ReadCarAsync(Stream stream, int maxBlockBytes = CarReader.DefaultMaxBlockBytes)
    {
        var reader = await CarReader.OpenAsync(stream, CancellationToken.None, maxBlockBytes);
        var blocks = new List<CarBlock>();
        await foreach (var block in reader.ReadBlocksAsync(CancellationToken.None))
        {
            blocks.Add(block);
        }
        return (reader.Roots, blocks);
    }

    private static async Task<CarFormatError> RefusalAsync(byte[] car, int maxBlockBytes = CarReader.DefaultMaxBlockBytes)
    {
        var ex = await Assert.ThrowsAsync<CarFormatException>(() => ReadCarAsync(new MemoryStream(car), maxBlockBytes));
        return ex.Error;
    }

    [Fact(Timeout = 30_000)]
    public async Task Writing_then_reading_gives_the_same_roots_and_blocks_in_order()
    {
        // Arrange
        var (roots, blocks) = SampleContent();

        // Act: read through a stream that hands out a few bytes at a time
        var car = await WriteCarAsync(roots, blocks);
        var (readRoots, readBlocks) = await ReadCarAsync(new TrickleStream(car, seed: 3));

        // Assert
        Assert.Equal(roots, readRoots);
        Assert.Equal(blocks.Count, readBlocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.Equal(blocks[i].Cid, readBlocks[i].Cid);
            Assert.True(blocks[i].Data.Span.SequenceEqual(readBlocks[i].Data.Span));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_header_is_the_canonical_CARv1_header()
    {
        // Arrange
        var root = Cid.Parse("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm");

        // Act
        var car = await WriteCarAsync([root], []);

        // Assert: varint 0x3a (58), {roots: [tag42(00 ++ cid)], version: 1}
        var expected = "3a" + "a2" + "65726f6f7473" + "81" + "d82a5825" + "00" + Convert.ToHexStringLower(root.ToBytes()) + "6776657273696f6e" + "01";
        Assert.Equal(expected, Convert.ToHexStringLower(car));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_CAR_cut_anywhere_is_refused_as_truncated_unless_cut_between_sections()
    {
        // Arrange
        var blocks = Enumerable.Range(0, 4).Select(i => { var d = Encoding.UTF8.GetBytes($"block {i}"); return new CarBlock(Cid.ForRaw(d), d); }).ToList();
        var car = await WriteCarAsync([blocks[0].Cid], blocks);
        var boundaries = new HashSet<int>();
        var offset = 1 + car[0];
        boundaries.Add(offset);
        foreach (var block in blocks)
        {
            offset += 1 + Cid.BinaryLength + block.Data.Length;
            boundaries.Add(offset);
        }
        Assert.Equal(car.Length, offset);

        for (var cut = 0; cut < car.Length; cut++)
        {
            // Act
            var prefix = car.AsSpan(0, cut).ToArray();
            var ex = await Record.ExceptionAsync(() => ReadCarAsync(new MemoryStream(prefix)));

            // Assert
            if (boundaries.Contains(cut))
            {
                Assert.Null(ex);
            }
            else
            {
                Assert.Equal(CarFormatError.Truncated, Assert.IsType<CarFormatException>(ex).Error);
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_corrupt_block_or_a_block_under_another_CID_is_refused()
    {
        // Arrange
        var data = "the block"u8.ToArray();
        var good = await WriteCarAsync([Cid.ForRaw(data)], [new CarBlock(Cid.ForRaw(data), data)]);
        var corrupt = (byte[])good.Clone();
        corrupt[^1] ^= 0xFF;
        var wrongCid = await WriteCarAsync([Cid.ForRaw(data)], [new CarBlock(Cid.ForRaw("other"u8), data)]);
        var wrongCodec = await WriteCarAsync([Cid.ForRaw(data)], [new CarBlock(Cid.FromDigest(Cid.DagCborCodec, Cid.ForRaw("x"u8).Digest), data)]);

        // Act / Assert
        Assert.Single((await ReadCarAsync(new MemoryStream(good))).Blocks);
        Assert.Equal(CarFormatError.CidMismatch, await RefusalAsync(corrupt));
        Assert.Equal(CarFormatError.CidMismatch, await RefusalAsync(wrongCid));
        Assert.Equal(CarFormatError.CidMismatch, await RefusalAsync(wrongCodec));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_headers_are_refused()
    {
        // Arrange
        var root = Cid.ForRaw([]);
        static byte[] Framed(byte[] header) => [(byte)header.Length, .. header];
        static byte[] Header(Action<System.Formats.Cbor.CborWriter> write)
        {
            var writer = DagCbor.CreateWriter();
            write(writer);
            return writer.Encode();
        }
        var version2 = Header(w => { w.WriteStartMap(2); w.WriteTextString("roots"); w.WriteStartArray(1); DagCbor.WriteCid(w, root); w.WriteEndArray(); w.WriteTextString("version"); w.WriteInt32(2); w.WriteEndMap(); });
        var noRoots = Header(w => { w.WriteStartMap(2); w.WriteTextString("roots"); w.WriteStartArray(0); w.WriteEndArray(); w.WriteTextString("version"); w.WriteInt32(1); w.WriteEndMap(); });
        var noVersion = Header(w => { w.WriteStartMap(1); w.WriteTextString("roots"); w.WriteStartArray(1); DagCbor.WriteCid(w, root); w.WriteEndArray(); w.WriteEndMap(); });
        var rootNotCid = Header(w => { w.WriteStartMap(2); w.WriteTextString("roots"); w.WriteStartArray(1); w.WriteTextString("bafy"); w.WriteEndArray(); w.WriteTextString("version"); w.WriteInt32(1); w.WriteEndMap(); });
        var list = Header(w => { w.WriteStartArray(0); w.WriteEndArray(); });
        var unsorted = Convert.FromHexString("a2" + "6776657273696f6e" + "01" + "65726f6f7473" + "80");

        // Act / Assert
        foreach (var header in new[] { version2, noRoots, noVersion, rootNotCid, list, unsorted })
        {
            Assert.Equal(CarFormatError.BadHeader, await RefusalAsync(Framed(header)));
        }
        Assert.Equal(CarFormatError.BadHeader, await RefusalAsync([0x00]));
        Assert.Equal(CarFormatError.Truncated, await RefusalAsync([]));
        Assert.Equal(CarFormatError.TooLarge, await RefusalAsync([0xff, 0xff, 0xff, 0x7f]));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_section_framing_is_refused()
    {
        // Arrange
        var data = "x"u8.ToArray();
        var header = await WriteCarAsync([Cid.ForRaw(data)], []);
        byte[] With(params byte[] section) => [.. header, .. section];
        var cidV0 = With([(byte)(34 + 1), 0x12, 0x20, .. new byte[32], 0x78]);

        // Act / Assert
        Assert.Equal(CarFormatError.BadVarint, await RefusalAsync(With(0x80, 0x00)));
        Assert.Equal(CarFormatError.BadVarint, await RefusalAsync(With(Enumerable.Repeat((byte)0xff, 10).ToArray())));
        Assert.Equal(CarFormatError.Truncated, await RefusalAsync(With(0x80)));
        Assert.Equal(CarFormatError.BadCid, await RefusalAsync(With(0x00)));
        Assert.Equal(CarFormatError.BadCid, await RefusalAsync(cidV0));
        Assert.Equal(CarFormatError.TooLarge, await RefusalAsync(await WriteCarAsync([Cid.ForRaw(data)], [new CarBlock(Cid.ForRaw(new byte[100]), new byte[100])]), maxBlockBytes: 99));
    }

    [Fact]
    public async Task The_writer_insists_on_a_header_first_and_at_least_one_root()
    {
        var writer = new CarWriter(new MemoryStream());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteBlockAsync(Cid.ForRaw([]), Array.Empty<byte>(), CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteHeaderAsync([], CancellationToken.None).AsTask());
    }

    /// <summary>A read-only stream that returns 1 to 7 bytes per read, to exercise the reader's buffering.</summary>
    private sealed class TrickleStream(byte[] data, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, _random.Next(1, 8)), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
