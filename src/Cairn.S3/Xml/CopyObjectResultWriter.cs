using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the CopyObject answer.</summary>
/// <remarks>LastModified before ETag, as in the S3 API reference example; checksums follow when present.</remarks>
public static class CopyObjectResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, CopyObjectResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("CopyObjectResult"u8);
        xml.WriteElement("LastModified"u8, result.LastModified);
        xml.WriteQuotedElement("ETag"u8, result.ETag);
        xml.WriteOptionalElement("ChecksumType"u8, result.ChecksumType);
        xml.WriteOptionalElement("ChecksumCRC32"u8, result.ChecksumCRC32);
        xml.WriteOptionalElement("ChecksumCRC32C"u8, result.ChecksumCRC32C);
        xml.WriteOptionalElement("ChecksumCRC64NVME"u8, result.ChecksumCRC64NVME);
        xml.WriteOptionalElement("ChecksumSHA1"u8, result.ChecksumSHA1);
        xml.WriteOptionalElement("ChecksumSHA256"u8, result.ChecksumSHA256);
        xml.WriteEnd("CopyObjectResult"u8);
    }
}
