namespace Cairn.S3.Xml;

/// <summary>One <c>Upload</c> of a ListMultipartUploads answer.</summary>
/// <param name="Key">The key, already URL-encoded by the caller when the request asked for <c>encoding-type=url</c>.</param>
/// <param name="UploadId">The upload's id.</param>
/// <param name="Initiated">When the upload was created.</param>
public sealed record UploadEntry(string Key, string UploadId, DateTimeOffset Initiated)
{
    /// <summary>Who created the upload; left out when null.</summary>
    public S3Owner? Initiator { get; init; }

    /// <summary>Owner of the object to be; left out when null.</summary>
    public S3Owner? Owner { get; init; }

    /// <summary>Storage class; Cairn has one.</summary>
    public string StorageClass { get; init; } = "STANDARD";

    /// <summary>Checksum algorithm the upload was created with, if any.</summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>Checksum type of the upload (FULL_OBJECT or COMPOSITE), if any.</summary>
    public string? ChecksumType { get; init; }
}
