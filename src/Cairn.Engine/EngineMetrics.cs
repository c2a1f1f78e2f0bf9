using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
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
    private readonly ObservableGauge<long> _deleteQueueDepth;
    private readonly ObservableGauge<double> _deleteQueueAge;
    private readonly ConcurrentDictionary<(string Worker, string Node), int> _leases = new();
    private readonly TimeProvider _time;
    private StrongBox<DeleteQueueStats>? _deleteQueue;

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
        _deleteQueueDepth = meter.CreateObservableGauge("cairn.delete_queue.depth", ObserveDepth, unit: "{entry}",
            description: "Entries in the delete queue, due or not, as of the last sweep.");
        _deleteQueueAge = meter.CreateObservableGauge("cairn.delete_queue.oldest_due.age", ObserveAge, unit: "s",
            description: "How long the oldest delete-queue entry left by the last sweep has been due; 0 when none is due.");
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
