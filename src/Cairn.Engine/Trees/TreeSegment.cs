using System.Diagnostics;
using System.Formats.Cbor;
using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>
/// Writes a segment: the blocks one commit added, as a CARv1 file whose root is the commit (so a
/// segment alone can be read by any CAR tool). After each block that links to other stored blocks
/// comes its links block (a raw block, the next section): the place (<see cref="TreeBlockLocation"/>)
/// of every block it links to, in the order <see cref="DagCbor.ReadLinks"/> gives its links. A
/// block is therefore found from its parent, and a whole tree from its commit's place, which the
/// catalog keeps with the segment: the catalog holds one row per segment, never one per block.
/// </summary>
/// <remarks>
/// Blocks are added children first (a link names a block already written here, or one stored
/// before whose place the caller knows); links to bodies (raw blocks: chunks and inline bodies,
/// which are never stored in segments) have no place. A dag-cbor link without a place is a bug in
/// the caller and is refused: its block could never be read again.
/// </remarks>
internal sealed class TreeSegmentWriter
{
    private readonly MemoryStream _stream;
    private readonly long _seq;
    private readonly Dictionary<Cid, TreeBlockLocation> _written;

    /// <summary>
    /// Starts the segment of the commit at journal number <paramref name="seq"/>, whose CID is
    /// <paramref name="commit"/>, in <paramref name="buffer"/>, noting the blocks' places in
    /// <paramref name="written"/> (the buffer is emptied first; <paramref name="written"/> must be empty:
    /// the committer reuses both, so a fold's segment of several MiB and its thousands of places do not
    /// allocate large arrays anew every time).
    /// </summary>
    public TreeSegmentWriter(long seq, Cid commit, MemoryStream buffer, Dictionary<Cid, TreeBlockLocation>? written = null)
    {
        _seq = seq;
        _stream = buffer;
        _stream.SetLength(0);
        _written = written ?? [];
        Debug.Assert(_written.Count == 0, "A reused place dictionary must be emptied before a segment starts.");
        var header = CarWriter.EncodeHeader([commit]);
        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        _stream.Write(prefix[..Varint.Write((ulong)header.Length, prefix)]);
        _stream.Write(header);
    }

    /// <summary>The place of each block written so far.</summary>
    public IReadOnlyDictionary<Cid, TreeBlockLocation> Written => _written;

    /// <summary>
    /// Appends <paramref name="data"/> (a dag-cbor block) and its links block; returns its place.
    /// <paramref name="links"/> are the block's links in <see cref="DagCbor.ReadLinks"/>'s order when
    /// its encoder handed them over (null: read from the bytes). <paramref name="placeOf"/> says where
    /// a linked block stored before this segment is (null when not known); <paramref name="placedLinks"/>
    /// are the block's links that have a place, with it (what a reader of the block learns).
    /// </summary>
    /// <exception cref="InvalidOperationException">A dag-cbor link whose place is neither here nor known.</exception>
    public TreeBlockLocation Add(Cid cid, byte[] data, IReadOnlyList<Cid>? links, Func<Cid, TreeBlockLocation?> placeOf,
        out TreePlacedLink[] placedLinks)
    {
        // Decoding a block for its links was about a tenth of a fold's CPU (measured): the tree's nodes
        // and the manifests come with theirs; only the commit, one per segment, is decoded.
        links ??= DagCbor.ReadLinks(data);
        var places = new TreeBlockLocation?[links.Count];
        var placed = new List<TreePlacedLink>();
        for (var i = 0; i < links.Count; i++)
        {
            var link = links[i];
            if (link.Codec == Cid.RawCodec)
            {
                continue; // a body: in the chunk store or its version's row, never in a segment
            }
            var place = _written.TryGetValue(link, out var here) ? here
                : placeOf(link) ?? throw new InvalidOperationException($"Block {cid} links to {link}, whose place is not known: it would be unreadable.");
            places[i] = place;
            placed.Add(new TreePlacedLink(link, place));
        }
        placedLinks = placed.ToArray();
        WriteSection(cid, data);
        var offset = _stream.Position - data.Length;
        var linksLength = 0;
        if (placedLinks.Length > 0)
        {
            var linksBlock = TreeLinks.Encode(places);
            WriteSection(Cid.ForRaw(linksBlock), linksBlock);
            linksLength = linksBlock.Length;
        }
        var blockPlace = new TreeBlockLocation(_seq, offset, data.Length, linksLength);
        _written[cid] = blockPlace;
        return blockPlace;
    }

    /// <summary>The segment's bytes, in the buffer (valid until it is reused).</summary>
    public ReadOnlyMemory<byte> Bytes => _stream.GetBuffer().AsMemory(0, (int)_stream.Length);

    /// <summary>A CARv1 section: the varint length of CID and data, the binary CID, the data.</summary>
    private void WriteSection(Cid cid, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[Varint.MaxLength + Cid.BinaryLength];
        var length = Varint.Write((ulong)(Cid.BinaryLength + data.Length), head);
        cid.WriteBytes(head[length..]);
        _stream.Write(head[..(length + Cid.BinaryLength)]);
        _stream.Write(data);
    }

    /// <summary>Bytes between the end of a block's data and the start of its links block's data: that section's length varint and CID.</summary>
    public static int LinksGap(int linksLength) => Varint.Length((ulong)(Cid.BinaryLength + linksLength)) + Cid.BinaryLength;
}

/// <summary>
/// A links block: a DAG-CBOR array with one item per link of its block, in the block's link order:
/// null for a body (not stored in a segment), else <c>[seq, offset, length, linksLength]</c>.
/// </summary>
internal static class TreeLinks
{
    public static byte[] Encode(IReadOnlyList<TreeBlockLocation?> places) => DagCbor.EncodeOrdered(places, static (writer, places) =>
    {
        // Arrays, integers and nulls only: no map key to order.
        writer.WriteStartArray(places.Count);
        foreach (var place in places)
        {
            if (place is not { } p)
            {
                writer.WriteNull();
                continue;
            }
            writer.WriteStartArray(4);
            writer.WriteInt64(p.Seq);
            writer.WriteInt64(p.Offset);
            writer.WriteInt32(p.Length);
            writer.WriteInt32(p.LinksLength);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    });

    /// <exception cref="InvalidDataException">Not a links block.</exception>
    public static TreeBlockLocation?[] Decode(ReadOnlyMemory<byte> block)
    {
        try
        {
            var reader = new CborReader(block, CborConformanceMode.Canonical);
            var count = reader.ReadStartArray() ?? throw new InvalidDataException("A links block is a definite-length array.");
            var places = new TreeBlockLocation?[count];
            for (var i = 0; i < count; i++)
            {
                if (reader.PeekState() == CborReaderState.Null)
                {
                    reader.ReadNull();
                    continue;
                }
                if (reader.ReadStartArray() != 4)
                {
                    throw new InvalidDataException("A place in a links block has four numbers.");
                }
                places[i] = new TreeBlockLocation(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
                reader.ReadEndArray();
            }
            reader.ReadEndArray();
            return places;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new InvalidDataException($"Not a links block: {ex.Message}", ex);
        }
    }
}
