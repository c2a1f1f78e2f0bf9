using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Chunk rows and the reservations of uploads in progress: the half of the chunk lifecycle that
/// protects bytes before and while they are written (DESIGN invariants 4 and 5).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Before a chunk's bytes are written, <see cref="ReserveChunkAsync"/> records the upload and
/// the chunk (with the blob name about to be written, or a pin on the committed chunk it reuses).
/// A reservation has a deadline; each reservation of the same upload extends it.</item>
/// <item><see cref="IObjectCatalog.CommitObjectAsync"/> (and <see cref="IMultipartCatalog.CommitPartAsync"/>)
/// turn reservations into references (refcount += uses), adopt written blobs as chunk rows, queue
/// blobs that lost a race to an identical chunk, release the references of what they replace (a
/// count reaching zero queues the chunk's blob with the grace delay) and drop the upload's reservations.</item>
/// <item><see cref="AbortUploadAsync"/> (or <see cref="ExpireUploadsAsync"/> after a crash) drops the
/// reservations and queues every blob the upload wrote that no chunk row adopted.</item>
/// <item>The sweeper asks <see cref="IDeleteQueue.PrepareDeleteAsync"/> for each due entry (see there).</item>
/// </list>
/// A chunk row exists only while some committed version or stored part references it, or while its
/// blob waits in the delete queue with a zero count. Blob names are unique per write, so a new write
/// of a chunk never races the deletion of an older blob of the same content.
/// </remarks>
public interface IChunkCatalog
{
    /// <summary>
    /// Reserves a chunk for an upload before its bytes are written, and sets the upload's deadline.
    /// When no committed chunk has this address, records <paramref name="candidate"/> as where this
    /// upload will write the bytes (and how they are encoded there), returns
    /// <see cref="ChunkReservationKind.MustWrite"/>, and the commit that references the chunk adopts
    /// that placement. The deadline only moves later: the upload keeps the latest deadline any of its
    /// reservations gave.
    /// </summary>
    ValueTask<ChunkReservation> ReserveChunkAsync(Guid uploadId, ContentHash hash, int length, ChunkPlacement candidate,
        DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Drops an upload's reservations and queues (for immediate deletion) the blobs it wrote that nothing adopted.</summary>
    ValueTask AbortUploadAsync(Guid uploadId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Aborts every upload whose deadline is before <paramref name="now"/> (crashed or abandoned writers). Returns how many.</summary>
    ValueTask<int> ExpireUploadsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Where each committed chunk's bytes are and how they are stored: every read goes through this.
    /// Chunks with no row are left out of the result (the caller treats that as a missing chunk: a
    /// hard error, invariant 3).
    /// </summary>
    ValueTask<IReadOnlyDictionary<ContentHash, ChunkPlacement>> LocateChunksAsync(IReadOnlyCollection<ContentHash> hashes,
        CancellationToken cancellationToken);

    /// <summary>Committed chunk rows: address, placement, length, reference count.</summary>
    ValueTask<IReadOnlyList<ChunkInfo>> ListChunksAsync(CancellationToken cancellationToken);
}

/// <summary>How a chunk's bytes are encoded where they are stored. The address is always of the decoded bytes.</summary>
public enum ChunkCodec
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>One zstd frame.</summary>
    Zstd = 1,
}

/// <summary>
/// Where a chunk's bytes are and how they are stored: <see cref="StoredLength"/> bytes at
/// <see cref="Offset"/> in blob <see cref="BlobName"/>, encoded by <see cref="Codec"/>. Decoding
/// them gives the chunk's bytes, whose SHA-256 is its address. <see cref="PackId"/> names the pack
/// when the blob is one (<see cref="IPackCatalog"/>): the blob is then the whole pack's, never
/// deleted for one chunk.
/// </summary>
public readonly record struct ChunkPlacement(string BlobName, long Offset, int StoredLength, ChunkCodec Codec, string? PackId = null)
{
    /// <summary>A chunk stored as is in a blob of its own.</summary>
    public static ChunkPlacement Whole(string blobName, int length) => new(blobName, 0, length, ChunkCodec.None);
}

/// <summary>A committed chunk row.</summary>
public readonly record struct ChunkInfo(ContentHash Hash, ChunkPlacement Placement, int Length, long RefCount)
{
    /// <summary>A chunk stored as is in a blob of its own.</summary>
    public ChunkInfo(ContentHash hash, string blobName, int length, long refCount)
        : this(hash, ChunkPlacement.Whole(blobName, length), length, refCount)
    {
    }

    /// <summary>The blob that holds the chunk's bytes.</summary>
    public string BlobName => Placement.BlobName;
}

/// <summary>Conveniences over <see cref="IChunkCatalog"/>.</summary>
public static class ChunkCatalogExtensions
{
    /// <summary>Reserves a chunk that this upload would store as is, in a blob of its own (see <see cref="IChunkCatalog.ReserveChunkAsync"/>).</summary>
    public static ValueTask<ChunkReservation> ReserveChunkAsync(this IChunkCatalog catalog, Guid uploadId, ContentHash hash, int length,
        string candidateBlobName, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        catalog.ReserveChunkAsync(uploadId, hash, length, ChunkPlacement.Whole(candidateBlobName, length), deadline, cancellationToken);
}
