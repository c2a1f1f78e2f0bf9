using System.Buffers;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// Writes a CARv1 stream (https://ipld.io/specs/transport/car/carv1/): a header, then one section per
/// block. Holds nothing but the current block, so an export of any size streams.
/// </summary>
/// <remarks>
/// Header: unsigned-varint length, then DAG-CBOR <c>{roots: [CID, ...], version: 1}</c>. Section:
/// unsigned-varint length of (CID + block), the binary CID, the block bytes. The writer does not
/// re-hash blocks: the caller names each block with the CID it computed from the same bytes (a
/// reader checks them all).
/// </remarks>
public sealed class CarWriter
{
    private readonly Stream _stream;
    private bool _headerWritten;

    /// <summary>Writes to <paramref name="stream"/>, which the caller owns and disposes.</summary>
    public CarWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>The DAG-CBOR header block for <paramref name="roots"/> (without its length prefix).</summary>
    public static byte[] EncodeHeader(IReadOnlyList<Cid> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            throw new ArgumentException("A CARv1 header names at least one root.", nameof(roots));
        }
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(2);
        writer.WriteTextString("roots");
        writer.WriteStartArray(roots.Count);
        foreach (var root in roots)
        {
            DagCbor.WriteCid(writer, root);
        }
        writer.WriteEndArray();
        writer.WriteTextString("version");
        writer.WriteInt32(1);
        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>Writes the header; call once, before any block.</summary>
    public async ValueTask WriteHeaderAsync(IReadOnlyList<Cid> roots, CancellationToken cancellationToken)
    {
        if (_headerWritten)
        {
            throw new InvalidOperationException("The CAR header was already written.");
        }
        var header = EncodeHeader(roots);
        var prefix = new byte[Varint.MaxLength];
        var length = Varint.Write((ulong)header.Length, prefix);
        await _stream.WriteAsync(prefix.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        _headerWritten = true;
    }

    /// <summary>Writes one section: <paramref name="cid"/> and <paramref name="block"/>.</summary>
    public async ValueTask WriteBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (!_headerWritten)
        {
            throw new InvalidOperationException("Write the CAR header before any block.");
        }
        var prefix = ArrayPool<byte>.Shared.Rent(Varint.MaxLength + Cid.BinaryLength);
        try
        {
            var length = Varint.Write((ulong)(Cid.BinaryLength + block.Length), prefix);
            cid.WriteBytes(prefix.AsSpan(length));
            length += Cid.BinaryLength;
            await _stream.WriteAsync(prefix.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(prefix);
        }
        await _stream.WriteAsync(block, cancellationToken).ConfigureAwait(false);
    }
}
