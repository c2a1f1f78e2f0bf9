using Cairn.Engine.Archive;
using Cairn.Metadata;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>
/// Deletes the change journal's entries that no reader needs any more (issue 13), every
/// <see cref="EngineOptions.JournalPruneInterval"/>: in each bucket, those at or below the number the
/// archive confirmed (when an archive is configured: an entry is never pruned before its upload is),
/// the tree head's and the lifecycle progress's numbers (when the bucket has them), and committed at
/// least <see cref="EngineOptions.JournalRetention"/> ago (<see cref="IObjectCatalog.PruneJournalAsync"/>).
/// Without it the journal, which carries every Put's whole version while archiving, only grows.
/// </summary>
/// <remarks>
/// The rules are checked by the catalog in each deleting transaction, so a step that outlives its
/// lease deletes nothing a reader needs. <paramref name="archive"/> is there exactly when journal
/// archiving is configured (the host registers it with <see cref="JournalArchiver"/>).
/// </remarks>
/// <param name="objects">The catalog's journal.</param>
/// <param name="options">The retention and the interval.</param>
/// <param name="time">The clock the retention is measured by; entries carry their writer's commit time.</param>
/// <param name="logger">Where each step's count goes.</param>
/// <param name="archive">The journal archive when one is configured, null otherwise.</param>
/// <param name="metrics">Counts the entries pruned (<c>cairn_journal_pruned_entries_total</c>).</param>
public sealed partial class JournalPruner(IObjectCatalog objects, EngineOptions options, TimeProvider time, ILogger<JournalPruner> logger,
    JournalArchiveStore? archive = null, EngineMetrics? metrics = null) : IWorker
{
    /// <inheritdoc />
    public string Name => "journal-pruner";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>Whether entries wait for their archive upload (an archive is configured).</summary>
    public bool UntilArchived => archive is not null;

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pruned = await objects.PruneJournalAsync(new JournalPruning(UntilArchived, options.JournalRetention), now, cancellationToken)
            .ConfigureAwait(false);
        metrics?.JournalPruned(pruned);
        Status = $"last run {now:O}: {pruned} journal entries pruned";
        if (pruned > 0)
        {
            LogPruned(pruned, options.JournalRetention, UntilArchived);
        }
        // The catalog pruned everything the rules allowed, batch by batch: nothing more until readers move on.
        return WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.JournalPruneInterval, time, cancellationToken);

    // Event ids 210-219 belong to the journal pruner; next free: 211.
    [LoggerMessage(EventId = 210, Level = LogLevel.Debug,
        Message = "Pruned {Count} journal entries (kept {Retention} after commit; until archived: {UntilArchived})")]
    private partial void LogPruned(long count, TimeSpan retention, bool untilArchived);
}
