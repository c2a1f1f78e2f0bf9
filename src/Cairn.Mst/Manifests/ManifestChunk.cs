using Cairn.Core;

namespace Cairn.Mst;

/// <summary>One piece of an object's body, as a manifest lists it: <c>{cid, length}</c>.</summary>
/// <param name="Cid">The chunk's CID (raw codec, 0x55: the chunk's bytes as they are).</param>
/// <param name="Length">The chunk's length in bytes.</param>
public readonly record struct ManifestChunk(Cid Cid, long Length);
