using System.Buffers;
using Cairn.Metadata;
using ZstdSharp;

namespace Cairn.Engine.Chunks;

/// <summary>
/// Encodes chunks that compress well enough with zstd and decodes them back. A chunk is one zstd
/// frame of its bytes; the address stays the SHA-256 of the decoded bytes. Each thread keeps one
/// compression and one decompression context (creating a context costs more than compressing a small chunk).
/// </summary>
public static class ChunkCodecs
{
    /// <summary>A larger chunk is first tried on its first this many bytes, so incompressible data costs only that much compression work.</summary>
    public const int SampleBytes = 64 * 1024;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static int t_compressorLevel;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>
    /// The chunk as one zstd frame at <paramref name="level"/>, when that saves at least
    /// <paramref name="minSaving"/> of its length (judged first on a sample of a large chunk); null
    /// when it does not, and the chunk is stored as is.
    /// </summary>
    public static EncodedChunk? TryCompress(ReadOnlySpan<byte> data, int level, double minSaving)
    {
        if (data.Length == 0)
        {
            return null;
        }
        var compressor = CompressorFor(level);
        if (data.Length > SampleBytes)
        {
            var sample = data[..SampleBytes];
            var sampleBuffer = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(sample.Length));
            try
            {
                if (!Saves(compressor.Wrap(sample, sampleBuffer), sample.Length, minSaving))
                {
                    return null;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(sampleBuffer);
            }
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(data.Length));
        var written = compressor.Wrap(data, buffer);
        if (!Saves(written, data.Length, minSaving))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        return new EncodedChunk(buffer, written);
    }

    /// <summary>
    /// Decodes a stored chunk into <paramref name="into"/>, which is exactly the chunk's length. Bytes
    /// that do not decode, or decode to another length, are an integrity error (invariant 3).
    /// </summary>
    public static void Decode(ChunkRef chunk, ChunkPlacement placement, ReadOnlySpan<byte> stored, Span<byte> into)
    {
        if (placement.Codec != ChunkCodec.Zstd)
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName, $"is stored with codec {(int)placement.Codec}, which this build cannot decode");
        }
        int written;
        try
        {
            // The declared size comes first: a frame that claims more than the chunk holds is refused
            // before any output is written.
            var declared = Decompressor.GetDecompressedSize(stored);
            if (declared != (ulong)into.Length)
            {
                throw new ChunkIntegrityException(chunk.Hash, placement.BlobName,
                    $"decodes to {declared} bytes, but the body lists it as {into.Length}");
            }
            written = (t_decompressor ??= new Decompressor()).Unwrap(stored, into);
        }
        catch (ZstdException ex)
        {
            // A failed decompression leaves the context in an unknown state: start afresh.
            t_decompressor?.Dispose();
            t_decompressor = null;
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName, $"does not decode as zstd ({ex.Message})", ex);
        }
        if (written != into.Length)
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName, $"decodes to {written} bytes, but the body lists it as {into.Length}");
        }
    }

    private static bool Saves(int encodedLength, int length, double minSaving) => encodedLength <= length - (length * minSaving);

    private static Compressor CompressorFor(int level)
    {
        if (t_compressor is null || t_compressorLevel != level)
        {
            t_compressor?.Dispose();
            t_compressor = new Compressor(level);
            t_compressorLevel = level;
        }
        return t_compressor;
    }
}

/// <summary>A chunk's encoded bytes in a pooled buffer; disposing returns the buffer.</summary>
public sealed class EncodedChunk(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The encoded bytes (valid until disposed).</summary>
    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(EncodedChunk))).AsMemory(0, length);

    public void Dispose()
    {
        if (_buffer is { } held)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }
}
