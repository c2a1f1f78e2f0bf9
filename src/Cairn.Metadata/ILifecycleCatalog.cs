namespace Cairn.Metadata;

/// <summary>
/// The lifecycle worker's own state (issue 13): for each bucket with a lifecycle configuration, how
/// far its journal has been evaluated and under which configuration (<see cref="LifecycleProgress"/>),
/// and for each key that will need the worker again, when (<see cref="LifecycleDue"/>). The worker
/// evaluates a key when its journal names it and when it falls due, never by scanning the bucket
/// (except once, when a configuration is put). Every write is one transaction; a bucket's rows go with it.
/// </summary>
public interface ILifecycleCatalog
{
    /// <summary>Every bucket's progress, by bucket.</summary>
    ValueTask<IReadOnlyList<LifecycleProgress>> ListLifecycleProgressAsync(CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: sets or clears (a null <see cref="LifecycleDue.DueAt"/>) the due time of
    /// each of <paramref name="dues"/>' keys in <paramref name="bucket"/>, then records
    /// <paramref name="progress"/> when given. False, and nothing written, when there is no such bucket,
    /// or when the journal no longer holds every entry after the progress's number
    /// (<see cref="IObjectCatalog.PruneJournalAsync"/> ran while the bucket had no progress): the next
    /// step, which reads the journal after it, would miss them, so the bucket is judged afresh.
    /// </summary>
    ValueTask<bool> SaveLifecycleAsync(string bucket, IReadOnlyList<LifecycleDue> dues, LifecycleProgress? progress,
        CancellationToken cancellationToken);

    /// <summary>Forgets the bucket's progress and due times (its configuration was removed or replaced).</summary>
    ValueTask ForgetLifecycleAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>
    /// Keys due at or before <paramref name="upTo"/>, earliest first, at most <paramref name="max"/>:
    /// of every bucket, or of <paramref name="bucket"/> only.
    /// </summary>
    ValueTask<IReadOnlyList<LifecycleDue>> ListLifecycleDueAsync(DateTimeOffset upTo, int max, CancellationToken cancellationToken,
        string? bucket = null);

    /// <summary>How many keys are due at or before <paramref name="upTo"/>, in every bucket (the worker's backlog).</summary>
    ValueTask<long> CountLifecycleDueAsync(DateTimeOffset upTo, CancellationToken cancellationToken);
}

/// <summary>
/// How far the lifecycle worker has evaluated a bucket: every journal entry up to <paramref name="JournalSeq"/>,
/// under the configuration put at <paramref name="ConfiguredAt"/> (another time: the configuration
/// changed, and the bucket is evaluated afresh).
/// </summary>
public sealed record LifecycleProgress(string Bucket, DateTimeOffset ConfiguredAt, long JournalSeq);

/// <summary>When a key of a bucket next needs the lifecycle worker (null: never; in a save, the key's time is cleared).</summary>
public readonly record struct LifecycleDue(string Bucket, string Key, DateTimeOffset? DueAt);
