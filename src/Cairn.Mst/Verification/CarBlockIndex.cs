using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// Where each distinct block of a CAR file lies: CID to (offset, length) of its bytes, built in one
/// pass of <see cref="CarReader"/> (which checks every block against its CID) and read back by
/// seeking. Memory is the index alone, never the blocks.
/// </summary>
internal sealed class CarBlockIndex
{
    private readonly Stream _stream;

    /// <summary>One read at a time: a read sets the stream's position, and a tree's load has several in flight.</summary>
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly Dictionary<Cid, CarBlockLocation> _blocks;

    private CarBlockIndex(Stream stream, IReadOnlyList<Cid> roots, Dictionary<Cid, CarBlockLocation> blocks)
    {
        _stream = stream;
        Roots = roots;
        _blocks = blocks;
    }

    /// <summary>The header's roots.</summary>
    public IReadOnlyList<Cid> Roots { get; }

    /// <summary>Distinct blocks in the file.</summary>
    public int Count => _blocks.Count;

    /// <summary>Every distinct block and where its first copy lies.</summary>
    public IEnumerable<KeyValuePair<Cid, CarBlockLocation>> Blocks => _blocks;

    /// <summary>
    /// Reads the whole CAR once from the stream's current position, recording where each block's
    /// bytes lie (the first copy of a block written more than once).
    /// </summary>
    /// <exception cref="CarFormatException">The CAR is malformed, cut short, or a block does not match its CID.</exception>
    public static async Task<CarBlockIndex> BuildAsync(Stream stream, CancellationToken cancellationToken)
    {
        var start = stream.Position;
        var reader = await CarReader.OpenAsync(stream, cancellationToken).ConfigureAwait(false);
        // The reader takes only minimal varints and a strict DAG-CBOR header of exactly {roots,
        // version: 1}, whose encoding is unique, so the header's length is its re-encoding's and each
        // section's length prefix is the minimal varint of its length: the offsets follow from the
        // lengths alone, although the reader buffers ahead of them.
        var headerLength = CarWriter.EncodeHeader(reader.Roots).Length;
        var offset = start + VarintLength(headerLength) + headerLength;
        var blocks = new Dictionary<Cid, CarBlockLocation>();
        while (await reader.ReadBlockAsync(cancellationToken).ConfigureAwait(false) is { } block)
        {
            var sectionLength = Cid.BinaryLength + block.Data.Length;
            var dataOffset = offset + VarintLength(sectionLength) + Cid.BinaryLength;
            blocks.TryAdd(block.Cid, new CarBlockLocation(dataOffset, block.Data.Length));
            offset = dataOffset + block.Data.Length;
        }
        if (offset != stream.Position)
        {
            throw new InvalidOperationException($"The CAR's sections were placed to end at byte {offset}, but the stream ended at {stream.Position}.");
        }
        return new CarBlockIndex(stream, reader.Roots, blocks);
    }

    /// <summary>Where <paramref name="cid"/>'s bytes lie; false when the file does not hold it.</summary>
    public bool TryGetLocation(Cid cid, out CarBlockLocation location) => _blocks.TryGetValue(cid, out location);

    /// <summary>The bytes of <paramref name="cid"/>, read back from the file; null when the file does not hold it.</summary>
    /// <exception cref="IOException">The bytes read back no longer match the CID: the file changed since it was indexed.</exception>
    public async ValueTask<byte[]?> ReadAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (!_blocks.TryGetValue(cid, out var location))
        {
            return null;
        }
        var data = new byte[location.Length];
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _stream.Position = location.Offset;
            await _stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading.Release();
        }
        if (!cid.Matches(data))
        {
            throw new IOException($"Block {cid} at byte {location.Offset} no longer matches its CID: the CAR changed while it was verified.");
        }
        return data;
    }

    private static int VarintLength(long value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }
}
