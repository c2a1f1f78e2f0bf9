namespace Cairn.S3.Xml;

/// <summary>One <c>Contents</c> element of a listing.</summary>
/// <param name="Key">The key, already URL-encoded by the caller when the request asked for <c>encoding-type=url</c>.</param>
/// <param name="LastModified">Last modification time.</param>
/// <param name="ETag">The ETag without quotes; the writer adds them.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ObjectEntry(string Key, DateTimeOffset LastModified, string ETag, long Size)
{
    /// <summary>Storage class; Cairn has one.</summary>
    public string StorageClass { get; init; } = "STANDARD";

    /// <summary>The owner; set for ListObjects v1 and for v2 with <c>fetch-owner=true</c>.</summary>
    public S3Owner? Owner { get; init; }

    /// <summary>Checksum algorithm of the object (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), when it has one.</summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>Checksum type (FULL_OBJECT or COMPOSITE), when the object has a checksum.</summary>
    public string? ChecksumType { get; init; }
}
