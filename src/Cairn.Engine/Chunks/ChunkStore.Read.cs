using System.Buffers;
using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Chunks;

public sealed partial class ChunkStore
{
    /// <summary>
    /// Writes bytes [<paramref name="offset"/>, offset + <paramref name="length"/>) of a committed body
    /// to <paramref name="destination"/>. A missing, short or corrupt chunk throws
    /// <see cref="ChunkIntegrityException"/>; the caller must not let a short body pass as complete.
    /// </summary>
    public async Task CopyRangeToAsync(ObjectVersionRecord version, long offset, long length, Stream destination, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return;
        }
        if (version.InlineBody is { } inline)
        {
            await destination.WriteAsync(inline.AsMemory((int)offset, (int)length), cancellationToken).ConfigureAwait(false);
            return;
        }
        using var pin = pins.Pin(version.Chunks);
        var locations = await LocateAsync(version.Chunks, cancellationToken).ConfigureAwait(false);
        // No single read is longer than the range, so a short range needs no chunk-size buffer.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(options.ChunkSize, length));
        try
        {
            long chunkStart = 0;
            var remaining = length;
            foreach (var chunk in version.Chunks)
            {
                var chunkEnd = chunkStart + chunk.Length;
                if (chunkEnd <= offset)
                {
                    chunkStart = chunkEnd;
                    continue;
                }
                var from = (int)Math.Max(0, offset - chunkStart);
                var count = (int)Math.Min(chunk.Length - from, remaining);
                var bytes = await ReadChunkAsync(chunk, locations[chunk.Hash], from, count, buffer, cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                remaining -= count;
                if (remaining == 0)
                {
                    return;
                }
                chunkStart = chunkEnd;
            }
            throw new InvalidOperationException($"Version {version.Bucket}/{version.Key} lists chunks shorter than its size {version.Size}.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<IReadOnlyDictionary<ContentHash, string>> LocateAsync(IReadOnlyList<ChunkRef> chunks, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<ContentHash>(chunks.Count);
        foreach (var chunk in chunks)
        {
            wanted.Add(chunk.Hash);
        }
        var found = await metadata.LocateChunksAsync(wanted, cancellationToken).ConfigureAwait(false);
        foreach (var hash in wanted)
        {
            if (!found.ContainsKey(hash))
            {
                throw new ChunkIntegrityException(hash, "(none)", "has no catalog row");
            }
        }
        return found;
    }

    private async Task<ReadOnlyMemory<byte>> ReadChunkAsync(ChunkRef chunk, string blobName, int from, int count, byte[] buffer,
        CancellationToken cancellationToken)
    {
        var wholeChunk = from == 0 && count == chunk.Length;
        var target = buffer.AsMemory(0, count);
        int read;
        try
        {
            read = await ReadFullyAsync(blobName, from, target, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            throw new ChunkIntegrityException(chunk.Hash, blobName, "is missing from the blob store", ex);
        }
        if (read != count)
        {
            throw new ChunkIntegrityException(chunk.Hash, blobName, $"is short: read {read} of {count} bytes at offset {from}");
        }
        if (wholeChunk && options.VerifyChunksOnRead)
        {
            Span<byte> digest = stackalloc byte[ContentHash.Size];
            SHA256.HashData(target.Span, digest);
            if (!digest.SequenceEqual(chunk.Hash.Bytes))
            {
                throw new ChunkIntegrityException(chunk.Hash, blobName, "does not match its address (corrupt)");
            }
        }
        return target;
    }

    private async Task<int> ReadFullyAsync(string blobName, long offset, Memory<byte> target, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < target.Length)
        {
            var read = await blobs.ReadAsync(blobName, offset + total, target[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
