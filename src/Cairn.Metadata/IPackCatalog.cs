using Cairn.Core;

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
    /// it: no chunk placed in it is referenced and no upload's reservation names it; the pack is then
    /// retired. False (nothing queued) otherwise, or when the pack is not stored. The sweeper re-checks when the entry is due
    /// (a chunk revived meanwhile keeps the pack; a pin postpones it) and then removes the pack's
    /// chunk rows and its row with the blob.
    /// </summary>
    ValueTask<bool> RetirePackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>Every pack, with its live chunks and bytes summed from the chunk rows, by id.</summary>
    ValueTask<IReadOnlyList<PackInfo>> ListPacksAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What a compaction of the pack must carry over: every chunk placed in it that is referenced or
    /// pinned by an upload's reservation of its address (an upload about to reference it), by
    /// offset; and how many reservations name bytes appended to the pack that no row adopted yet
    /// (an upload still writing: such a pack is not compacted).
    /// </summary>
    ValueTask<PackContents> ReadPackContentsAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Swaps the references of a compaction in one transaction, or refuses and changes nothing. The
    /// output pack must be sealed and not yet stored. Inside the transaction the verification
    /// aggregate of each input (the count and stored bytes of its needed chunks, as
    /// <see cref="ReadPackContentsAsync"/> defines them) is read again and must equal what the moves
    /// carry; no reservation may name an input; every move must find its chunk where the compactor
    /// read it. Then the chunk rows point into the output, the input rows nobody needs go, the output
    /// is stored, and every input is retired: its blob queued for deletion at
    /// <see cref="PackSwap.RetireAt"/> (after the grace period, for readers that located a chunk
    /// before the swap).
    /// </summary>
    ValueTask<PackSwapOutcome> SwapPackAsync(PackSwap swap, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up an open or sealed pack that no chunk row and no reservation names (a compaction's
    /// output that was never swapped in): it is retired and its blob, if written at all, queued for
    /// deletion at <paramref name="notBefore"/>. False when the pack is not such a pack.
    /// </summary>
    ValueTask<bool> AbandonPackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken);
}

/// <summary>The chunks a compaction must copy out of a pack, and the uploads that block it; see <see cref="IPackCatalog.ReadPackContentsAsync"/>.</summary>
/// <param name="Needed">Referenced or pinned chunks placed in the pack, by offset.</param>
/// <param name="Reservations">Reservations naming bytes appended to the pack that no chunk row adopted yet.</param>
public sealed record PackContents(IReadOnlyList<PackedChunk> Needed, long Reservations);

/// <summary>A chunk placed in a pack: its address, its length and where its stored bytes are.</summary>
public sealed record PackedChunk(ContentHash Hash, int Length, ChunkPlacement Placement);

/// <summary>A compaction's swap; see <see cref="IPackCatalog.SwapPackAsync"/>.</summary>
/// <param name="Inputs">The packs rewritten, each retired by the swap.</param>
/// <param name="Output">The pack their needed chunks were copied to.</param>
/// <param name="Moves">Every needed chunk of the inputs, with where it was and where it is in the output.</param>
/// <param name="RetireAt">When the inputs' blobs may be deleted.</param>
public sealed record PackSwap(IReadOnlyList<string> Inputs, string Output, IReadOnlyList<PackMove> Moves, DateTimeOffset RetireAt);

/// <summary>One chunk carried over by a compaction: from its offset in an input pack to its offset in the output (the stored bytes unchanged).</summary>
public readonly record struct PackMove(ContentHash Hash, string FromPack, long FromOffset, long ToOffset, int StoredLength);

/// <summary>What <see cref="IPackCatalog.SwapPackAsync"/> did.</summary>
public enum PackSwapOutcome
{
    /// <summary>The references point into the output; the inputs are retired.</summary>
    Swapped = 0,

    /// <summary>An input's needed chunks are not what the compactor copied (the verification aggregate or a move did not match): nothing changed.</summary>
    InputsChanged = 1,

    /// <summary>An upload's reservation names bytes in an input: nothing changed.</summary>
    InputsReserved = 2,

    /// <summary>The output is not a sealed pack waiting for its swap (abandoned, or swapped already): nothing changed.</summary>
    OutputNotReady = 3,
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

    /// <summary>
    /// Rewritten by a compaction (or abandoned): its blob is queued for deletion, and its row goes
    /// with the blob. Stored again if a reference came back before the sweeper got to it.
    /// </summary>
    Retired = 3,
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
