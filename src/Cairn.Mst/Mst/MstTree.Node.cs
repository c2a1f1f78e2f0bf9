using Cairn.Core;

namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>A node in memory; its block and CID are cached until a change invalidates them.</summary>
    private sealed class Node(int layer)
    {
        public int Layer { get; } = layer;

        public Node? Left { get; set; }

        public List<Entry> Entries { get; } = [];

        public Cid? Cid { get; private set; }

        public byte[]? Block { get; private set; }

        public bool IsEncoded => Cid is not null;

        public bool IsEmpty => Entries.Count == 0 && Left is null;

        public static Node Single(int layer, byte[] key, Cid value)
        {
            var node = new Node(layer);
            node.Entries.Add(new Entry(key, value, null));
            return node;
        }

        /// <summary>Index of the first entry whose key is not below <paramref name="key"/>, and whether it equals it.</summary>
        public (int Index, bool Found) Find(ReadOnlySpan<byte> key)
        {
            int low = 0, high = Entries.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                var order = MstKey.Compare(Entries[mid].Key, key);
                if (order == 0)
                {
                    return (mid, true);
                }
                if (order < 0)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            return (low, false);
        }

        /// <summary>The subtree in the gap before entry <paramref name="index"/> (<c>l</c> for 0).</summary>
        public Node? PointerBefore(int index) => index == 0 ? Left : Entries[index - 1].Right;

        public void SetPointerBefore(int index, Node? child)
        {
            if (index == 0)
            {
                Left = child;
            }
            else
            {
                Entries[index - 1].Right = child;
            }
        }

        public void Invalidate()
        {
            Cid = null;
            Block = null;
        }

        /// <summary>Encodes this node and, first, any child whose encoding is stale.</summary>
        public Cid Encode(List<MstBlock>? newBlocks)
        {
            if (Cid is not null)
            {
                return Cid;
            }
            var left = Left?.Encode(newBlocks);
            var items = new (byte[] Key, Cid Value, Cid? Right)[Entries.Count];
            for (var i = 0; i < items.Length; i++)
            {
                var entry = Entries[i];
                items[i] = (entry.Key, entry.Value, entry.Right?.Encode(newBlocks));
            }
            Block = MstNode.FromKeys(left, items).Encode();
            Cid = Cid.ForDagCbor(Block);
            newBlocks?.Add(new MstBlock(Cid, Block));
            return Cid;
        }
    }

    private sealed class Entry(byte[] key, Cid value, Node? right)
    {
        public byte[] Key { get; } = key;

        public Cid Value { get; set; } = value;

        public Node? Right { get; set; } = right;
    }
}
