using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// The object rows: every write that makes, replaces or removes the current version of a key is a
/// member of this interface, so a decorator over object rows (the row cache) sees every such write.
/// Each write is one transaction; on any outcome but success nothing changes.
/// </summary>
public interface IObjectCatalog
{
    /// <summary>The latest version of a key, with its body description; null when absent.</summary>
    ValueTask<ObjectVersionRecord?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>One page of the latest versions in a bucket (see <see cref="ListObjectsQuery"/>).</summary>
    ValueTask<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <see cref="ObjectCommit.Version"/> the latest version of its key, atomically: references as described on
    /// <see cref="IChunkCatalog"/>, the precondition checked against the current version. On any outcome but <see cref="CommitOutcome.Committed"/> nothing changes and
    /// the upload's reservations stay (the caller aborts it). An upload that expired meanwhile has no
    /// reservations left, so its new chunks are <see cref="CommitOutcome.ChunkMissing"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The version has both an inline body and chunks.</exception>
    ValueTask<CommitOutcome> CommitObjectAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the tags of the latest version of a key (none: removes them); nothing else of the
    /// version changes. False when the key has no version.
    /// </summary>
    ValueTask<bool> PutObjectTagsAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the latest version of a key when <paramref name="precondition"/> holds for it (its
    /// If-Match; <see cref="WritePrecondition.None"/> for an unconditional delete); its chunks lose
    /// their references. A key without a version is <see cref="DeleteObjectOutcome.NoSuchKey"/>
    /// whatever the precondition.
    /// </summary>
    ValueTask<DeleteObjectOutcome> DeleteObjectAsync(string bucket, string key, WritePrecondition precondition, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken);

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
    ValueTask<CompleteMultipartOutcome> CompleteMultipartUploadAsync(string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, WritePrecondition precondition, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);
}
