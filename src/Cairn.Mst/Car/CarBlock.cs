using Cairn.Core;

namespace Cairn.Mst;

/// <summary>One block of a CAR file: its CID and its bytes (already checked against the CID).</summary>
/// <param name="Cid">The block's CID.</param>
/// <param name="Data">The block's bytes.</param>
public readonly record struct CarBlock(Cid Cid, ReadOnlyMemory<byte> Data);
