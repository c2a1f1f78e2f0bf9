using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Multipart uploads and their parts. Parts hold chunk references exactly as versions do
/// (<see cref="CommitPartAsync"/> adds them the way <see cref="IObjectCatalog.CommitObjectAsync"/>
/// does; replacing, completing or aborting releases them). Completing an upload writes an object
/// row, so it is <see cref="IObjectCatalog.CompleteMultipartUploadAsync"/>.
/// </summary>
public interface IMultipartCatalog
{
    /// <summary>Records a new multipart upload; false when the bucket does not exist.</summary>
    ValueTask<bool> CreateMultipartUploadAsync(MultipartUploadRecord upload, CancellationToken cancellationToken);

    /// <summary>The upload, or null when it does not exist (never created, completed or aborted).</summary>
    ValueTask<MultipartUploadRecord?> GetMultipartUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a part, in one transaction: the part's chunks gain references (from the chunk
    /// reservations of <paramref name="reservationId"/>, exactly as <see cref="IObjectCatalog.CommitObjectAsync"/>
    /// adopts them, or committed chunks), a part with the same number is replaced (its chunks lose
    /// their references, queued with the grace delay at zero) and the reservations are dropped.
    /// </summary>
    ValueTask<PartCommitOutcome> CommitPartAsync(string uploadId, Guid? reservationId, PartRecord part, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Parts with a number above <paramref name="afterPartNumber"/>, ascending, at most <paramref name="maxParts"/>, with their chunks (an empty page for an unknown upload).</summary>
    ValueTask<PartListing> ListPartsAsync(string uploadId, int afterPartNumber, int maxParts, CancellationToken cancellationToken);

    /// <summary>Drops an upload and all its parts (references released, zero counts queued with the grace delay). False when it does not exist.</summary>
    ValueTask<bool> AbortMultipartUploadAsync(string uploadId, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>One page of a bucket's uploads in progress (see <see cref="MultipartUploadsQuery"/>).</summary>
    ValueTask<MultipartUploadListing> ListMultipartUploadsAsync(string bucket, MultipartUploadsQuery query, CancellationToken cancellationToken);

    /// <summary>Ids of uploads (any bucket) initiated before <paramref name="cutoff"/>, oldest first, at most <paramref name="max"/>: the abandoned-upload worker's input.</summary>
    ValueTask<IReadOnlyList<string>> ListMultipartUploadsInitiatedBeforeAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken);

    /// <summary>
    /// What an upload's completion answered, recorded by <see cref="IObjectCatalog.CompleteMultipartUploadAsync"/>
    /// in its transaction; null when the upload never completed or its record was forgotten (by
    /// <see cref="ForgetCompletedMultipartUploadsAsync"/>, or with its bucket).
    /// </summary>
    ValueTask<CompletedMultipartUploadRecord?> GetCompletedMultipartUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Removes the records of uploads completed before <paramref name="cutoff"/>, oldest first, at most <paramref name="max"/>; returns how many.</summary>
    ValueTask<int> ForgetCompletedMultipartUploadsAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken);
}
