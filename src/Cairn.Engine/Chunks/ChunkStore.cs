using System.Buffers;
using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Engine.Encryption;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Chunks;

/// <summary>
/// Turns a body stream into stored chunks and back. Writing reads fixed-size chunks into one
/// pooled buffer, hashes MD5 (ETag), the requested checksums and each chunk's SHA-256 (address) in
/// one pass over the bytes, reserves each chunk in the catalog before its blob is written (so a
/// crash leaves nothing untracked) and skips chunks the catalog already holds (dedup).
/// </summary>
public sealed partial class ChunkStore(IBlobBackend blobs, IChunkCatalog chunkCatalog, EngineOptions options, TimeProvider time, ChunkReadPins pins,
    EngineMetrics? metrics = null, Packs.PackWriter? packs = null)
{
    /// <summary>Chunk reads in flight or fetched and not yet written, across all downloads (see <see cref="CopyRangeToAsync"/>).</summary>
    private readonly SemaphoreSlim _readPermits = new(options.MaxConcurrentChunkReads, options.MaxConcurrentChunkReads);

    /// <summary>Buffers for chunk stores running in the background, shared by all uploads (see <see cref="WriteAsync"/>).</summary>
    private readonly SemaphoreSlim _writePermits = new(options.SharedWriteBuffers, Math.Max(1, options.SharedWriteBuffers));

    /// <summary>Shared write permits free right now (tests check that every upload gives its permits back).</summary>
    internal int FreeWritePermits => _writePermits.CurrentCount;

    /// <summary>Read permits free right now (tests check that a cancelled download gives every one back).</summary>
    internal int FreeReadPermits => _readPermits.CurrentCount;

    /// <summary>
    /// Reads <paramref name="body"/> to its end and stores it. On any failure the upload's
    /// reservations are released before the exception propagates. The caller commits the result
    /// or calls <see cref="AbortAsync"/>. Multipart parts pass <paramref name="allowInline"/> false:
    /// parts are concatenated into an object later, which only chunk lists can do. With a
    /// <paramref name="cipher"/>, each chunk (or the inline body) is stored encrypted and addressed by its
    /// ciphertext, while the size, MD5 and checksums are the plaintext's.
    /// </summary>
    public async Task<StoredBody> WriteAsync(Stream body, IReadOnlyCollection<ChecksumAlgorithm> checksums, CancellationToken cancellationToken,
        long? expectedLength = null, bool allowInline = true, BodyCipher? cipher = null)
    {
        // A small body needs no chunk-size buffer; one byte more than declared still shows an overlong body.
        var bufferSize = expectedLength is { } expected && expected < options.ChunkSize ? (int)expected + 1 : options.ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        var storing = new Queue<PendingStore>();
        var free = new Stack<byte[]>();
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var checksumStates = CreateChecksums(checksums);
        Guid? uploadId = null;
        try
        {
            var chunks = new List<ChunkRef>();
            long size = 0;
            while (true)
            {
                var filled = await FillAsync(body, buffer.AsMemory(0, Math.Min(buffer.Length, options.ChunkSize)), md5, checksumStates, cancellationToken).ConfigureAwait(false);
                if (filled == 0)
                {
                    break;
                }
                size += filled;
                var data = buffer.AsMemory(0, filled);
                // MD5 and checksums were taken over the plaintext as it was read; what is stored (and
                // addressed) is the ciphertext, in a buffer of its own sized to it, while the plaintext
                // buffer goes on receiving.
                var sealedBuffer = cipher is null ? null : ArrayPool<byte>.Shared.Rent((int)BodyCipher.StoredLength(filled));
                if (sealedBuffer is not null)
                {
                    data = sealedBuffer.AsMemory(0, cipher!.EncryptChunk(data.Span, sealedBuffer));
                }
                var isWholeBody = chunks.Count == 0 && storing.Count == 0 && filled < options.ChunkSize;
                if (allowInline && isWholeBody && filled <= options.InlineThreshold)
                {
                    var inline = data.ToArray();
                    ReturnSealed(sealedBuffer);
                    return Finish(size, md5, checksumStates, inline, chunks, uploadId);
                }
                uploadId ??= Guid.NewGuid();
                var isLastChunk = filled < options.ChunkSize;
                var id = uploadId.Value;
                // Store the chunk on the pool (hash, reserve, write) while the next one is received, up
                // to WriteBehindChunks stores at once, each holding a buffer permit shared by all
                // uploads. A lone last chunk (nothing to overlap with) or one with no permit free is
                // stored here, in the upload's own buffer, before the next one is read: durable writes
                // overlap when memory allows, and uploads never hold more than one buffer each plus the
                // shared ones.
                if ((isLastChunk && storing.Count == 0) || !await MakeRoomForStoreAsync(storing, chunks, free).ConfigureAwait(false))
                {
                    try
                    {
                        chunks.Add(await StoreChunkAsync(id, data, cancellationToken).ConfigureAwait(false));
                    }
                    finally
                    {
                        ReturnSealed(sealedBuffer);
                    }
                    if (isLastChunk)
                    {
                        break;
                    }
                    continue;
                }
                storing.Enqueue(new PendingStore(Task.Run(() => StoreChunkAsync(id, data, cancellationToken), CancellationToken.None),
                    sealedBuffer ?? buffer, Recyclable: sealedBuffer is null));
                if (sealedBuffer is null)
                {
                    // The stored buffer now belongs to its store until it is recycled.
                    buffer = free.TryPop(out var recycled) ? recycled : ArrayPool<byte>.Shared.Rent(options.ChunkSize);
                }
                if (isLastChunk)
                {
                    break;
                }
            }
            await FinishStoresAsync(storing, chunks, free, all: true).ConfigureAwait(false);
            if (size == 0 && allowInline)
            {
                return Finish(0, md5, checksumStates, inline: [], chunks, uploadId);
            }
            return Finish(size, md5, checksumStates, inline: null, chunks, uploadId);
        }
        catch
        {
            // Stores still running write from buffers returned below, and may still reserve chunks
            // that the abort must release: let them end first.
            while (storing.TryDequeue(out var pending))
            {
                await DrainAsync(pending.Store).ConfigureAwait(false);
                Recycle(pending, free);
            }
            if (uploadId is { } id)
            {
                await AbortAsync(id).ConfigureAwait(false);
            }
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var spare in free)
            {
                ArrayPool<byte>.Shared.Return(spare);
            }
            foreach (var state in checksumStates)
            {
                state.Dispose();
            }
        }
    }

    /// <summary>
    /// A chunk store running in the background and the buffer it reads from; it holds one shared write permit.
    /// A receiving buffer is <paramref name="Recyclable"/> (it receives again afterwards); an encrypted chunk's
    /// own buffer goes back to the pool.
    /// </summary>
    private readonly record struct PendingStore(Task<ChunkRef> Store, byte[] Buffer, bool Recyclable = true);

    private static void ReturnSealed(byte[]? sealedBuffer)
    {
        if (sealedBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(sealedBuffer);
        }
    }

    /// <summary>
    /// True once one more background store may start: a shared permit was free and the upload is under
    /// <see cref="EngineOptions.WriteBehindChunks"/> (waiting for its own oldest store when it is at
    /// the limit). False when no permit is free and none of its stores is in flight: the caller stores
    /// the chunk itself. Only this upload's own stores are ever awaited, so uploads never wait on each other.
    /// </summary>
    private async Task<bool> MakeRoomForStoreAsync(Queue<PendingStore> storing, List<ChunkRef> chunks, Stack<byte[]> free)
    {
        while (true)
        {
            if (storing.Count < options.WriteBehindChunks && _writePermits.Wait(0))
            {
                return true;
            }
            if (storing.Count == 0)
            {
                return false;
            }
            await FinishStoresAsync(storing, chunks, free, all: false).ConfigureAwait(false);
        }
    }

    /// <summary>Awaits the oldest store (or all of them), in order, adding their chunks to the body's list.</summary>
    private async Task FinishStoresAsync(Queue<PendingStore> storing, List<ChunkRef> chunks, Stack<byte[]> free, bool all)
    {
        while (storing.TryPeek(out var pending))
        {
            var chunk = await pending.Store.ConfigureAwait(false);
            storing.Dequeue();
            chunks.Add(chunk);
            Recycle(pending, free);
            if (!all)
            {
                return;
            }
        }
    }

    private void Recycle(PendingStore pending, Stack<byte[]> free)
    {
        if (pending.Recyclable)
        {
            free.Push(pending.Buffer);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(pending.Buffer);
        }
        _writePermits.Release();
    }

    private static async Task DrainAsync(Task running)
    {
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its failure is the upload's failure, already on its way out (or superseded by another).
        }
    }

    /// <summary>
    /// Releases an upload's reservations; blobs it wrote go to the delete queue. Best effort: if
    /// the catalog is unreachable the reservation deadline reclaims them later.
    /// </summary>
    public async Task AbortAsync(Guid uploadId)
    {
        try
        {
            await chunkCatalog.AbortUploadAsync(uploadId, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The reservation's deadline makes the sweeper reclaim it (invariant 4); nothing is lost.
        }
    }

    /// <summary>
    /// Stores one chunk for an upload: encodes it (zstd, when <see cref="EngineOptions.Compression"/>
    /// is on and it compresses well enough), reserves its address with that placement (the blob about
    /// to be written, or a pin on the committed chunk it reuses), then writes the blob when nothing
    /// holds the bytes yet. The importer stores a CAR's body blocks this way, one chunk per block, so
    /// their CIDs stay the chunks' addresses.
    /// </summary>
    /// <remarks>
    /// The chunk is encoded before the reservation says whether it is new, because the reservation
    /// records the placement the commit adopts: a chunk the catalog already holds costs its
    /// compression work for nothing (a large incompressible chunk only its sample's; see <see cref="ChunkCodecs"/>).
    /// </remarks>
    internal async Task<ChunkRef> StoreChunkAsync(Guid uploadId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var hash = ContentHash.Compute(data.Span);
        using var encoded = options.Compression == ChunkCompression.Zstd
            ? ChunkCodecs.TryCompress(data.Span, options.CompressionLevel, options.CompressionMinSaving)
            : null;
        var stored = encoded?.Bytes ?? data;
        var codec = encoded is null ? ChunkCodec.None : ChunkCodec.Zstd;
        var deadline = time.GetUtcNow() + options.ReservationTimeout;
        if (packs is not null && options.PackThreshold > 0 && stored.Length <= options.PackThreshold
            && !(await chunkCatalog.LocateChunksAsync([hash], cancellationToken).ConfigureAwait(false)).ContainsKey(hash))
        {
            // Small and new (a chunk the catalog holds is only pinned below: appending it would waste
            // pack space): appended to this node's open pack, durable there before the reservation
            // records its place. If another upload commits the same bytes first, this copy is dead
            // space in the pack, never a blob to delete. With the local segment store full, it is
            // stored as a blob of its own below.
            if (await packs.TryAppendAsync(hash, data.Length, codec, stored, cancellationToken).ConfigureAwait(false) is { } placement)
            {
                metrics?.ChunkWritten(data.Length, stored.Length, codec);
                await chunkCatalog.ReserveChunkAsync(uploadId, hash, data.Length, placement, deadline, cancellationToken).ConfigureAwait(false);
                return new ChunkRef(hash, data.Length);
            }
            metrics?.SegmentStoreFull();
        }
        var candidate = new ChunkPlacement(BlobNames.NewChunkBlob(hash), 0, stored.Length, codec);
        var reservation = await chunkCatalog.ReserveChunkAsync(uploadId, hash, data.Length, candidate, deadline, cancellationToken)
            .ConfigureAwait(false);
        if (reservation.Kind == ChunkReservationKind.MustWrite)
        {
            await blobs.PutAsync(reservation.BlobName!, stored, cancellationToken).ConfigureAwait(false);
            metrics?.ChunkWritten(data.Length, stored.Length, codec);
        }
        return new ChunkRef(hash, data.Length);
    }

    private static async ValueTask<int> FillAsync(Stream body, Memory<byte> buffer, IncrementalHash md5, List<IncrementalChecksum> checksums,
        CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            var fresh = buffer.Span.Slice(filled, read);
            md5.AppendData(fresh);
            foreach (var checksum in checksums)
            {
                checksum.Append(fresh);
            }
            filled += read;
        }
        return filled;
    }

    private static List<IncrementalChecksum> CreateChecksums(IReadOnlyCollection<ChecksumAlgorithm> algorithms)
    {
        var list = new List<IncrementalChecksum>(algorithms.Count);
        foreach (var algorithm in algorithms)
        {
            list.Add(IncrementalChecksum.Create(algorithm));
        }
        return list;
    }

    private static StoredBody Finish(long size, IncrementalHash md5, List<IncrementalChecksum> checksums, byte[]? inline,
        IReadOnlyList<ChunkRef> chunks, Guid? uploadId)
    {
        var values = new Dictionary<ChecksumAlgorithm, string>(checksums.Count);
        foreach (var checksum in checksums)
        {
            values[checksum.Algorithm] = checksum.GetBase64AndReset();
        }
        return new StoredBody
        {
            Size = size,
            Md5 = md5.GetHashAndReset(),
            Checksums = values,
            InlineBody = inline,
            // Hashed here, on the request's thread, not by the catalog's one writer: the tree names
            // an inline body by it (its raw CID) without reading the body back.
            InlineBodyHash = inline is { Length: > 0 } ? ContentHash.Compute(inline) : null,
            Chunks = chunks,
            UploadId = uploadId,
        };
    }
}
