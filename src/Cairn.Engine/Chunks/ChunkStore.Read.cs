using System.Buffers;
using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Engine.Encryption;
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
    /// <remarks>
    /// Chunks after the current one are fetched ahead (up to <see cref="EngineOptions.ReadAheadChunks"/>
    /// per request) while the current one is written, so blob reads and hash checks overlap the network.
    /// Every fetched chunk holds one permit of <see cref="_readPermits"/>, shared by all requests
    /// (<see cref="EngineOptions.MaxConcurrentChunkReads"/>), from the start of its fetch until it has
    /// been written out: the permits bound both concurrent blob reads and the chunk buffers held in
    /// memory. A failed write (the client went away) cancels the fetches still running and gives back
    /// their permits and buffers before the exception leaves.
    /// An encrypted body (<paramref name="cipher"/>: the version's opened data key) is read by plaintext
    /// offsets: only the frames a range covers are fetched, opened and cut to the range. A frame that
    /// does not open is an integrity error like a corrupt chunk.
    /// </remarks>
    public async Task CopyRangeToAsync(ObjectVersionRecord version, long offset, long length, Stream destination, CancellationToken cancellationToken,
        BodyCipher? cipher = null)
    {
        if (length == 0)
        {
            return;
        }
        if (version.InlineBody is { } inline)
        {
            var plain = inline;
            if (cipher is not null)
            {
                plain = new byte[BodyCipher.PlainLength(inline.Length)];
                Decrypt(cipher, inline, 0, plain, version.InlineBodyHash ?? ContentHash.Compute(inline), "(inline)");
            }
            await destination.WriteAsync(plain.AsMemory((int)offset, (int)length), cancellationToken).ConfigureAwait(false);
            return;
        }
        using var pin = pins.Pin(version.Chunks);
        var locations = await LocateAsync(version.Chunks, cancellationToken).ConfigureAwait(false);
        var segments = cipher is null ? Segments(version, offset, length) : EncryptedSegments(version, offset, length);
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ahead = new Queue<Task<FetchedChunk>>();
        var next = 0;
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                // Permits are taken here only, in body order, so a request that holds any permit holds
                // its current chunk's: it can always finish that chunk and give the permit back, and
                // requests never wait on each other in a cycle. Only the current chunk waits for a
                // permit; read-ahead takes what is free right now.
                if (ahead.Count == 0)
                {
                    await _readPermits.WaitAsync(cancellationToken).ConfigureAwait(false);
                    ahead.Enqueue(FetchAsync(segments[next++], locations, fetching.Token));
                }
                while (next < segments.Count && next <= i + options.ReadAheadChunks && _readPermits.Wait(0))
                {
                    var segment = segments[next++];
                    // On the pool, so reading and hashing it overlaps writing the current chunk.
                    ahead.Enqueue(Task.Run(() => FetchAsync(segment, locations, fetching.Token), CancellationToken.None));
                }
                using var fetched = await ahead.Dequeue().ConfigureAwait(false);
                if (cipher is null)
                {
                    await destination.WriteAsync(fetched.Bytes, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteDecryptedAsync(cipher, segments[i], fetched.Bytes, locations[segments[i].Chunk.Hash].BlobName, destination, cancellationToken)
                        .ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (ahead.Count > 0)
            {
                await fetching.CancelAsync().ConfigureAwait(false);
                await ReleaseAsync(ahead).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The part of each chunk that [offset, offset + length) covers, in body order.</summary>
    private static List<ChunkSegment> Segments(ObjectVersionRecord version, long offset, long length)
    {
        var segments = new List<ChunkSegment>();
        long chunkStart = 0;
        var remaining = length;
        foreach (var chunk in version.Chunks)
        {
            var chunkEnd = chunkStart + chunk.Length;
            if (chunkEnd > offset)
            {
                var from = (int)Math.Max(0, offset - chunkStart);
                var count = (int)Math.Min(chunk.Length - from, remaining);
                segments.Add(new ChunkSegment(chunk, from, count));
                remaining -= count;
                if (remaining == 0)
                {
                    return segments;
                }
            }
            chunkStart = chunkEnd;
        }
        throw new InvalidOperationException($"Version {version.Bucket}/{version.Key} lists chunks shorter than its size {version.Size}.");
    }

    /// <summary>
    /// For an encrypted body: the stored frames of each chunk that plaintext [offset, offset + length)
    /// covers, with where the range starts and how much of it each chunk gives.
    /// </summary>
    private static List<ChunkSegment> EncryptedSegments(ObjectVersionRecord version, long offset, long length)
    {
        var segments = new List<ChunkSegment>();
        long plainStart = 0;
        var remaining = length;
        foreach (var chunk in version.Chunks)
        {
            var plainLength = BodyCipher.PlainLength(chunk.Length);
            var plainEnd = plainStart + plainLength;
            if (plainEnd > offset)
            {
                var from = (int)Math.Max(0, offset - plainStart);
                var count = (int)Math.Min(plainLength - from, remaining);
                var (storedFrom, storedCount, firstFrame, skip) = BodyCipher.Locate(chunk.Length, from, count);
                segments.Add(new ChunkSegment(chunk, storedFrom, storedCount, firstFrame, skip, count));
                remaining -= count;
                if (remaining == 0)
                {
                    return segments;
                }
            }
            plainStart = plainEnd;
        }
        throw new InvalidOperationException($"Version {version.Bucket}/{version.Key} lists chunks shorter than its size {version.Size}.");
    }

    /// <summary>Opens a fetched segment's frames and writes the part of their plaintext the range wants.</summary>
    private static async Task WriteDecryptedAsync(BodyCipher cipher, ChunkSegment segment, ReadOnlyMemory<byte> stored, string blobName,
        Stream destination, CancellationToken cancellationToken)
    {
        var plain = ArrayPool<byte>.Shared.Rent(stored.Length);
        try
        {
            Decrypt(cipher, stored.Span, segment.FirstFrame, plain, segment.Chunk.Hash, blobName);
            await destination.WriteAsync(plain.AsMemory(segment.Skip, segment.Take), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>Opens frames; one that does not open (altered, or another key's) is an integrity error (invariant 3).</summary>
    private static void Decrypt(BodyCipher cipher, ReadOnlySpan<byte> stored, int firstFrame, Span<byte> plain, ContentHash hash, string blobName)
    {
        try
        {
            cipher.DecryptFrames(stored, firstFrame, plain);
        }
        catch (CryptographicException ex)
        {
            throw new ChunkIntegrityException(hash, blobName, "does not decrypt under the object's data key (altered or misplaced)", ex);
        }
    }

    /// <summary>Waits for fetches that will not be written (an earlier one failed) and frees what they hold.</summary>
    private static async Task ReleaseAsync(Queue<Task<FetchedChunk>> abandoned)
    {
        while (abandoned.TryDequeue(out var fetch))
        {
            try
            {
                (await fetch.ConfigureAwait(false)).Dispose();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Cancelled or failed on its own: it has already given its permit and buffer back.
            }
        }
    }

    /// <summary>Reads and checks one segment; the caller has taken a read permit, which the result (or a failure) gives back.</summary>
    private async Task<FetchedChunk> FetchAsync(ChunkSegment segment, IReadOnlyDictionary<ContentHash, ChunkPlacement> placements,
        CancellationToken cancellationToken)
    {
        byte[]? buffer = null;
        try
        {
            var placement = placements[segment.Chunk.Hash];
            // A short range of a chunk stored as is needs no chunk-size buffer; an encoded chunk is
            // decoded whole, then the range is taken from it. Compaction copies stored bytes as they
            // are, so a chunk found elsewhere below needs the same buffer.
            buffer = ArrayPool<byte>.Shared.Rent(placement.Codec == ChunkCodec.None ? segment.Count : segment.Chunk.Length);
            ReadOnlyMemory<byte> bytes;
            try
            {
                bytes = await ReadChunkAsync(segment.Chunk, placement, segment.From, segment.Count, buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (ChunkIntegrityException ex) when (ex.InnerException is BlobNotFoundException)
            {
                // Located before a compaction or a move to a cold tier moved the chunk, and its old blob
                // was deleted (a download that outlasted the grace period, or pinned on another node):
                // read it where it is now, if it moved.
                if (await RelocateAsync(segment.Chunk.Hash, placement, cancellationToken).ConfigureAwait(false) is not { } moved
                    || moved.Codec != placement.Codec)
                {
                    throw;
                }
                bytes = await ReadChunkAsync(segment.Chunk, moved, segment.From, segment.Count, buffer, cancellationToken).ConfigureAwait(false);
            }
            return new FetchedChunk(this, buffer, bytes);
        }
        catch
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _readPermits.Release();
            throw;
        }
    }

    /// <summary>The bytes <see cref="ChunkSegment.Count"/> of one chunk that a range needs, starting at <see cref="ChunkSegment.From"/>.</summary>
    /// <remarks>For an encrypted body, From and Count are in stored bytes (whole frames), and <see cref="FirstFrame"/>,
    /// <see cref="Skip"/> and <see cref="Take"/> say which frames they are and which plaintext bytes of them the range wants.</remarks>
    private readonly record struct ChunkSegment(ChunkRef Chunk, int From, int Count, int FirstFrame = 0, int Skip = 0, int Take = 0);

    /// <summary>A fetched, verified chunk segment; disposing returns its buffer and its read permit.</summary>
    private sealed class FetchedChunk(ChunkStore owner, byte[] buffer, ReadOnlyMemory<byte> bytes) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        public void Dispose()
        {
            if (_buffer is { } held)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(held);
                owner._readPermits.Release();
            }
        }
    }

    /// <summary>The chunk's placement now, when it is not <paramref name="stale"/> any more; null when it is the same or gone.</summary>
    private async Task<ChunkPlacement?> RelocateAsync(ContentHash hash, ChunkPlacement stale, CancellationToken cancellationToken)
    {
        var found = await chunkCatalog.LocateChunksAsync([hash], cancellationToken).ConfigureAwait(false);
        return found.TryGetValue(hash, out var current) && current != stale ? current : null;
    }

    private async Task<IReadOnlyDictionary<ContentHash, ChunkPlacement>> LocateAsync(IReadOnlyList<ChunkRef> chunks, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<ContentHash>(chunks.Count);
        foreach (var chunk in chunks)
        {
            wanted.Add(chunk.Hash);
        }
        var found = await chunkCatalog.LocateChunksAsync(wanted, cancellationToken).ConfigureAwait(false);
        foreach (var hash in wanted)
        {
            if (!found.ContainsKey(hash))
            {
                throw new ChunkIntegrityException(hash, "(none)", "has no catalog row");
            }
        }
        return found;
    }

    /// <summary>
    /// Reads bytes [<paramref name="from"/>, from + <paramref name="count"/>) of a chunk from where
    /// its placement says into <paramref name="buffer"/>. A chunk stored as is reads only that range;
    /// an encoded one is read and decoded whole into <paramref name="buffer"/> (then its address is
    /// checked, as for any whole chunk) and the range is a slice of it.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>> ReadChunkAsync(ChunkRef chunk, ChunkPlacement placement, int from, int count, byte[] buffer,
        CancellationToken cancellationToken)
    {
        if (placement.Codec == ChunkCodec.None)
        {
            ThrowIfLengthDiffers(chunk, placement);
            var target = buffer.AsMemory(0, count);
            await ReadStoredAsync(chunk, placement, from, target, cancellationToken).ConfigureAwait(false);
            if (from == 0 && count == chunk.Length && options.VerifyChunksOnRead)
            {
                VerifyAddress(chunk, placement, target.Span);
            }
            return target;
        }
        var stored = ArrayPool<byte>.Shared.Rent(placement.StoredLength);
        try
        {
            await ReadStoredAsync(chunk, placement, 0, stored.AsMemory(0, placement.StoredLength), cancellationToken).ConfigureAwait(false);
            var decoded = buffer.AsMemory(0, chunk.Length);
            ChunkCodecs.Decode(chunk, placement, stored.AsSpan(0, placement.StoredLength), decoded.Span);
            if (options.VerifyChunksOnRead)
            {
                VerifyAddress(chunk, placement, decoded.Span);
            }
            return decoded.Slice(from, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    /// <summary>
    /// A chunk's stored bytes (encoded as its placement keeps them), checked against its address
    /// whatever <see cref="EngineOptions.VerifyChunksOnRead"/> says: what a copy of the chunk to
    /// another place (a cold tier) writes, so a damaged chunk is never copied as if it were whole.
    /// </summary>
    /// <exception cref="ChunkIntegrityException">The bytes are missing, short, do not decode, or do not match the address.</exception>
    internal async Task<byte[]> ReadStoredCheckedAsync(ChunkRef chunk, ChunkPlacement placement, CancellationToken cancellationToken)
    {
        var stored = new byte[placement.StoredLength];
        await ReadStoredAsync(chunk, placement, 0, stored, cancellationToken).ConfigureAwait(false);
        if (placement.Codec == ChunkCodec.None)
        {
            ThrowIfLengthDiffers(chunk, placement);
            VerifyAddress(chunk, placement, stored);
            return stored;
        }
        var decoded = ArrayPool<byte>.Shared.Rent(chunk.Length);
        try
        {
            ChunkCodecs.Decode(chunk, placement, stored, decoded.AsSpan(0, chunk.Length));
            VerifyAddress(chunk, placement, decoded.AsSpan(0, chunk.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
        return stored;
    }

    /// <summary>Reads stored bytes [<paramref name="from"/>, from + target length) of a chunk's placement: all of them, or an integrity error.</summary>
    private async Task ReadStoredAsync(ChunkRef chunk, ChunkPlacement placement, int from, Memory<byte> target, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await ReadFullyAsync(placement, placement.Offset + from, target, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName, "is missing from the blob store", ex);
        }
        if (read != target.Length)
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName,
                $"is short: read {read} of {target.Length} bytes at offset {placement.Offset + from}");
        }
    }

    /// <summary>A chunk stored as is must be stored as long as the body lists it.</summary>
    private static void ThrowIfLengthDiffers(ChunkRef chunk, ChunkPlacement placement)
    {
        if (placement.StoredLength != chunk.Length)
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName,
                $"is stored as {placement.StoredLength} bytes as is, but the body lists it as {chunk.Length}");
        }
    }

    private static void VerifyAddress(ChunkRef chunk, ChunkPlacement placement, ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[ContentHash.Size];
        SHA256.HashData(bytes, digest);
        if (!digest.SequenceEqual(chunk.Hash.Bytes))
        {
            throw new ChunkIntegrityException(chunk.Hash, placement.BlobName, "does not match its address (corrupt)");
        }
    }

    private async Task<int> ReadFullyAsync(ChunkPlacement placement, long offset, Memory<byte> target, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < target.Length)
        {
            // A packed chunk may still be in this node's local segment (PackWriter.ReadAsync).
            var read = placement.PackId is not null && packs is not null
                ? await packs.ReadAsync(placement, offset + total, target[total..], cancellationToken).ConfigureAwait(false)
                : await blobs.ReadAsync(placement.BlobName, offset + total, target[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
