using System.Buffers.Binary;

namespace Cairn.Metadata;

/// <summary>
/// The packed part sizes stored in <c>objects.part_sizes</c>: one format byte (1), then each part's
/// size as an 8-byte big-endian integer, in part order. An empty list is stored as NULL.
/// </summary>
internal static class PartSizeListFormat
{
    private const byte Version1 = 1;

    public static byte[]? Encode(IReadOnlyList<long> sizes)
    {
        if (sizes.Count == 0)
        {
            return null;
        }
        var buffer = new byte[1 + sizes.Count * sizeof(long)];
        buffer[0] = Version1;
        for (var i = 0; i < sizes.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(1 + i * sizeof(long)), sizes[i]);
        }
        return buffer;
    }

    public static IReadOnlyList<long> Decode(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return [];
        }
        if (data[0] != Version1 || (data.Length - 1) % sizeof(long) != 0)
        {
            throw new InvalidDataException($"Part size list has format {data[0]} and {data.Length} bytes; expected format {Version1}.");
        }
        var sizes = new long[(data.Length - 1) / sizeof(long)];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(1 + i * sizeof(long)));
        }
        return sizes;
    }
}
