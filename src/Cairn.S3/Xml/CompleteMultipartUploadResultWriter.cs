using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the CompleteMultipartUpload answer.</summary>
/// <remarks>
/// Location, Bucket, Key, ETag as in the S3 API reference example, then the checksums and ChecksumType
/// in the order of its Response Syntax.
/// </remarks>
public static class CompleteMultipartUploadResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, CompleteMultipartUploadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("CompleteMultipartUploadResult"u8);
        xml.WriteElement("Location"u8, result.Location);
        xml.WriteElement("Bucket"u8, result.Bucket);
        xml.WriteElement("Key"u8, result.Key);
        xml.WriteQuotedElement("ETag"u8, result.ETag);
        ChecksumXml.Write(xml, result.ChecksumCRC32, result.ChecksumCRC32C, result.ChecksumCRC64NVME, result.ChecksumSHA1, result.ChecksumSHA256);
        xml.WriteOptionalElement("ChecksumType"u8, result.ChecksumType);
        xml.WriteEnd("CompleteMultipartUploadResult"u8);
    }
}
