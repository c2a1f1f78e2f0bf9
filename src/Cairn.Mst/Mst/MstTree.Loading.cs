using Cairn.Core;

namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>Most block reads <see cref="LoadAsync"/> has in flight at once.</summary>
    private const int MaxConcurrentReads = 32;

    /// <summary>
    /// A tree whose root is known only by CID (the committer's last committed root); its nodes are
    /// read by <see cref="LoadAsync"/> as batches need them. <see cref="EmptyRoot"/> opens an empty tree.
    /// </summary>
    public static MstTree Open(Cid root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var tree = new MstTree { _emptyBlockIsNew = false }; // the committed root's blocks are stored
        if (root != EmptyRoot)
        {
            tree._root = Node.Stub(root, Node.UnknownLayer);
            tree._countKnown = false;
            tree._hasStubs = true;
        }
        return tree;
    }

    /// <summary>
    /// Loads every node that a Get, Put or Delete of each of <paramref name="keys"/> reads or changes,
    /// in any order and mix, within one batch: each key's search path from the root to its entry or
    /// to the bottom (what an insert splits), and, where the key is in the tree, the rightmost path
    /// of the gap before it and the leftmost path of the gap after it (what a delete merges). Each
    /// block is read once, the blocks of one layer concurrently; nodes already loaded are not read.
    /// </summary>
    /// <exception cref="MstFormatException">A block does not match its CID or is not a node that fits where it hangs.</exception>
    public async ValueTask LoadAsync(IEnumerable<byte[]> keys, IMstBlockSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(source);
        var walks = new List<(byte[] Key, PathWalk Walk)>();
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (key.Length == 0)
            {
                throw new ArgumentException("MST keys are not empty.", nameof(keys));
            }
            walks.Add((key, new PathWalk(_root, MstKey.Height(key), WalkMode.Load)));
        }
        // Rounds: every walk goes as far as the loaded nodes take it; the stubs they stop at (one per
        // walk, shared ones once) are read together and loaded, and the walks resume.
        var stubs = new Dictionary<Node, (byte[]? Lower, byte[]? Upper)>();
        while (walks.Count > 0)
        {
            stubs.Clear();
            var active = 0;
            for (var i = 0; i < walks.Count; i++)
            {
                var (key, walk) = walks[i];
                if (walk.Advance(key) is { } stub)
                {
                    stubs.TryAdd(stub, (walk.Lower, walk.Upper));
                    walks[active++] = walks[i];
                }
            }
            walks.RemoveRange(active, walks.Count - active);
            if (stubs.Count > 0)
            {
                await LoadStubsAsync([.. stubs], source, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask LoadStubsAsync(KeyValuePair<Node, (byte[]? Lower, byte[]? Upper)>[] stubs, IMstBlockSource source, CancellationToken cancellationToken)
    {
        if (stubs.Length == 1)
        {
            var (node, (lower, upper)) = stubs[0];
            var block = await source.GetBlockAsync(node.Cid!, cancellationToken).ConfigureAwait(false);
            LoadNode(node, block, lower, upper, isRoot: node == _root, source.ReturnsVerifiedNodes);
            return;
        }
        for (var start = 0; start < stubs.Length; start += MaxConcurrentReads)
        {
            var reads = new Task<ReadOnlyMemory<byte>>[Math.Min(MaxConcurrentReads, stubs.Length - start)];
            for (var i = 0; i < reads.Length; i++)
            {
                reads[i] = source.GetBlockAsync(stubs[start + i].Key.Cid!, cancellationToken).AsTask();
            }
            await Task.WhenAll(reads).ConfigureAwait(false);
            for (var i = 0; i < reads.Length; i++)
            {
                var (node, (lower, upper)) = stubs[start + i];
                LoadNode(node, await reads[i].ConfigureAwait(false), lower, upper, isRoot: node == _root, source.ReturnsVerifiedNodes);
            }
        }
    }

    /// <summary>
    /// Turns the loaded nodes back into stubs (the root keeps its CID), so a committer's memory after
    /// a batch does not grow with the nodes its batches touched. The nodes of the top
    /// <paramref name="keepLevels"/> levels (1: the root) that are loaded stay loaded, since every
    /// batch walks them. A tree created in memory can be unloaded too; it then needs LoadAsync.
    /// </summary>
    /// <exception cref="InvalidOperationException">Changes not encoded yet: call <see cref="ComputeRoot"/> first.</exception>
    public void Unload(int keepLevels = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepLevels);
        if (_root is null)
        {
            return;
        }
        if (!_root.IsEncoded)
        {
            throw new InvalidOperationException("The tree has changes not encoded yet: call ComputeRoot (and store its new blocks) before Unload.");
        }
        _root = Release(_root, keepLevels);
        _hasStubs = true;

        static Node Release(Node node, int keepLevels)
        {
            if (keepLevels == 0 || !node.IsLoaded)
            {
                return node.ToStub();
            }
            // The node's content (child CIDs) is unchanged, so its cached CID and block stay valid.
            if (node.Left is { } left)
            {
                node.Left = Release(left, keepLevels - 1);
            }
            foreach (var entry in node.Entries)
            {
                if (entry.Right is { } right)
                {
                    entry.Right = Release(right, keepLevels - 1);
                }
            }
            return node;
        }
    }

    /// <summary>Number of loaded nodes (tests check what <see cref="Unload"/> leaves).</summary>
    internal int LoadedNodeCount => CountLoaded(_root);

    private static int CountLoaded(Node? node)
    {
        if (node is null || !node.IsLoaded)
        {
            return 0;
        }
        var count = 1 + CountLoaded(node.Left);
        foreach (var entry in node.Entries)
        {
            count += CountLoaded(entry.Right);
        }
        return count;
    }

    private void ThrowIfAnyStub(string operation)
    {
        if (_hasStubs && HasStub(_root))
        {
            throw new InvalidOperationException($"{operation} needs the whole tree in memory, and this tree has nodes that are not loaded.");
        }

        static bool HasStub(Node? node)
        {
            if (node is null)
            {
                return false;
            }
            if (!node.IsLoaded)
            {
                return true;
            }
            if (HasStub(node.Left))
            {
                return true;
            }
            foreach (var entry in node.Entries)
            {
                if (HasStub(entry.Right))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// Fills a stub from its block after checking it: the bytes match the CID, decode strictly to a
    /// node in its canonical encoding, every key has the node's layer (the root's comes from its first
    /// key; a child's is its parent's minus one), keys are in order within the parent's bounds, and
    /// only the root may lack entries (never, since the empty tree is opened without a block).
    /// </summary>
    private static void LoadNode(Node node, ReadOnlyMemory<byte> block, byte[]? lower, byte[]? upper, bool isRoot, bool verified)
    {
        if (verified)
        {
            LoadVerifiedNode(node, block);
            return;
        }
        var cid = node.Cid!;
        if (cid.Codec != Cid.DagCborCodec || !cid.Matches(block.Span))
        {
            throw new MstFormatException($"The block read for {cid} does not match that CID.");
        }
        var decoded = MstNode.Decode(block);
        var keys = decoded.ExpandKeys();
        var layer = node.Layer;
        if (keys.Length == 0)
        {
            if (isRoot || decoded.Left is null)
            {
                throw new MstFormatException(isRoot
                    ? $"{cid}: a root without entries (the tree was not trimmed)."
                    : $"{cid}: an empty node below the root.");
            }
        }
        else if (layer == Node.UnknownLayer)
        {
            layer = MstKey.Height(keys[0]);
        }
        var entries = new List<Entry>(keys.Length);
        var items = new (byte[] Key, Cid Value, Cid? Right)[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var keyHeight = MstKey.Height(key);
            if (key.Length == 0 || keyHeight != layer)
            {
                throw new MstFormatException($"{cid}: entry {i} has a key of height {keyHeight} in a node of layer {layer}.");
            }
            var floor = i == 0 ? lower : keys[i - 1];
            if (floor is not null && MstKey.Compare(floor, key) >= 0)
            {
                throw new MstFormatException($"{cid}: entry {i} is out of order or below the node's bound.");
            }
            var stored = decoded.Entries[i];
            items[i] = (key, stored.Value, stored.Right);
            entries.Add(new Entry(key, stored.Value, stored.Right is null ? null : Node.Stub(stored.Right, layer - 1)));
        }
        if (upper is not null && keys.Length > 0 && MstKey.Compare(keys[^1], upper) >= 0)
        {
            throw new MstFormatException($"{cid}: a key above the node's bound.");
        }
        if (layer == 0 && (decoded.Left is not null || decoded.Entries.Any(static e => e.Right is not null)))
        {
            throw new MstFormatException($"{cid}: a layer-0 node with subtrees.");
        }
        // Strict CBOR leaves one freedom, a shorter p than the shared prefix: only canonical nodes,
        // so that a node this tree re-encodes unchanged gets the same CID.
        var bytes = block.ToArray();
        if (!MstNode.FromKeys(decoded.Left, items).Encode().AsSpan().SequenceEqual(bytes))
        {
            throw new MstFormatException($"{cid}: not the canonical encoding of its entries.");
        }
        node.Load(layer, decoded.Left is null ? null : Node.Stub(decoded.Left, layer - 1), entries, bytes);
    }

    /// <summary>
    /// Fills a stub from a block its source vouches for (<see cref="IMstBlockSource.ReturnsVerifiedNodes"/>):
    /// decoded in one pass, the layer taken from the parent (or, for the root, from its first key).
    /// </summary>
    private static void LoadVerifiedNode(Node node, ReadOnlyMemory<byte> block)
    {
        var decoded = MstNode.DecodeVerified(block);
        var keys = decoded.ExpandKeys();
        var layer = node.Layer;
        if (layer == Node.UnknownLayer)
        {
            layer = keys.Length > 0 ? MstKey.Height(keys[0]) : throw new MstFormatException($"{node.Cid}: a root without entries (the tree was not trimmed).");
        }
        var entries = new List<Entry>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            var stored = decoded.Entries[i];
            entries.Add(new Entry(keys[i], stored.Value, stored.Right is null ? null : Node.Stub(stored.Right, layer - 1)));
        }
        node.Load(layer, decoded.Left is null ? null : Node.Stub(decoded.Left, layer - 1), entries, block.ToArray());
    }
}
