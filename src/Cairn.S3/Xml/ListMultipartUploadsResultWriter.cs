using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the ListMultipartUploads answer.</summary>
/// <remarks>
/// Bucket, KeyMarker, UploadIdMarker, NextKeyMarker, NextUploadIdMarker, MaxUploads, IsTruncated and
/// Upload as in the S3 API reference example; Prefix and Delimiter (whose place differs between the
/// reference's examples and its Response Syntax; parsers match by name) before MaxUploads; then
/// CommonPrefixes and EncodingType, last as in the Response Syntax. Inside Upload: Key, UploadId,
/// Initiator, Owner, StorageClass, Initiated as in the example, then ChecksumAlgorithm and ChecksumType.
/// </remarks>
public static class ListMultipartUploadsResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ListMultipartUploadsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListMultipartUploadsResult"u8);
        xml.WriteElement("Bucket"u8, result.Bucket);
        xml.WriteElement("KeyMarker"u8, result.KeyMarker);
        xml.WriteElement("UploadIdMarker"u8, result.UploadIdMarker);
        xml.WriteOptionalElement("NextKeyMarker"u8, result.NextKeyMarker);
        xml.WriteOptionalElement("NextUploadIdMarker"u8, result.NextUploadIdMarker);
        xml.WriteOptionalElement("Prefix"u8, result.Prefix);
        xml.WriteOptionalElement("Delimiter"u8, result.Delimiter);
        xml.WriteElement("MaxUploads"u8, result.MaxUploads);
        xml.WriteElement("IsTruncated"u8, result.IsTruncated);
        for (var i = 0; i < result.Uploads.Count; i++)
        {
            var upload = result.Uploads[i];
            xml.WriteStart("Upload"u8);
            xml.WriteElement("Key"u8, upload.Key);
            xml.WriteElement("UploadId"u8, upload.UploadId);
            if (upload.Initiator is not null)
            {
                OwnerXml.Write(xml, "Initiator"u8, upload.Initiator);
            }
            if (upload.Owner is not null)
            {
                OwnerXml.Write(xml, upload.Owner);
            }
            xml.WriteElement("StorageClass"u8, upload.StorageClass);
            xml.WriteElement("Initiated"u8, upload.Initiated);
            xml.WriteOptionalElement("ChecksumAlgorithm"u8, upload.ChecksumAlgorithm);
            xml.WriteOptionalElement("ChecksumType"u8, upload.ChecksumType);
            xml.WriteEnd("Upload"u8);
        }
        for (var i = 0; i < result.CommonPrefixes.Count; i++)
        {
            xml.WriteStart("CommonPrefixes"u8);
            xml.WriteElement("Prefix"u8, result.CommonPrefixes[i]);
            xml.WriteEnd("CommonPrefixes"u8);
        }
        xml.WriteOptionalElement("EncodingType"u8, result.EncodingType);
        xml.WriteEnd("ListMultipartUploadsResult"u8);
    }
}
