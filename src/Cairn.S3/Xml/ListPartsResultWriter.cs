using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the ListParts answer.</summary>
/// <remarks>
/// Order of the S3 API reference's Response Syntax: Bucket, Key, UploadId, PartNumberMarker,
/// NextPartNumberMarker, MaxParts, IsTruncated, Part..., Initiator, Owner, StorageClass,
/// ChecksumAlgorithm, ChecksumType. (The reference's older example puts Initiator, Owner and
/// StorageClass right after UploadId; parsers match by name.) Inside Part: PartNumber, LastModified,
/// ETag, Size as in the example, then the part's checksums.
/// </remarks>
public static class ListPartsResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ListPartsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListPartsResult"u8);
        xml.WriteElement("Bucket"u8, result.Bucket);
        xml.WriteElement("Key"u8, result.Key);
        xml.WriteElement("UploadId"u8, result.UploadId);
        xml.WriteElement("PartNumberMarker"u8, result.PartNumberMarker);
        if (result.NextPartNumberMarker is { } next)
        {
            xml.WriteElement("NextPartNumberMarker"u8, next);
        }
        xml.WriteElement("MaxParts"u8, result.MaxParts);
        xml.WriteElement("IsTruncated"u8, result.IsTruncated);
        for (var i = 0; i < result.Parts.Count; i++)
        {
            var part = result.Parts[i];
            xml.WriteStart("Part"u8);
            xml.WriteElement("PartNumber"u8, part.PartNumber);
            xml.WriteElement("LastModified"u8, part.LastModified);
            xml.WriteQuotedElement("ETag"u8, part.ETag);
            xml.WriteElement("Size"u8, part.Size);
            ChecksumXml.Write(xml, part.ChecksumCRC32, part.ChecksumCRC32C, part.ChecksumCRC64NVME, part.ChecksumSHA1, part.ChecksumSHA256);
            xml.WriteEnd("Part"u8);
        }
        if (result.Initiator is not null)
        {
            OwnerXml.Write(xml, "Initiator"u8, result.Initiator);
        }
        if (result.Owner is not null)
        {
            OwnerXml.Write(xml, result.Owner);
        }
        xml.WriteElement("StorageClass"u8, result.StorageClass);
        xml.WriteOptionalElement("ChecksumAlgorithm"u8, result.ChecksumAlgorithm);
        xml.WriteOptionalElement("ChecksumType"u8, result.ChecksumType);
        xml.WriteEnd("ListPartsResult"u8);
    }
}
