using System.Buffers;
using System.Text;
using Cairn.Core;

namespace Cairn.Mst;

public sealed partial record ObjectManifest
{
    /// <summary>
    /// Checks every rule of the format; <see cref="Encode"/> and <see cref="Decode"/> both run it,
    /// so an invalid manifest can be neither written nor read.
    /// </summary>
    /// <remarks>
    /// The rules: every field set (no nulls) and every text valid Unicode; a non-empty key and
    /// version id; <c>size</c> &gt;= 0; checksum names that are S3 wire names (<c>CRC32</c>,
    /// <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>, exact case);
    /// <c>checksumType</c> <see cref="FullObject"/> or <see cref="Composite"/>; times in whole
    /// milliseconds, not before the epoch, <c>modified</c> &gt;= <c>created</c>; body chunks with a
    /// raw CID and a length &gt;= 0 that add up to <c>size</c>; parts &gt;= 0 that, when present,
    /// add up to <c>size</c>; <c>previous</c> a dag-cbor CID or null. A delete marker has no content:
    /// size 0, an empty ETag (which only a marker has), no body, parts, checksums, headers, metadata
    /// or tags.
    /// </remarks>
    /// <exception cref="ManifestFormatException">The first rule broken, named in the message.</exception>
    public void Validate()
    {
        ValidateText(Key, KeyField);
        if (Key.Length == 0)
        {
            throw Invalid("the key is empty");
        }
        ValidateText(VersionId, VersionIdField);
        if (VersionId.Length == 0)
        {
            throw Invalid("the version id is empty");
        }
        ValidateText(ETag, ETagField);
        ValidateText(ChecksumType, ChecksumTypeField);
        if (ChecksumType is not (FullObject or Composite))
        {
            throw Invalid($"checksumType '{ChecksumType}' is neither {FullObject} nor {Composite}");
        }
        if (Size < 0)
        {
            throw Invalid($"size {Size} is negative");
        }
        ValidateTextMap(Checksums, ChecksumsField);
        foreach (var name in Checksums.Keys)
        {
            if (!IsChecksumWireName(name))
            {
                throw Invalid($"checksum '{name}' is not an S3 checksum algorithm wire name");
            }
        }
        ValidateHeaders(Headers);
        ValidateTextMap(Metadata, MetadataField);
        ValidateTextMap(Tags, TagsField);
        ValidateTime(Created, CreatedField);
        ValidateTime(Modified, ModifiedField);
        if (Modified < Created)
        {
            throw Invalid($"modified ({Modified.ToUnixTimeMilliseconds()} ms) is before created ({Created.ToUnixTimeMilliseconds()} ms)");
        }
        if (Body is null || Parts is null)
        {
            throw Invalid($"{(Body is null ? BodyField : PartsField)} is null");
        }
        if (IsDeleteMarker)
        {
            ValidateMarker();
        }
        else if (ETag.Length == 0)
        {
            throw Invalid("the ETag is empty, which only a delete marker's is");
        }
        ValidateBody();
        ValidateParts();
        if (Previous is not null && Previous.Codec != Cid.DagCborCodec)
        {
            throw Invalid($"previous {Previous} is not a dag-cbor CID (codec 0x{Previous.Codec:x2})");
        }
    }

    private void ValidateMarker()
    {
        if (Size != 0 || ETag.Length != 0 || Body.Count != 0 || Parts.Count != 0)
        {
            throw Invalid("a delete marker has a size, an ETag, a body or parts");
        }
        var hasHeader = false;
        foreach (var (_, value) in HeaderFields(Headers))
        {
            hasHeader |= value is not null;
        }
        if (Checksums.Count != 0 || hasHeader || Metadata.Count != 0 || Tags.Count != 0 || Encryption is not null)
        {
            throw Invalid("a delete marker has checksums, headers, metadata, tags or encryption");
        }
    }

    private void ValidateBody()
    {
        long total = 0;
        for (var i = 0; i < Body.Count; i++)
        {
            var chunk = Body[i];
            if (chunk.Cid is null || chunk.Cid.Codec != Cid.RawCodec)
            {
                throw Invalid($"body[{i}] has {(chunk.Cid is null ? "no CID" : $"a CID of codec 0x{chunk.Cid.Codec:x2}")}, not a raw (0x55) CID");
            }
            if (chunk.Length < 0)
            {
                throw Invalid($"body[{i}] has a negative length {chunk.Length}");
            }
            // An encrypted body's chunks are stored framed: each stands for its plaintext length.
            var plainLength = Encryption is null ? chunk.Length : EncryptedBodyLayout.PlainLength(chunk.Length);
            if (plainLength < 0)
            {
                throw Invalid($"body[{i}] has length {chunk.Length}, which no encrypted chunk is stored as");
            }
            total = AddLength(total, plainLength, BodyField);
        }
        if (total != Size)
        {
            throw Invalid($"the body's chunks add up to {total} bytes{(Encryption is null ? "" : " of plaintext")}, not size {Size}");
        }
        if (Encryption is { } encryption && (encryption.Mode is not ("SSE-S3" or "SSE-C") || encryption.Key.Length == 0))
        {
            throw Invalid($"encryption mode '{encryption.Mode}' is not SSE-S3 or SSE-C, or its key is empty");
        }
    }

    private void ValidateParts()
    {
        if (Parts.Count == 0)
        {
            return;
        }
        long total = 0;
        for (var i = 0; i < Parts.Count; i++)
        {
            if (Parts[i] < 0)
            {
                throw Invalid($"parts[{i}] is negative ({Parts[i]})");
            }
            total = AddLength(total, Parts[i], PartsField);
        }
        if (total != Size)
        {
            throw Invalid($"the parts add up to {total} bytes, not size {Size}");
        }
    }

    private static long AddLength(long total, long length, string field)
    {
        // Both are >= 0, so a sum below either one is an overflow.
        var sum = unchecked(total + length);
        return sum < total ? throw Invalid($"the {field} lengths overflow a 64-bit integer") : sum;
    }

    private static void ValidateHeaders(ContentHeaders? headers)
    {
        if (headers is null)
        {
            throw Invalid($"{HeadersField} is null");
        }
        foreach (var (name, value) in HeaderFields(headers))
        {
            if (value is not null)
            {
                ValidateText(value, $"{HeadersField}.{name}");
            }
        }
    }

    private static void ValidateTextMap(IReadOnlyDictionary<string, string>? map, string field)
    {
        if (map is null)
        {
            throw Invalid($"{field} is null");
        }
        foreach (var (name, value) in map)
        {
            ValidateText(name, $"a name in {field}");
            ValidateText(value, $"{field}.{name}");
        }
    }

    private static void ValidateText(string? text, string field)
    {
        if (text is null)
        {
            throw Invalid($"{field} is null");
        }
        // Lone surrogates have no UTF-8 form, so they could not be written as a text string.
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var consumed) != OperationStatus.Done)
            {
                throw Invalid($"{field} is not valid Unicode (a lone surrogate)");
            }
            rest = rest[consumed..];
        }
    }

    private static void ValidateTime(DateTimeOffset time, string field)
    {
        if (time < DateTimeOffset.UnixEpoch)
        {
            throw Invalid($"{field} ({time:O}) is before the Unix epoch");
        }
        if (time.UtcTicks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw Invalid($"{field} ({time:O}) is finer than a millisecond, which the manifest does not keep");
        }
    }

    private static bool IsChecksumWireName(string name)
    {
        foreach (var algorithm in ChecksumAlgorithms.All)
        {
            if (string.Equals(name, ChecksumAlgorithms.WireName(algorithm), StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static ManifestFormatException Invalid(string problem) => new($"Invalid object manifest: {problem}.");
}
