using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>A bucket. Stores keep times to the millisecond.</summary>
public sealed record BucketRecord(string Name, DateTimeOffset CreatedAt, string Region)
{
    /// <summary>The bucket's tags (PutBucketTagging); empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The bucket's versioning state (PutBucketVersioning).</summary>
    public BucketVersioning Versioning { get; init; } = BucketVersioning.Unversioned;

    /// <summary>The bucket's Object Lock configuration; null when lock is not enabled (once enabled, it never is again).</summary>
    public ObjectLockConfiguration? ObjectLock { get; init; }

    /// <summary>The user owning the bucket (<see cref="IIdentityCatalog"/>); null when root owns it.</summary>
    public string? Owner { get; init; }

    /// <summary>Equal when name, creation time, region, versioning, lock, owner and every tag are (a record would compare the tag dictionaries by reference).</summary>
    public bool Equals(BucketRecord? other) =>
        other is not null && Name == other.Name && CreatedAt == other.CreatedAt && Region == other.Region && Versioning == other.Versioning
        && ObjectLock == other.ObjectLock && Owner == other.Owner
        && Tags.Count == other.Tags.Count && Tags.All(tag => other.Tags.TryGetValue(tag.Key, out var value) && value == tag.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, CreatedAt, Region);
}

/// <summary>One chunk of an object body, in order: its address and its uncompressed length.</summary>
public readonly record struct ChunkRef(ContentHash Hash, int Length);

/// <summary>
/// One version of an object. The body is either <see cref="InlineBody"/> (small bodies, kept in the
/// row) or the ordered <see cref="Chunks"/>; never both.
/// </summary>
public sealed record ObjectVersionRecord
{
    public required string Bucket { get; init; }
    public required string Key { get; init; }
    /// <summary>
    /// "null" (the S3 spelling) for the null version: written while the bucket was unversioned or
    /// suspended. A commit sets it from the bucket's state: what a caller passes is not kept.
    /// </summary>
    public string VersionId { get; init; } = "null";
    /// <summary>A delete marker: no body, size 0, empty ETag; the current one makes the key absent to GET and listings.</summary>
    public bool IsDeleteMarker { get; init; }
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
    /// <summary>
    /// The SHA-256 of a non-empty <see cref="InlineBody"/>, when the writer has it (the chunk store
    /// hashes what it keeps inline); a write without it hashes the body. Rows written before
    /// inline hashes were kept read back without one. Whoever replaces the body clears or replaces it.
    /// </summary>
    public ContentHash? InlineBodyHash { get; init; }
    public IReadOnlyList<ChunkRef> Chunks { get; init; } = [];
    /// <summary>For an object made by CompleteMultipartUpload: each part's size, in order (GET/HEAD partNumber, x-amz-mp-parts-count). Empty otherwise.</summary>
    public IReadOnlyList<long> PartSizes { get; init; } = [];
    /// <summary>
    /// For an object made by CompleteMultipartUpload with a checksum algorithm: each part's checksums
    /// (algorithm wire name to base64 value), in order (GetObjectAttributes' ObjectParts). Empty otherwise.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> PartChecksums { get; init; } = [];
    /// <summary>The version's tags (x-amz-tagging, PutObjectTagging), tag key to value; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>The version's Object Lock state: its retention and legal hold (none by default).</summary>
    public ObjectLockState Lock { get; init; }
    /// <summary>
    /// The cold tier a lifecycle transition moved the version's bytes to; null while they are in the
    /// hot store (S3's STANDARD). Only the transition sets it: a commit writes every version hot.
    /// </summary>
    public string? StorageClass { get; init; }
    /// <summary>How <see cref="Checksums"/> was computed: <c>FULL_OBJECT</c> (default) or <c>COMPOSITE</c> (multipart, checksum of part checksums, value ends in <c>-N</c>).</summary>
    public string ChecksumType { get; init; } = "FULL_OBJECT";
    /// <summary>
    /// How the body is encrypted at rest: the engine's sealed data-key envelope (opaque here), or null
    /// for a body stored as sent. When set, <see cref="InlineBody"/> and <see cref="Chunks"/> hold ciphertext
    /// and <see cref="Size"/> is the plaintext's.
    /// </summary>
    public byte[]? Encryption { get; init; }
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

/// <summary>Outcome of a commit, and the version id the version got (null unless committed).</summary>
public readonly record struct CommitResult(CommitOutcome Outcome, string? VersionId)
{
    /// <summary>The outcome alone, for callers that need no version id.</summary>
    public static implicit operator CommitOutcome(CommitResult result) => result.Outcome;
}

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

/// <summary>
/// Outcome of a delete, and what it did: for a delete without version id in a versioned bucket, the
/// delete marker it added (<see cref="VersionId"/>, <see cref="IsDeleteMarker"/> true); for a
/// delete of one version, that version's id and whether it was a marker.
/// </summary>
public readonly record struct DeleteObjectResult(DeleteObjectOutcome Outcome, string? VersionId, bool IsDeleteMarker)
{
    /// <summary>The outcome alone, for callers that need nothing else.</summary>
    public static implicit operator DeleteObjectOutcome(DeleteObjectResult result) => result.Outcome;
}

/// <summary>Outcome of deleting an object's latest version, or one version.</summary>
public enum DeleteObjectOutcome
{
    Deleted,
    /// <summary>The key has no version (nothing changed).</summary>
    NoSuchKey,
    /// <summary>The key has no version with the id given (nothing changed).</summary>
    NoSuchVersion,
    /// <summary>If-Match was given and the key's ETag does not match it (nothing changed).</summary>
    PreconditionFailed,
    /// <summary>The version is protected by Object Lock: a legal hold, or a retention the caller cannot bypass (nothing changed).</summary>
    Locked,
}

/// <summary>What a journal entry records.</summary>
public enum JournalChange
{
    /// <summary>A version or delete marker was placed on top of its key's versions (the entry holds its state).</summary>
    Put,
    /// <summary>A version or delete marker was removed for good; if it was the latest, the newest remaining one is.</summary>
    Remove,
    /// <summary>A version's tags were replaced (the entry holds the new tags).</summary>
    Tags,
    /// <summary>A version's retention or legal hold was replaced (the entry holds the new lock state).</summary>
    Lock,
}

/// <summary>
/// One entry of a bucket's change journal (<see cref="IObjectCatalog.ReadJournalAsync"/>): numbered
/// 1, 2, 3, ... per bucket in commit order. <see cref="ETag"/>, <see cref="Size"/>,
/// <see cref="LastModified"/> and <see cref="IsDeleteMarker"/> are the version's for a Put; the tags
/// are the version's for a Put and the new ones for Tags; the lock state is the version's for a Put
/// and the new one for Lock.
/// </summary>
public sealed record JournalEntry(long Seq, string Key, string VersionId, JournalChange Change)
{
    public string? ETag { get; init; }
    public long Size { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    public bool IsDeleteMarker { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public ObjectLockState Lock { get; init; }
    /// <summary>
    /// For a Put written while the store kept records (<see cref="SqlMetadataStore.JournalRecords"/>):
    /// the whole version (<see cref="JournalRecordFormat"/>); null otherwise.
    /// </summary>
    public byte[]? Record { get; init; }
    /// <summary>When the change was committed, by the writer's clock; null for entries older than the column.</summary>
    public DateTimeOffset? CommittedAt { get; init; }
}

/// <summary>Outcome of replacing a version's tags.</summary>
public enum PutTagsOutcome
{
    Updated,
    /// <summary>The key has no version, or none with the id given (nothing changed).</summary>
    NotFound,
    /// <summary>The version is a delete marker, which has no tags (nothing changed).</summary>
    DeleteMarker,
}

/// <summary>Outcome of setting a bucket's versioning state.</summary>
public enum PutVersioningOutcome
{
    Updated,
    NoSuchBucket,
    /// <summary>The bucket has Object Lock, whose versioning stays enabled (nothing changed).</summary>
    ObjectLockEnabled,
}

/// <summary>Outcome of putting a bucket's Object Lock configuration.</summary>
public enum PutObjectLockOutcome
{
    Updated,
    NoSuchBucket,
    /// <summary>Object Lock needs versioning enabled first (nothing changed).</summary>
    VersioningNotEnabled,
}

/// <summary>Outcome of changing a version's lock state.</summary>
public enum PutLockOutcome
{
    Updated,
    /// <summary>The key has no version, or none with the id given (nothing changed).</summary>
    NotFound,
    /// <summary>The version is a delete marker, which has no lock state (nothing changed).</summary>
    DeleteMarker,
    /// <summary>The version's retention does not allow the change (nothing changed).</summary>
    Locked,
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

/// <summary>
/// One key of an import (<see cref="IObjectCatalog.ImportObjectsAsync"/>): every version the source
/// holds for it, newest first, each kept as it is (version id, times, a delete marker as a marker).
/// </summary>
public sealed record ImportedKey(string Key, IReadOnlyList<ObjectVersionRecord> Versions);

/// <summary>
/// A set of keys to bring into a bucket in one transaction.
/// </summary>
/// <param name="Bucket">The bucket written.</param>
/// <param name="Prefix">The key range the import covers: every imported key starts with it ("" covers the bucket).</param>
/// <param name="Replace">True: every key under the prefix that is not imported loses all its versions, and
/// every imported key's versions replace the key's; false: the import adds keys the bucket does not hold at all.</param>
/// <param name="UploadId">The upload whose reservations hold the chunks the import wrote (null when it reserved nothing).</param>
/// <param name="Keys">The keys, in any order, each once.</param>
public sealed record ObjectImport(string Bucket, string Prefix, bool Replace, Guid? UploadId, IReadOnlyList<ImportedKey> Keys);

/// <summary>Outcome of an import.</summary>
public enum ImportOutcome
{
    Imported,
    NoSuchBucket,
    /// <summary>Without replace, an imported key already has a version in the bucket (<see cref="ImportResult.Key"/>); nothing changed.</summary>
    KeyExists,
    /// <summary>With replace, a version under the prefix is protected by Object Lock (<see cref="ImportResult.Key"/>); nothing changed.</summary>
    Locked,
    /// <summary>
    /// The bucket was never versioned but a key brings more than one version, a version id other than
    /// "null" or a delete marker (<see cref="ImportResult.Key"/>); nothing changed.
    /// </summary>
    VersioningRequired,
    /// <summary>A chunk a version names is neither reserved by the upload nor committed; nothing changed.</summary>
    ChunkMissing,
}

/// <summary>
/// What an import did: keys under the prefix that lost every version (replaced or removed), keys
/// and versions written; <see cref="Key"/> names the key an outcome other than Imported is about.
/// </summary>
public readonly record struct ImportResult(ImportOutcome Outcome, int KeysRemoved = 0, int KeysImported = 0, int VersionsImported = 0,
    string? Key = null);

/// <summary>
/// A version's move to the cold tier <see cref="StorageClass"/> (<see cref="IObjectCatalog.MoveVersionToTierAsync"/>):
/// <see cref="ETag"/> is the version's (unquoted) when it was judged and its bytes read; <see cref="Chunks"/>
/// are its chunks not in that tier yet, each with the copy written there.
/// </summary>
public sealed record TierMove(string Bucket, string Key, string VersionId, string ETag, string StorageClass, IReadOnlyList<TierChunkMove> Chunks)
{
    /// <summary>
    /// How long before its time a reserved copy's queue entry must still be when a move claims it: a
    /// sweeper on a node whose clock runs ahead may already be deleting an entry this node thinks is
    /// not yet due.
    /// </summary>
    public static readonly TimeSpan ClaimMargin = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The last part of the version's move: its storage class becomes the tier's. A version moved in
    /// several parts (each within its copies' deadline) keeps its class until the last; the chunks
    /// moved before already read from the tier.
    /// </summary>
    public bool Complete { get; init; } = true;
}

/// <summary>One chunk of a <see cref="TierMove"/>: where its bytes were read (<see cref="From"/>) and the tier blob that holds them now, stored the same way.</summary>
public readonly record struct TierChunkMove(ContentHash Hash, ChunkPlacement From, string ToBlobName);

/// <summary>What <see cref="IObjectCatalog.MoveVersionToTierAsync"/> did.</summary>
public enum TierMoveOutcome
{
    /// <summary>The chunks point to their tier copies and the version names the tier.</summary>
    Moved,

    /// <summary>The version is gone or was replaced (another ETag): nothing changed.</summary>
    VersionChanged,

    /// <summary>A chunk is no longer where its bytes were read from: nothing changed.</summary>
    PlacementChanged,

    /// <summary>A copy's reservation was gone or about to fall due (the sweeper may delete it): nothing changed.</summary>
    ReservationLost,
}
