using Cairn.Core;

namespace Cairn.Mst;

internal sealed partial class ExportCheck
{
    /// <summary>
    /// Check 2: walks the tree under <paramref name="data"/> in key order, one path in memory,
    /// checking each node and collecting the leaves; then rebuilds the tree from the leaves.
    /// </summary>
    private async Task WalkTreeAsync(Cid data, CancellationToken cancellationToken)
    {
        var stack = new Stack<NodeFrame>();
        Cid? next = data;
        var parent = (Cid?)null;
        byte[]? previousKey = null;
        while (true)
        {
            while (next is not null)
            {
                var frame = await ReadNodeAsync(next, parent, cancellationToken).ConfigureAwait(false);
                if (frame is null)
                {
                    _treeIntact = false; // the subtree is skipped; its keys are unknown
                    break;
                }
                stack.Push(frame);
                parent = frame.Cid;
                next = frame.Node.Left;
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
            var entry = top.Node.Entries[top.Next];
            var key = top.Keys[top.Next];
            top.Next++;
            if (key.Length == 0)
            {
                AddError($"MST node {top.Cid} has an entry with an empty key.");
                _treeIntact = false;
            }
            else if (previousKey is not null && MstKey.Compare(previousKey, key) >= 0)
            {
                AddError($"Key {Describe(key)} in MST node {top.Cid} is out of order: it does not come after {Describe(previousKey)}.");
                _treeIntact = false;
            }
            previousKey = key;
            _leaves.Add(new Leaf(key, entry.Value, top.Cid));
            parent = top.Cid;
            next = entry.Right;
        }
        if (_treeIntact)
        {
            CheckRebuild(data);
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

    /// <summary>Reads, decodes and checks one node; null (with the error recorded) when it cannot be walked.</summary>
    private async Task<NodeFrame?> ReadNodeAsync(Cid cid, Cid? parent, CancellationToken cancellationToken)
    {
        var where = parent is null ? "the commit's data" : $"linked from MST node {parent}";
        if (!_reached.Add(cid))
        {
            // A tree links each node once; a second link would walk its keys twice.
            AddError($"MST node {cid} ({where}) is linked more than once.");
            return null;
        }
        if (cid.Codec != Cid.DagCborCodec)
        {
            AddError($"MST node link {cid} ({where}) is not a dag-cbor CID.");
            return null;
        }
        var block = await _index.ReadAsync(cid, cancellationToken).ConfigureAwait(false);
        if (block is null)
        {
            AddError($"MST node {cid} ({where}) is missing.");
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
        return new NodeFrame(cid, node, keys);
    }

    /// <summary>A node on the walk's path and the index of its next entry.</summary>
    private sealed class NodeFrame(Cid cid, MstNode node, byte[][] keys)
    {
        public Cid Cid { get; } = cid;

        public MstNode Node { get; } = node;

        public byte[][] Keys { get; } = keys;

        public int Next { get; set; }
    }
}
