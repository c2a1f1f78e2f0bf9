using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>A bucket. Stores keep times to the millisecond.</summary>
public sealed record BucketRecord(string Name, DateTimeOffset CreatedAt, string Region);

/// <summary>One chunk of an object body, in order: its address and its uncompressed length.</summary>
public readonly record struct ChunkRef(ContentHash Hash, int Length);

/// <summary>Content headers S3 stores with an object and returns on GET/HEAD.</summary>
public sealed record ContentHeaders(
    string? ContentType = null,
    string? ContentEncoding = null,
    string? ContentDisposition = null,
    string? ContentLanguage = null,
    string? CacheControl = null,
    string? Expires = null);

/// <summary>
/// One version of an object. The body is either <see cref="InlineBody"/> (small bodies, kept in the
/// row) or the ordered <see cref="Chunks"/>; never both.
/// </summary>
public sealed record ObjectVersionRecord
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    /// <summary>"null" for objects written while versioning was never enabled (the S3 spelling).</summary>
    public string VersionId { get; init; } = "null";
    public required long Size { get; init; }
    /// <summary>Unquoted ETag.</summary>
    public required string ETag { get; init; }
    /// <summary>Stored to the millisecond (what S3 XML shows); finer ticks are dropped.</summary>
    public required DateTimeOffset LastModified { get; init; }
    public ContentHeaders Headers { get; init; } = new();
    /// <summary>User metadata: lower-case names without the <c>x-amz-meta-</c> prefix.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Checksums by algorithm wire name (<c>CRC32</c>, <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>) to base64 value.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>();
    public byte[]? InlineBody { get; init; }
    public IReadOnlyList<ChunkRef> Chunks { get; init; } = [];
    /// <summary>For an object made by CompleteMultipartUpload: each part's size, in order (GET/HEAD partNumber, x-amz-mp-parts-count). Empty otherwise.</summary>
    public IReadOnlyList<long> PartSizes { get; init; } = [];
    /// <summary>How <see cref="Checksums"/> was computed: <c>FULL_OBJECT</c> (default) or <c>COMPOSITE</c> (multipart, checksum of part checksums, value ends in <c>-N</c>).</summary>
    public string ChecksumType { get; init; } = "FULL_OBJECT";
}

/// <summary>A listing row: what ListObjects returns per key.</summary>
public readonly record struct ObjectSummary(string Key, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>
/// A listing page request. Keys compare as UTF-8 bytes (S3 order). The store returns keys strictly
/// after <see cref="After"/> (null: from the start) that begin with <see cref="Prefix"/>; with a
/// <see cref="Delimiter"/>, keys that contain it after the prefix roll up into one common prefix
/// each, and the store seeks past the keys under a common prefix instead of reading them.
/// When <see cref="After"/> itself lies under a common prefix (a continuation whose last item was that
/// prefix, or a marker inside it), the listing resumes after the whole common prefix, which is not
/// returned again. <see cref="MaxKeys"/> of zero or less gives an empty page that is not truncated (as S3).
/// </summary>
public sealed record ListObjectsQuery(string Prefix, string? Delimiter, string? After, int MaxKeys);

/// <summary>
/// A listing page. Entries and common prefixes together hold at most MaxKeys items.
/// <see cref="NextAfter"/> is the last key or common prefix returned (null on an empty page), to
/// continue from when truncated. <see cref="IsTruncated"/> is true only when more items follow.
/// </summary>
public sealed record ObjectListing(
    IReadOnlyList<ObjectSummary> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextAfter);

/// <summary>Condition checked inside the commit transaction (conditional writes).</summary>
/// <param name="IfNoneMatchAny"><c>If-None-Match: *</c>: the key must not exist.</param>
/// <param name="IfMatchETag">An <c>If-Match</c> header value (quoted or not, a list, or <c>*</c>): the key must exist with a matching ETag.</param>
public sealed record WritePrecondition(bool IfNoneMatchAny, string? IfMatchETag)
{
    /// <summary>No condition.</summary>
    public static readonly WritePrecondition None = new(false, null);

    /// <summary>Whether the condition holds for a key whose current ETag is <paramref name="currentETag"/> (null: absent). The one matcher for every check.</summary>
    public bool HoldsFor(string? currentETag)
    {
        if (IfNoneMatchAny && currentETag is not null)
        {
            return false;
        }
        return IfMatchETag is null || (currentETag is not null && ETag.HeaderMatches(IfMatchETag, currentETag));
    }
}

/// <summary>What the chunk store must do after reserving a chunk for an upload.</summary>
public enum ChunkReservationKind
{
    /// <summary>No committed chunk with this address exists: write the bytes to <see cref="ChunkReservation.BlobName"/>.</summary>
    MustWrite,
    /// <summary>A committed chunk exists and is now pinned for this upload: do not write.</summary>
    AlreadyStored,
    /// <summary>This upload reserved the same address earlier (and wrote it, or reuses it): do not write.</summary>
    AlreadyReserved,
}

/// <summary>Result of <see cref="IChunkCatalog.ReserveChunkAsync"/>.</summary>
/// <param name="Kind">What the chunk store must do.</param>
/// <param name="BlobName">The blob that holds (or, for MustWrite, will hold) the bytes: the candidate for
/// MustWrite; the committed chunk's blob for AlreadyStored; for AlreadyReserved, the blob this upload
/// writes, or the committed chunk's blob when the earlier reservation was a pin.</param>
public readonly record struct ChunkReservation(ChunkReservationKind Kind, string? BlobName);

/// <summary>A finished single-PUT (or copy) ready to become the latest version of its key.</summary>
/// <param name="UploadId">The upload whose reserved chunks the body uses; null when the body reserved
/// nothing (inline, or a copy that only adds references to committed chunks).</param>
/// <param name="Version">The new version; it replaces the current latest version of its key.</param>
/// <param name="Precondition">Checked against the current latest version inside the transaction.</param>
public sealed record ObjectCommit(
    Guid? UploadId,
    ObjectVersionRecord Version,
    WritePrecondition Precondition);

/// <summary>Outcome of committing an object.</summary>
public enum CommitOutcome
{
    Committed,
    NoSuchBucket,
    /// <summary>If-None-Match: * and the key exists, or If-Match and the ETag differs or the key is absent.</summary>
    PreconditionFailed,
    /// <summary>A chunk the body names is neither reserved by the upload nor committed (a copy whose source was swept).</summary>
    ChunkMissing,
}

/// <summary>Outcome of deleting a bucket.</summary>
public enum DeleteBucketOutcome
{
    Deleted,
    NoSuchBucket,
    NotEmpty,
}

/// <summary>A blob waiting for deletion.</summary>
/// <param name="BlobName">The blob to delete.</param>
/// <param name="ChunkHash">The chunk the blob holds, when it is a chunk blob.</param>
/// <param name="NotBefore">Not deleted before this time (the grace period).</param>
/// <param name="Attempts">Failed deletion attempts so far.</param>
/// <param name="LastError">The last failure, for operators.</param>
public sealed record DeleteQueueEntry(
    string BlobName,
    ContentHash? ChunkHash,
    DateTimeOffset NotBefore,
    int Attempts,
    string? LastError);

/// <summary>The delete queue at a glance: its entries, and the earliest NotBefore among them (null when empty).</summary>
public readonly record struct DeleteQueueStats(int Pending, DateTimeOffset? OldestNotBefore)
{
    /// <summary>How long the oldest due entry has been due at <paramref name="now"/>; zero when nothing is due.</summary>
    public TimeSpan OldestDueAge(DateTimeOffset now) =>
        OldestNotBefore is { } oldest && oldest < now ? now - oldest : TimeSpan.Zero;
}

/// <summary>The sweeper's re-check of a due delete-queue entry, made in one transaction.</summary>
public enum SweepDecision
{
    /// <summary>Nothing needs the blob any more; its chunk row (if any) is gone. Delete the blob, then call CompleteDeleteAsync.</summary>
    Delete,
    /// <summary>The chunk is referenced again; the entry was removed and the blob stays.</summary>
    Keep,
    /// <summary>An upload in progress holds the blob or pins its chunk (the entry was postponed to
    /// retryAt), or the entry is not due yet (unchanged).</summary>
    Later,
    /// <summary>The entry no longer exists (another sweeper took it).</summary>
    Gone,
}
