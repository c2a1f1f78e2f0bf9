namespace Cairn.Metadata;

/// <summary>
/// Packs (issue 12): blobs that hold many small chunks, each chunk row placing its bytes at an
/// offset in one (<see cref="ChunkPlacement.PackId"/>). A pack is registered before its first
/// chunk is written to it, so its bytes are never untracked (invariant 4); it is open while a node
/// appends to its local segment, sealed once complete (its length final), and stored once its blob
/// is in the blob store.
/// </summary>
/// <remarks>
/// The delete path goes through placement: a packed chunk whose last reference goes stays as a row
/// with a count of zero (its bytes are dead space in the pack, not a blob to delete), and an upload
/// that ends without committing a packed chunk it wrote queues nothing. A pack's live bytes are
/// summed from its chunk rows when asked (<see cref="ListPacksAsync"/>), not kept as a counter that
/// every reference change would have to maintain: the same sum is what a compaction re-reads
/// inside its transaction before it swaps references.
/// </remarks>
public interface IPackCatalog
{
    /// <summary>Registers a new open pack, held by <paramref name="node"/>. False when the id or blob name is taken.</summary>
    ValueTask<bool> CreatePackAsync(string id, string blobName, string node, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Seals an open pack: <paramref name="dataLength"/> bytes of chunk data, final. False when the
    /// pack does not exist or is not open (sealing is not repeated).
    /// </summary>
    ValueTask<bool> SealPackAsync(string id, long dataLength, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that a sealed pack's blob is in the blob store. False when the pack does not exist or is not sealed.</summary>
    ValueTask<bool> MarkPackStoredAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a stored pack's blob for deletion at <paramref name="notBefore"/> when nothing needs
    /// it: no chunk placed in it is referenced and no upload's reservation names it. False (nothing
    /// queued) otherwise, or when the pack is not stored. The sweeper re-checks when the entry is due
    /// (a chunk revived meanwhile keeps the pack; a pin postpones it) and then removes the pack's
    /// chunk rows and its row with the blob.
    /// </summary>
    ValueTask<bool> RetirePackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>Every pack, with its live chunks and bytes summed from the chunk rows, by id.</summary>
    ValueTask<IReadOnlyList<PackInfo>> ListPacksAsync(CancellationToken cancellationToken);
}

/// <summary>Where a pack is in its life.</summary>
public enum PackState
{
    /// <summary>A node appends chunks to its local segment.</summary>
    Open = 0,

    /// <summary>Complete, its length final; not yet in the blob store.</summary>
    Sealed = 1,

    /// <summary>Its blob is in the blob store.</summary>
    Stored = 2,
}

/// <summary>A pack as the catalog sees it.</summary>
/// <param name="Id">Generated when the pack is opened.</param>
/// <param name="BlobName">The blob that holds (or will hold) the pack.</param>
/// <param name="State">Open, sealed or stored.</param>
/// <param name="Node">The node that holds the pack's local segment while it is not stored.</param>
/// <param name="DataLength">Bytes of chunk data in the pack (0 until sealed).</param>
/// <param name="LiveChunks">Chunk rows placed in the pack that something references.</param>
/// <param name="LiveBytes">Their stored bytes.</param>
/// <param name="CreatedAt">When the pack was opened.</param>
/// <param name="SealedAt">When it was sealed; null while open.</param>
public sealed record PackInfo(string Id, string BlobName, PackState State, string? Node, long DataLength, long LiveChunks, long LiveBytes,
    DateTimeOffset CreatedAt, DateTimeOffset? SealedAt)
{
    /// <summary>
    /// Bytes of a sealed pack that no reference needs: chunks at zero, and bytes written by uploads
    /// that never committed. <paramref name="recordOverhead"/> is what the pack format adds to each
    /// chunk's stored bytes (the catalog does not know it); 0 while open.
    /// </summary>
    public long DeadBytes(int recordOverhead) =>
        State == PackState.Open ? 0 : Math.Max(0, DataLength - LiveBytes - (LiveChunks * recordOverhead));
}
