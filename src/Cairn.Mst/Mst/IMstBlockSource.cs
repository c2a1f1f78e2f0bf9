using Cairn.Core;

namespace Cairn.Mst;

/// <summary>Where an opened <see cref="MstTree"/> reads its node blocks from (the block store).</summary>
public interface IMstBlockSource
{
    /// <summary>
    /// The bytes of the block <paramref name="cid"/> names. Throws when the block is missing; the tree
    /// checks the bytes against the CID itself (a mismatch is an <see cref="MstFormatException"/>).
    /// <see cref="MstTree.LoadAsync"/> has several calls in flight at once: an implementation must be
    /// safe for concurrent calls.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken);
}
