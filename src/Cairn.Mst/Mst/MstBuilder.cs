using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// Builds the MST of a sorted key set in one pass. The tree is a function of the key set alone:
/// the root sits at the highest key height; a node at layer L holds the keys of height L in its key
/// range, and each gap between them is a node at layer L-1 (an entry-less <c>{l: child, e: []}</c>
/// node where the gap holds only lower keys), or null where the gap is empty.
/// </summary>
/// <remarks>
/// This is the rebuild that "root at sequence N" is checked against, and the reference the
/// incremental <see cref="MstTree"/> is tested against.
/// </remarks>
public static class MstBuilder
{
    /// <summary>
    /// Builds the tree of <paramref name="entries"/>, which must be in strictly increasing bytewise
    /// key order with non-empty keys.
    /// </summary>
    /// <exception cref="ArgumentException">Keys out of order, repeated, or empty.</exception>
    public static MstBuildResult Build(IEnumerable<KeyValuePair<byte[], Cid>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var keys = new List<byte[]>();
        var values = new List<Cid>();
        var heights = new List<int>();
        var maxHeight = 0;
        foreach (var (key, value) in entries)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            if (key.Length == 0)
            {
                throw new ArgumentException("MST keys are not empty.", nameof(entries));
            }
            if (keys.Count > 0 && MstKey.Compare(keys[^1], key) >= 0)
            {
                throw new ArgumentException("Keys must be in strictly increasing bytewise order.", nameof(entries));
            }
            var height = MstKey.Height(key);
            keys.Add(key);
            values.Add(value);
            heights.Add(height);
            maxHeight = Math.Max(maxHeight, height);
        }

        var blocks = new List<MstBlock>();
        if (keys.Count == 0)
        {
            var empty = MstNode.EmptyTreeBlock;
            var emptyCid = Cid.ForDagCbor(empty);
            blocks.Add(new MstBlock(emptyCid, empty));
            return new MstBuildResult(emptyCid, blocks);
        }
        var state = new BuildState(keys, values, heights, blocks);
        var root = state.Build(maxHeight, 0, keys.Count)!;
        return new MstBuildResult(root, blocks);
    }

    private sealed class BuildState(List<byte[]> keys, List<Cid> values, List<int> heights, List<MstBlock> blocks)
    {
        /// <summary>The node at <paramref name="layer"/> for keys [start, end); null when the range is empty.</summary>
        public Cid? Build(int layer, int start, int end)
        {
            if (start == end)
            {
                return null;
            }
            Cid? left = null;
            var items = new List<(byte[] Key, Cid Value, Cid? Right)>();
            var gapStart = start;
            for (var i = start; i < end; i++)
            {
                if (heights[i] != layer)
                {
                    continue;
                }
                var gap = Build(layer - 1, gapStart, i);
                if (items.Count == 0)
                {
                    left = gap;
                }
                else
                {
                    items[^1] = items[^1] with { Right = gap };
                }
                items.Add((keys[i], values[i], null));
                gapStart = i + 1;
            }
            var tail = Build(layer - 1, gapStart, end);
            if (items.Count == 0)
            {
                left = tail;
            }
            else
            {
                items[^1] = items[^1] with { Right = tail };
            }
            var block = MstNode.FromKeys(left, items).Encode();
            var cid = Cid.ForDagCbor(block);
            blocks.Add(new MstBlock(cid, block));
            return cid;
        }
    }
}
