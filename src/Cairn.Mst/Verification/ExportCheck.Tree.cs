using Cairn.Core;

namespace Cairn.Mst;

internal sealed partial class ExportCheck
{
    /// <summary>
    /// Check 2: walks the tree under <paramref name="data"/> in key order, one path in memory,
    /// checking each node and each key against the bounds its parent gives, and collecting the
    /// leaves whose manifests are checked next. Without a prefix the tree is then rebuilt from the
    /// leaves; with one, each node's shape is checked on its own instead (<see cref="CheckShape"/>),
    /// since the leaves of subtrees left out of a range export are not known.
    /// </summary>
    private async Task WalkTreeAsync(Cid data, CancellationToken cancellationToken)
    {
        var stack = new Stack<NodeFrame>();
        Link? next = new Link(data, Parent: null, Lower: null, Upper: null, Layer: null);
        while (true)
        {
            while (next is { } link)
            {
                var frame = await ReadNodeAsync(link, cancellationToken).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }
                stack.Push(frame);
                next = frame.Node.Left is { } left
                    ? frame.ChildLink(left, frame.Lower, frame.Keys.Length > 0 ? frame.Keys[0] : frame.Upper)
                    : null;
            }
            if (!stack.TryPeek(out var top))
            {
                break;
            }
            if (top.Next == top.Keys.Length)
            {
                stack.Pop();
                next = null;
                continue;
            }
            var index = top.Next++;
            var entry = top.Node.Entries[index];
            var key = top.Keys[index];
            CheckKey(top, index);
            if (_range is null || _range.Contains(key))
            {
                _keys++;
                _leaves.Add(new Leaf(key, entry.Value, top.Cid));
            }
            else if (_index.TryGetLocation(entry.Value, out _))
            {
                // Outside the range a key needs no manifest, but one the file holds is checked (and reached).
                _leaves.Add(new Leaf(key, entry.Value, top.Cid));
            }
            next = entry.Right is { } right
                ? top.ChildLink(right, key, index + 1 < top.Keys.Length ? top.Keys[index + 1] : top.Upper)
                : null;
        }
        if (_range is null && _treeIntact)
        {
            CheckRebuild(data);
        }
    }

    /// <summary>
    /// One key of a node: not empty, after the node's previous key, and within the bounds its
    /// parent gives (after the key before the subtree, before the key after it). With the node's
    /// keys in order, checking the first against the lower bound and the last against the upper
    /// covers them all, and the whole walk is then in order.
    /// </summary>
    private void CheckKey(NodeFrame node, int index)
    {
        var key = node.Keys[index];
        if (key.Length == 0)
        {
            AddError($"MST node {node.Cid} has an entry with an empty key.");
            _treeIntact = false;
            return;
        }
        if (index > 0 && MstKey.Compare(node.Keys[index - 1], key) >= 0)
        {
            AddError($"Key {Describe(key)} in MST node {node.Cid} is out of order: it does not come after {Describe(node.Keys[index - 1])}.");
            _treeIntact = false;
        }
        else if (index == 0 && node.Lower is { } lower && MstKey.Compare(lower, key) >= 0)
        {
            AddError($"Key {Describe(key)} in MST node {node.Cid} is outside the bounds its parent gives: it does not come after {Describe(lower)}.");
            _treeIntact = false;
        }
        if (index == node.Keys.Length - 1 && node.Upper is { } upper && MstKey.Compare(key, upper) >= 0)
        {
            AddError($"Key {Describe(key)} in MST node {node.Cid} is outside the bounds its parent gives: it does not come before {Describe(upper)}.");
            _treeIntact = false;
        }
        if (_range is not null && node.Layer is { } layer && MstKey.Height(key) is var height && height != layer)
        {
            AddError($"Key {Describe(key)} in MST node {node.Cid} has MST layer {height}, but its node is at layer {layer}.");
        }
    }

    /// <summary>
    /// The keys are in order and every node is sound on its own; whether they form the MST of those
    /// keys is one comparison. The MST is a function of its key set (<see cref="MstBuilder"/>), so
    /// the rebuilt root equals the commit's exactly when every node sits at its keys' height, each
    /// layer is split where it must be, entry-less nodes and the root are trimmed as they must be,
    /// and prefix compression is canonical: one check covers heights, layers, compression and shape.
    /// </summary>
    private void CheckRebuild(Cid data)
    {
        var rebuilt = MstBuilder.Build(_leaves.Select(static leaf => new KeyValuePair<byte[], Cid>(leaf.Key, leaf.Value))).Root;
        if (rebuilt != data)
        {
            AddError($"The tree under {data} is not the MST of its {_leaves.Count} keys: rebuilding it from them gives root {rebuilt} (heights, layers, prefix compression or shape differ).");
        }
    }

    /// <summary>
    /// With a prefix, the rebuild's checks made node by node (with <see cref="CheckKey"/>'s layer
    /// check): the root has entries unless it is the empty tree, a node below it has entries or a
    /// subtree, and a layer-0 node has no subtrees. With keys in order and canonical compression,
    /// these are what make a tree the one MST of its keys (the root's layer is its first key's, each
    /// child's its parent's less one), so a range's nodes are checked without the leaves left out.
    /// </summary>
    private void CheckShape(NodeFrame node, string where)
    {
        if (node.Keys.Length == 0)
        {
            if (node.IsRoot && node.Node.Left is not null)
            {
                AddError($"MST node {node.Cid} ({where}) has no entries but a subtree: the root is not trimmed.");
            }
            else if (!node.IsRoot && node.Node.Left is null)
            {
                AddError($"MST node {node.Cid} ({where}) has neither entries nor a subtree: an empty node below the root.");
            }
        }
        if (node.Layer == 0 && (node.Node.Left is not null || node.Node.Entries.Any(static e => e.Right is not null)))
        {
            AddError($"MST node {node.Cid} ({where}) is at layer 0 but links subtrees.");
        }
    }

    /// <summary>
    /// Reads, decodes and checks one node; null when it cannot be walked (with the error recorded),
    /// or when it is absent and, with a prefix, lies wholly outside the range (no error).
    /// </summary>
    private async Task<NodeFrame?> ReadNodeAsync(Link link, CancellationToken cancellationToken)
    {
        var cid = link.Cid;
        var where = link.Parent is null ? "the commit's data" : $"linked from MST node {link.Parent}";
        if (!_reached.Add(cid))
        {
            // A tree links each node once; a second link would walk its keys twice.
            AddError($"MST node {cid} ({where}) is linked more than once.");
            _treeIntact = false;
            return null;
        }
        if (cid.Codec != Cid.DagCborCodec)
        {
            AddError($"MST node link {cid} ({where}) is not a dag-cbor CID.");
            _treeIntact = false;
            return null;
        }
        var block = await _index.ReadAsync(cid, cancellationToken).ConfigureAwait(false);
        if (block is null)
        {
            if (_range is null)
            {
                AddError($"MST node {cid} ({where}) is missing.");
                _treeIntact = false; // the subtree is skipped; its keys are unknown
            }
            else if (_range.Overlaps(link.Lower, link.Upper))
            {
                AddError($"MST node {cid} ({where}) is missing, and keys starting with {Describe(_prefixBytes)} may lie under it.");
            }
            return null;
        }
        MstNode node;
        byte[][] keys;
        try
        {
            node = MstNode.Decode(block);
            keys = node.ExpandKeys();
        }
        catch (MstFormatException ex)
        {
            AddError($"MST node {cid} ({where}) does not decode: {ex.Message}");
            _treeIntact = false;
            return null;
        }
        _nodes++;
        // Strict DAG-CBOR is checked by Decode; re-encoding from the full keys also checks that each
        // entry shares exactly the prefix it has with the previous key (the one canonical compression).
        var items = new (byte[] Key, Cid Value, Cid? Right)[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            items[i] = (keys[i], node.Entries[i].Value, node.Entries[i].Right);
        }
        if (!MstNode.FromKeys(node.Left, items).Encode().AsSpan().SequenceEqual(block))
        {
            // Its keys and links are still known: walk on, so its subtree is not reported unreachable.
            AddError($"MST node {cid} ({where}) is not the canonical encoding of its entries.");
            _treeIntact = false;
        }
        // A node's layer is its parent's less one; the root's (or, below a layer-0 node, which is an
        // error of its own, a node's) is its first key's.
        var layer = link.Layer ?? (keys.Length > 0 && keys[0].Length > 0 ? MstKey.Height(keys[0]) : null);
        var frame = new NodeFrame(cid, node, keys, link.Lower, link.Upper, layer, isRoot: link.Parent is null);
        if (_range is not null)
        {
            CheckShape(frame, where);
        }
        return frame;
    }

    /// <summary>A link to a node: its CID, the node linking it, the bounds of its keys, and its layer when known.</summary>
    private readonly record struct Link(Cid Cid, Cid? Parent, byte[]? Lower, byte[]? Upper, int? Layer);

    /// <summary>A node on the walk's path, the bounds of its keys, its layer, and the index of its next entry.</summary>
    private sealed class NodeFrame(Cid cid, MstNode node, byte[][] keys, byte[]? lower, byte[]? upper, int? layer, bool isRoot)
    {
        public Cid Cid { get; } = cid;

        public MstNode Node { get; } = node;

        public byte[][] Keys { get; } = keys;

        /// <summary>The key before this subtree in its parent (or further up); null at the tree's left edge.</summary>
        public byte[]? Lower { get; } = lower;

        /// <summary>The key after this subtree; null at the tree's right edge.</summary>
        public byte[]? Upper { get; } = upper;

        /// <summary>The node's layer; null when it cannot be known (an entry-less root).</summary>
        public int? Layer { get; } = layer;

        public bool IsRoot { get; } = isRoot;

        public int Next { get; set; }

        /// <summary>The link to a child whose keys lie between <paramref name="lower"/> and <paramref name="upper"/>.</summary>
        public Link ChildLink(Cid child, byte[]? lower, byte[]? upper) =>
            new(child, Cid, lower, upper, Layer is > 0 ? Layer - 1 : null);
    }
}
