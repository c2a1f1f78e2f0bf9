using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// An MST that takes inserts, updates and deletes, and re-encodes only the nodes a change touched.
/// After any sequence of changes its root equals <see cref="MstBuilder.Build"/> of the final key
/// set: every operation keeps the tree in the one canonical shape (see <see cref="MstBuilder"/>),
/// splitting gaps on insert and merging them on delete, and trimming an entry-less root.
/// </summary>
/// <remarks>
/// <para>
/// A tree is either held in memory whole (<see cref="Create"/>, <c>new MstTree()</c>) or opened at a
/// root CID (<see cref="Open"/>), whose nodes are stubs until <see cref="LoadAsync"/> reads the ones
/// a batch of keys needs from an <see cref="IMstBlockSource"/>; <see cref="Unload"/> turns them back
/// into stubs once the batch's root is computed. Operations stay synchronous; a Put, Delete or Get
/// that would need a stub throws <see cref="InvalidOperationException"/> and leaves the tree as it was.
/// </para>
/// <para>Not thread-safe: the committer owns one tree. Keys are raw bytes (UTF-8 for S3 keys), not empty.</para>
/// </remarks>
public sealed partial class MstTree
{
    private Node? _root; // null: the empty tree
    private int _count;
    private bool _countKnown = true; // false once opened at a non-empty root: the tree never sees all its keys
    private bool _hasStubs; // set by Open and Unload: Put and Delete then check their path is loaded first
    private bool _emptyBlockIsNew = true; // an empty tree's block not yet handed out by ComputeRoot (as a node changed since)

    /// <summary>The CID of the empty tree's block, <c>{e: [], l: null}</c>.</summary>
    public static Cid EmptyRoot { get; } = Cid.ForDagCbor(MstNode.EmptyTreeBlock);

    /// <summary>
    /// Number of keys, for a tree whose size is known: one created in memory (or opened at
    /// <see cref="EmptyRoot"/>), including after <see cref="Unload"/>. A tree opened at another root
    /// does not know its size (a committer keeps it from Put and Delete's results).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tree was opened at a non-empty root.</exception>
    public int Count => _countKnown
        ? _count
        : throw new InvalidOperationException("A tree opened at a root CID does not know its size; count Put and Delete results instead.");

    /// <summary>A tree holding <paramref name="entries"/> (any order; a repeated key keeps the last value).</summary>
    public static MstTree Create(IEnumerable<KeyValuePair<byte[], Cid>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var tree = new MstTree();
        foreach (var (key, value) in entries)
        {
            tree.Put(key, value);
        }
        return tree;
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    /// <exception cref="InvalidOperationException">A node on the key's path is not loaded (see <see cref="LoadAsync"/>).</exception>
    public Cid? Get(ReadOnlySpan<byte> key)
    {
        var node = _root;
        while (node is not null)
        {
            var (index, found) = node.Find(key);
            if (found)
            {
                return node.Entries[index].Value;
            }
            node = node.PointerBefore(index);
        }
        return null;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; true when the key is new.</summary>
    /// <exception cref="InvalidOperationException">A node the change needs is not loaded (see <see cref="LoadAsync"/>); nothing changed.</exception>
    public bool Put(byte[] key, Cid value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length == 0)
        {
            throw new ArgumentException("MST keys are not empty.", nameof(key));
        }
        var height = MstKey.Height(key);
        if (_hasStubs)
        {
            RequireLoaded(key, height, WalkMode.Put);
        }
        key = (byte[])key.Clone(); // the tree keeps the key; the caller may reuse its array
        bool added;
        if (_root is null)
        {
            _root = Node.Single(height, key, value);
            added = true;
        }
        else if (height > _root.Layer)
        {
            // A new top layer: the old tree splits around the key and hangs below it.
            var (left, right) = Split(_root, key);
            _root = new Node(height)
            {
                Left = Lift(left, height - 1),
            };
            _root.Entries.Add(new Entry(key, value, Lift(right, height - 1)));
            added = true;
        }
        else
        {
            added = Insert(_root, key, value, height);
        }
        if (added)
        {
            _count++;
        }
        return added;
    }

    /// <summary>Removes <paramref name="key"/>; true when it was present.</summary>
    /// <exception cref="InvalidOperationException">A node the change needs is not loaded (see <see cref="LoadAsync"/>); nothing changed.</exception>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        if (_root is null)
        {
            return false;
        }
        var height = MstKey.Height(key);
        if (_hasStubs)
        {
            RequireLoaded(key, height, WalkMode.Delete);
        }
        if (height > _root.Layer || !Remove(_root, key, height, out var root))
        {
            return false;
        }
        // Trim: a root without entries hands over to its only child.
        while (root is not null && root.Entries.Count == 0)
        {
            root = root.Left;
        }
        _root = root;
        _emptyBlockIsNew |= root is null;
        _count--;
        return true;
    }

    /// <summary>Every key and value in bytewise key order, from the nodes in memory.</summary>
    /// <exception cref="InvalidOperationException">The tree has stubs (use <see cref="EnumerateAsync(IMstBlockSource, CancellationToken)"/>).</exception>
    public IEnumerable<KeyValuePair<byte[], Cid>> Enumerate()
    {
        ThrowIfAnyStub(nameof(Enumerate));
        return EnumerateLoaded();
    }

    private IEnumerable<KeyValuePair<byte[], Cid>> EnumerateLoaded()
    {
        var stack = new Stack<(Node Node, int Next)>();
        var current = _root;
        while (current is not null || stack.Count > 0)
        {
            while (current is not null)
            {
                stack.Push((current, 0));
                current = current.Left;
            }
            var (node, next) = stack.Pop();
            if (next < node.Entries.Count)
            {
                var entry = node.Entries[next];
                yield return new KeyValuePair<byte[], Cid>((byte[])entry.Key.Clone(), entry.Value);
                stack.Push((node, next + 1));
                current = entry.Right;
            }
        }
    }

    private static bool Insert(Node node, byte[] key, Cid value, int height)
    {
        var (index, found) = node.Find(key);
        if (node.Layer == height)
        {
            if (found)
            {
                if (node.Entries[index].Value != value)
                {
                    node.Entries[index].Value = value;
                    node.Invalidate();
                }
                return false;
            }
            // The gap the key falls into splits around it.
            var (left, right) = Split(node.PointerBefore(index), key);
            node.SetPointerBefore(index, left);
            node.Entries.Insert(index, new Entry(key, value, right));
            node.Invalidate();
            return true;
        }
        var child = node.PointerBefore(index);
        bool added;
        if (child is null)
        {
            child = Lift(Node.Single(height, key, value), node.Layer - 1);
            added = true;
        }
        else
        {
            added = Insert(child, key, value, height);
            if (!added && child.IsEncoded)
            {
                return false; // the same value again: nothing changed on this path
            }
        }
        node.SetPointerBefore(index, child);
        node.Invalidate();
        return added;
    }

    /// <summary>Removes the key below <paramref name="node"/>; <paramref name="result"/> is null when the node empties.</summary>
    private static bool Remove(Node node, ReadOnlySpan<byte> key, int height, out Node? result)
    {
        result = node;
        var (index, found) = node.Find(key);
        if (node.Layer == height)
        {
            if (!found)
            {
                return false;
            }
            // The gaps on both sides of the removed entry become one.
            var merged = Merge(node.PointerBefore(index), node.Entries[index].Right);
            node.Entries.RemoveAt(index);
            node.SetPointerBefore(index, merged);
        }
        else
        {
            var child = node.PointerBefore(index);
            if (child is null || !Remove(child, key, height, out var newChild))
            {
                return false;
            }
            node.SetPointerBefore(index, newChild);
        }
        node.Invalidate();
        if (node.Entries.Count == 0 && node.Left is null)
        {
            result = null;
        }
        return true;
    }

    /// <summary>Splits a subtree around a key it does not hold into the keys below and above it.</summary>
    private static (Node? Left, Node? Right) Split(Node? node, ReadOnlySpan<byte> key)
    {
        if (node is null)
        {
            return (null, null);
        }
        var (index, _) = node.Find(key);
        var (lower, upper) = Split(node.PointerBefore(index), key);
        var left = new Node(node.Layer) { Left = node.Left };
        left.Entries.AddRange(node.Entries.GetRange(0, index));
        left.SetPointerBefore(index, lower);
        var right = new Node(node.Layer) { Left = upper };
        right.Entries.AddRange(node.Entries.GetRange(index, node.Entries.Count - index));
        return (left.IsEmpty ? null : left, right.IsEmpty ? null : right);
    }

    /// <summary>Joins two subtrees of one layer, all of whose keys are below all of the other's.</summary>
    private static Node? Merge(Node? left, Node? right)
    {
        if (left is null)
        {
            return right;
        }
        if (right is null)
        {
            return left;
        }
        var last = left.Entries.Count;
        left.SetPointerBefore(last, Merge(left.PointerBefore(last), right.Left));
        left.Entries.AddRange(right.Entries);
        left.Invalidate();
        return left;
    }

    /// <summary>Wraps a subtree in entry-less nodes until its root sits at <paramref name="layer"/>.</summary>
    private static Node? Lift(Node? node, int layer)
    {
        if (node is null)
        {
            return null;
        }
        while (node.Layer < layer)
        {
            node = new Node(node.Layer + 1) { Left = node };
        }
        return node;
    }
}
