using Cairn.Core;

namespace Cairn.Mst;

/// <summary>An encoded block (an MST node or a manifest) and its CID.</summary>
/// <param name="Cid">The block's CID (dag-cbor, sha2-256).</param>
/// <param name="Data">The block's DAG-CBOR bytes.</param>
/// <param name="Links">
/// The block's links in the order <see cref="DagCbor.ReadLinks"/> reads them from <paramref name="Data"/>,
/// when its encoder handed them over (null: not known, read them from the bytes).
/// </param>
public readonly record struct MstBlock(Cid Cid, byte[] Data, IReadOnlyList<Cid>? Links = null);
