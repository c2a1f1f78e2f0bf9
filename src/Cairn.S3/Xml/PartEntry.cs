namespace Cairn.S3.Xml;

/// <summary>One <c>Part</c> of a ListParts answer; checksums are written only when set.</summary>
/// <param name="PartNumber">Part number, 1 to 10000.</param>
/// <param name="LastModified">When the part was uploaded.</param>
/// <param name="ETag">The part's ETag without quotes.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record PartEntry(int PartNumber, DateTimeOffset LastModified, string ETag, long Size)
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
