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

    /// <summary>
    /// True when every block this source returns is known to be the canonical MST node its CID names:
    /// the source checks each block it reads from storage against its CID, and its storage only ever
    /// held nodes encoded by <see cref="MstTree"/> (a committer's own segments). The tree then trusts
    /// the bytes and skips its own checks (hash, strict decoding, canonical re-encoding, key heights and
    /// order), which are most of a load's cost. False by default: blocks from outside (a CAR being
    /// imported or verified) are checked in full.
    /// </summary>
    bool ReturnsVerifiedNodes => false;
}
