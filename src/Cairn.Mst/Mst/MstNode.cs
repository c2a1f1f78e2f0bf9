using System.Formats.Cbor;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// An MST node as stored: DAG-CBOR <c>{l: CID-or-null, e: [{p, k, v, t}, ...]}</c>, with keys
/// prefix-compressed against the previous entry of the same node.
/// </summary>
public sealed class MstNode
{
    /// <summary>Creates a node from its stored fields.</summary>
    public MstNode(Cid? left, IReadOnlyList<MstEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Left = left;
        Entries = entries;
    }

    /// <summary><c>l</c>: the subtree of keys before the first entry, or null.</summary>
    public Cid? Left { get; }

    /// <summary><c>e</c>: the entries in key order.</summary>
    public IReadOnlyList<MstEntry> Entries { get; }

    /// <summary>
    /// The node's links in the order its block encodes them (each entry's <c>t</c> when set, then its
    /// <c>v</c>; then <c>l</c>): what <see cref="DagCbor.ReadLinks"/> reads from <see cref="Encode"/>'s bytes.
    /// </summary>
    public List<Cid> Links()
    {
        var links = new List<Cid>(Entries.Count * 2 + 1);
        foreach (var entry in Entries)
        {
            if (entry.Right is { } right)
            {
                links.Add(right);
            }
            links.Add(entry.Value);
        }
        if (Left is { } left)
        {
            links.Add(left);
        }
        return links;
    }

    /// <summary>The DAG-CBOR block of the empty tree, <c>{e: [], l: null}</c>.</summary>
    public static byte[] EmptyTreeBlock { get; } = new MstNode(null, []).Encode();

    /// <summary>
    /// Builds a node from full keys, computing each entry's prefix length and suffix.
    /// </summary>
    public static MstNode FromKeys(Cid? left, IReadOnlyList<(byte[] Key, Cid Value, Cid? Right)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var entries = new MstEntry[items.Count];
        ReadOnlySpan<byte> previous = [];
        for (var i = 0; i < items.Count; i++)
        {
            var (key, value, right) = items[i];
            var prefix = MstKey.CommonPrefixLength(previous, key);
            entries[i] = new MstEntry(prefix, key[prefix..], value, right);
            previous = key;
        }
        return new MstNode(left, entries);
    }

    /// <summary>The node's DAG-CBOR bytes.</summary>
    public byte[] Encode() => DagCbor.EncodeOrdered(this, static (writer, node) =>
    {
        // The keys below are in DAG-CBOR order: e, l; k, p, t, v.
        writer.WriteStartMap(2);
        writer.WriteTextString("e");
        writer.WriteStartArray(node.Entries.Count);
        foreach (var entry in node.Entries)
        {
            writer.WriteStartMap(4);
            writer.WriteTextString("k");
            writer.WriteByteString(entry.KeySuffix);
            writer.WriteTextString("p");
            writer.WriteInt32(entry.PrefixLength);
            writer.WriteTextString("t");
            DagCbor.WriteCidOrNull(writer, entry.Right);
            writer.WriteTextString("v");
            DagCbor.WriteCid(writer, entry.Value);
            writer.WriteEndMap();
        }
        writer.WriteEndArray();
        writer.WriteTextString("l");
        DagCbor.WriteCidOrNull(writer, node.Left);
        writer.WriteEndMap();
    });

    /// <summary>
    /// Decodes a node, refusing anything that is not exactly the node format in strict DAG-CBOR
    /// (extra or missing fields, wrong types, a negative <c>p</c>).
    /// </summary>
    /// <exception cref="MstFormatException">Not an MST node.</exception>
    public static MstNode Decode(ReadOnlyMemory<byte> block)
    {
        try
        {
            return DagCbor.Decode(block, Read);
        }
        catch (DagCborException ex)
        {
            throw new MstFormatException($"Not an MST node: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Decodes a node known to be canonical (see <see cref="IMstBlockSource.ReturnsVerifiedNodes"/>):
    /// one pass, without the strict reader's checks. Bytes that are not a node still throw.
    /// </summary>
    /// <exception cref="MstFormatException">Not an MST node.</exception>
    public static MstNode DecodeVerified(ReadOnlyMemory<byte> block)
    {
        try
        {
            return DagCbor.DecodeVerified(block, Read);
        }
        catch (DagCborException ex)
        {
            throw new MstFormatException($"Not an MST node: {ex.Message}", ex);
        }
    }

    private static MstNode Read(CborReader reader)
    {
        // Canonical order puts "e" before "l" (and k, p, t, v in an entry): each key is expected in its place.
        ExpectMap(reader.ReadStartMap(), 2);
        ExpectKey(reader.ReadTextString(), "e");
        var count = reader.ReadStartArray() ?? 0;
        var entries = new MstEntry[count];
        for (var i = 0; i < count; i++)
        {
            ExpectMap(reader.ReadStartMap(), 4);
            ExpectKey(reader.ReadTextString(), "k");
            var suffix = reader.ReadByteString();
            ExpectKey(reader.ReadTextString(), "p");
            var prefix = reader.ReadInt32();
            if (prefix < 0)
            {
                throw new DagCborException("An MST entry's p is negative.");
            }
            ExpectKey(reader.ReadTextString(), "t");
            var right = DagCbor.ReadCidOrNull(reader);
            ExpectKey(reader.ReadTextString(), "v");
            var value = DagCbor.ReadCid(reader);
            reader.ReadEndMap();
            entries[i] = new MstEntry(prefix, suffix, value, right);
        }
        reader.ReadEndArray();
        ExpectKey(reader.ReadTextString(), "l");
        var left = DagCbor.ReadCidOrNull(reader);
        reader.ReadEndMap();
        return new MstNode(left, entries);
    }

    /// <summary>The entries' full keys, undoing the prefix compression.</summary>
    /// <exception cref="MstFormatException">A <c>p</c> longer than the previous key.</exception>
    public byte[][] ExpandKeys()
    {
        var keys = new byte[Entries.Count][];
        byte[] previous = [];
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (entry.PrefixLength > previous.Length)
            {
                throw new MstFormatException($"Entry {i} shares {entry.PrefixLength} bytes with a {previous.Length}-byte key.");
            }
            var key = new byte[entry.PrefixLength + entry.KeySuffix.Length];
            previous.AsSpan(0, entry.PrefixLength).CopyTo(key);
            entry.KeySuffix.CopyTo(key.AsSpan(entry.PrefixLength));
            keys[i] = key;
            previous = key;
        }
        return keys;
    }

    private static void ExpectMap(int? count, int expected)
    {
        if (count != expected)
        {
            throw new DagCborException($"Expected a map of {expected} fields, found {count}.");
        }
    }

    private static void ExpectKey(string actual, string expected)
    {
        if (actual != expected)
        {
            throw new DagCborException($"Expected field '{expected}', found '{actual}'.");
        }
    }
}
