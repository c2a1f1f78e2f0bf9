using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes <c>ListVersionsResult</c>, the answer of ListObjectVersions.</summary>
/// <remarks>
/// Element order follows the example of the S3 API reference (Name, Prefix, KeyMarker,
/// VersionIdMarker, NextKeyMarker, NextVersionIdMarker, MaxKeys, Delimiter, IsTruncated, then the
/// entries). <c>Version</c> and <c>DeleteMarker</c> elements are written in listing order, mixed,
/// as S3 sends them: Key, VersionId, IsLatest, LastModified, then for a version ETag, Size and
/// StorageClass, then Owner.
/// </remarks>
public static class ListVersionsResultWriter
{
    /// <summary>Writes a ListObjectVersions answer.</summary>
    public static void Write(IBufferWriter<byte> output, ListVersionsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListVersionsResult"u8);
        xml.WriteElement("Name"u8, result.Name);
        xml.WriteElement("Prefix"u8, result.Prefix);
        xml.WriteElement("KeyMarker"u8, result.KeyMarker);
        xml.WriteElement("VersionIdMarker"u8, result.VersionIdMarker);
        xml.WriteOptionalElement("NextKeyMarker"u8, result.NextKeyMarker);
        xml.WriteOptionalElement("NextVersionIdMarker"u8, result.NextVersionIdMarker);
        xml.WriteElement("MaxKeys"u8, result.MaxKeys);
        xml.WriteOptionalElement("Delimiter"u8, result.Delimiter);
        xml.WriteOptionalElement("EncodingType"u8, result.EncodingType);
        xml.WriteElement("IsTruncated"u8, result.IsTruncated);
        foreach (var entry in result.Versions)
        {
            var element = entry.IsDeleteMarker ? "DeleteMarker"u8 : "Version"u8;
            xml.WriteStart(element);
            xml.WriteElement("Key"u8, entry.Key);
            xml.WriteElement("VersionId"u8, entry.VersionId);
            xml.WriteElement("IsLatest"u8, entry.IsLatest);
            xml.WriteElement("LastModified"u8, entry.LastModified);
            if (!entry.IsDeleteMarker)
            {
                xml.WriteQuotedElement("ETag"u8, entry.ETag);
                xml.WriteElement("Size"u8, entry.Size);
                xml.WriteElement("StorageClass"u8, entry.StorageClass);
            }
            if (entry.Owner is not null)
            {
                OwnerXml.Write(xml, entry.Owner);
            }
            xml.WriteEnd(element);
        }
        foreach (var prefix in result.CommonPrefixes)
        {
            xml.WriteStart("CommonPrefixes"u8);
            xml.WriteElement("Prefix"u8, prefix);
            xml.WriteEnd("CommonPrefixes"u8);
        }
        xml.WriteEnd("ListVersionsResult"u8);
    }
}
