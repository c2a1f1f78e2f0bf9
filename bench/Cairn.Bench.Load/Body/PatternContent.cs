using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Cairn.Bench.Load.Body;

/// <summary>
/// A request body of any length (up to terabytes) streamed from one shared 4 MiB pseudo-random
/// buffer, so a 5 GiB PUT costs no more memory than a small one. The stream is cut into 64 KiB units
/// and each unit starts with 16 bytes naming (stream id, unit number): no two units of any stream are
/// equal, so a server that deduplicates chunks of 64 KiB or more finds nothing to deduplicate, within
/// an object or across objects with different stream ids.
/// </summary>
/// <remarks>
/// <c>offset</c> selects a slice of the stream (a multipart part is the slice of the whole
/// object's stream it covers). Each unit is copied into a pooled scratch buffer with its header, so the
/// shared buffer is never written and parts in flight can share it.
/// </remarks>
internal sealed class PatternContent(long streamId, long offset, long bodyLength) : HttpContent
{
    public const int UnitSize = 64 * 1024;
    private const int PatternSize = 4 * 1024 * 1024;
    private const int HeaderSize = 16;

    /// <summary>Fixed seed: the pattern is the same in every run, so a body is reproducible from its stream id.</summary>
    private static readonly byte[] Pattern = CreatePattern();

    /// <summary>Fills <paramref name="destination"/> with the stream's bytes from <paramref name="position"/> on.</summary>
    public static void Fill(long streamId, long position, Span<byte> destination)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(UnitSize);
        try
        {
            while (!destination.IsEmpty)
            {
                var unitNumber = position / UnitSize;
                var within = (int)(position % UnitSize);
                WriteUnit(streamId, unitNumber, scratch);
                var count = Math.Min(destination.Length, UnitSize - within);
                scratch.AsSpan(within, count).CopyTo(destination);
                destination = destination[count..];
                position += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(UnitSize);
        try
        {
            var position = offset;
            var end = offset + bodyLength;
            while (position < end)
            {
                var unitNumber = position / UnitSize;
                var within = (int)(position % UnitSize);
                WriteUnit(streamId, unitNumber, scratch);
                var count = (int)Math.Min(end - position, UnitSize - within);
                await stream.WriteAsync(scratch.AsMemory(within, count), cancellationToken);
                position += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = bodyLength;
        return true;
    }

    private static void WriteUnit(long streamId, long unitNumber, byte[] scratch)
    {
        var patternOffset = (int)(unitNumber * UnitSize % PatternSize);
        Pattern.AsSpan(patternOffset, UnitSize).CopyTo(scratch);
        BinaryPrimitives.WriteInt64LittleEndian(scratch, streamId);
        BinaryPrimitives.WriteInt64LittleEndian(scratch.AsSpan(8), unitNumber);
    }

    private static byte[] CreatePattern()
    {
        var pattern = new byte[PatternSize];
        new Random(4_194_304).NextBytes(pattern);
        return pattern;
    }
}
