namespace Cairn.Mst;

public sealed partial class MstTree
{
    /// <summary>Which operation a <see cref="PathWalk"/> visits the nodes of.</summary>
    private enum WalkMode
    {
        /// <summary>The search path until the key or an empty gap: Insert's descent and Split's walk below it.</summary>
        Put,

        /// <summary>The search path until the key, an empty gap or the key's layer; where found, both adjacent spines (Merge, and the trim of an emptied root).</summary>
        Delete,

        /// <summary>What <see cref="LoadAsync"/> loads: the union of Put and Delete (and so of Get).</summary>
        Load,
    }

    private enum WalkPhase
    {
        Path,
        RightmostSpine, // of the gap before the found key
        LeftmostSpine, // of the gap after it
        Done,
    }

    /// <summary>
    /// Visits, from the root, every node an operation on one key may read, stopping at the first
    /// stub: <see cref="LoadAsync"/> loads it and resumes, and Put and Delete refuse to start.
    /// The bounds are the key range the current node may hold, which a loaded node is checked against.
    /// </summary>
    /// <remarks>
    /// Why this covers a whole batch and not only each key on the tree it was loaded from: a node
    /// no change has touched is on a key's path in the changed tree only if it was on that path
    /// before, or if one of its bounds (a higher key next to it) was deleted, which widened its range;
    /// the node is then on that deleted key's spine, which the delete's walk loaded in full.
    /// </remarks>
    private sealed class PathWalk(Node? root, int height, WalkMode mode)
    {
        private Node? _node = root;
        private WalkPhase _phase = WalkPhase.Path;
        private Node? _after; // the gap after a found key, walked once the gap before is done
        private byte[]? _afterLower, _afterUpper;

        /// <summary>The exclusive lower bound of the current node's keys, or null (none).</summary>
        public byte[]? Lower { get; private set; }

        /// <summary>The exclusive upper bound of the current node's keys, or null (none).</summary>
        public byte[]? Upper { get; private set; }

        /// <summary>Walks on through loaded nodes; the stub it stopped at, or null when it is done.</summary>
        public Node? Advance(ReadOnlySpan<byte> key)
        {
            while (true)
            {
                if (_node is null)
                {
                    if (_phase != WalkPhase.RightmostSpine)
                    {
                        _phase = WalkPhase.Done;
                        return null;
                    }
                    (_phase, _node, Lower, Upper, _after) = (WalkPhase.LeftmostSpine, _after, _afterLower, _afterUpper, null);
                    continue;
                }
                if (!_node.IsLoaded)
                {
                    return _node;
                }
                var entries = _node.Entries;
                switch (_phase)
                {
                    case WalkPhase.Path:
                        var (index, found) = _node.Find(key);
                        if (found)
                        {
                            if (mode == WalkMode.Put)
                            {
                                _node = null;
                                break;
                            }
                            _after = entries[index].Right;
                            _afterLower = entries[index].Key;
                            _afterUpper = index + 1 < entries.Count ? entries[index + 1].Key : Upper;
                            Lower = index == 0 ? Lower : entries[index - 1].Key;
                            Upper = entries[index].Key;
                            _node = _node.PointerBefore(index);
                            _phase = WalkPhase.RightmostSpine;
                            break;
                        }
                        if (mode == WalkMode.Delete && _node.Layer <= height)
                        {
                            _node = null; // absent: a key lives at its own layer, never below it
                            break;
                        }
                        Lower = index == 0 ? Lower : entries[index - 1].Key;
                        Upper = index < entries.Count ? entries[index].Key : Upper;
                        _node = _node.PointerBefore(index);
                        break;
                    case WalkPhase.RightmostSpine:
                        Lower = entries.Count > 0 ? entries[^1].Key : Lower;
                        _node = _node.PointerBefore(entries.Count);
                        break;
                    case WalkPhase.LeftmostSpine:
                        Upper = entries.Count > 0 ? entries[0].Key : Upper;
                        _node = _node.Left;
                        break;
                    default:
                        return null;
                }
            }
        }
    }

    /// <summary>Throws, before anything changes, when the operation would need a node that is not loaded.</summary>
    private void RequireLoaded(ReadOnlySpan<byte> key, int height, WalkMode mode)
    {
        var stub = new PathWalk(_root, height, mode).Advance(key);
        if (stub is not null)
        {
            var layer = stub.Layer == Node.UnknownLayer ? "the root" : $"layer {stub.Layer}";
            throw new InvalidOperationException(
                $"{mode} needs MST node {stub.Cid} ({layer}), which is not loaded: call LoadAsync with the batch's keys first.");
        }
    }
}
