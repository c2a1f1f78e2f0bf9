using Cairn.Core;

namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>
    /// A node in memory; its block and CID are cached until a change invalidates them. A stub
    /// (a node of an opened tree not loaded yet, or unloaded again) knows only its CID and layer:
    /// reading its entries or left link throws, so a walk never takes a missing node for an empty one.
    /// </summary>
    private sealed class Node
    {
        /// <summary>The layer of an opened tree's root until its first key is seen.</summary>
        public const int UnknownLayer = -1;

        private Node? _left;
        private List<Entry>? _entries; // null: a stub

        /// <summary>A new, loaded node without entries, not encoded yet.</summary>
        public Node(int layer)
        {
            Layer = layer;
            _entries = [];
        }

        private Node(Cid cid, int layer)
        {
            Layer = layer;
            Cid = cid;
        }

        public int Layer { get; private set; }

        public bool IsLoaded => _entries is not null;

        public Node? Left
        {
            get => _entries is not null ? _left : throw NotLoaded();
            set
            {
                if (_entries is null)
                {
                    throw NotLoaded();
                }
                _left = value;
            }
        }

        public List<Entry> Entries => _entries ?? throw NotLoaded();

        public Cid? Cid { get; private set; }

        public byte[]? Block { get; private set; }

        public bool IsEncoded => Cid is not null;

        public bool IsEmpty => Entries.Count == 0 && Left is null;

        public static Node Stub(Cid cid, int layer) => new(cid, layer);

        public static Node Single(int layer, byte[] key, Cid value)
        {
            var node = new Node(layer);
            node.Entries.Add(new Entry(key, value, null));
            return node;
        }

        /// <summary>Fills a stub from its checked block; the node keeps its CID.</summary>
        public void Load(int layer, Node? left, List<Entry> entries, byte[] block)
        {
            Layer = layer;
            _left = left;
            _entries = entries;
            Block = block;
        }

        /// <summary>A stub for this (encoded) node: what is left after <see cref="Unload"/>.</summary>
        public Node ToStub() => IsLoaded
            ? Stub(Cid ?? throw new InvalidOperationException("An MST node with changes cannot be unloaded: call ComputeRoot first."), Layer)
            : this;

        /// <summary>Index of the first entry whose key is not below <paramref name="key"/>, and whether it equals it.</summary>
        public (int Index, bool Found) Find(ReadOnlySpan<byte> key)
        {
            var entries = Entries;
            int low = 0, high = entries.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                var order = MstKey.Compare(entries[mid].Key, key);
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

        /// <summary>Encodes this node and, first, any child whose encoding is stale (a stub never is).</summary>
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
            var node = MstNode.FromKeys(left, items);
            Block = node.Encode();
            Cid = Cid.ForDagCbor(Block);
            newBlocks?.Add(new MstBlock(Cid, Block, node.Links()));
            return Cid;
        }

        private InvalidOperationException NotLoaded() => new(
            $"MST node {Cid} ({(Layer == UnknownLayer ? "the root" : $"layer {Layer}")}) is not loaded: " +
            "call LoadAsync with the keys to change or read first (or EnumerateAsync to walk an opened tree).");
    }

    private sealed class Entry(byte[] key, Cid value, Node? right)
    {
        public byte[] Key { get; } = key;

        public Cid Value { get; set; } = value;

        public Node? Right { get; set; } = right;
    }
}
