using Cairn.Core;

namespace Cairn.Mst;

/// <summary>An encoded MST node and its CID.</summary>
/// <param name="Cid">The node's CID (dag-cbor, sha2-256).</param>
/// <param name="Data">The node's DAG-CBOR bytes.</param>
public readonly record struct MstBlock(Cid Cid, byte[] Data);
