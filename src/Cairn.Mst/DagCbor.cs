using System.Formats.Cbor;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// Strict DAG-CBOR (https://ipld.io/specs/codecs/dag-cbor/spec/) on System.Formats.Cbor.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="CborConformanceMode.Canonical"/> (RFC 7049 section 3.9) gives what DAG-CBOR's strict
/// form asks for: shortest integer and length encodings, definite lengths only, and map keys sorted
/// by the length of their encoding first, then bytewise (the writer sorts; the reader refuses
/// unsorted and duplicate keys). DAG-CBOR's key order is the same: for text keys, a longer string
/// never has a shorter encoding. <c>DagCborTests</c> checks that against hand-made bytes.
/// </para>
/// <para>
/// On top of canonical mode, <see cref="Validate"/> refuses what DAG-CBOR (or Cairn's profile of
/// it) does not allow and canonical CBOR does: any tag but 42; tag 42 over anything but a byte
/// string holding 0x00 and a CID Cairn supports; map keys that are not text strings; floats (Cairn's
/// blocks hold none: sizes and times are integers); simple values other than true, false and null;
/// trailing bytes after the one top-level item.
/// </para>
/// </remarks>
public static class DagCbor
{
    /// <summary>The CBOR tag of a CID link.</summary>
    public const ulong CidTag = 42;

    /// <summary>Nesting deeper than this is refused (Cairn's blocks nest a few levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>A writer that sorts map keys the DAG-CBOR way and refuses indefinite lengths.</summary>
    public static CborWriter CreateWriter() =>
        new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);

    /// <summary>
    /// Encodes with <paramref name="write"/> on a writer for an encoder that writes every map's keys in
    /// DAG-CBOR order itself (fixed field names written in that order, or text keys ordered by
    /// <see cref="KeyOrder"/>): the same bytes as <see cref="CreateWriter"/>, without the canonical
    /// writer's tracking and sorting of every key, which was most of a manifest's encoding time (a
    /// manifest is encoded per version folded). Lengths stay definite. The canonical reader
    /// (<see cref="Decode{T}"/>) refuses keys out of order.
    /// </summary>
    /// <remarks>
    /// The writer is the calling thread's, reset for each encoding: a fold encodes a manifest per
    /// version and a node per changed node, and a new writer's growing buffer and nesting stack were
    /// a good part of what a fold allocated. <paramref name="write"/> must not encode anything else
    /// through this method. A writer that grew past <see cref="MaxKeptWriterBytes"/> is not kept.
    /// </remarks>
    public static byte[] EncodeOrdered<TState>(TState state, Action<CborWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var writer = t_orderedWriter ?? new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false,
            allowMultipleRootLevelValues: false);
        t_orderedWriter = null; // taken: an encoding nested by mistake gets a writer of its own
        writer.Reset();
        write(writer, state);
        var encoded = writer.Encode();
        if (encoded.Length <= MaxKeptWriterBytes)
        {
            t_orderedWriter = writer;
        }
        return encoded;
    }

    /// <summary>Largest encoding whose writer (and its buffer) a thread keeps for the next one.</summary>
    public const int MaxKeptWriterBytes = 64 * 1024;

    [ThreadStatic]
    private static CborWriter? t_orderedWriter;

    /// <summary>
    /// DAG-CBOR's order of text map keys: by the length of their UTF-8 encoding, then bytewise
    /// (a longer encoding has a longer or equal head, so this is the order of the encoded keys).
    /// </summary>
    public static readonly IComparer<string> KeyOrder = Comparer<string>.Create(static (a, b) =>
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }
        var byLength = System.Text.Encoding.UTF8.GetByteCount(a).CompareTo(System.Text.Encoding.UTF8.GetByteCount(b));
        return byLength != 0
            ? byLength
            : System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b));
    });

    /// <summary>Writes a map of text to text with its keys in <see cref="KeyOrder"/> (for <see cref="EncodeOrdered{TState}"/>).</summary>
    public static void WriteTextMap(CborWriter writer, IReadOnlyDictionary<string, string> map)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(map);
        var names = map.Keys.ToArray();
        Array.Sort(names, KeyOrder);
        writer.WriteStartMap(names.Length);
        foreach (var name in names)
        {
            writer.WriteTextString(name);
            writer.WriteTextString(map[name]);
        }
        writer.WriteEndMap();
    }

    /// <summary>Writes a CID link: tag 42 over a byte string of 0x00 then the binary CID.</summary>
    public static void WriteCid(CborWriter writer, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cid);
        Span<byte> bytes = stackalloc byte[1 + Cid.BinaryLength];
        bytes[0] = 0x00; // the multibase "identity" prefix DAG-CBOR puts before a binary CID
        cid.WriteBytes(bytes[1..]);
        writer.WriteTag((CborTag)CidTag);
        writer.WriteByteString(bytes);
    }

    /// <summary>Writes a CID link, or null.</summary>
    public static void WriteCidOrNull(CborWriter writer, Cid? cid)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (cid is null)
        {
            writer.WriteNull();
        }
        else
        {
            WriteCid(writer, cid);
        }
    }

    /// <summary>Reads a CID link written by <see cref="WriteCid"/>.</summary>
    /// <exception cref="DagCborException">Not a tag-42 link to a supported CID.</exception>
    public static Cid ReadCid(CborReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            var tag = reader.ReadTag();
            if ((ulong)tag != CidTag)
            {
                throw new DagCborException($"Expected a CID (tag 42), found tag {(ulong)tag}.");
            }
            var bytes = reader.ReadByteString();
            if (bytes.Length == 0 || bytes[0] != 0x00)
            {
                throw new DagCborException("A CID link's bytes must start with 0x00.");
            }
            if (!Cid.TryReadBytes(bytes.AsSpan(1), out var cid, out var consumed) || consumed != bytes.Length - 1)
            {
                throw new DagCborException("A CID link holds a CID that is not CIDv1 dag-cbor/raw sha2-256.");
            }
            return cid;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException)
        {
            throw new DagCborException("Expected a CID link.", ex);
        }
    }

    /// <summary>Reads a CID link, or null.</summary>
    public static Cid? ReadCidOrNull(CborReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
            return null;
        }
        return ReadCid(reader);
    }

    /// <summary>
    /// Checks that <paramref name="block"/> is exactly one strict DAG-CBOR item, then runs
    /// <paramref name="read"/> over it with a canonical reader, and checks it read the whole item.
    /// Any CBOR error becomes a <see cref="DagCborException"/>.
    /// </summary>
    public static T Decode<T>(ReadOnlyMemory<byte> block, Func<CborReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        Validate(block);
        return ReadWhole(CreateReader(block), read);
    }

    /// <summary>
    /// Decodes bytes already known to be strict DAG-CBOR (they match a CID whose block was checked or
    /// encoded here): one pass with a reader that does not check canonical form again.
    /// </summary>
    /// <exception cref="DagCborException">The bytes are not the shape <paramref name="read"/> expects.</exception>
    public static T DecodeVerified<T>(ReadOnlyMemory<byte> block, Func<CborReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ReadWhole(new CborReader(block, CborConformanceMode.Lax), read);
    }

    /// <summary>Runs <paramref name="read"/> and checks it read the whole item; any CBOR error becomes a <see cref="DagCborException"/>.</summary>
    private static T ReadWhole<T>(CborReader reader, Func<CborReader, T> read)
    {
        try
        {
            var value = read(reader);
            if (reader.BytesRemaining != 0)
            {
                throw new DagCborException("The decoder stopped before the end of the block.");
            }
            return value;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new DagCborException($"Unexpected DAG-CBOR shape: {ex.Message}", ex);
        }
    }

    /// <summary>Refuses anything that is not one strict DAG-CBOR item (see the class remarks).</summary>
    /// <exception cref="DagCborException">The first rule the bytes break.</exception>
    public static void Validate(ReadOnlyMemory<byte> block)
    {
        var reader = CreateReader(block);
        try
        {
            ValidateItem(reader, depth: 0);
            if (reader.BytesRemaining != 0)
            {
                throw new DagCborException($"{reader.BytesRemaining} trailing bytes after the DAG-CBOR item.");
            }
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new DagCborException($"Not strict DAG-CBOR: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The CID links of a DAG-CBOR block, in the order they are encoded: what a store that keeps each
    /// link's place next to the block lines its places up with, whatever kind of block it is. Only
    /// the structure is read (strings are skipped, not decoded): the block is one its caller made or
    /// checked against its CID, and is decoded strictly where it is used.
    /// </summary>
    /// <exception cref="DagCborException">Not CBOR, or a tag that is not a CID link.</exception>
    public static List<Cid> ReadLinks(ReadOnlyMemory<byte> block)
    {
        var links = new List<Cid>();
        var reader = new CborReader(block, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
        try
        {
            var pending = 1; // items still to read at this point of the walk (containers add theirs)
            while (pending-- > 0)
            {
                switch (reader.PeekState())
                {
                    case CborReaderState.StartArray:
                        pending += reader.ReadStartArray() ?? throw new DagCborException("Indefinite-length array.");
                        break;
                    case CborReaderState.StartMap:
                        pending += 2 * (reader.ReadStartMap() ?? throw new DagCborException("Indefinite-length map."));
                        break;
                    case CborReaderState.Tag:
                        links.Add(ReadCid(reader));
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
                while (reader.PeekState() is CborReaderState.EndArray or CborReaderState.EndMap)
                {
                    if (reader.PeekState() == CborReaderState.EndArray)
                    {
                        reader.ReadEndArray();
                    }
                    else
                    {
                        reader.ReadEndMap();
                    }
                }
            }
            return links;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new DagCborException($"Not DAG-CBOR: {ex.Message}", ex);
        }
    }

    private static CborReader CreateReader(ReadOnlyMemory<byte> block) =>
        new(block, CborConformanceMode.Canonical, allowMultipleRootLevelValues: false);

    private static void ValidateItem(CborReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new DagCborException($"DAG-CBOR nested deeper than {MaxDepth} levels.");
        }
        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
                reader.ReadUInt64();
                break;
            case CborReaderState.NegativeInteger:
                reader.ReadCborNegativeIntegerRepresentation();
                break;
            case CborReaderState.ByteString:
                reader.ReadByteString();
                break;
            case CborReaderState.TextString:
                reader.ReadTextString(); // canonical mode checks the UTF-8
                break;
            case CborReaderState.StartArray:
                var items = reader.ReadStartArray() ?? throw new DagCborException("Indefinite-length array.");
                for (var i = 0; i < items; i++)
                {
                    ValidateItem(reader, depth + 1);
                }
                reader.ReadEndArray();
                break;
            case CborReaderState.StartMap:
                var pairs = reader.ReadStartMap() ?? throw new DagCborException("Indefinite-length map.");
                for (var i = 0; i < pairs; i++)
                {
                    if (reader.PeekState() != CborReaderState.TextString)
                    {
                        throw new DagCborException("DAG-CBOR map keys must be text strings.");
                    }
                    reader.ReadTextString(); // canonical mode refuses keys out of order or repeated
                    ValidateItem(reader, depth + 1);
                }
                reader.ReadEndMap();
                break;
            case CborReaderState.Tag:
                ReadCid(reader);
                break;
            case CborReaderState.Boolean:
                reader.ReadBoolean();
                break;
            case CborReaderState.Null:
                reader.ReadNull();
                break;
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                throw new DagCborException("Floats are not allowed in Cairn's DAG-CBOR blocks.");
            case var state:
                throw new DagCborException($"Not allowed in DAG-CBOR: {state}.");
        }
    }
}
