using Cairn.Core;

namespace Cairn.Mst;

/// <summary>A whole tree: its root CID and every node block, children before parents.</summary>
/// <param name="Root">The root node's CID.</param>
/// <param name="Blocks">Every node block; the last is the root.</param>
public sealed record MstBuildResult(Cid Root, IReadOnlyList<MstBlock> Blocks);
