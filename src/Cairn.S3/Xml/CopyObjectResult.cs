namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="CopyObjectResultWriter"/>; checksums are written only when set.</summary>
/// <param name="ETag">The new object's ETag without quotes.</param>
/// <param name="LastModified">The new object's modification time.</param>
public sealed record CopyObjectResult(string ETag, DateTimeOffset LastModified)
{
    /// <summary>Checksum type (FULL_OBJECT or COMPOSITE), when the object has a checksum.</summary>
    public string? ChecksumType { get; init; }

    /// <summary>Base64 CRC32.</summary>
    public string? ChecksumCRC32 { get; init; }

    /// <summary>Base64 CRC32C.</summary>
    public string? ChecksumCRC32C { get; init; }

    /// <summary>Base64 CRC64NVME.</summary>
    public string? ChecksumCRC64NVME { get; init; }

    /// <summary>Base64 SHA-1.</summary>
    public string? ChecksumSHA1 { get; init; }

    /// <summary>Base64 SHA-256.</summary>
    public string? ChecksumSHA256 { get; init; }
}
