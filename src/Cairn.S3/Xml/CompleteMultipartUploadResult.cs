namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="CompleteMultipartUploadResultWriter"/>; checksums are written only when set.</summary>
/// <param name="Location">URI of the new object (key URL-encoded by the caller).</param>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Key">Object key.</param>
/// <param name="ETag">The object's ETag without quotes (<c>md5-of-md5s-N</c>).</param>
public sealed record CompleteMultipartUploadResult(string Location, string Bucket, string Key, string ETag)
{
    /// <summary>Base64 CRC32, with <c>-N</c> when the type is COMPOSITE.</summary>
    public string? ChecksumCRC32 { get; init; }

    /// <summary>Base64 CRC32C, with <c>-N</c> when the type is COMPOSITE.</summary>
    public string? ChecksumCRC32C { get; init; }

    /// <summary>Base64 CRC64NVME (always FULL_OBJECT).</summary>
    public string? ChecksumCRC64NVME { get; init; }

    /// <summary>Base64 SHA-1 with <c>-N</c> (always COMPOSITE).</summary>
    public string? ChecksumSHA1 { get; init; }

    /// <summary>Base64 SHA-256 with <c>-N</c> (always COMPOSITE).</summary>
    public string? ChecksumSHA256 { get; init; }

    /// <summary>Checksum type (FULL_OBJECT or COMPOSITE), when the object has a checksum.</summary>
    public string? ChecksumType { get; init; }
}
