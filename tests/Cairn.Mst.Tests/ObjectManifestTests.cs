using System.Formats.Cbor;
using System.Text;
using Cairn.Core;

namespace Cairn.Mst.Tests;

[Trait("Issue", "11")]
public class ObjectManifestTests
{
    private static readonly Cid Hello = Cid.ForRaw("hello"u8);
    private static readonly Cid World = Cid.ForRaw("world"u8);
    private static readonly Cid EmptyMapBlock = Cid.ForDagCbor([0xa0]);
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    // The golden manifest: small enough to encode by hand, with an inner map of each key-order case.
    private static ObjectManifest Golden() => new()
    {
        Key = "caf\u00e9",
        VersionId = "v1",
        Size = 10,
        ETag = "abc-2",
        Checksums = new Dictionary<string, string> { ["CRC32C"] = "Vsu0gA==" },
        ChecksumType = ObjectManifest.FullObject,
        Headers = new ContentHeaders(ContentType: "text/plain", CacheControl: "no-cache"),
        Metadata = new Dictionary<string, string> { ["zz"] = "1", ["b"] = "2" },
        Tags = new Dictionary<string, string> { ["b"] = "y", ["a"] = "x" },
        Created = Created,
        Modified = Created.AddMilliseconds(1),
        Body = [new ManifestChunk(Hello, 5), new ManifestChunk(World, 5)],
        Parts = [4, 6],
        Previous = EmptyMapBlock,
    };

    private static ObjectManifest Full() => new()
    {
        Key = "photos/na\u00efve caf\u00e9 \U0001F4F7.jpg",
        VersionId = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        Size = 12,
        ETag = "9b2cf535f27731c974343645a3985328-3",
        Checksums = new Dictionary<string, string> { ["CRC32C"] = "yZRlqg==-3", ["SHA256"] = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-3" },
        ChecksumType = ObjectManifest.Composite,
        Headers = new ContentHeaders("image/jpeg", "identity", "inline", "fr-CH", "max-age=60", "Wed, 21 Oct 2015 07:28:00 GMT"),
        Metadata = new Dictionary<string, string> { ["camera"] = "X100", ["lieu"] = "Gen\u00e8ve" },
        Tags = new Dictionary<string, string> { ["project"] = "cairn", ["\u00e9t\u00e9"] = "2026" },
        Created = Created,
        Modified = Created.AddDays(3),
        Body = [new ManifestChunk(Cid.ForRaw("abcd"u8), 4), new ManifestChunk(Cid.ForRaw("efgh"u8), 4), new ManifestChunk(Cid.ForRaw("ijkl"u8), 4)],
        Parts = [5, 5, 2],
        Previous = Cid.ForDagCbor("previous manifest"u8),
    };

    private static ObjectManifest Marker() => new()
    {
        Key = "photos/gone.jpg",
        VersionId = "null",
        IsDeleteMarker = true,
        Created = Created,
        Modified = Created,
        Previous = Cid.ForDagCbor("the version it hides"u8),
    };

    [Fact]
    public void A_full_manifest_round_trips_and_encodes_the_same_bytes_every_time()
    {
        // Arrange
        var manifest = Full();

        // Act
        var bytes = manifest.Encode();
        var again = manifest.Encode();
        var decoded = ObjectManifest.Decode(bytes);

        // Assert
        Assert.Equal(manifest, decoded);
        Assert.Equal(manifest.GetHashCode(), decoded.GetHashCode());
        Assert.Equal(bytes, again);
        Assert.Equal(bytes, decoded.Encode());
        Assert.Equal(Cid.ForDagCbor(bytes), manifest.ToBlock().Cid);
        Assert.Equal(Cid.DagCborCodec, manifest.ToBlock().Cid.Codec);
    }

    [Fact]
    public void A_delete_marker_round_trips()
    {
        // Arrange
        var marker = Marker();

        // Act
        var bytes = marker.Encode();
        var decoded = ObjectManifest.Decode(bytes);

        // Assert
        Assert.Equal(marker, decoded);
        Assert.True(decoded.IsDeleteMarker);
        Assert.Empty(decoded.Body);
        Assert.Equal("", decoded.ETag);
        Assert.Equal(bytes, decoded.Encode());
    }

    [Fact]
    public void NFC_and_NFD_keys_are_kept_as_given_and_stay_distinct()
    {
        // Arrange: "café" composed (U+00E9) and decomposed (e + U+0301)
        var nfc = Golden() with { Key = "caf\u00e9" };
        var nfd = Golden() with { Key = "cafe\u0301" };

        // Act
        var nfcDecoded = ObjectManifest.Decode(nfc.Encode());
        var nfdDecoded = ObjectManifest.Decode(nfd.Encode());

        // Assert
        Assert.Equal("caf\u00e9", nfcDecoded.Key, StringComparer.Ordinal);
        Assert.Equal("cafe\u0301", nfdDecoded.Key, StringComparer.Ordinal);
        Assert.NotEqual(nfcDecoded, nfdDecoded);
        Assert.NotEqual(nfc.Encode(), nfd.Encode());
        Assert.NotEqual(nfc.ToBlock().Cid, nfd.ToBlock().Cid);
    }

    [Fact]
    public void Equality_compares_the_collections_by_content()
    {
        // Arrange: the same content in new collection instances, and one differing metadata value
        var a = Golden();
        var b = Golden();
        var c = Golden() with { Metadata = new Dictionary<string, string> { ["zz"] = "1", ["b"] = "3" } };

        // Assert
        Assert.NotSame(a.Metadata, b.Metadata);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, a with { Parts = [6, 4] });
        Assert.NotEqual(a, a with { Previous = null });
    }

    [Fact]
    public void The_golden_manifest_encodes_to_hand_checked_bytes_and_CID()
    {
        // Arrange: each line is one field, in the order DAG-CBOR puts them (see the next test)
        var expected = string.Concat(
            "b0", // map of 16
            "636b6579" + "65636166c3a9", // "key": "café" (é is c3 a9 in UTF-8)
            "64626f6479" + "82" // "body": array of 2 chunk maps {cid, length}
                + "a2" + "63636964" + "d82a58250001551220" + "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" + "666c656e677468" + "05"
                + "a2" + "63636964" + "d82a58250001551220" + "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7" + "666c656e677468" + "05",
            "6465746167" + "656162632d32", // "etag": "abc-2"
            "6473697a65" + "0a", // "size": 10
            "6474616773" + "a2" + "6161" + "6178" + "6162" + "6179", // "tags": {a: x, b: y} (same length: bytewise)
            "657061727473" + "82" + "04" + "06", // "parts": [4, 6]
            "66666f726d6174" + "01", // "format": 1
            "6763726561746564" + "1b0000018bcfe56800", // "created": 1700000000000 (uint64)
            "6768656164657273" + "a2" // "headers": content-type (12 chars) before cache-control (13)
                + "6c636f6e74656e742d74797065" + "6a746578742f706c61696e"
                + "6d63616368652d636f6e74726f6c" + "686e6f2d6361636865",
            "686d65746164617461" + "a2" + "6162" + "6132" + "627a7a" + "6131", // "metadata": {b: 2, zz: 1} (shorter first)
            "686d6f646966696564" + "1b0000018bcfe56801", // "modified": 1700000000001
            "6870726576696f7573" + "d82a58250001711220" + "c19a797fa1fd590cd2e5b42d1cf5f246e29b91684e2f87404b81dc345c7a56a0", // "previous": dag-cbor CID of {}
            "69636865636b73756d73" + "a1" + "66435243333243" + "685673753067413d3d", // "checksums": {CRC32C: "Vsu0gA=="}
            "6976657273696f6e4964" + "627631", // "versionId": "v1"
            "6c636865636b73756d54797065" + "6b46554c4c5f4f424a454354", // "checksumType": "FULL_OBJECT"
            "6c64656c6574654d61726b6572" + "f4"); // "deleteMarker": false

        // Act
        var block = Golden().ToBlock();

        // Assert. Cross-checked once with the npm packages @ipld/dag-cbor 10 and multiformats (not
        // a dependency): encoding this manifest as a JS object gave exactly these bytes, its strict
        // decoder read them back to the same bytes, and the CID of these bytes is this string.
        Assert.Equal(expected, Convert.ToHexStringLower(block.Data.Span));
        Assert.Equal("bafyreiduwtiilgwwv4dbl5o5mcrin6iof4vqxrpkvbsxzojh2kgb2zcy5q", block.Cid.ToString());
        Assert.Equal(Golden(), ObjectManifest.Decode(block.Data));
    }

    [Fact]
    public void The_fields_are_in_DAG_CBOR_order_shorter_keys_first_then_bytewise()
    {
        // Arrange
        var reader = new CborReader(Golden().Encode(), CborConformanceMode.Canonical);
        var keys = new List<string>();

        // Act
        var count = reader.ReadStartMap();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadTextString());
            reader.SkipValue();
        }

        // Assert
        string[] expected =
        [
            "key", "body", "etag", "size", "tags", "parts", "format", "created", "headers",
            "metadata", "modified", "previous", "checksums", "versionId", "checksumType", "deleteMarker",
        ];
        Assert.Equal(expected, keys);
        for (var i = 1; i < keys.Count; i++)
        {
            var previous = Encoding.UTF8.GetBytes(keys[i - 1]);
            var current = Encoding.UTF8.GetBytes(keys[i]);
            Assert.True(
                previous.Length < current.Length || (previous.Length == current.Length && previous.AsSpan().SequenceCompareTo(current) < 0),
                $"'{keys[i - 1]}' must come before '{keys[i]}'");
        }
    }

    [Fact]
    public void The_hand_built_valid_fields_decode_so_each_refusal_below_has_one_cause()
    {
        var manifest = ObjectManifest.Decode(EncodeFields(ValidFields()));

        Assert.Equal(10, manifest.Size);
        Assert.Equal([4L, 6L], manifest.Parts);
    }

    // What strict DAG-CBOR already refuses (floats, indefinite lengths) arrives as a
    // ManifestFormatException too, wrapping DagCbor's DagCborException.
    public static TheoryData<string, string> Refusals => new()
    {
        { "missing key", "'etag' is missing" },
        { "extra key", "Unknown manifest field 'color'" },
        { "wrong type", "'size' must be an integer, found TextString" },
        { "format 3", "format 3 is not supported" },
        { "format 2 without encryption", "format 2 has no 'encryption' field" },
        { "body CID with dag-cbor codec", "not a raw (0x55) CID" },
        { "previous with raw codec", "is not a dag-cbor CID" },
        { "length sum mismatch", "the body's chunks add up to 10 bytes, not size 11" },
        { "marker with body", "a delete marker has a size, an ETag, a body or parts" },
        { "negative size", "size -1 is negative" },
        { "parts mismatch", "the parts add up to 9 bytes, not size 10" },
        { "unknown header", "Unknown content header 'x-custom'" },
        { "chunk without length", "'body[1].length' is missing" },
        { "created after modified", "is before created" },
        { "a float value", "Floats are not allowed" },
        { "an indefinite-length map", "does not support indefinite-length items" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Decode_refuses_a_block_that_breaks_a_rule(string change, string message)
    {
        // Arrange
        var block = RefusedBlock(change);

        // Act
        var ex = Assert.Throws<ManifestFormatException>(() => ObjectManifest.Decode(block));

        // Assert
        Assert.True(ex.Message.Contains(message, StringComparison.Ordinal), ex.Message);
        if (change is "a float value" or "an indefinite-length map")
        {
            Assert.IsType<DagCborException>(ex.InnerException);
        }
    }

    public static TheoryData<string, string> EncodeRefusals => new()
    {
        { "body sum", "the body's chunks add up to 10 bytes, not size 9" },
        { "sub-millisecond time", "finer than a millisecond" },
        { "time before the epoch", "before the Unix epoch" },
        { "marker with an ETag", "a delete marker has a size, an ETag, a body or parts" },
        { "marker with tags", "a delete marker has checksums, headers, metadata, tags or encryption" },
        { "object without an ETag", "the ETag is empty" },
        { "unknown checksum name", "'crc32c' is not an S3 checksum algorithm wire name" },
        { "unknown checksum type", "checksumType 'FULL'" },
        { "lone surrogate", "key is not valid Unicode" },
        { "empty key", "the key is empty" },
        { "null metadata", "metadata is null" },
    };

    [Theory]
    [MemberData(nameof(EncodeRefusals))]
    public void Encode_refuses_an_invalid_manifest(string change, string message)
    {
        // Arrange
        var manifest = change switch
        {
            "body sum" => Golden() with { Size = 9, Parts = [] },
            "sub-millisecond time" => Golden() with { Modified = Created.AddTicks(1) },
            "time before the epoch" => Golden() with { Created = DateTimeOffset.UnixEpoch.AddMilliseconds(-1) },
            "marker with an ETag" => Marker() with { ETag = "abc" },
            "marker with tags" => Marker() with { Tags = new Dictionary<string, string> { ["a"] = "b" } },
            "object without an ETag" => Golden() with { ETag = "" },
            "unknown checksum name" => Golden() with { Checksums = new Dictionary<string, string> { ["crc32c"] = "Vsu0gA==" } },
            "unknown checksum type" => Golden() with { ChecksumType = "FULL" },
            "lone surrogate" => Golden() with { Key = "bad\ud800" },
            "empty key" => Golden() with { Key = "" },
            "null metadata" => Golden() with { Metadata = null! },
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
        };

        // Act
        var ex = Assert.Throws<ManifestFormatException>(manifest.Encode);

        // Assert
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Throws<ManifestFormatException>(() => manifest.ToBlock());
    }

    // The golden manifest's fields as writer calls, so a refusal case changes exactly one thing.
    private static Dictionary<string, Action<CborWriter>> ValidFields() => new()
    {
        ["key"] = static w => w.WriteTextString("k"),
        ["versionId"] = static w => w.WriteTextString("v1"),
        ["deleteMarker"] = static w => w.WriteBoolean(false),
        ["size"] = static w => w.WriteInt64(10),
        ["etag"] = static w => w.WriteTextString("abc-2"),
        ["checksums"] = static w => WriteTextMap(w),
        ["checksumType"] = static w => w.WriteTextString("FULL_OBJECT"),
        ["headers"] = static w => WriteTextMap(w, ("content-type", "text/plain")),
        ["metadata"] = static w => WriteTextMap(w),
        ["tags"] = static w => WriteTextMap(w),
        ["created"] = static w => w.WriteInt64(1_700_000_000_000),
        ["modified"] = static w => w.WriteInt64(1_700_000_000_001),
        ["body"] = static w => WriteBody(w, (Hello, 5), (World, 5)),
        ["parts"] = static w => WriteIntegers(w, 4, 6),
        ["previous"] = static w => w.WriteNull(),
        ["format"] = static w => w.WriteInt32(1),
    };

    private static byte[] RefusedBlock(string change)
    {
        var fields = ValidFields();
        switch (change)
        {
            case "missing key":
                fields.Remove("etag");
                break;
            case "extra key":
                fields["color"] = static w => w.WriteTextString("red");
                break;
            case "wrong type":
                fields["size"] = static w => w.WriteTextString("10");
                break;
            case "format 3":
                fields["format"] = static w => w.WriteInt32(3);
                break;
            case "format 2 without encryption":
                fields["format"] = static w => w.WriteInt32(2);
                break;
            case "body CID with dag-cbor codec":
                fields["body"] = static w => WriteBody(w, (Hello, 5), (Cid.ForDagCbor("world"u8), 5));
                break;
            case "previous with raw codec":
                fields["previous"] = static w => DagCbor.WriteCid(w, Hello);
                break;
            case "length sum mismatch":
                fields["size"] = static w => w.WriteInt64(11);
                break;
            case "marker with body":
                fields["deleteMarker"] = static w => w.WriteBoolean(true);
                break;
            case "negative size":
                fields["size"] = static w => w.WriteInt64(-1);
                break;
            case "parts mismatch":
                fields["parts"] = static w => WriteIntegers(w, 4, 5);
                break;
            case "unknown header":
                fields["headers"] = static w => WriteTextMap(w, ("x-custom", "1"));
                break;
            case "chunk without length":
                fields["body"] = static w =>
                {
                    w.WriteStartArray(2);
                    WriteChunk(w, Hello, 5);
                    w.WriteStartMap(1);
                    w.WriteTextString("cid");
                    DagCbor.WriteCid(w, World);
                    w.WriteEndMap();
                    w.WriteEndArray();
                };
                break;
            case "created after modified":
                fields["created"] = static w => w.WriteInt64(1_700_000_000_002);
                break;
            case "a float value":
                fields["size"] = static w => w.WriteDouble(10.0);
                break;
            case "an indefinite-length map":
                // The valid block with its map header b0 (16 pairs) turned into bf ... ff.
                var valid = EncodeFields(fields);
                Assert.Equal(0xb0, valid[0]);
                return [0xbf, .. valid.AsSpan(1), 0xff];
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
        return EncodeFields(fields);
    }

    private static byte[] EncodeFields(Dictionary<string, Action<CborWriter>> fields)
    {
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(fields.Count);
        foreach (var (name, write) in fields)
        {
            writer.WriteTextString(name);
            write(writer);
        }
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static void WriteTextMap(CborWriter writer, params (string Name, string Value)[] pairs)
    {
        writer.WriteStartMap(pairs.Length);
        foreach (var (name, value) in pairs)
        {
            writer.WriteTextString(name);
            writer.WriteTextString(value);
        }
        writer.WriteEndMap();
    }

    private static void WriteBody(CborWriter writer, params (Cid Cid, long Length)[] chunks)
    {
        writer.WriteStartArray(chunks.Length);
        foreach (var (cid, length) in chunks)
        {
            WriteChunk(writer, cid, length);
        }
        writer.WriteEndArray();
    }

    private static void WriteChunk(CborWriter writer, Cid cid, long length)
    {
        writer.WriteStartMap(2);
        writer.WriteTextString("cid");
        DagCbor.WriteCid(writer, cid);
        writer.WriteTextString("length");
        writer.WriteInt64(length);
        writer.WriteEndMap();
    }

    private static void WriteIntegers(CborWriter writer, params long[] values)
    {
        writer.WriteStartArray(values.Length);
        foreach (var value in values)
        {
            writer.WriteInt64(value);
        }
        writer.WriteEndArray();
    }

    /// <summary>Re-encodes any definite-length CBOR item with the canonical writer, which sorts every map's keys itself.</summary>
    private static byte[] CanonicalCopy(byte[] encoded)
    {
        var reader = new CborReader(encoded, CborConformanceMode.Lax);
        var writer = DagCbor.CreateWriter();
        Copy();
        return writer.Encode();

        void Copy()
        {
            switch (reader.PeekState())
            {
                case CborReaderState.StartMap:
                    var pairs = reader.ReadStartMap()!.Value;
                    writer.WriteStartMap(pairs);
                    for (var i = 0; i < 2 * pairs; i++)
                    {
                        Copy();
                    }
                    reader.ReadEndMap();
                    writer.WriteEndMap();
                    break;
                case CborReaderState.StartArray:
                    var items = reader.ReadStartArray()!.Value;
                    writer.WriteStartArray(items);
                    for (var i = 0; i < items; i++)
                    {
                        Copy();
                    }
                    reader.ReadEndArray();
                    writer.WriteEndArray();
                    break;
                case CborReaderState.Tag: writer.WriteTag(reader.ReadTag()); Copy(); break;
                case CborReaderState.TextString: writer.WriteTextString(reader.ReadTextString()); break;
                case CborReaderState.ByteString: writer.WriteByteString(reader.ReadByteString()); break;
                case CborReaderState.UnsignedInteger: writer.WriteUInt64(reader.ReadUInt64()); break;
                case CborReaderState.NegativeInteger: writer.WriteInt64(reader.ReadInt64()); break;
                case CborReaderState.Boolean: writer.WriteBoolean(reader.ReadBoolean()); break;
                case CborReaderState.Null: reader.ReadNull(); writer.WriteNull(); break;
                case var other: throw new InvalidOperationException($"Unexpected {other}.");
            }
        }
    }

    [Fact]
    public void Random_manifests_encode_to_the_bytes_the_canonical_writer_gives_and_the_links_they_name()
    {
        // Arrange: text maps whose keys differ in UTF-8 length and in char count (non-ASCII), and
        // every subset of the headers; the encoder orders keys itself rather than having the writer sort.
        var random = new Random(11);
        string[] alphabet = ["a", "b", "z", "A", "0", "-", "\u00e9", "\u00fc", "\u65e5", "\U0001F4F7", "\u0301"];
        string Text(int maxLength) => string.Concat(Enumerable.Range(0, random.Next(1, maxLength + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]));
        Dictionary<string, string> Map(int maxCount)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = random.Next(maxCount + 1); i > 0; i--)
            {
                map[Text(12)] = Text(6);
            }
            return map;
        }
        string? Maybe() => random.Next(2) == 0 ? null : Text(8);
        var mismatches = new List<string>();

        // Act
        for (var n = 0; n < 500; n++)
        {
            var manifest = Full() with
            {
                Key = Text(40),
                Metadata = Map(8),
                Tags = Map(10),
                Checksums = new[] { "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" }.Where(_ => random.Next(2) == 0)
                    .ToDictionary(static name => name, _ => Text(6)),
                Headers = new ContentHeaders(Maybe(), Maybe(), Maybe(), Maybe(), Maybe(), Maybe()),
            };
            if (random.Next(2) == 0)
            {
                manifest = manifest with { Previous = null };
            }
            var bytes = manifest.Encode();
            if (!bytes.AsSpan().SequenceEqual(CanonicalCopy(bytes)) || ObjectManifest.Decode(bytes) != manifest
                || !DagCbor.ReadLinks(bytes).SequenceEqual(manifest.Links()))
            {
                mismatches.Add(manifest.Key);
            }
        }

        // Assert
        Assert.Empty(mismatches);
    }

    private static ObjectManifest Encrypted() => new()
    {
        Key = "secret.bin",
        VersionId = "null",
        Size = 100_000,
        ETag = "e1",
        Created = Created,
        Modified = Created,
        // 100,000 bytes of plaintext: two frames in one chunk, stored 56 bytes longer.
        Body = [new ManifestChunk(Cid.ForRaw("ciphertext"u8), 100_056)],
        Encryption = new ManifestEncryption("SSE-S3", [1, 1, 7, 7]),
    };

    [Fact]
    [Trait("Issue", "14")]
    public void An_encrypted_manifest_is_format_2_with_its_sealed_key_and_round_trips()
    {
        var manifest = Encrypted();

        var block = manifest.Encode();
        var decoded = ObjectManifest.Decode(block);

        Assert.Equal(manifest, decoded);
        Assert.Equal(ObjectManifest.EncryptedFormatVersion, ReadFormat(block));
        Assert.Equal(ObjectManifest.FormatVersion, ReadFormat(Golden().Encode()));
        Assert.NotEqual(manifest, manifest with { Encryption = new ManifestEncryption("SSE-S3", [1, 1, 7, 8]) });
    }

    [Fact]
    [Trait("Issue", "14")]
    public void An_encrypted_manifests_stored_chunks_must_frame_its_plaintext_size()
    {
        Assert.Throws<ManifestFormatException>(() => (Encrypted() with { Size = 100_001 }).Encode());
        Assert.Throws<ManifestFormatException>(() => (Encrypted() with { Body = [new ManifestChunk(Cid.ForRaw("x"u8), 20)] }).Encode());
        Assert.Throws<ManifestFormatException>(() => (Encrypted() with { Encryption = new ManifestEncryption("SSE-KMS", [1]) }).Encode());
        Assert.Throws<ManifestFormatException>(() => (Marker() with { Encryption = new ManifestEncryption("SSE-S3", [1]) }).Encode());
    }

    private static long ReadFormat(byte[] block)
    {
        var reader = new CborReader(block, CborConformanceMode.Lax);
        var count = reader.ReadStartMap() ?? 0;
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadTextString() == "format")
            {
                return reader.ReadInt64();
            }
            reader.SkipValue();
        }
        throw new InvalidOperationException("no format field");
    }
}
