namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="CopyPartResultWriter"/> (UploadPartCopy); checksums are written only when set.</summary>
/// <param name="ETag">The new part's ETag without quotes.</param>
/// <param name="LastModified">When the part was written.</param>
public sealed record CopyPartResult(string ETag, DateTimeOffset LastModified)
{
    /// <summary>Base64 CRC32 of the part.</summary>
    public string? ChecksumCRC32 { get; init; }

    /// <summary>Base64 CRC32C of the part.</summary>
    public string? ChecksumCRC32C { get; init; }

    /// <summary>Base64 CRC64NVME of the part.</summary>
    public string? ChecksumCRC64NVME { get; init; }

    /// <summary>Base64 SHA-1 of the part.</summary>
    public string? ChecksumSHA1 { get; init; }

    /// <summary>Base64 SHA-256 of the part.</summary>
    public string? ChecksumSHA256 { get; init; }
}
