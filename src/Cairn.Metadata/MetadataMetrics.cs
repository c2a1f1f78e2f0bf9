using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cairn.Metadata;

/// <summary>
/// Catalog metrics: how long write transactions take to commit, how many writes a group commit
/// carries, how long a write's caller waits, writes retried after a conflict, and how many requests
/// each coalesced statement answers. Handed to a
/// <see cref="SqlMetadataStore"/> through <see cref="SqlMetadataStore.Metrics"/>.
/// </summary>
public sealed class MetadataMetrics
{
    /// <summary>Meter name, for exporters.</summary>
    public const string MeterName = "Cairn.Metadata";

    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _groupSize;
    private readonly Histogram<double> _writeDuration;
    private readonly Counter<long> _writeRetries;
    private readonly Histogram<int> _coalescedBatchSize;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public MetadataMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _commitDuration = meter.CreateHistogram<double>("cairn.metadata.commit.duration", unit: "s",
            description: "Duration of committed catalog write transactions, from BEGIN to the end of COMMIT (its fsync included).");
        _groupSize = meter.CreateHistogram<int>("cairn.metadata.commit.group_size", unit: "{write}",
            description: "Writes carried by one group-commit transaction.");
        _writeDuration = meter.CreateHistogram<double>("cairn.metadata.write.duration", unit: "s",
            description: "Time from a catalog write's call to its result, queueing for a group commit included; failed writes are not recorded.");
        _writeRetries = meter.CreateCounter<long>("cairn.metadata.write.retries", unit: "{retry}",
            description: "Write transactions run again after a transient conflict with another writer.");
        _coalescedBatchSize = meter.CreateHistogram<int>("cairn.metadata.coalesced.batch_size", unit: "{request}",
            description: "Requests answered by one coalesced statement, by kind: object_lookup, bucket_lookup, create.");
    }

    /// <summary>A write transaction committed; <paramref name="startTimestamp"/> is from <see cref="Stopwatch.GetTimestamp"/> before BEGIN.</summary>
    public void TransactionCommitted(long startTimestamp)
    {
        if (_commitDuration.Enabled)
        {
            _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    /// <summary>A group of <paramref name="writes"/> writes committed in one transaction.</summary>
    public void GroupCommitted(int writes)
    {
        if (_groupSize.Enabled)
        {
            _groupSize.Record(writes);
        }
    }

    /// <summary>
    /// A write returned its result (its changes committed, or rolled back because it asked so);
    /// <paramref name="startTimestamp"/> is from <see cref="Stopwatch.GetTimestamp"/> when the caller asked.
    /// </summary>
    public void WriteAnswered(long startTimestamp)
    {
        if (_writeDuration.Enabled)
        {
            _writeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    /// <summary>One coalesced statement of <paramref name="kind"/> answers <paramref name="requests"/> requests.</summary>
    public void BatchCoalesced(string kind, int requests)
    {
        if (_coalescedBatchSize.Enabled)
        {
            _coalescedBatchSize.Record(requests, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    /// <summary>A write is run again after a transient conflict.</summary>
    public void WriteRetried()
    {
        if (_writeRetries.Enabled)
        {
            _writeRetries.Add(1);
        }
    }
}
