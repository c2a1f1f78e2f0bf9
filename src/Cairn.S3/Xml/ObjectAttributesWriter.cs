using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>What GetObjectAttributes answers: only the attributes asked for are set.</summary>
public sealed record ObjectAttributes
{
    /// <summary>The ETag, unquoted (GetObjectAttributes sends it without quotes).</summary>
    public string? ETag { get; init; }

    /// <summary>The object's checksums by wire name (<c>CRC32</c>, ...), with <see cref="ChecksumType"/>; null when not asked for.</summary>
    public IReadOnlyDictionary<string, string>? Checksums { get; init; }

    public string? ChecksumType { get; init; }

    /// <summary>The page of parts, when asked for and the object was uploaded in parts.</summary>
    public ObjectPartsPage? Parts { get; init; }

    public string? StorageClass { get; init; }

    public long? ObjectSize { get; init; }
}

/// <summary>A page of an object's parts: <see cref="Parts"/> follow <see cref="PartNumberMarker"/>.</summary>
public sealed record ObjectPartsPage(int TotalPartsCount, int PartNumberMarker, int MaxParts, bool IsTruncated, int? NextPartNumberMarker,
    IReadOnlyList<(int PartNumber, long Size, IReadOnlyDictionary<string, string> Checksums)> Parts);

/// <summary>Writes <c>GetObjectAttributesResponse</c> in the element order of the S3 API reference.</summary>
public static class ObjectAttributesWriter
{
    public static void Write(IBufferWriter<byte> output, ObjectAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("GetObjectAttributesResponse"u8);
        xml.WriteOptionalElement("ETag"u8, attributes.ETag);
        if (attributes.Checksums is { Count: > 0 } checksums)
        {
            xml.WriteStart("Checksum"u8);
            ChecksumXml.Write(xml, checksums);
            xml.WriteOptionalElement("ChecksumType"u8, attributes.ChecksumType);
            xml.WriteEnd("Checksum"u8);
        }
        if (attributes.Parts is { } page)
        {
            xml.WriteStart("ObjectParts"u8);
            xml.WriteElement("IsTruncated"u8, page.IsTruncated);
            xml.WriteElement("MaxParts"u8, page.MaxParts);
            if (page.NextPartNumberMarker is { } next)
            {
                xml.WriteElement("NextPartNumberMarker"u8, next);
            }
            xml.WriteElement("PartNumberMarker"u8, page.PartNumberMarker);
            foreach (var (number, size, partChecksums) in page.Parts)
            {
                xml.WriteStart("Part"u8);
                ChecksumXml.Write(xml, partChecksums);
                xml.WriteElement("PartNumber"u8, number);
                xml.WriteElement("Size"u8, size);
                xml.WriteEnd("Part"u8);
            }
            xml.WriteElement("PartsCount"u8, page.TotalPartsCount);
            xml.WriteEnd("ObjectParts"u8);
        }
        xml.WriteOptionalElement("StorageClass"u8, attributes.StorageClass);
        if (attributes.ObjectSize is { } objectSize)
        {
            xml.WriteElement("ObjectSize"u8, objectSize);
        }
        xml.WriteEnd("GetObjectAttributesResponse"u8);
    }
}
