using System.Globalization;
using System.Xml;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>
    /// Reads a CompleteMultipartUpload body: its parts in request order, ETags unquoted, checksums by
    /// wire name.
    /// </summary>
    /// <remarks>
    /// <para>MalformedXML, as AWS answers: a body that is empty, not well-formed or wrongly rooted; no
    /// <c>Part</c> (apache/arrow-rs#5404 quotes the AWS error body; versity/versitygw#1328); a part without
    /// <c>PartNumber</c> or <c>ETag</c> (versity/versitygw#2111), or whose PartNumber is not an integer;
    /// more than <see cref="S3Limits.MaxPartNumber"/> parts.</para>
    /// <para>InvalidArgument, once the document has parsed: a PartNumber below 1 ("PartNumber must be
    /// &gt;= 1", observed on AWS in versity/versitygw#1072) or above 10000 (same form; not observed).</para>
    /// <para>Order and duplicates are not checked here: the handler answers InvalidPartOrder.</para>
    /// </remarks>
    public static IReadOnlyList<CompletedPartXml> ReadCompleteMultipartUpload(Stream body)
    {
        List<ParsedPart> parts;
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, "CompleteMultipartUpload");
            parts = [];
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    if (reader.LocalName != "Part")
                    {
                        reader.Skip();
                        continue;
                    }
                    if (parts.Count == S3Limits.MaxPartNumber)
                    {
                        throw Malformed();
                    }
                    parts.Add(ReadCompletedPart(reader));
                }
            }
            ReadToEnd(reader);
        }
        catch (XmlException)
        {
            throw Malformed();
        }
        if (parts.Count == 0)
        {
            throw Malformed();
        }
        var result = new CompletedPartXml[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.Number is < 1 or > S3Limits.MaxPartNumber)
            {
                throw S3Errors.InvalidArgument(
                    part.Number < 1 ? "PartNumber must be >= 1" : "PartNumber must be <= 10000",
                    "PartNumber",
                    part.Number.ToString(CultureInfo.InvariantCulture));
            }
            result[i] = new CompletedPartXml((int)part.Number, part.ETag)
            {
                ChecksumCRC32 = part.Crc32,
                ChecksumCRC32C = part.Crc32C,
                ChecksumCRC64NVME = part.Crc64Nvme,
                ChecksumSHA1 = part.Sha1,
                ChecksumSHA256 = part.Sha256,
            };
        }
        return result;
    }

    /// <summary>A <c>Part</c> as read, before its number is range-checked (range errors wait for the whole document).</summary>
    private readonly record struct ParsedPart(long Number, string ETag, string? Crc32, string? Crc32C, string? Crc64Nvme, string? Sha1, string? Sha256);

    private static ParsedPart ReadCompletedPart(XmlReader reader)
    {
        long? partNumber = null;
        string? etag = null;
        string? crc32 = null, crc32C = null, crc64Nvme = null, sha1 = null, sha256 = null;
        if (!reader.IsEmptyElement)
        {
            reader.Read();
            while (NextChild(reader))
            {
                switch (reader.LocalName)
                {
                    case "PartNumber":
                        partNumber = ReadInteger(reader);
                        break;
                    case "ETag":
                        etag = ETag.Unquote(reader.ReadElementContentAsString());
                        break;
                    case "ChecksumCRC32":
                        crc32 = ReadOptionalValue(reader);
                        break;
                    case "ChecksumCRC32C":
                        crc32C = ReadOptionalValue(reader);
                        break;
                    case "ChecksumCRC64NVME":
                        crc64Nvme = ReadOptionalValue(reader);
                        break;
                    case "ChecksumSHA1":
                        sha1 = ReadOptionalValue(reader);
                        break;
                    case "ChecksumSHA256":
                        sha256 = ReadOptionalValue(reader);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        // Leave the reader after </Part> (or the empty <Part/>).
        reader.Read();
        if (partNumber is not { } number || string.IsNullOrEmpty(etag))
        {
            throw Malformed();
        }
        return new ParsedPart(number, etag, crc32, crc32C, crc64Nvme, sha1, sha256);
    }

    /// <summary>An optionally signed decimal integer with surrounding whitespace; anything else is malformed.</summary>
    private static long ReadInteger(XmlReader reader)
    {
        var value = reader.ReadElementContentAsString();
        const NumberStyles Style = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign;
        return long.TryParse(value, Style, CultureInfo.InvariantCulture, out var number) ? number : throw Malformed();
    }

    private static string? ReadOptionalValue(XmlReader reader)
    {
        var value = reader.ReadElementContentAsString().Trim();
        return value.Length == 0 ? null : value;
    }
}
