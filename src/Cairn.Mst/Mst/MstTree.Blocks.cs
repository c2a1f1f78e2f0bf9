using Cairn.Core;

namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>
    /// Encodes the nodes changed since the last call and returns the root CID. The new node blocks
    /// (children before parents) are added to <paramref name="newBlocks"/> when given: those are
    /// the blocks a committer stores; unchanged subtrees keep their blocks and are not re-encoded.
    /// </summary>
    public Cid ComputeRoot(List<MstBlock>? newBlocks = null)
    {
        if (_root is null)
        {
            if (_emptyBlockIsNew)
            {
                newBlocks?.Add(new MstBlock(EmptyRoot, MstNode.EmptyTreeBlock, []));
                _emptyBlockIsNew = false;
            }
            return EmptyRoot;
        }
        return _root.Encode(newBlocks);
    }

    /// <summary>Every node block of the current tree, children before parents.</summary>
    /// <exception cref="InvalidOperationException">The tree has nodes that are not loaded.</exception>
    public List<MstBlock> GetAllBlocks()
    {
        ThrowIfAnyStub(nameof(GetAllBlocks));
        ComputeRoot();
        var blocks = new List<MstBlock>();
        if (_root is null)
        {
            blocks.Add(new MstBlock(EmptyRoot, MstNode.EmptyTreeBlock));
            return blocks;
        }
        Collect(_root, blocks);
        return blocks;

        static void Collect(Node node, List<MstBlock> blocks)
        {
            if (node.Left is not null)
            {
                Collect(node.Left, blocks);
            }
            foreach (var entry in node.Entries)
            {
                if (entry.Right is not null)
                {
                    Collect(entry.Right, blocks);
                }
            }
            blocks.Add(new MstBlock(node.Cid!, node.Block!));
        }
    }

    /// <summary>
    /// A proof for <paramref name="key"/>: the node blocks on its search path from the root, which
    /// show it present (with its value) or absent. Encodes pending changes first. On an opened
    /// tree the key's path must be loaded (<see cref="LoadAsync"/> with the key).
    /// </summary>
    /// <exception cref="InvalidOperationException">A node on the key's path is not loaded.</exception>
    public MstProof CreateProof(ReadOnlySpan<byte> key)
    {
        var root = ComputeRoot();
        var path = new Dictionary<Cid, byte[]>();
        var node = _root;
        if (node is null)
        {
            path[root] = MstNode.EmptyTreeBlock;
        }
        // Stops where MstProof's walk stops: at the key, at an empty gap, or at the key's own layer.
        var height = MstKey.Height(key);
        while (node is not null)
        {
            var (index, found) = node.Find(key); // throws on a stub
            path[node.Cid!] = node.Block!;
            if (found || height >= node.Layer)
            {
                break;
            }
            node = node.PointerBefore(index);
        }
        return MstProof.Create(root, key.ToArray(), cid => path.GetValueOrDefault(cid));
    }
}
