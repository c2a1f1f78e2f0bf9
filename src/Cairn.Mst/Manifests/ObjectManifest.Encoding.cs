using System.Collections.ObjectModel;
using System.Formats.Cbor;
using Cairn.Core;

namespace Cairn.Mst;

public sealed partial record ObjectManifest
{
    // The field names, in DAG-CBOR's canonical order (encoded length first, then bytewise).
    private const string KeyField = "key";
    private const string BodyField = "body";
    private const string ETagField = "etag";
    private const string SizeField = "size";
    private const string TagsField = "tags";
    private const string PartsField = "parts";
    private const string FormatField = "format";
    private const string CreatedField = "created";
    private const string HeadersField = "headers";
    private const string MetadataField = "metadata";
    private const string ModifiedField = "modified";
    private const string PreviousField = "previous";
    private const string ChecksumsField = "checksums";
    private const string VersionIdField = "versionId";
    private const string ChecksumTypeField = "checksumType";
    private const string DeleteMarkerField = "deleteMarker";
    private const string EncryptionField = "encryption";
    private const int FieldCount = 16;
    private const string EncryptionKeyField = "key";
    private const string EncryptionModeField = "mode";

    private const string ChunkCidField = "cid";
    private const string ChunkLengthField = "length";

    // The keys of the headers map: the lower-case HTTP names.
    private const string CacheControlHeader = "cache-control";
    private const string ContentDispositionHeader = "content-disposition";
    private const string ContentEncodingHeader = "content-encoding";
    private const string ContentLanguageHeader = "content-language";
    private const string ContentTypeHeader = "content-type";
    private const string ExpiresHeader = "expires";

    /// <summary>
    /// The manifest's canonical DAG-CBOR bytes: the same manifest always gives the same bytes (map
    /// keys, the inner maps' too, in canonical order).
    /// </summary>
    /// <exception cref="ManifestFormatException">The manifest breaks a rule (<see cref="Validate"/>).</exception>
    public byte[] Encode()
    {
        Validate();
        // Every key is written in canonical order here (the fields as declared above, the text maps
        // sorted), so the writer need not sort: see DagCbor.EncodeOrdered.
        return DagCbor.EncodeOrdered(this, static (writer, manifest) => manifest.WriteFields(writer));
    }

    private void WriteFields(CborWriter writer)
    {
        writer.WriteStartMap(Encryption is null ? FieldCount : FieldCount + 1);
        writer.WriteTextString(KeyField);
        writer.WriteTextString(Key);
        writer.WriteTextString(BodyField);
        writer.WriteStartArray(Body.Count);
        foreach (var chunk in Body)
        {
            writer.WriteStartMap(2);
            writer.WriteTextString(ChunkCidField);
            DagCbor.WriteCid(writer, chunk.Cid);
            writer.WriteTextString(ChunkLengthField);
            writer.WriteInt64(chunk.Length);
            writer.WriteEndMap();
        }
        writer.WriteEndArray();
        writer.WriteTextString(ETagField);
        writer.WriteTextString(ETag);
        writer.WriteTextString(SizeField);
        writer.WriteInt64(Size);
        writer.WriteTextString(TagsField);
        DagCbor.WriteTextMap(writer, Tags);
        writer.WriteTextString(PartsField);
        writer.WriteStartArray(Parts.Count);
        foreach (var part in Parts)
        {
            writer.WriteInt64(part);
        }
        writer.WriteEndArray();
        writer.WriteTextString(FormatField);
        writer.WriteInt32(Encryption is null ? FormatVersion : EncryptedFormatVersion);
        writer.WriteTextString(CreatedField);
        writer.WriteInt64(Created.ToUnixTimeMilliseconds());
        writer.WriteTextString(HeadersField);
        WriteHeaders(writer, Headers);
        writer.WriteTextString(MetadataField);
        DagCbor.WriteTextMap(writer, Metadata);
        writer.WriteTextString(ModifiedField);
        writer.WriteInt64(Modified.ToUnixTimeMilliseconds());
        writer.WriteTextString(PreviousField);
        DagCbor.WriteCidOrNull(writer, Previous);
        writer.WriteTextString(ChecksumsField);
        DagCbor.WriteTextMap(writer, Checksums);
        writer.WriteTextString(VersionIdField);
        writer.WriteTextString(VersionId);
        if (Encryption is { } encryption)
        {
            // "encryption" (10 bytes) sorts between "versionId" (9) and "checksumType" (12).
            writer.WriteTextString(EncryptionField);
            writer.WriteStartMap(2);
            writer.WriteTextString(EncryptionKeyField);
            writer.WriteByteString(encryption.Key);
            writer.WriteTextString(EncryptionModeField);
            writer.WriteTextString(encryption.Mode);
            writer.WriteEndMap();
        }
        writer.WriteTextString(ChecksumTypeField);
        writer.WriteTextString(ChecksumType);
        writer.WriteTextString(DeleteMarkerField);
        writer.WriteBoolean(IsDeleteMarker);
        writer.WriteEndMap();
    }

    /// <summary>
    /// The manifest's links in the order its block encodes them (the body's chunks, then
    /// <c>previous</c> when set): what <see cref="DagCbor.ReadLinks"/> reads from <see cref="Encode"/>'s bytes.
    /// </summary>
    public List<Cid> Links()
    {
        var links = new List<Cid>(Body.Count + 1);
        foreach (var chunk in Body)
        {
            links.Add(chunk.Cid);
        }
        if (Previous is not null)
        {
            links.Add(Previous);
        }
        return links;
    }

    /// <summary>The encoded manifest and its CID (dag-cbor, sha2-256), ready for a block store or a CAR.</summary>
    /// <exception cref="ManifestFormatException">The manifest breaks a rule (<see cref="Validate"/>).</exception>
    public CarBlock ToBlock()
    {
        var bytes = Encode();
        return new CarBlock(Cid.ForDagCbor(bytes), bytes);
    }

    /// <summary>
    /// Decodes a manifest, refusing anything but exactly this format in strict DAG-CBOR: unknown or
    /// missing fields, wrong types, <c>format</c> other than <see cref="FormatVersion"/>, and any
    /// manifest that breaks a rule of <see cref="Validate"/>.
    /// </summary>
    /// <exception cref="ManifestFormatException">Not a valid manifest; the message names the problem.</exception>
    public static ObjectManifest Decode(ReadOnlyMemory<byte> block)
    {
        ObjectManifest manifest;
        try
        {
            manifest = DagCbor.Decode(block, Read);
        }
        catch (DagCborException ex)
        {
            throw new ManifestFormatException($"Not an object manifest: {ex.Message}", ex);
        }
        manifest.Validate();
        return manifest;
    }

    private static void WriteHeaders(CborWriter writer, ContentHeaders headers)
    {
        var fields = HeaderFields(headers);
        var count = 0;
        foreach (var (_, value) in fields)
        {
            count += value is null ? 0 : 1;
        }
        writer.WriteStartMap(count);
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                writer.WriteTextString(name);
                writer.WriteTextString(value);
            }
        }
        writer.WriteEndMap();
    }

    /// <summary>The header fields in DAG-CBOR key order (by length, then bytewise), as <see cref="WriteHeaders"/> writes them.</summary>
    private static (string Name, string? Value)[] HeaderFields(ContentHeaders headers) =>
    [
        (ExpiresHeader, headers.Expires),
        (ContentTypeHeader, headers.ContentType),
        (CacheControlHeader, headers.CacheControl),
        (ContentEncodingHeader, headers.ContentEncoding),
        (ContentLanguageHeader, headers.ContentLanguage),
        (ContentDispositionHeader, headers.ContentDisposition),
    ];

    private static ObjectManifest Read(CborReader reader)
    {
        if (reader.PeekState() is var top and not CborReaderState.StartMap)
        {
            throw new ManifestFormatException($"A manifest is a map, found {top}.");
        }
        var count = reader.ReadStartMap() ?? 0; // DagCbor.Validate already refused indefinite lengths
        string? key = null, versionId = null, etag = null, checksumType = null, unknown = null;
        bool? deleteMarker = null;
        long? format = null, size = null;
        DateTimeOffset? created = null, modified = null;
        IReadOnlyDictionary<string, string>? checksums = null, metadata = null, tags = null;
        ContentHeaders? headers = null;
        IReadOnlyList<ManifestChunk>? body = null;
        IReadOnlyList<long>? parts = null;
        var hasPrevious = false;
        Cid? previous = null;
        ManifestEncryption? encryption = null;
        // The canonical reader refuses repeated or unsorted keys, so each case runs at most once.
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString();
            switch (name)
            {
                case KeyField: key = ReadText(reader, name); break;
                case BodyField: body = ReadBody(reader); break;
                case ETagField: etag = ReadText(reader, name); break;
                case SizeField: size = ReadInteger(reader, name); break;
                case TagsField: tags = ReadTextMap(reader, name); break;
                case PartsField: parts = ReadParts(reader); break;
                case FormatField: format = ReadInteger(reader, name); break;
                case CreatedField: created = ReadTime(reader, name); break;
                case HeadersField: headers = ReadHeaders(reader); break;
                case MetadataField: metadata = ReadTextMap(reader, name); break;
                case ModifiedField: modified = ReadTime(reader, name); break;
                case PreviousField: previous = ReadCidOrNull(reader, name); hasPrevious = true; break;
                case ChecksumsField: checksums = ReadTextMap(reader, name); break;
                case VersionIdField: versionId = ReadText(reader, name); break;
                case ChecksumTypeField: checksumType = ReadText(reader, name); break;
                case DeleteMarkerField: deleteMarker = ReadBoolean(reader, name); break;
                case EncryptionField: encryption = ReadEncryption(reader); break;
                default:
                    unknown ??= name;
                    reader.SkipValue();
                    break;
            }
        }
        reader.ReadEndMap();
        // The format first: another version may well have other fields.
        if (format is { } version && version != FormatVersion && version != EncryptedFormatVersion)
        {
            throw new ManifestFormatException($"Manifest format {version} is not supported (only {FormatVersion} and {EncryptedFormatVersion}).");
        }
        if ((format == EncryptedFormatVersion) != (encryption is not null))
        {
            throw new ManifestFormatException(encryption is null
                ? $"A manifest of format {EncryptedFormatVersion} has no '{EncryptionField}' field."
                : $"A manifest of format {format} has an '{EncryptionField}' field (only format {EncryptedFormatVersion} has one).");
        }
        if (unknown is not null)
        {
            throw new ManifestFormatException($"Unknown manifest field '{unknown}'.");
        }
        _ = format ?? throw Missing(FormatField);
        return new ObjectManifest
        {
            Key = key ?? throw Missing(KeyField),
            Body = body ?? throw Missing(BodyField),
            ETag = etag ?? throw Missing(ETagField),
            Size = size ?? throw Missing(SizeField),
            Tags = tags ?? throw Missing(TagsField),
            Parts = parts ?? throw Missing(PartsField),
            Created = created ?? throw Missing(CreatedField),
            Headers = headers ?? throw Missing(HeadersField),
            Metadata = metadata ?? throw Missing(MetadataField),
            Modified = modified ?? throw Missing(ModifiedField),
            Previous = hasPrevious ? previous : throw Missing(PreviousField),
            Checksums = checksums ?? throw Missing(ChecksumsField),
            VersionId = versionId ?? throw Missing(VersionIdField),
            ChecksumType = checksumType ?? throw Missing(ChecksumTypeField),
            IsDeleteMarker = deleteMarker ?? throw Missing(DeleteMarkerField),
            Encryption = encryption,
        };
    }

    private static ManifestEncryption ReadEncryption(CborReader reader)
    {
        ExpectState(reader, CborReaderState.StartMap, EncryptionField, "a map");
        var count = reader.ReadStartMap() ?? 0;
        byte[]? key = null;
        string? mode = null;
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString();
            switch (name)
            {
                case EncryptionKeyField:
                    ExpectState(reader, CborReaderState.ByteString, EncryptionField + "." + name, "bytes");
                    key = reader.ReadByteString();
                    break;
                case EncryptionModeField:
                    mode = ReadText(reader, EncryptionField + "." + name);
                    break;
                default:
                    throw new ManifestFormatException($"Unknown field '{name}' in '{EncryptionField}'.");
            }
        }
        reader.ReadEndMap();
        return new ManifestEncryption(mode ?? throw Missing(EncryptionField + "." + EncryptionModeField),
            key ?? throw Missing(EncryptionField + "." + EncryptionKeyField));
    }

    private static string ReadText(CborReader reader, string field)
    {
        ExpectState(reader, CborReaderState.TextString, field, "text");
        return reader.ReadTextString();
    }

    private static bool ReadBoolean(CborReader reader, string field)
    {
        ExpectState(reader, CborReaderState.Boolean, field, "a boolean");
        return reader.ReadBoolean();
    }

    private static long ReadInteger(CborReader reader, string field)
    {
        var state = reader.PeekState();
        if (state is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
        {
            throw WrongType(field, "an integer", state);
        }
        try
        {
            return reader.ReadInt64();
        }
        catch (OverflowException ex)
        {
            throw new ManifestFormatException($"Manifest field '{field}' does not fit a 64-bit integer.", ex);
        }
    }

    private static DateTimeOffset ReadTime(CborReader reader, string field)
    {
        var milliseconds = ReadInteger(reader, field);
        if (milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new ManifestFormatException($"Manifest field '{field}' ({milliseconds} ms) is not a time from the Unix epoch to year 9999.");
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    private static Cid? ReadCidOrNull(CborReader reader, string field)
    {
        var state = reader.PeekState();
        return state switch
        {
            CborReaderState.Null => DagCbor.ReadCidOrNull(reader),
            CborReaderState.Tag => DagCbor.ReadCid(reader),
            _ => throw WrongType(field, "a CID link or null", state),
        };
    }

    private static ReadOnlyDictionary<string, string> ReadTextMap(CborReader reader, string field)
    {
        ExpectState(reader, CborReaderState.StartMap, field, "a map");
        var count = reader.ReadStartMap() ?? 0;
        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString(); // DagCbor.Validate: keys are text, unique
            map[name] = ReadText(reader, $"{field}.{name}");
        }
        reader.ReadEndMap();
        return map.AsReadOnly();
    }

    private static ContentHeaders ReadHeaders(CborReader reader)
    {
        ExpectState(reader, CborReaderState.StartMap, HeadersField, "a map");
        var count = reader.ReadStartMap() ?? 0;
        var headers = new ContentHeaders();
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString();
            var value = ReadText(reader, $"{HeadersField}.{name}");
            headers = name switch
            {
                CacheControlHeader => headers with { CacheControl = value },
                ContentDispositionHeader => headers with { ContentDisposition = value },
                ContentEncodingHeader => headers with { ContentEncoding = value },
                ContentLanguageHeader => headers with { ContentLanguage = value },
                ContentTypeHeader => headers with { ContentType = value },
                ExpiresHeader => headers with { Expires = value },
                _ => throw new ManifestFormatException($"Unknown content header '{name}' in the manifest's headers."),
            };
        }
        reader.ReadEndMap();
        return headers;
    }

    private static ReadOnlyCollection<ManifestChunk> ReadBody(CborReader reader)
    {
        ExpectState(reader, CborReaderState.StartArray, BodyField, "an array");
        var count = reader.ReadStartArray() ?? 0;
        var chunks = new ManifestChunk[count];
        for (var i = 0; i < count; i++)
        {
            var where = $"{BodyField}[{i}]";
            ExpectState(reader, CborReaderState.StartMap, where, "a map");
            var fields = reader.ReadStartMap() ?? 0;
            Cid? cid = null;
            long? length = null;
            for (var f = 0; f < fields; f++)
            {
                var name = reader.ReadTextString();
                switch (name)
                {
                    case ChunkCidField:
                        ExpectState(reader, CborReaderState.Tag, $"{where}.{name}", "a CID link");
                        cid = DagCbor.ReadCid(reader);
                        break;
                    case ChunkLengthField:
                        length = ReadInteger(reader, $"{where}.{name}");
                        break;
                    default:
                        throw new ManifestFormatException($"Unknown field '{name}' in manifest chunk {where}.");
                }
            }
            reader.ReadEndMap();
            chunks[i] = new ManifestChunk(
                cid ?? throw Missing($"{where}.{ChunkCidField}"),
                length ?? throw Missing($"{where}.{ChunkLengthField}"));
        }
        reader.ReadEndArray();
        return chunks.AsReadOnly();
    }

    private static ReadOnlyCollection<long> ReadParts(CborReader reader)
    {
        ExpectState(reader, CborReaderState.StartArray, PartsField, "an array");
        var count = reader.ReadStartArray() ?? 0;
        var parts = new long[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = ReadInteger(reader, $"{PartsField}[{i}]");
        }
        reader.ReadEndArray();
        return parts.AsReadOnly();
    }

    private static void ExpectState(CborReader reader, CborReaderState expected, string field, string description)
    {
        var state = reader.PeekState();
        if (state != expected)
        {
            throw WrongType(field, description, state);
        }
    }

    private static ManifestFormatException WrongType(string field, string expected, CborReaderState found) =>
        new($"Manifest field '{field}' must be {expected}, found {found}.");

    private static ManifestFormatException Missing(string field) =>
        new($"Manifest field '{field}' is missing.");
}
