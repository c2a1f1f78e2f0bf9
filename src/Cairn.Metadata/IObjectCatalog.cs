using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// The object rows: every write that makes, replaces or removes a version of a key is a member of
/// this interface, so a decorator over object rows (the row cache) sees every such write. Each write
/// is one transaction; on any outcome but success nothing changes.
/// </summary>
/// <remarks>
/// Versioning follows the bucket's state, read in the write's transaction: unversioned, a write
/// replaces the key's one version (the null version); enabled, it adds a version with a new id
/// above the others (a delete adds a delete marker); suspended, it adds the null version, replacing
/// the key's earlier null version wherever it is. A replaced or removed version's chunks lose their
/// references.
/// </remarks>
public interface IObjectCatalog
{
    /// <summary>The latest version of a key (possibly a delete marker), with its body description; null when the key has no version.</summary>
    ValueTask<ObjectVersionRecord?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>One version of a key by id (possibly a delete marker, possibly the latest); null when it has none with that id.</summary>
    ValueTask<ObjectVersionRecord?> GetObjectVersionAsync(string bucket, string key, string versionId, CancellationToken cancellationToken);

    /// <summary>One page of the latest versions in a bucket that are not delete markers (see <see cref="ListObjectsQuery"/>).</summary>
    ValueTask<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// One page of every version and delete marker in a bucket: by key, then newest first. A page
    /// resumes after <see cref="ListVersionsQuery.KeyMarker"/>'s version <see cref="ListVersionsQuery.VersionIdMarker"/>,
    /// or after every version of the key marker when there is no version id marker (or the key has
    /// no version with that id).
    /// </summary>
    ValueTask<VersionListing> ListObjectVersionsAsync(string bucket, ListVersionsQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <see cref="ObjectCommit.Version"/> the latest version of its key, atomically: references as described on
    /// <see cref="IChunkCatalog"/>, the precondition checked against the current version. On any outcome but <see cref="CommitOutcome.Committed"/> nothing changes and
    /// the upload's reservations stay (the caller aborts it). An upload that expired meanwhile has no
    /// reservations left, so its new chunks are <see cref="CommitOutcome.ChunkMissing"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The version has both an inline body and chunks, or is a delete marker.</exception>
    ValueTask<CommitResult> CommitObjectAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Entries of the bucket's change journal after <paramref name="afterSeq"/>, in order, at most
    /// <paramref name="limit"/>. Every change to the bucket's object rows appends entries in its own
    /// transaction: numbered from 1 without gaps, in commit order. Pruned entries
    /// (<see cref="PruneJournalAsync"/>) are gone: the journal holds its entries from its first one
    /// not pruned to its head, still without gaps.
    /// </summary>
    ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string bucket, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, in every bucket, the oldest journal entries that <paramref name="rules"/> allow (see
    /// <see cref="JournalPruning"/>): an entry at or below the bucket's archived number (when
    /// archiving), its tree head's number and its lifecycle progress's number (when it has them),
    /// and committed at least <see cref="JournalPruning.Retention"/> before <paramref name="now"/>
    /// (or before commit times were kept). Only a run from the journal's first entry goes, so what
    /// is left has no gaps; the head stays, so numbering goes on. Each bucket in transactions of
    /// at most <see cref="JournalPruning.BatchEntries"/> entries, each checking the rules again.
    /// Returns the entries deleted.
    /// </summary>
    ValueTask<long> PruneJournalAsync(JournalPruning rules, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the tags of a version (the latest when <paramref name="versionId"/> is null; none:
    /// removes them); nothing else of the version changes.
    /// </summary>
    ValueTask<PutTagsOutcome> PutObjectTagsAsync(string bucket, string key, string? versionId, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records, in one transaction, that a version's bytes were copied to a cold tier (a lifecycle
    /// transition): the version must still exist with <see cref="TierMove.ETag"/>; each chunk's copy
    /// must still be reserved (<see cref="IDeleteQueue.QueueBlobsAsync"/>, not within a minute of its
    /// time) and its row still where the bytes were read from. Then each row points to its copy, the
    /// copy's entry is taken off the queue, a standalone hot blob is queued after
    /// <paramref name="gracePeriod"/> (a packed chunk's bytes stay in its pack as dead space), and the
    /// version's storage class becomes the tier's name. On any other outcome nothing changes and the
    /// reserved copies are deleted when their entries fall due. Writes no journal entry: a version's
    /// manifest does not say where its bytes are.
    /// </summary>
    ValueTask<TierMoveOutcome> MoveVersionToTierAsync(TierMove move, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a key as S3's DeleteObject without a version id does, when <paramref name="precondition"/>
    /// holds for the latest version (its If-Match, judged as for an absent key when the latest is a
    /// delete marker; <see cref="WritePrecondition.None"/> for an unconditional delete). Unversioned:
    /// removes the key's version (<see cref="DeleteObjectOutcome.NoSuchKey"/> when it has none,
    /// whatever the precondition). Enabled: adds a delete marker with a new id, even when the key has
    /// no version. Suspended: adds a delete marker as the null version.
    /// </summary>
    ValueTask<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, WritePrecondition precondition, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Removes one version (or delete marker) for good, when <paramref name="precondition"/> holds for
    /// it and its lock state allows it at <paramref name="now"/> (<see cref="ObjectLockState.Protects"/>,
    /// with <paramref name="bypassGovernance"/>; <see cref="DeleteObjectOutcome.Locked"/> otherwise);
    /// when it was the latest, the newest remaining version becomes the latest.
    /// <see cref="DeleteObjectOutcome.NoSuchVersion"/> when the key has no version with that id.
    /// </summary>
    ValueTask<DeleteObjectResult> DeleteObjectVersionAsync(string bucket, string key, string versionId, WritePrecondition precondition,
        bool bypassGovernance, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the lock state of a version (the latest when <paramref name="versionId"/> is null) as
    /// <paramref name="change"/> says, when its current retention allows it at <paramref name="now"/>
    /// (<see cref="ObjectLockState.AllowsRetention"/>); nothing else of the version changes. The
    /// caller has checked that the bucket has Object Lock.
    /// </summary>
    ValueTask<PutLockOutcome> PutObjectLockAsync(string bucket, string key, string? versionId, ObjectLockChange change, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Completes an upload in one transaction: re-checks that each listed part exists with the listed
    /// ETag, checks the bucket and <paramref name="precondition"/> against the key's current version,
    /// makes <paramref name="version"/> (whose chunks are the listed parts' chunks, in order, built by
    /// the caller from <see cref="IMultipartCatalog.ListPartsAsync"/>) the latest version (its chunks gain references
    /// before anything is released), then drops every part of the upload (listed or not: their
    /// references are released, zero counts queued with the grace delay), the upload itself, and the
    /// replaced version's references, and records the completion (<see cref="IMultipartCatalog.GetCompletedMultipartUploadAsync"/>:
    /// the version's ETag, size and checksums, a digest of <paramref name="parts"/>, completed at
    /// <paramref name="now"/>). On any other outcome nothing changes. Listed ETags compare
    /// unquoted. A part re-uploaded after the caller listed it is <see cref="CompleteMultipartOutcome.InvalidPart"/>:
    /// its ETag differs, or (same bytes, other chunk boundaries) the version's chunks are no longer the parts' chunks.
    /// </summary>
    /// <exception cref="ArgumentException">The version has an inline body, or another bucket or key than the upload.</exception>
    ValueTask<CompleteMultipartResult> CompleteMultipartUploadAsync(string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, WritePrecondition precondition, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Brings <paramref name="import"/>'s keys into its bucket in one transaction: readers see the
    /// bucket wholly before or wholly after it. Each imported key gets exactly the versions given,
    /// newest first as the latest, with their ids, times and delete markers kept (not placed by the
    /// bucket's versioning state; in a bucket with a default retention, a version without one gets it, as a put would); their chunks gain references as a commit's do (adopting what the
    /// upload reserved, which is then dropped). With <see cref="ObjectImport.Replace"/>, first every
    /// key under <see cref="ObjectImport.Prefix"/> loses all its versions (their references released,
    /// zero counts queued with the grace delay); keys outside the prefix are untouched. Every version
    /// removed and written is a journal entry (removals first, then each key's versions oldest first).
    /// On any outcome but <see cref="ImportOutcome.Imported"/> nothing changes and the upload's
    /// reservations stay (the caller aborts it).
    /// </summary>
    /// <exception cref="ArgumentException">A key is outside the prefix or given twice, has no version,
    /// a version of another bucket or key, a version id given twice, a body both inline and chunked,
    /// or a delete marker with a body.</exception>
    ValueTask<ImportResult> ImportObjectsAsync(ObjectImport import, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);
}
