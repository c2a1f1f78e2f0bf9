namespace Cairn.S3.Xml;

/// <summary>The <c>Checksum*</c> elements shared by multipart answers and parts, in the API reference order.</summary>
internal static class ChecksumXml
{
    /// <summary>Writes each value that is not null: CRC32, CRC32C, CRC64NVME, SHA1, SHA256.</summary>
    public static void Write(S3XmlWriter xml, string? crc32, string? crc32C, string? crc64Nvme, string? sha1, string? sha256)
    {
        xml.WriteOptionalElement("ChecksumCRC32"u8, crc32);
        xml.WriteOptionalElement("ChecksumCRC32C"u8, crc32C);
        xml.WriteOptionalElement("ChecksumCRC64NVME"u8, crc64Nvme);
        xml.WriteOptionalElement("ChecksumSHA1"u8, sha1);
        xml.WriteOptionalElement("ChecksumSHA256"u8, sha256);
    }

    /// <summary>Writes the checksums of a map by wire name (<c>CRC32</c>, ...), in the same order.</summary>
    public static void Write(S3XmlWriter xml, IReadOnlyDictionary<string, string> checksums) =>
        Write(xml, checksums.GetValueOrDefault("CRC32"), checksums.GetValueOrDefault("CRC32C"), checksums.GetValueOrDefault("CRC64NVME"),
            checksums.GetValueOrDefault("SHA1"), checksums.GetValueOrDefault("SHA256"));
}
