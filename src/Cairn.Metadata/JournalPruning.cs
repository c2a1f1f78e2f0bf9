namespace Cairn.Metadata;

/// <summary>
/// What <see cref="IObjectCatalog.PruneJournalAsync"/> may delete of each bucket's change journal.
/// An entry goes only once every reader that may still ask for it has moved past it: the archive
/// (when on), the bucket's tree and its lifecycle progress (when the bucket has them), and the
/// retention.
/// </summary>
/// <param name="UntilArchived">
/// Journal archiving is on: only entries whose archive upload is confirmed go
/// (<see cref="IJournalArchiveCatalog.SaveJournalArchivedAsync"/>; a bucket with none confirmed keeps all).
/// </param>
/// <param name="Retention">How long after its commit an entry is kept at least (zero: as soon as every reader allows).</param>
/// <param name="BatchEntries">Most entries one transaction deletes, so a large backlog is never one large transaction.</param>
public sealed record JournalPruning(bool UntilArchived, TimeSpan Retention, int BatchEntries = JournalPruning.DefaultBatchEntries)
{
    /// <summary>The default of <see cref="BatchEntries"/>.</summary>
    public const int DefaultBatchEntries = 5_000;
}
