namespace Cairn.S3.Xml;

/// <summary>One <c>Part</c> of a CompleteMultipartUpload request body, as read by <see cref="S3XmlReader.ReadCompleteMultipartUpload"/>.</summary>
/// <param name="PartNumber">Part number, 1 to 10000.</param>
/// <param name="ETag">The ETag the client sent, without quotes (<see cref="Cairn.Core.ETag.Unquote"/>).</param>
public sealed record CompletedPartXml(int PartNumber, string ETag)
{
    /// <summary>The part's base64 CRC32 as the client sent it, trimmed; null when absent or empty.</summary>
    public string? ChecksumCRC32 { get; init; }

    /// <summary>The part's base64 CRC32C, as for <see cref="ChecksumCRC32"/>.</summary>
    public string? ChecksumCRC32C { get; init; }

    /// <summary>The part's base64 CRC64NVME, as for <see cref="ChecksumCRC32"/>.</summary>
    public string? ChecksumCRC64NVME { get; init; }

    /// <summary>The part's base64 SHA-1, as for <see cref="ChecksumCRC32"/>.</summary>
    public string? ChecksumSHA1 { get; init; }

    /// <summary>The part's base64 SHA-256, as for <see cref="ChecksumCRC32"/>.</summary>
    public string? ChecksumSHA256 { get; init; }
}
