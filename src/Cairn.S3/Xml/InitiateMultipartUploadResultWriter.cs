using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the CreateMultipartUpload answer: Bucket, Key, UploadId, as in the S3 API reference example.</summary>
/// <remarks>The checksum algorithm and type travel as response headers, not in this document.</remarks>
public static class InitiateMultipartUploadResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, InitiateMultipartUploadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("InitiateMultipartUploadResult"u8);
        xml.WriteElement("Bucket"u8, result.Bucket);
        xml.WriteElement("Key"u8, result.Key);
        xml.WriteElement("UploadId"u8, result.UploadId);
        xml.WriteEnd("InitiateMultipartUploadResult"u8);
    }
}
