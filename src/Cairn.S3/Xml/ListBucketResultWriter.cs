using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes <c>ListBucketResult</c>, the answer of ListObjectsV2 and of ListObjects (v1).</summary>
/// <remarks>
/// Element order follows the examples of the S3 API reference (ListObjectsV2: Name, Prefix,
/// ContinuationToken/NextContinuationToken/StartAfter, KeyCount, MaxKeys, Delimiter, IsTruncated,
/// Contents, CommonPrefixes; ListObjects: Name, Prefix, Marker, MaxKeys, IsTruncated, ...). Inside
/// Contents: Key, LastModified, ETag, checksum algorithm/type, Size, StorageClass, Owner. KeyCount counts
/// keys and common prefixes, as in the reference's delimiter example (1 key + 2 prefixes = 3).
/// </remarks>
public static class ListBucketResultWriter
{
    /// <summary>Writes a ListObjectsV2 answer.</summary>
    public static void WriteV2(IBufferWriter<byte> output, ListObjectsV2Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListBucketResult"u8);
        xml.WriteElement("Name"u8, result.Name);
        xml.WriteElement("Prefix"u8, result.Prefix);
        xml.WriteOptionalElement("ContinuationToken"u8, result.ContinuationToken);
        xml.WriteOptionalElement("NextContinuationToken"u8, result.NextContinuationToken);
        xml.WriteOptionalElement("StartAfter"u8, result.StartAfter);
        xml.WriteElement("KeyCount"u8, result.Contents.Count + result.CommonPrefixes.Count);
        xml.WriteElement("MaxKeys"u8, result.MaxKeys);
        xml.WriteOptionalElement("Delimiter"u8, result.Delimiter);
        xml.WriteOptionalElement("EncodingType"u8, result.EncodingType);
        xml.WriteElement("IsTruncated"u8, result.IsTruncated);
        WriteEntries(xml, result.Contents, result.CommonPrefixes);
        xml.WriteEnd("ListBucketResult"u8);
    }

    /// <summary>Writes a ListObjects (version 1) answer.</summary>
    public static void WriteV1(IBufferWriter<byte> output, ListObjectsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListBucketResult"u8);
        xml.WriteElement("Name"u8, result.Name);
        xml.WriteElement("Prefix"u8, result.Prefix);
        xml.WriteElement("Marker"u8, result.Marker);
        xml.WriteOptionalElement("NextMarker"u8, result.NextMarker);
        xml.WriteElement("MaxKeys"u8, result.MaxKeys);
        xml.WriteOptionalElement("Delimiter"u8, result.Delimiter);
        xml.WriteOptionalElement("EncodingType"u8, result.EncodingType);
        xml.WriteElement("IsTruncated"u8, result.IsTruncated);
        WriteEntries(xml, result.Contents, result.CommonPrefixes);
        xml.WriteEnd("ListBucketResult"u8);
    }

    private static void WriteEntries(S3XmlWriter xml, IReadOnlyList<ObjectEntry> contents, IReadOnlyList<string> commonPrefixes)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            var entry = contents[i];
            xml.WriteStart("Contents"u8);
            xml.WriteElement("Key"u8, entry.Key);
            xml.WriteElement("LastModified"u8, entry.LastModified);
            xml.WriteQuotedElement("ETag"u8, entry.ETag);
            xml.WriteOptionalElement("ChecksumAlgorithm"u8, entry.ChecksumAlgorithm);
            xml.WriteOptionalElement("ChecksumType"u8, entry.ChecksumType);
            xml.WriteElement("Size"u8, entry.Size);
            xml.WriteElement("StorageClass"u8, entry.StorageClass);
            if (entry.Owner is not null)
            {
                OwnerXml.Write(xml, entry.Owner);
            }
            xml.WriteEnd("Contents"u8);
        }
        for (var i = 0; i < commonPrefixes.Count; i++)
        {
            xml.WriteStart("CommonPrefixes"u8);
            xml.WriteElement("Prefix"u8, commonPrefixes[i]);
            xml.WriteEnd("CommonPrefixes"u8);
        }
    }
}
