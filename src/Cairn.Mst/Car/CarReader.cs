using System.Runtime.CompilerServices;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// Reads a CARv1 stream one block at a time, checking every block against its CID. Memory is
/// bounded by <see cref="MaxBlockBytes"/> plus a 64 KiB read buffer, whatever the file's size.
/// </summary>
/// <remarks>
/// Refused with <see cref="CarFormatException"/>: a header that is not DAG-CBOR
/// <c>{roots: [CID, ...], version: 1}</c> (at least one root; no other keys), a non-minimal or
/// over-long varint, a section cut short, a CID that is not CIDv1 dag-cbor/raw sha2-256, a block
/// whose SHA-256 differs from its CID's digest, or a header/block over the limits. A CAR holding
/// the same block twice is accepted, as the CARv1 spec allows.
/// </remarks>
public sealed class CarReader
{
    /// <summary>Default largest block accepted: 16 MiB.</summary>
    public const int DefaultMaxBlockBytes = 16 * 1024 * 1024;

    /// <summary>Largest header accepted: 1 MiB (thousands of roots).</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _bufferStart;
    private int _bufferEnd;
    private long _offset; // stream offset of _buffer[_bufferStart]

    private CarReader(Stream stream, int maxBlockBytes)
    {
        _stream = stream;
        MaxBlockBytes = maxBlockBytes;
        Roots = [];
    }

    /// <summary>The header's roots.</summary>
    public IReadOnlyList<Cid> Roots { get; private set; }

    /// <summary>The largest block this reader accepts.</summary>
    public int MaxBlockBytes { get; }

    /// <summary>Reads and checks the header from <paramref name="stream"/> (owned by the caller).</summary>
    /// <exception cref="CarFormatException">The header is missing, cut short or malformed.</exception>
    public static async ValueTask<CarReader> OpenAsync(Stream stream, CancellationToken cancellationToken, int maxBlockBytes = DefaultMaxBlockBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlockBytes);
        var reader = new CarReader(stream, maxBlockBytes);
        var start = reader._offset;
        var length = await reader.ReadVarintAsync(allowEnd: false, cancellationToken).ConfigureAwait(false);
        if (length is 0 or > MaxHeaderBytes)
        {
            throw new CarFormatException(
                length == 0 ? CarFormatError.BadHeader : CarFormatError.TooLarge, start, $"A CAR header of {length} bytes.");
        }
        var header = new byte[length];
        await reader.ReadExactlyAsync(header, start, cancellationToken).ConfigureAwait(false);
        reader.Roots = DecodeHeader(header, start);
        return reader;
    }

    /// <summary>The next block, checked against its CID; null at the clean end of the stream.</summary>
    /// <exception cref="CarFormatException">The section is malformed or its block does not match its CID.</exception>
    public async ValueTask<CarBlock?> ReadBlockAsync(CancellationToken cancellationToken)
    {
        var start = _offset;
        var length = await ReadVarintAsync(allowEnd: true, cancellationToken).ConfigureAwait(false);
        if (length < 0)
        {
            return null;
        }
        if (length < Cid.BinaryLength)
        {
            throw new CarFormatException(CarFormatError.BadCid, start, $"A section of {length} bytes cannot hold a CID.");
        }
        if (length - Cid.BinaryLength > MaxBlockBytes)
        {
            throw new CarFormatException(CarFormatError.TooLarge, start, $"A block of {length - Cid.BinaryLength} bytes is over the {MaxBlockBytes}-byte limit.");
        }
        var cidBytes = new byte[Cid.BinaryLength];
        await ReadExactlyAsync(cidBytes, start, cancellationToken).ConfigureAwait(false);
        if (!Cid.TryReadBytes(cidBytes, out var cid, out _))
        {
            throw new CarFormatException(CarFormatError.BadCid, start, "A section does not start with a CIDv1 (dag-cbor or raw, sha2-256).");
        }
        var data = new byte[length - Cid.BinaryLength];
        await ReadExactlyAsync(data, start, cancellationToken).ConfigureAwait(false);
        if (!cid.Matches(data))
        {
            throw new CarFormatException(CarFormatError.CidMismatch, start, $"Block {cid} does not hash to its CID.");
        }
        return new CarBlock(cid, data);
    }

    /// <summary>Every remaining block, in file order, each checked against its CID.</summary>
    public async IAsyncEnumerable<CarBlock> ReadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await ReadBlockAsync(cancellationToken).ConfigureAwait(false) is { } block)
        {
            yield return block;
        }
    }

    private static List<Cid> DecodeHeader(byte[] header, long offset)
    {
        try
        {
            return DagCbor.Decode(header, static reader =>
            {
                if (reader.ReadStartMap() != 2 || reader.ReadTextString() != "roots")
                {
                    throw new DagCborException("The header must be a map of exactly 'roots' and 'version'.");
                }
                var count = reader.ReadStartArray() ?? 0;
                var roots = new List<Cid>(count);
                for (var i = 0; i < count; i++)
                {
                    roots.Add(DagCbor.ReadCid(reader));
                }
                reader.ReadEndArray();
                if (reader.ReadTextString() != "version")
                {
                    throw new DagCborException("The header must be a map of exactly 'roots' and 'version'.");
                }
                if (reader.ReadInt64() != 1)
                {
                    throw new DagCborException("Only CAR version 1 is read here.");
                }
                reader.ReadEndMap();
                if (roots.Count == 0)
                {
                    throw new DagCborException("A CARv1 header names at least one root.");
                }
                return roots;
            });
        }
        catch (DagCborException ex)
        {
            throw new CarFormatException(CarFormatError.BadHeader, offset, $"Bad CAR header: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a minimal unsigned varint; -1 at a clean end of stream when <paramref name="allowEnd"/>.</summary>
    private async ValueTask<long> ReadVarintAsync(bool allowEnd, CancellationToken cancellationToken)
    {
        var start = _offset;
        ulong value = 0;
        for (var i = 0; i < Varint.MaxLength; i++)
        {
            if (_bufferStart == _bufferEnd && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (i == 0 && allowEnd)
                {
                    return -1;
                }
                throw new CarFormatException(CarFormatError.Truncated, start, "The CAR ended inside a length prefix.");
            }
            var b = _buffer[_bufferStart++];
            _offset++;
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new CarFormatException(CarFormatError.BadVarint, start, "A length prefix is not minimally encoded.");
                }
                return (long)value;
            }
        }
        throw new CarFormatException(CarFormatError.BadVarint, start, $"A length prefix is longer than {Varint.MaxLength} bytes.");
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, long sectionStart, CancellationToken cancellationToken)
    {
        var buffered = Math.Min(_bufferEnd - _bufferStart, destination.Length);
        _buffer.AsMemory(_bufferStart, buffered).CopyTo(destination);
        _bufferStart += buffered;
        _offset += buffered;
        var rest = destination[buffered..];
        if (rest.Length == 0)
        {
            return;
        }
        var read = await _stream.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        _offset += read;
        if (read < rest.Length)
        {
            throw new CarFormatException(CarFormatError.Truncated, sectionStart, "The CAR ended inside a section.");
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _bufferStart = 0;
        _bufferEnd = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _bufferEnd > 0;
    }
}
