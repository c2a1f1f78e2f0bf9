using Cairn.Core;

namespace Cairn.Engine.Objects;

/// <summary>A single PUT: the decoded body and everything stored with it.</summary>
public sealed record PutObjectCommand
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    /// <summary>The decoded body (aws-chunked framing already removed).</summary>
    public required Stream Body { get; init; }
    /// <summary>The length the client declared for the decoded body; a body of another length is rejected.</summary>
    public long? DeclaredLength { get; init; }
    public ContentHeaders Headers { get; init; } = new();
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Checksums to compute while reading (those the client sends in a header or trailer).</summary>
    public IReadOnlyCollection<ChecksumAlgorithm> Checksums { get; init; } = [];
    /// <summary>Content-MD5 sent by the client, when any.</summary>
    public byte[]? ContentMd5 { get; init; }
    /// <summary>
    /// Checksum values the client claims, read once the body has ended (trailers arrive after the
    /// body). Each must equal the computed value.
    /// </summary>
    public Func<IReadOnlyDictionary<ChecksumAlgorithm, string>>? ExpectedChecksums { get; init; }
    public WritePrecondition Precondition { get; init; } = WritePrecondition.None;
    /// <summary>The new version's tags (x-amz-tagging), validated by the caller.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The new version's lock state (x-amz-object-lock-*), checked by the caller with
    /// <see cref="Buckets.BucketService.CheckLockRequestAsync"/>; without a retention of its own it gets the bucket's default.
    /// </summary>
    public ObjectLockState Lock { get; init; }
    /// <summary>The encryption the write asks for (x-amz-server-side-encryption*); null: the bucket's default, if any.</summary>
    public Encryption.EncryptionRequest? Encryption { get; init; }
}

/// <summary>Outcome of a PUT.</summary>
public enum PutObjectStatus
{
    Created,
    NoSuchBucket,
    PreconditionFailed,
    /// <summary>The body's length differs from the declared length.</summary>
    IncompleteBody,
    /// <summary>Content-MD5 does not match the body.</summary>
    BadDigest,
    /// <summary>A claimed checksum does not match the body (<see cref="PutObjectResult.MismatchedChecksum"/>).</summary>
    ChecksumMismatch,
    /// <summary>
    /// The version would be locked (lock headers, or the bucket's default retention) and the request
    /// carries neither Content-MD5 nor a checksum, which S3 requires then (nothing was read or written).
    /// </summary>
    LockNeedsIntegrity,
}

/// <summary>Result of a PUT; <see cref="Version"/> is set when <see cref="Status"/> is Created.</summary>
public sealed record PutObjectResult(PutObjectStatus Status, ObjectVersion Version = default, ChecksumAlgorithm? MismatchedChecksum = null);

/// <summary>Read preconditions (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since).</summary>
public sealed record ReadConditions(string? IfMatch = null, string? IfNoneMatch = null, DateTimeOffset? IfModifiedSince = null,
    DateTimeOffset? IfUnmodifiedSince = null)
{
    /// <summary>No conditions.</summary>
    public static readonly ReadConditions None = new();
}

/// <summary>A requested byte range, as parsed from a Range header: first-last, first-, or a suffix of N bytes.</summary>
public readonly record struct ByteRangeRequest(long? First, long? Last, long? SuffixLength);

/// <summary>Outcome of a GET or HEAD.</summary>
public enum GetObjectStatus
{
    Found,
    NoSuchBucket,
    /// <summary>The key has no version, or its latest is a delete marker (then <see cref="GetObjectResult.Version"/> is that marker).</summary>
    NoSuchKey,
    /// <summary>The key has no version with the id asked for.</summary>
    NoSuchVersion,
    /// <summary>The version asked for by id is a delete marker (<see cref="GetObjectResult.Version"/>), which S3 answers 405.</summary>
    DeleteMarker,
    NotModified,
    PreconditionFailed,
    RangeNotSatisfiable,
    /// <summary>The requested part number is beyond the object's parts.</summary>
    InvalidPartNumber,
}

/// <summary>Result of a GET or HEAD: the version (unless the bucket or key was not found) and the byte range to send.</summary>
public sealed record GetObjectResult(GetObjectStatus Status, ObjectVersion Version = default, long Offset = 0, long Length = 0, bool IsPartial = false)
{
    /// <summary>The opened data key of an encrypted version, for <see cref="ObjectService.WriteBodyAsync"/>; null when stored as sent.</summary>
    public Encryption.BodyCipher? Cipher { get; init; }

    /// <summary>Set when a part of a multipart object was asked for: its part count (null for an object not made by multipart upload, as S3 sends none).</summary>
    public int? PartsCount { get; init; }
}

/// <summary>A server-side copy.</summary>
public sealed record CopyObjectCommand
{
    public required string SourceBucket { get; init; }
    public required string SourceKey { get; init; }
    /// <summary>The source version (x-amz-copy-source's versionId); null for the latest.</summary>
    public string? SourceVersionId { get; init; }
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    public ReadConditions SourceConditions { get; init; } = ReadConditions.None;
    /// <summary>REPLACE directive: take <see cref="Headers"/> and <see cref="UserMetadata"/> instead of the source's.</summary>
    public bool ReplaceMetadata { get; init; }
    public ContentHeaders Headers { get; init; } = new();
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    public WritePrecondition Precondition { get; init; } = WritePrecondition.None;
    /// <summary>REPLACE tagging directive: take <see cref="Tags"/> instead of the source's tags.</summary>
    public bool ReplaceTags { get; init; }
    /// <summary>The copy's tags when <see cref="ReplaceTags"/> (x-amz-tagging), validated by the caller.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The copy's lock state (x-amz-object-lock-*), checked by the caller; the source's is not copied,
    /// as in S3. Without a retention of its own the copy gets the destination bucket's default.
    /// </summary>
    public ObjectLockState Lock { get; init; }
    /// <summary>Largest source a copy accepts.</summary>
    public long MaxSourceSize { get; init; } = long.MaxValue;
    /// <summary>The copy's encryption (its x-amz-server-side-encryption* headers); null: the destination bucket's default, if any.</summary>
    public Encryption.EncryptionRequest? Encryption { get; init; }
    /// <summary>The source's SSE-C key, when it has one.</summary>
    public byte[]? SourceCustomerKey { get; init; }
}

/// <summary>Outcome of a copy.</summary>
public enum CopyObjectStatus
{
    Copied,
    NoSuchBucket,
    NoSuchSourceBucket,
    NoSuchSourceKey,
    /// <summary>The source key has no version with the id given.</summary>
    NoSuchSourceVersion,
    /// <summary>The source version named by id is a delete marker (S3: 400 InvalidRequest).</summary>
    SourceIsDeleteMarker,
    /// <summary>The source is larger than <see cref="CopyObjectCommand.MaxSourceSize"/>.</summary>
    SourceTooLarge,
    /// <summary>An x-amz-copy-source-if-* condition failed.</summary>
    SourcePreconditionFailed,
    /// <summary>A condition on the destination (If-Match / If-None-Match) failed.</summary>
    PreconditionFailed,
}

/// <summary>Result of a copy; <see cref="Version"/> (the new version) and <see cref="SourceVersionId"/> are set when <see cref="Status"/> is Copied.</summary>
public sealed record CopyObjectResult(CopyObjectStatus Status, ObjectVersion Version = default, string? SourceVersionId = null);

/// <summary>Result of a listing.</summary>
public sealed record ListObjectsResult(bool BucketExists, ObjectListing? Listing);

/// <summary>Result of a listing of versions.</summary>
public sealed record ListVersionsResult(bool BucketExists, VersionListing? Listing);

/// <summary>Outcome of reading or replacing an object's tags.</summary>
public enum ObjectTaggingStatus
{
    Done,
    NoSuchBucket,
    NoSuchKey,
    /// <summary>The key has no version with the id given.</summary>
    NoSuchVersion,
    /// <summary>The version is a delete marker, which has no tags (S3: 405 MethodNotAllowed).</summary>
    DeleteMarker,
}

/// <summary>Result of reading an object's tags: <see cref="Tags"/> is set when <see cref="Status"/> is Done.</summary>
public sealed record ObjectTaggingResult(ObjectTaggingStatus Status, IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>
/// Result of a delete: <see cref="VersionId"/> is the delete marker added (<see cref="IsDeleteMarker"/>
/// true) or the version removed by id (<see cref="IsDeleteMarker"/>: whether it was a marker); null
/// when an unversioned key was removed, or nothing was there.
/// </summary>
public sealed record ObjectDeletion(DeleteObjectStatus Status, string? VersionId = null, bool IsDeleteMarker = false);

/// <summary>Outcome of deleting an object.</summary>
public enum DeleteObjectStatus
{
    /// <summary>Deleted, or (unconditional delete) there was nothing to delete.</summary>
    Deleted,
    NoSuchBucket,
    /// <summary>A conditional delete found no object.</summary>
    NoSuchKey,
    /// <summary>A conditional delete's If-Match did not match the object's ETag.</summary>
    PreconditionFailed,
    /// <summary>The version is protected by Object Lock (legal hold, or a retention not bypassed); nothing changed.</summary>
    Locked,
}

/// <summary>Outcome of reading or changing a version's retention or legal hold.</summary>
public enum ObjectLockStatus
{
    Done,
    NoSuchBucket,
    NoSuchKey,
    /// <summary>The key has no version with the id given.</summary>
    NoSuchVersion,
    /// <summary>The version is a delete marker, which has no lock state (S3: 405 MethodNotAllowed).</summary>
    DeleteMarker,
    /// <summary>The bucket does not have Object Lock (S3: 400 InvalidRequest).</summary>
    ObjectLockNotEnabled,
    /// <summary>Read: the version has no retention, or its legal hold was never set (S3: 404 NoSuchObjectLockConfiguration).</summary>
    NotSet,
    /// <summary>Write: the version's retention does not allow the change (S3: 403 AccessDenied); nothing changed.</summary>
    Locked,
    /// <summary>Write: the retain-until date is not in the future (S3: 400 InvalidArgument); nothing changed.</summary>
    RetainUntilNotInFuture,
}

/// <summary>Result of reading a version's lock state: <see cref="Lock"/> is set when <see cref="Status"/> is Done.</summary>
public sealed record ObjectLockResult(ObjectLockStatus Status, ObjectLockState Lock = default);
