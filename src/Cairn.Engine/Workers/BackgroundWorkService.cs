using Cairn.Engine.Packs;
using Cairn.Metadata;

namespace Cairn.Engine.Workers;

/// <summary>One background worker as this node runs it: its name, whether this node holds its lease, and what its last step said.</summary>
public sealed record WorkerReport(string Name, bool HeldHere, string Status);

/// <summary>A worker's lease as the catalog records it: who holds it, until when by the database's clock, and whether that is still ahead.</summary>
public sealed record LeaseReport(string Name, string Holder, DateTimeOffset ExpiresAt, bool Held);

/// <summary>The packs by state, the chunk bytes of those sealed or stored, and of those the bytes no reference needs (what compaction would win back).</summary>
public sealed record PackReport(int Open, int Sealed, int Stored, int Retired, long DataBytes, long DeadBytes);

/// <summary>A bucket under a lifecycle configuration: the journal number its worker has judged up to, and when the configuration was set.</summary>
public sealed record LifecycleBucketReport(string Bucket, long JudgedUpToSeq, DateTimeOffset ConfiguredAt);

/// <summary>A bucket whose tree is behind its journal: the journal's last number and the latest commit's (null: no commit yet).</summary>
public sealed record TreeLagReport(string Bucket, long JournalSeq, long? CommittedSeq);

/// <summary>
/// What the background work of all nodes sharing the catalog has before it, read in one go for the
/// console and the admin API: the leases (which node runs each worker), the delete queue, packs and
/// compaction, the lifecycle, and the buckets whose tree the committer has not folded up to now (the
/// first <see cref="BackgroundWorkService.MaxTreesBehind"/> by name; <see cref="MoreTreesBehind"/> says whether there are others).
/// </summary>
public sealed record BackgroundWorkReport(
    string Node,
    DateTimeOffset DatabaseNow,
    IReadOnlyList<WorkerReport> Workers,
    IReadOnlyList<LeaseReport> Leases,
    int DeletesPending,
    DateTimeOffset? OldestDeleteDue,
    PackReport Packs,
    IReadOnlyList<LifecycleBucketReport> Lifecycle,
    long LifecycleKeysDue,
    IReadOnlyList<TreeLagReport> TreesBehind,
    bool MoreTreesBehind);

/// <summary>Reads the <see cref="BackgroundWorkReport"/>: catalog reads only, nothing changed.</summary>
public sealed class BackgroundWorkService(IEnumerable<IWorker> workers, ILeaseStore leases, IDeleteQueue deleteQueue, IPackCatalog packs,
    ILifecycleCatalog lifecycle, IBucketTreeCatalog trees, EngineOptions options)
{
    /// <summary>Buckets listed as behind at most: a report to read, not a work list.</summary>
    public const int MaxTreesBehind = 100;

    /// <summary>Reads the report now.</summary>
    public async Task<BackgroundWorkReport> ReadAsync(CancellationToken cancellationToken)
    {
        var leaseListing = await leases.ListLeasesAsync(cancellationToken).ConfigureAwait(false);
        var leaseReports = leaseListing.Leases
            .OrderBy(lease => lease.Name, StringComparer.Ordinal)
            .Select(lease => new LeaseReport(lease.Name, lease.Holder, lease.ExpiresAt, lease.ExpiresAt > leaseListing.DatabaseNow))
            .ToList();
        var heldHere = leaseReports.Where(lease => lease.Held && lease.Holder == options.NodeId).Select(lease => lease.Name).ToHashSet(StringComparer.Ordinal);
        var workerReports = workers
            .Select(worker => new WorkerReport(worker.Name, heldHere.Contains(worker.Name), worker.Status))
            .OrderBy(worker => worker.Name, StringComparer.Ordinal)
            .ToList();

        var deletes = await deleteQueue.GetDeleteQueueStatsAsync(cancellationToken).ConfigureAwait(false);

        int open = 0, sealedPacks = 0, stored = 0, retired = 0;
        long dataBytes = 0, deadBytes = 0;
        foreach (var pack in await packs.ListPacksAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (pack.State)
            {
                case PackState.Open:
                    open++;
                    continue;
                case PackState.Sealed:
                    sealedPacks++;
                    break;
                case PackState.Stored:
                    stored++;
                    break;
                case PackState.Retired:
                    retired++;
                    continue;
                default:
                    throw new InvalidOperationException($"Pack {pack.Id} is in a state this report does not know: {pack.State}.");
            }
            dataBytes += pack.DataLength;
            deadBytes += pack.DeadBytes(PackFormat.RecordHeaderSize);
        }

        var lifecycleReports = (await lifecycle.ListLifecycleProgressAsync(cancellationToken).ConfigureAwait(false))
            .OrderBy(progress => progress.Bucket, StringComparer.Ordinal)
            .Select(progress => new LifecycleBucketReport(progress.Bucket, progress.JournalSeq, progress.ConfiguredAt))
            .ToList();
        var due = await lifecycle.CountLifecycleDueAsync(leaseListing.DatabaseNow, cancellationToken).ConfigureAwait(false);

        // One more than shown: whether the list goes on.
        var lagging = await trees.ListTreesBehindAsync(MaxTreesBehind + 1, cancellationToken).ConfigureAwait(false);
        var behind = lagging
            .OrderBy(lag => lag.Bucket, StringComparer.Ordinal)
            .Take(MaxTreesBehind)
            .Select(lag => new TreeLagReport(lag.Bucket, lag.JournalSeq, lag.Head?.Seq))
            .ToList();

        return new BackgroundWorkReport(options.NodeId, leaseListing.DatabaseNow, workerReports, leaseReports, deletes.Pending,
            deletes.OldestNotBefore, new PackReport(open, sealedPacks, stored, retired, dataBytes, deadBytes), lifecycleReports, due, behind,
            lagging.Count > MaxTreesBehind);
    }
}
