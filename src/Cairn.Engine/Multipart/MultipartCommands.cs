using Cairn.Core;
using Cairn.Engine.Objects;

namespace Cairn.Engine.Multipart;

/// <summary>CreateMultipartUpload: what the finished object will carry.</summary>
public sealed record CreateMultipartCommand
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public ContentHeaders Headers { get; init; } = new();
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    public ChecksumAlgorithm? ChecksumAlgorithm { get; init; }
    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c>; null: the algorithm's default.</summary>
    public string? ChecksumType { get; init; }
    /// <summary>The tags the completed object will carry (already validated: the S3 layer enforces S3's rules).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>The lock state the completed object will have (x-amz-object-lock-*), checked by the caller.</summary>
    public ObjectLockState Lock { get; init; }
    /// <summary>The encryption the upload asks for; null: the bucket's default, if any. Every part is encrypted under it.</summary>
    public Encryption.EncryptionRequest? Encryption { get; init; }
}

/// <summary>UploadPart: one part's decoded body.</summary>
public sealed record UploadPartCommand
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required string UploadId { get; init; }
    public required int PartNumber { get; init; }
    public required Stream Body { get; init; }
    public long? DeclaredLength { get; init; }
    /// <summary>Checksums the client sends for this part (header or trailer), computed while reading.</summary>
    public IReadOnlyCollection<ChecksumAlgorithm> Checksums { get; init; } = [];
    public byte[]? ContentMd5 { get; init; }
    /// <summary>Claimed checksum values, read after the body ended (trailers come last).</summary>
    public Func<IReadOnlyDictionary<ChecksumAlgorithm, string>>? ExpectedChecksums { get; init; }
    /// <summary>The SSE-C key of an upload created with one (every part gives it again, as on S3).</summary>
    public byte[]? CustomerKey { get; init; }
}

/// <summary>UploadPartCopy: a part made from a byte range of an existing object.</summary>
public sealed record UploadPartCopyCommand
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required string UploadId { get; init; }
    public required int PartNumber { get; init; }
    public required string SourceBucket { get; init; }
    public required string SourceKey { get; init; }
    /// <summary>The source version (x-amz-copy-source's versionId); null for the latest.</summary>
    public string? SourceVersionId { get; init; }
    /// <summary>x-amz-copy-source-range as first/last byte; null: the whole source.</summary>
    public (long First, long Last)? SourceRange { get; init; }
    public ReadConditions SourceConditions { get; init; } = ReadConditions.None;
    /// <summary>The SSE-C key of the source, when it has one (x-amz-copy-source-server-side-encryption-customer-*).</summary>
    public byte[]? SourceCustomerKey { get; init; }
    /// <summary>The SSE-C key of the upload, when it was created with one.</summary>
    public byte[]? CustomerKey { get; init; }
}

/// <summary>Outcome of UploadPart / UploadPartCopy.</summary>
public enum UploadPartStatus
{
    Stored,
    NoSuchUpload,
    IncompleteBody,
    BadDigest,
    ChecksumMismatch,
    NoSuchSourceBucket,
    NoSuchSourceKey,
    /// <summary>The source key has no version with the id given.</summary>
    NoSuchSourceVersion,
    /// <summary>The source version named by id is a delete marker (S3: 400 InvalidRequest).</summary>
    SourceIsDeleteMarker,
    SourcePreconditionFailed,
    /// <summary>The copy-source range reaches past the end of the source object (<see cref="UploadPartResult.SourceSize"/> says how long it is).</summary>
    InvalidSourceRange,
}

/// <summary>Result of storing a part; <see cref="Part"/> is set when <see cref="Status"/> is Stored.</summary>
public sealed record UploadPartResult(UploadPartStatus Status, UploadedPart Part = default, ChecksumAlgorithm? MismatchedChecksum = null)
{
    /// <summary>The source object's size, for <see cref="UploadPartStatus.InvalidSourceRange"/> (S3 names it in the error message).</summary>
    public long SourceSize { get; init; }

    /// <summary>How the stored part is encrypted (its upload's encryption).</summary>
    public Encryption.EncryptionMode Encryption { get; init; }
}

/// <summary>A part as listed in CompleteMultipartUpload, with any checksums the client states for it.</summary>
public sealed record CompletePartCommand(int PartNumber, string ETag, IReadOnlyDictionary<string, string> Checksums);

/// <summary>CompleteMultipartUpload.</summary>
public sealed record CompleteMultipartCommand
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public required string UploadId { get; init; }
    public required IReadOnlyList<CompletePartCommand> Parts { get; init; }
    public WritePrecondition Precondition { get; init; } = WritePrecondition.None;
    /// <summary>
    /// The object's checksum the client states in an <c>x-amz-checksum-*</c> header on Complete (base64 of
    /// one digest): checked against the value combined from the parts (for a COMPOSITE upload, the
    /// checksum of checksums without its <c>-N</c>).
    /// </summary>
    public (ChecksumAlgorithm Algorithm, string Value)? ExpectedChecksum { get; init; }
    /// <summary><c>x-amz-checksum-type</c> on Complete (<c>COMPOSITE</c> or <c>FULL_OBJECT</c>): must be the upload's type.</summary>
    public string? ExpectedChecksumType { get; init; }
    /// <summary><c>x-amz-mp-object-size</c>: the object's size as the client expects it, checked against the listed parts.</summary>
    public long? ExpectedSize { get; init; }
}

/// <summary>Outcome of CompleteMultipartUpload.</summary>
public enum CompleteMultipartStatus
{
    Completed,
    NoSuchUpload,
    NoSuchBucket,
    InvalidPart,
    InvalidPartOrder,
    EntityTooSmall,
    PreconditionFailed,
    /// <summary>The object checksum stated on Complete differs from the one combined from the parts.</summary>
    ChecksumMismatch,
    /// <summary>The checksum stated on Complete is of another algorithm than the upload's (or the upload has none); Detail: "expected actual", lower case, "null" for none.</summary>
    ChecksumAlgorithmMismatch,
    /// <summary>The checksum type stated on Complete is not the upload's.</summary>
    ChecksumTypeMismatch,
    /// <summary>The object size stated on Complete is not the listed parts' total; Detail: the total.</summary>
    SizeMismatch,
}

/// <summary>Result of CompleteMultipartUpload; <see cref="Version"/> is set when completed.</summary>
public sealed record CompleteMultipartResult(CompleteMultipartStatus Status, ObjectVersion Version = default, string? Detail = null)
{
    /// <summary>
    /// The upload had already completed and this is its completion's answer again (a retried
    /// Complete); <see cref="Version"/> then holds only what that answer showed: bucket, key, version
    /// id, size, ETag, checksums, and the completion time as LastModified.
    /// </summary>
    public bool Repeated { get; init; }
}
