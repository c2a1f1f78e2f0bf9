namespace Cairn.Metadata;

/// <summary>
/// Blobs waiting to be deleted, each queued in the transaction that dropped its last reference.
/// The sweeper asks <see cref="PrepareDeleteAsync"/> for each due entry; it re-checks references
/// and pins in the same transaction that removes the chunk row, deletes the blob, then calls
/// <see cref="CompleteDeleteAsync"/>. A crash between the two leaves the entry, so the delete is retried.
/// </summary>
public interface IDeleteQueue
{
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

    /// <summary>Number of entries in the delete queue.</summary>
    ValueTask<int> CountPendingDeletesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The queue's size and its earliest NotBefore, in one cheap query (for the delete-queue gauges):
    /// when that time has passed, it is when the oldest due entry became due.
    /// </summary>
    ValueTask<DeleteQueueStats> GetDeleteQueueStatsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues blobs about to be written that a later transaction will claim (a transition's tier
    /// copies, <see cref="IObjectCatalog.MoveVersionToTierAsync"/>): if none does, they are deleted
    /// from <paramref name="notBefore"/> on like any other entry, so a writer that dies halfway leaves
    /// nothing untracked. A name already queued keeps the later time.
    /// </summary>
    ValueTask QueueBlobsAsync(IReadOnlyList<string> blobNames, DateTimeOffset notBefore, CancellationToken cancellationToken);
}
