using System.Runtime.CompilerServices;
using Cairn.Core;

namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>
    /// Every key and value in bytewise key order, reading the nodes that are not loaded from
    /// <paramref name="source"/> as the walk reaches them (for export). Memory stays bounded by the
    /// tree's height: the walk holds one path, and the nodes it reads are checked as
    /// <see cref="LoadAsync"/> checks them but never attached to the tree, so they are dropped once
    /// passed. Loaded nodes, with their pending changes, are walked as they are. Do not change the
    /// tree while enumerating.
    /// </summary>
    /// <exception cref="MstFormatException">A block does not match its CID or is not a node that fits where it hangs.</exception>
    public IAsyncEnumerable<KeyValuePair<byte[], Cid>> EnumerateAsync(IMstBlockSource source, CancellationToken cancellationToken) =>
        EnumerateAsync(source, range: null, cancellationToken);

    /// <summary>
    /// The keys in <paramref name="range"/> (null: every key) and their values, in bytewise key
    /// order, as <see cref="EnumerateAsync(IMstBlockSource, CancellationToken)"/> walks them; a
    /// subtree whose keys cannot start with the prefix is neither read nor walked, so a range proof
    /// (which leaves such subtrees out) walks as well as a whole tree.
    /// </summary>
    /// <exception cref="MstFormatException">A block does not match its CID or is not a node that fits where it hangs.</exception>
    public async IAsyncEnumerable<KeyValuePair<byte[], Cid>> EnumerateAsync(
        IMstBlockSource source, MstPrefixRange? range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var stack = new Stack<(Node Node, int Next, byte[]? Upper)>();
        var current = _root;
        byte[]? lower = null, upper = null; // the bounds of current's keys
        while (current is not null || stack.Count > 0)
        {
            while (current is not null)
            {
                if (range is not null && !range.Overlaps(lower, upper))
                {
                    current = null; // no key below here can start with the prefix
                    break;
                }
                if (!current.IsLoaded)
                {
                    var copy = Node.Stub(current.Cid!, current.Layer);
                    var block = await source.GetBlockAsync(copy.Cid!, cancellationToken).ConfigureAwait(false);
                    LoadNode(copy, block, lower, upper, isRoot: current == _root, source.ReturnsVerifiedNodes);
                    current = copy;
                }
                stack.Push((current, 0, upper));
                upper = current.Entries.Count > 0 ? current.Entries[0].Key : upper;
                current = current.Left;
            }
            var (node, next, nodeUpper) = stack.Pop();
            if (next < node.Entries.Count)
            {
                var entry = node.Entries[next];
                if (range is null || range.Contains(entry.Key))
                {
                    yield return new KeyValuePair<byte[], Cid>((byte[])entry.Key.Clone(), entry.Value);
                }
                stack.Push((node, next + 1, nodeUpper));
                lower = entry.Key;
                upper = next + 1 < node.Entries.Count ? node.Entries[next + 1].Key : nodeUpper;
                current = entry.Right;
            }
        }
    }
}
