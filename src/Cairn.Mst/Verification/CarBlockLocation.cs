namespace Cairn.Mst;

/// <summary>Where a block's bytes lie in a CAR file.</summary>
/// <param name="Offset">Stream offset of the block's first byte (after its section's length prefix and CID).</param>
/// <param name="Length">The block's length in bytes.</param>
internal readonly record struct CarBlockLocation(long Offset, int Length);
