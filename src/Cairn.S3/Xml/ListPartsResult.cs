namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="ListPartsResultWriter"/>.</summary>
public sealed record ListPartsResult
{
    /// <summary>Bucket name.</summary>
    public required string Bucket { get; init; }

    /// <summary>Object key of the upload.</summary>
    public required string Key { get; init; }

    /// <summary>The upload's id.</summary>
    public required string UploadId { get; init; }

    /// <summary>The request's part-number-marker; 0 when none.</summary>
    public int PartNumberMarker { get; init; }

    /// <summary>The last part number of this page, where the next page starts; left out when null.</summary>
    public int? NextPartNumberMarker { get; init; }

    /// <summary>The effective max-parts.</summary>
    public int MaxParts { get; init; }

    /// <summary>True when more parts follow.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>The parts of this page, in part-number order.</summary>
    public IReadOnlyList<PartEntry> Parts { get; init; } = [];

    /// <summary>Who created the upload; left out when null.</summary>
    public S3Owner? Initiator { get; init; }

    /// <summary>Owner of the object to be; left out when null.</summary>
    public S3Owner? Owner { get; init; }

    /// <summary>Storage class; Cairn has one.</summary>
    public string StorageClass { get; init; } = "STANDARD";

    /// <summary>Checksum algorithm the upload was created with (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), if any.</summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary>Checksum type of the upload (FULL_OBJECT or COMPOSITE), if any.</summary>
    public string? ChecksumType { get; init; }
}
