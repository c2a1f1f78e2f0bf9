using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// One entry of an MST node as stored: <c>{p, k, v, t}</c>.
/// </summary>
/// <param name="PrefixLength"><c>p</c>: bytes shared with the previous entry's key in the node (0 for the first).</param>
/// <param name="KeySuffix"><c>k</c>: the rest of the key.</param>
/// <param name="Value"><c>v</c>: the value CID (for Cairn, the object's manifest).</param>
/// <param name="Right"><c>t</c>: the subtree of keys between this entry and the next, or null.</param>
public sealed record MstEntry(int PrefixLength, byte[] KeySuffix, Cid Value, Cid? Right);
