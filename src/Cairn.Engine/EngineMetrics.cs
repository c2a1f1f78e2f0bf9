using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Cairn.Core;
using Cairn.Engine.Workers;
using Cairn.Metadata;

namespace Cairn.Engine;

/// <summary>
/// Engine metrics: worker steps by worker and outcome, the delete queue (depth, age of the oldest due
/// entry, blobs deleted), chunk bytes written before and after compression, and which node holds each worker's lease. The gauges never query anything
/// when read: the sweeper refreshes the delete-queue numbers after each sweep (so only a node that
/// runs the sweeper reports them), and the lease code reports through <see cref="LeaseHeld"/>. The
/// age of the oldest due entry is computed when read, from the earliest NotBefore the last sweep saw:
/// between sweeps it grows, and a sweeper that stopped making progress shows as an age that keeps growing.
/// </summary>
public sealed class EngineMetrics
{
    /// <summary>Meter name, for exporters.</summary>
    public const string MeterName = "Cairn.Engine";

    private readonly Counter<long> _workerRuns;
    private readonly Counter<long> _blobsDeleted;
    private readonly Counter<long> _chunkBytes;
    private readonly Counter<long> _chunkStoredBytes;
    private readonly Counter<long> _compactions;
    private readonly Counter<long> _compactedBytes;
    private readonly Counter<long> _packsRetired;
    private readonly Counter<long> _segmentStoreFull;
    private readonly ObservableGauge<long> _deleteQueueDepth;
    private readonly ObservableGauge<double> _deleteQueueAge;
    private readonly ConcurrentDictionary<(string Worker, string Node), int> _leases = new();
    private readonly TimeProvider _time;
    private StrongBox<DeleteQueueStats>? _deleteQueue;
    private StrongBox<PackStats>? _packs;
    private readonly ObservableGauge<long> _packCount;
    private readonly Counter<long> _lifecycleActions;
    private readonly Counter<long> _tierBytes;
    private readonly Counter<long> _archiveSegments;
    private readonly Counter<long> _archiveEntries;
    private readonly Counter<long> _archiveSnapshots;
    private readonly Counter<long> _journalPruned;
    private long _archiveLagEntries = -1;
    private double _archiveLagSeconds = -1;
    private readonly Counter<long> _lifecycleEvaluated;
    private long _lifecycleDue = -1;
    private readonly Counter<long> _inventoryReports;
    private readonly Counter<long> _inventoryRows;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>; <paramref name="time"/> dates the gauge reads.</summary>
    public EngineMetrics(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time ?? TimeProvider.System;
        var meter = meterFactory.Create(MeterName);
        _workerRuns = meter.CreateCounter<long>("cairn.worker.runs", unit: "{run}",
            description: "Worker steps by worker and outcome (busy, idle, done, failed).");
        _blobsDeleted = meter.CreateCounter<long>("cairn.delete_queue.blobs_deleted", unit: "{blob}",
            description: "Blobs the delete-queue sweeper deleted from the blob store.");
        _chunkBytes = meter.CreateCounter<long>("cairn.chunks.written.bytes", unit: "By",
            description: "Bytes of the chunks written to the blob store, uncompressed, by codec (none, zstd).");
        _chunkStoredBytes = meter.CreateCounter<long>("cairn.chunks.written.stored_bytes", unit: "By",
            description: "Bytes written to the blob store for those chunks, as stored, by codec: stored / uncompressed is the compression ratio.");
        _compactions = meter.CreateCounter<long>("cairn.compaction.runs", unit: "{run}",
            description: "Pack compactions by outcome: swapped, or refused by the verification aggregate (inputs_changed, inputs_reserved, output_not_ready).");
        _compactedBytes = meter.CreateCounter<long>("cairn.compaction.rewritten.bytes", unit: "By",
            description: "Bytes of needed chunks that swapped compactions copied to new packs.");
        _packsRetired = meter.CreateCounter<long>("cairn.compaction.packs_retired", unit: "{pack}",
            description: "Packs the compactor retired: rewritten by a swap, or dead as a whole.");
        _segmentStoreFull = meter.CreateCounter<long>("cairn.segments.full", unit: "{chunk}",
            description: "Small chunks stored as blobs of their own because the local segment store was at Engine:SegmentStoreLimit.");
        _deleteQueueDepth = meter.CreateObservableGauge("cairn.delete_queue.depth", ObserveDepth, unit: "{entry}",
            description: "Entries in the delete queue, due or not, as of the last sweep.");
        _deleteQueueAge = meter.CreateObservableGauge("cairn.delete_queue.oldest_due.age", ObserveAge, unit: "s",
            description: "How long the oldest delete-queue entry left by the last sweep has been due; 0 when none is due.");
        _packCount = meter.CreateObservableGauge("cairn.packs", ObservePackCount, unit: "{pack}",
            description: "Packs by state (open, sealed, stored, retired), as this node's pack worker last counted them.");
        meter.CreateObservableGauge("cairn.packs.live", ObservePackLive, unit: "By",
            description: "Stored bytes of referenced chunks in sealed and stored packs, as last counted.");
        meter.CreateObservableGauge("cairn.packs.dead", ObservePackDead, unit: "By",
            description: "Bytes of sealed and stored packs that no reference needs (compaction reclaims them), as last counted.");
        meter.CreateObservableGauge("cairn.segments.used", ObserveSegments, unit: "By",
            description: "Bytes in this node's local segment store (packs being written or waiting to ship), as last counted.");
        _lifecycleActions = meter.CreateCounter<long>("cairn.lifecycle.actions", unit: "{action}",
            description: "Lifecycle actions by action (expire_current, expire_noncurrent, remove_delete_marker, abort_upload, transition_current, " +
                "transition_noncurrent) and outcome (done; skipped: the object changed or is locked since it was judged; failed: a tier or " +
                "the hot store failed, tried again later).");
        _tierBytes = meter.CreateCounter<long>("cairn.tier.moved.bytes", unit: "By",
            description: "Stored chunk bytes copied to a cold tier by lifecycle transitions that were recorded, by tier.");
        _archiveSegments = meter.CreateCounter<long>("cairn.archive.segments", unit: "{segment}",
            description: "Journal segments uploaded to the archive, by outcome (uploaded; failed: nothing recorded, tried again).");
        _archiveEntries = meter.CreateCounter<long>("cairn.archive.entries", unit: "{entry}", description: "Journal entries archived.");
        _archiveSnapshots = meter.CreateCounter<long>("cairn.archive.snapshots", unit: "{snapshot}",
            description: "Bucket snapshots uploaded to the archive, by outcome (uploaded; failed: taken again next step).");
        _journalPruned = meter.CreateCounter<long>("cairn.journal.pruned_entries", unit: "{entry}",
            description: "Change journal entries deleted once no reader needed them (archived when archiving, folded, judged, past the retention).");
        meter.CreateObservableGauge("cairn.archive.lag.entries", ObserveArchiveLagEntries, unit: "{entry}",
            description: "Journal entries committed and not archived yet, over every bucket, as of the archiver's last step.");
        meter.CreateObservableGauge("cairn.archive.lag.seconds", ObserveArchiveLagSeconds, unit: "s",
            description: "How long the oldest journal entry not archived yet has waited, as of the archiver's last step.");
        _lifecycleEvaluated = meter.CreateCounter<long>("cairn.lifecycle.evaluated", unit: "{key}",
            description: "Keys the lifecycle worker judged, by cause (journal: the key changed; due: its time came; rebuild: a configuration was put).");
        meter.CreateObservableGauge("cairn.lifecycle.due", ObserveLifecycleDue, unit: "{key}",
            description: "Keys whose lifecycle time had come and that the worker had not yet acted on, as of its last step.");
        _inventoryReports = meter.CreateCounter<long>("cairn.inventory.reports", unit: "{report}",
            description: "Inventory reports by format (csv, parquet) and outcome (written, failed).");
        _inventoryRows = meter.CreateCounter<long>("cairn.inventory.rows", unit: "{row}", description: "Rows written in inventory reports.");
        meter.CreateObservableGauge("cairn.worker.lease.held", ObserveLeases, unit: "{lease}",
            description: "1 while the node holds the worker's lease, 0 once it lost or released it.");
    }

    /// <summary>True when a listener reads the delete-queue gauges (otherwise the sweeper need not query them).</summary>
    public bool DeleteQueueGaugesEnabled => _deleteQueueDepth.Enabled || _deleteQueueAge.Enabled;

    /// <summary>A worker finished a step in <paramref name="state"/>.</summary>
    public void WorkerRan(string worker, WorkerState state)
    {
        if (_workerRuns.Enabled)
        {
            _workerRuns.Add(1, new KeyValuePair<string, object?>("worker", worker), new KeyValuePair<string, object?>("outcome", Outcome(state)));
        }
    }

    /// <summary>A worker's step threw.</summary>
    public void WorkerFailed(string worker)
    {
        if (_workerRuns.Enabled)
        {
            _workerRuns.Add(1, new KeyValuePair<string, object?>("worker", worker), new KeyValuePair<string, object?>("outcome", "failed"));
        }
    }

    /// <summary>The sweeper deleted <paramref name="count"/> blobs.</summary>
    public void BlobsDeleted(int count)
    {
        if (count > 0 && _blobsDeleted.Enabled)
        {
            _blobsDeleted.Add(count);
        }
    }

    /// <summary>A chunk of <paramref name="length"/> bytes was written to the blob store as <paramref name="storedLength"/> bytes encoded by <paramref name="codec"/>.</summary>
    public void ChunkWritten(int length, int storedLength, ChunkCodec codec)
    {
        var tag = new KeyValuePair<string, object?>("codec", codec == ChunkCodec.None ? "none" : "zstd");
        _chunkBytes.Add(length, tag);
        _chunkStoredBytes.Add(storedLength, tag);
    }

    /// <summary>A compaction ended with <paramref name="outcome"/>; a swapped one copied <paramref name="bytesRewritten"/> bytes.</summary>
    public void Compacted(PackSwapOutcome outcome, long bytesRewritten)
    {
        _compactions.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            PackSwapOutcome.Swapped => "swapped",
            PackSwapOutcome.InputsChanged => "inputs_changed",
            PackSwapOutcome.InputsReserved => "inputs_reserved",
            _ => "output_not_ready",
        }));
        if (outcome == PackSwapOutcome.Swapped)
        {
            _compactedBytes.Add(bytesRewritten);
        }
    }

    /// <summary>A small chunk bypassed the packs: the local segment store was full.</summary>
    public void SegmentStoreFull() => _segmentStoreFull.Add(1);

    /// <summary>The compactor retired <paramref name="count"/> packs.</summary>
    public void PacksRetired(int count)
    {
        if (count > 0)
        {
            _packsRetired.Add(count);
        }
    }

    /// <summary>True when a listener reads the pack gauges (otherwise the pack worker need not count).</summary>
    public bool PackGaugesEnabled => _packCount.Enabled;

    /// <summary>Packs and the segment store as the pack worker last counted them; read by the gauges until the next call.</summary>
    public void PacksObserved(PackStats stats) => Volatile.Write(ref _packs, new StrongBox<PackStats>(stats));

    /// <summary>The delete queue as the sweeper last saw it; read by the gauges until the next call.</summary>
    public void DeleteQueueObserved(DeleteQueueStats stats) => Volatile.Write(ref _deleteQueue, new StrongBox<DeleteQueueStats>(stats));

    /// <summary>
    /// Sets <c>cairn.worker.lease.held{worker, node}</c>: 1 when <paramref name="node"/> holds
    /// <paramref name="worker"/>'s lease, 0 when it does not (lost, released, or not taken). The code
    /// that acquires and renews leases calls this after every attempt, so each node reports its own
    /// view; summed over nodes, a healthy cluster shows exactly 1 per worker.
    /// </summary>
    public void LeaseHeld(string worker, string node, bool held)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(node);
        _leases[(worker, node)] = held ? 1 : 0;
    }

    /// <summary>The lifecycle worker took <paramref name="action"/> (or found it no longer applied: <paramref name="done"/> false).</summary>
    public void LifecycleActed(LifecycleActionKind? action, bool done) => LifecycleActed(action, done ? "done" : "skipped");

    /// <summary>A lifecycle action (null: an upload abort) ended with <paramref name="outcome"/> (done, skipped or failed).</summary>
    public void LifecycleActed(LifecycleActionKind? action, string outcome)
    {
        _lifecycleActions.Add(1, new KeyValuePair<string, object?>("action", action switch
        {
            LifecycleActionKind.ExpireCurrent => "expire_current",
            LifecycleActionKind.ExpireNoncurrent => "expire_noncurrent",
            LifecycleActionKind.RemoveExpiredDeleteMarker => "remove_delete_marker",
            LifecycleActionKind.TransitionCurrent => "transition_current",
            LifecycleActionKind.TransitionNoncurrent => "transition_noncurrent",
            null => "abort_upload",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        }), new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>A journal segment of <paramref name="entries"/> entries was uploaded and recorded (or failed).</summary>
    public void ArchiveSegment(bool done, int entries)
    {
        _archiveSegments.Add(1, new KeyValuePair<string, object?>("outcome", done ? "uploaded" : "failed"));
        if (done && entries > 0)
        {
            _archiveEntries.Add(entries);
        }
    }

    /// <summary>A bucket snapshot's upload to the archive ended.</summary>
    public void ArchiveSnapshot(bool done) =>
        _archiveSnapshots.Add(1, new KeyValuePair<string, object?>("outcome", done ? "uploaded" : "failed"));

    /// <summary>The journal pruner deleted <paramref name="entries"/> entries.</summary>
    public void JournalPruned(long entries)
    {
        if (entries > 0)
        {
            _journalPruned.Add(entries);
        }
    }

    /// <summary>The archive's lag after a step: entries behind, and the oldest one's wait.</summary>
    public void ArchiveLagObserved(long entries, TimeSpan oldest)
    {
        Volatile.Write(ref _archiveLagEntries, entries);
        Volatile.Write(ref _archiveLagSeconds, oldest.TotalSeconds);
    }

    private IEnumerable<Measurement<long>> ObserveArchiveLagEntries() =>
        Volatile.Read(ref _archiveLagEntries) is var lag and >= 0 ? [new Measurement<long>(lag)] : [];

    private IEnumerable<Measurement<double>> ObserveArchiveLagSeconds() =>
        Volatile.Read(ref _archiveLagSeconds) is var lag and >= 0 ? [new Measurement<double>(lag)] : [];

    /// <summary>A transition to <paramref name="tier"/> was recorded after copying <paramref name="bytes"/> stored bytes there.</summary>
    public void TierBytesMoved(string tier, long bytes)
    {
        if (bytes > 0)
        {
            _tierBytes.Add(bytes, new KeyValuePair<string, object?>("tier", tier));
        }
    }

    /// <summary>The lifecycle worker judged <paramref name="count"/> keys because of <paramref name="cause"/> (journal, due, rebuild).</summary>
    public void LifecycleEvaluated(string cause, int count)
    {
        if (count > 0)
        {
            _lifecycleEvaluated.Add(count, new KeyValuePair<string, object?>("cause", cause));
        }
    }

    /// <summary>An inventory report in <paramref name="format"/> was written with <paramref name="rows"/> rows (or failed: <paramref name="done"/> false).</summary>
    public void InventoryReported(InventoryFormat format, long rows, bool done)
    {
        _inventoryReports.Add(1, new KeyValuePair<string, object?>("format", InventoryFields.FormatName(format).ToLowerInvariant()),
            new KeyValuePair<string, object?>("outcome", done ? "written" : "failed"));
        if (rows > 0)
        {
            _inventoryRows.Add(rows);
        }
    }

    /// <summary>Keys due and not yet acted on, as the lifecycle worker last counted them.</summary>
    public void LifecycleDueObserved(long count) => Volatile.Write(ref _lifecycleDue, count);

    private IEnumerable<Measurement<long>> ObserveLifecycleDue() =>
        Volatile.Read(ref _lifecycleDue) is var due and >= 0 ? [new Measurement<long>(due)] : [];

    private static string Outcome(WorkerState state) => state switch
    {
        WorkerState.Busy => "busy",
        WorkerState.Idle => "idle",
        WorkerState.Done => "done",
        _ => "unknown",
    };

    private IEnumerable<Measurement<long>> ObserveDepth() =>
        Volatile.Read(ref _deleteQueue) is { } queue ? [new Measurement<long>(queue.Value.Pending)] : [];

    private IEnumerable<Measurement<double>> ObserveAge() =>
        Volatile.Read(ref _deleteQueue) is { } queue ? [new Measurement<double>(queue.Value.OldestDueAge(_time.GetUtcNow()).TotalSeconds)] : [];

    private IEnumerable<Measurement<long>> ObservePackCount() =>
        Volatile.Read(ref _packs) is { } packs
            ?
            [
                new Measurement<long>(packs.Value.Open, new KeyValuePair<string, object?>("state", "open")),
                new Measurement<long>(packs.Value.Sealed, new KeyValuePair<string, object?>("state", "sealed")),
                new Measurement<long>(packs.Value.Stored, new KeyValuePair<string, object?>("state", "stored")),
                new Measurement<long>(packs.Value.Retired, new KeyValuePair<string, object?>("state", "retired")),
            ]
            : [];

    private IEnumerable<Measurement<long>> ObservePackLive() =>
        Volatile.Read(ref _packs) is { } packs ? [new Measurement<long>(packs.Value.LiveBytes)] : [];

    private IEnumerable<Measurement<long>> ObservePackDead() =>
        Volatile.Read(ref _packs) is { } packs ? [new Measurement<long>(packs.Value.DeadBytes)] : [];

    private IEnumerable<Measurement<long>> ObserveSegments() =>
        Volatile.Read(ref _packs) is { } packs ? [new Measurement<long>(packs.Value.SegmentBytes)] : [];

    private List<Measurement<int>> ObserveLeases()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var ((worker, node), held) in _leases)
        {
            measurements.Add(new Measurement<int>(held, new KeyValuePair<string, object?>("worker", worker), new KeyValuePair<string, object?>("node", node)));
        }
        return measurements;
    }
}

/// <summary>What the pack gauges show: packs by state, live and dead bytes of sealed and stored packs, and the local segment store's use.</summary>
public readonly record struct PackStats(long Open, long Sealed, long Stored, long Retired, long LiveBytes, long DeadBytes, long SegmentBytes);
