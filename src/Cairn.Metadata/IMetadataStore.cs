using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// The catalog: buckets, object versions, chunk reference counts, upload reservations and the
/// delete queue. Every method is one transaction; nothing is half-applied.
/// </summary>
/// <remarks>
/// Chunk lifecycle (DESIGN invariants 4 and 5):
/// <list type="number">
/// <item>Before a chunk's bytes are written, <see cref="ReserveChunkAsync"/> records the upload and
/// the chunk (with the blob name about to be written, or a pin on the committed chunk it reuses).
/// A reservation has a deadline; each reservation of the same upload extends it.</item>
/// <item><see cref="CommitObjectAsync"/> turns reservations into references (refcount += uses), adopts
/// written blobs as chunk rows, queues blobs that lost a race to an identical chunk, replaces the
/// previous latest version (its chunks lose references; a count reaching zero queues the chunk's
/// blob with the grace delay) and drops the upload's reservations.</item>
/// <item><see cref="AbortUploadAsync"/> (or <see cref="ExpireUploadsAsync"/> after a crash) drops the
/// reservations and queues every blob the upload wrote that no chunk row adopted.</item>
/// <item>The sweeper asks <see cref="PrepareDeleteAsync"/> for each due entry; it re-checks references
/// and pins in the same transaction that removes the chunk row, deletes the blob, then calls
/// <see cref="CompleteDeleteAsync"/>. A crash between the two leaves the entry, so the delete is retried.</item>
/// </list>
/// Multipart parts hold references exactly as versions do (<see cref="CommitPartAsync"/> adds them the
/// way <see cref="CommitObjectAsync"/> does; replacing, completing or aborting releases them).
/// A chunk row exists only while some committed version or stored part references it, or while its
/// blob waits in the delete queue with a zero count. Blob names are unique per write, so a new write of a chunk
/// never races the deletion of an older blob of the same content.
/// </remarks>
public interface IMetadataStore
{
    /// <summary>Applies pending migrations. Called once at start, before any other method.</summary>
    ValueTask MigrateAsync(CancellationToken cancellationToken);

    // Buckets

    ValueTask<BucketRecord?> GetBucketAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the bucket; false when a bucket of that name exists.</summary>
    ValueTask<bool> TryCreateBucketAsync(BucketRecord bucket, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a bucket that holds no objects and no multipart uploads in progress (otherwise
    /// <see cref="DeleteBucketOutcome.NotEmpty"/>). Without a clock it cannot release the uploads'
    /// chunks with a grace period, so it refuses where S3 succeeds; prefer the overload that takes <c>now</c>.
    /// </summary>
    ValueTask<DeleteBucketOutcome> DeleteBucketAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a bucket that holds no objects (otherwise <see cref="DeleteBucketOutcome.NotEmpty"/>).
    /// Multipart uploads in progress do not keep it, as in S3 (general purpose buckets): they are
    /// aborted in the same transaction, exactly as <see cref="AbortMultipartUploadAsync"/> does.
    /// </summary>
    ValueTask<DeleteBucketOutcome> DeleteBucketAsync(string name, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>All buckets, by name.</summary>
    ValueTask<IReadOnlyList<BucketRecord>> ListBucketsAsync(CancellationToken cancellationToken);

    // Objects

    /// <summary>The latest version of a key, with its body description; null when absent.</summary>
    ValueTask<ObjectVersionRecord?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>One page of the latest versions in a bucket (see <see cref="ListObjectsQuery"/>).</summary>
    ValueTask<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <see cref="ObjectCommit.Version"/> the latest version of its key, atomically, as described
    /// on the interface. On any outcome but <see cref="CommitOutcome.Committed"/> nothing changes and
    /// the upload's reservations stay (the caller aborts it). An upload that expired meanwhile has no
    /// reservations left, so its new chunks are <see cref="CommitOutcome.ChunkMissing"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The version has both an inline body and chunks.</exception>
    ValueTask<CommitOutcome> CommitObjectAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the latest version of a key; its chunks lose their references. False when there was none.
    /// </summary>
    ValueTask<bool> DeleteObjectAsync(string bucket, string key, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// The blob holding each committed chunk. Chunks with no row are left out of the result (the
    /// caller treats that as a missing chunk: a hard error, invariant 3).
    /// </summary>
    ValueTask<IReadOnlyDictionary<ContentHash, string>> LocateChunksAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken);

    // Multipart uploads

    /// <summary>Records a new multipart upload; false when the bucket does not exist.</summary>
    ValueTask<bool> CreateMultipartUploadAsync(MultipartUploadRecord upload, CancellationToken cancellationToken);

    /// <summary>The upload, or null when it does not exist (never created, completed or aborted).</summary>
    ValueTask<MultipartUploadRecord?> GetMultipartUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a part, in one transaction: the part's chunks gain references (from the chunk
    /// reservations of <paramref name="reservationId"/>, exactly as <see cref="CommitObjectAsync"/>
    /// adopts them, or committed chunks), a part with the same number is replaced (its chunks lose
    /// their references, queued with the grace delay at zero) and the reservations are dropped.
    /// </summary>
    ValueTask<PartCommitOutcome> CommitPartAsync(string uploadId, Guid? reservationId, PartRecord part, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Parts with a number above <paramref name="afterPartNumber"/>, ascending, at most <paramref name="maxParts"/>, with their chunks (an empty page for an unknown upload).</summary>
    ValueTask<PartListing> ListPartsAsync(string uploadId, int afterPartNumber, int maxParts, CancellationToken cancellationToken);

    /// <summary>
    /// Completes an upload in one transaction: re-checks that each listed part exists with the listed
    /// ETag, checks the bucket and <paramref name="precondition"/> against the key's current version,
    /// makes <paramref name="version"/> (whose chunks are the listed parts' chunks, in order, built by
    /// the caller from <see cref="ListPartsAsync"/>) the latest version (its chunks gain references
    /// before anything is released), then drops every part of the upload (listed or not: their
    /// references are released, zero counts queued with the grace delay), the upload itself, and the
    /// replaced version's references. On any other outcome nothing changes. Listed ETags compare
    /// unquoted. A part re-uploaded after the caller listed it is <see cref="CompleteMultipartOutcome.InvalidPart"/>:
    /// its ETag differs, or (same bytes, other chunk boundaries) the version's chunks are no longer the parts' chunks.
    /// </summary>
    /// <exception cref="ArgumentException">The version has an inline body, or another bucket or key than the upload.</exception>
    ValueTask<CompleteMultipartOutcome> CompleteMultipartUploadAsync(string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, WritePrecondition precondition, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Drops an upload and all its parts (references released, zero counts queued with the grace delay). False when it does not exist.</summary>
    ValueTask<bool> AbortMultipartUploadAsync(string uploadId, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>One page of a bucket's uploads in progress (see <see cref="MultipartUploadsQuery"/>).</summary>
    ValueTask<MultipartUploadListing> ListMultipartUploadsAsync(string bucket, MultipartUploadsQuery query, CancellationToken cancellationToken);

    /// <summary>Ids of uploads (any bucket) initiated before <paramref name="cutoff"/>, oldest first, at most <paramref name="max"/>: the abandoned-upload worker's input.</summary>
    ValueTask<IReadOnlyList<string>> ListMultipartUploadsInitiatedBeforeAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken);

    // Uploads in progress

    /// <summary>
    /// Reserves a chunk for an upload before its bytes are written, and sets the upload's deadline.
    /// When no committed chunk has this address, records <paramref name="candidateBlobName"/> as
    /// the blob this upload will write and returns <see cref="ChunkReservationKind.MustWrite"/>.
    /// The deadline only moves later: the upload keeps the latest deadline any of its reservations gave.
    /// </summary>
    ValueTask<ChunkReservation> ReserveChunkAsync(Guid uploadId, ContentHash hash, int length, string candidateBlobName,
        DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Drops an upload's reservations and queues (for immediate deletion) the blobs it wrote that nothing adopted.</summary>
    ValueTask AbortUploadAsync(Guid uploadId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Aborts every upload whose deadline is before <paramref name="now"/> (crashed or abandoned writers). Returns how many.</summary>
    ValueTask<int> ExpireUploadsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    // Delete queue

    /// <summary>Entries whose NotBefore is at or before <paramref name="now"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<DeleteQueueEntry>> GetDueDeletesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Re-checks a due entry in one transaction (see <see cref="SweepDecision"/>); <paramref name="retryAt"/>
    /// becomes the entry's NotBefore when an upload holds the blob or pins its chunk. An entry whose
    /// NotBefore is after <paramref name="now"/> (queued again since it was fetched) is Later, unchanged.
    /// </summary>
    ValueTask<SweepDecision> PrepareDeleteAsync(string blobName, DateTimeOffset now, DateTimeOffset retryAt, CancellationToken cancellationToken);

    /// <summary>Removes the entry after its blob was deleted.</summary>
    ValueTask CompleteDeleteAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>Records a failed blob deletion; the entry is retried at <paramref name="retryAt"/>.</summary>
    ValueTask RecordDeleteFailureAsync(string blobName, string error, DateTimeOffset retryAt, CancellationToken cancellationToken);

    // Inspection (tests, admin, scrub)

    /// <summary>Committed chunk rows: address, blob name, reference count.</summary>
    ValueTask<IReadOnlyList<ChunkInfo>> ListChunksAsync(CancellationToken cancellationToken);

    /// <summary>Number of entries in the delete queue.</summary>
    ValueTask<int> CountPendingDeletesAsync(CancellationToken cancellationToken);
}

/// <summary>A committed chunk row.</summary>
public readonly record struct ChunkInfo(ContentHash Hash, string BlobName, int Length, long RefCount);
