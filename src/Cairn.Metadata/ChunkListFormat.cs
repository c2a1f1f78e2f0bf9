using System.Buffers.Binary;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// The packed chunk list stored in <c>objects.chunks</c>: one format byte (1), then per chunk its
/// 32-byte SHA-256 address and its length as a 4-byte big-endian integer. An empty list is stored as NULL.
/// </summary>
internal static class ChunkListFormat
{
    private const byte Version1 = 1;
    private const int EntrySize = ContentHash.Size + sizeof(int);

    public static byte[]? Encode(IReadOnlyList<ChunkRef> chunks)
    {
        if (chunks.Count == 0)
        {
            return null;
        }
        var buffer = new byte[1 + chunks.Count * EntrySize];
        buffer[0] = Version1;
        var offset = 1;
        foreach (var chunk in chunks)
        {
            chunk.Hash.Bytes.CopyTo(buffer.AsSpan(offset));
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(offset + ContentHash.Size), chunk.Length);
            offset += EntrySize;
        }
        return buffer;
    }

    public static IReadOnlyList<ChunkRef> Decode(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return [];
        }
        if (data[0] != Version1 || (data.Length - 1) % EntrySize != 0)
        {
            throw new InvalidDataException($"Chunk list has format {data[0]} and {data.Length} bytes; expected format {Version1}.");
        }
        var chunks = new ChunkRef[(data.Length - 1) / EntrySize];
        for (var i = 0; i < chunks.Length; i++)
        {
            var entry = data.AsSpan(1 + i * EntrySize, EntrySize);
            chunks[i] = new ChunkRef(ContentHash.FromBytes(entry[..ContentHash.Size]),
                BinaryPrimitives.ReadInt32BigEndian(entry[ContentHash.Size..]));
        }
        return chunks;
    }

    /// <summary>The distinct chunks of a body, in first-use order, with how often the body uses each.</summary>
    public static List<ChunkUse> CountUses(IReadOnlyList<ChunkRef> chunks)
    {
        var uses = new List<ChunkUse>(chunks.Count);
        var index = new Dictionary<ContentHash, int>(chunks.Count);
        foreach (var chunk in chunks)
        {
            if (index.TryGetValue(chunk.Hash, out var at))
            {
                uses[at] = uses[at] with { Uses = uses[at].Uses + 1 };
            }
            else
            {
                index.Add(chunk.Hash, uses.Count);
                uses.Add(new ChunkUse(chunk.Hash, chunk.Length, 1));
            }
        }
        return uses;
    }
}
