using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// A proof that a key is in a tree (with its value) or is not: the node blocks on the key's search
/// path. It checks offline against a trusted root alone (<see cref="Verify"/>).
/// </summary>
/// <remarks>
/// The walk starts at the root, hashes each block to find the one a link names, decodes it
/// strictly (and re-encodes it: only the canonical bytes of a node are accepted), checks the node's
/// keys are in order, inside the bounds its parent gives, all of the node's layer (the layer one
/// below its parent's), and then either finds the key, or follows the gap it falls into. The key is
/// absent when the gap is empty or when the node is at or below the key's own height (keys live at
/// the layer of their height, so no lower node can hold it).
/// </remarks>
public sealed class MstProof
{
    /// <summary>Most nodes on a path (a layer needs a 2-bit run of zeros in a 256-bit hash).</summary>
    private const int MaxDepth = 129;

    /// <summary>Creates a proof from its parts.</summary>
    public MstProof(byte[] key, IReadOnlyList<byte[]> nodes)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(nodes);
        Key = key;
        Nodes = nodes;
    }

    /// <summary>The key the proof is about.</summary>
    public byte[] Key { get; }

    /// <summary>The node blocks on the key's path, root first.</summary>
    public IReadOnlyList<byte[]> Nodes { get; }

    /// <summary>
    /// Collects the proof for <paramref name="key"/> under <paramref name="root"/> from stored
    /// blocks (<paramref name="loadBlock"/> returns null for a block it does not have).
    /// </summary>
    /// <exception cref="MstFormatException">The stored tree is missing a block or is malformed.</exception>
    public static MstProof Create(Cid root, byte[] key, Func<Cid, byte[]?> loadBlock)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(loadBlock);
        var nodes = new List<byte[]>();
        var result = Walk(root, key, loadBlock, nodes);
        if (result.Status == MstProofStatus.Invalid)
        {
            throw new MstFormatException($"The tree under {root} cannot prove this key: {result.Error}");
        }
        return new MstProof(key, nodes);
    }

    /// <summary>Checks the proof against <paramref name="root"/>, trusting nothing else.</summary>
    public MstProofResult Verify(Cid root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var byCid = new Dictionary<Cid, byte[]>();
        foreach (var node in Nodes)
        {
            byCid[Cid.ForDagCbor(node)] = node;
        }
        return Walk(root, Key, cid => byCid.GetValueOrDefault(cid), visited: null);
    }

    /// <summary>Looks <paramref name="key"/> up under <paramref name="root"/>, checking every node on the way.</summary>
    internal static MstProofResult Walk(Cid root, ReadOnlySpan<byte> key, Func<Cid, byte[]?> loadBlock, List<byte[]>? visited)
    {
        var height = MstKey.Height(key);
        var link = root;
        int? layer = null; // unknown at the root until its keys are seen
        byte[]? lower = null, upper = null;
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            if (link.Codec != Cid.DagCborCodec)
            {
                return MstProofResult.Invalid($"{link} is not a dag-cbor link.");
            }
            var block = loadBlock(link);
            if (block is null || !link.Matches(block))
            {
                return MstProofResult.Invalid($"No block for {link}.");
            }
            visited?.Add(block);
            MstNode node;
            byte[][] keys;
            try
            {
                node = MstNode.Decode(block);
                keys = node.ExpandKeys();
            }
            catch (MstFormatException ex)
            {
                return MstProofResult.Invalid($"{link}: {ex.Message}");
            }
            var check = CheckNode(node, keys, block, ref layer, lower, upper);
            if (check is not null)
            {
                return MstProofResult.Invalid($"{link}: {check}");
            }
            if (keys.Length == 0 && node.Left is null)
            {
                return MstProofResult.Absent(); // the empty tree (CheckNode allows it at the root only)
            }

            var index = 0;
            while (index < keys.Length && MstKey.Compare(keys[index], key) < 0)
            {
                index++;
            }
            if (index < keys.Length && MstKey.Compare(keys[index], key) == 0)
            {
                return MstProofResult.Present(node.Entries[index].Value);
            }
            var next = index == 0 ? node.Left : node.Entries[index - 1].Right;
            if (next is null || height >= layer)
            {
                return MstProofResult.Absent();
            }
            lower = index == 0 ? lower : keys[index - 1];
            upper = index < keys.Length ? keys[index] : upper;
            layer--;
            link = next;
        }
        return MstProofResult.Invalid($"The path is deeper than {MaxDepth} nodes.");
    }

    /// <summary>Null when the node is canonical and fits where it hangs; otherwise why not.</summary>
    private static string? CheckNode(MstNode node, byte[][] keys, byte[] block, ref int? layer, byte[]? lower, byte[]? upper)
    {
        var isRoot = layer is null;
        if (keys.Length == 0)
        {
            if (isRoot && node.Left is not null)
            {
                return "a root without entries (the tree was not trimmed).";
            }
            if (!isRoot && node.Left is null)
            {
                return "an empty node below the root.";
            }
            layer ??= 0;
        }
        else
        {
            var nodeLayer = MstKey.Height(keys[0]);
            if (layer is not null && nodeLayer != layer)
            {
                return $"a node of layer {nodeLayer} where layer {layer} belongs.";
            }
            layer = nodeLayer;
        }
        if (layer < 0)
        {
            return "a node below layer 0.";
        }
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Length == 0 || MstKey.Height(keys[i]) != layer)
            {
                return $"entry {i} has a key of another layer.";
            }
            var floor = i == 0 ? lower : keys[i - 1];
            if (floor is not null && MstKey.Compare(floor, keys[i]) >= 0)
            {
                return $"entry {i} is out of order.";
            }
        }
        if (upper is not null && keys.Length > 0 && MstKey.Compare(keys[^1], upper) >= 0)
        {
            return "a key above its parent's bound.";
        }
        if (layer == 0 && (node.Left is not null || node.Entries.Any(static e => e.Right is not null)))
        {
            return "a layer-0 node with subtrees.";
        }
        var items = new (byte[] Key, Cid Value, Cid? Right)[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            items[i] = (keys[i], node.Entries[i].Value, node.Entries[i].Right);
        }
        if (!MstNode.FromKeys(node.Left, items).Encode().AsSpan().SequenceEqual(block))
        {
            return "not the canonical encoding of its entries.";
        }
        return null;
    }
}
