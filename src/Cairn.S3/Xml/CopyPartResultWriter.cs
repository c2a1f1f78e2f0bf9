using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the UploadPartCopy answer.</summary>
/// <remarks>
/// LastModified before ETag, as in the S3 API reference example (and as <see cref="CopyObjectResultWriter"/>);
/// checksums follow when present. Unlike CopyObjectResult there is no ChecksumType: a part has none.
/// </remarks>
public static class CopyPartResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, CopyPartResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("CopyPartResult"u8);
        xml.WriteElement("LastModified"u8, result.LastModified);
        xml.WriteQuotedElement("ETag"u8, result.ETag);
        ChecksumXml.Write(xml, result.ChecksumCRC32, result.ChecksumCRC32C, result.ChecksumCRC64NVME, result.ChecksumSHA1, result.ChecksumSHA256);
        xml.WriteEnd("CopyPartResult"u8);
    }
}
