using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cairn.Storage;

/// <summary>
/// Blob-store metrics: calls by operation and their duration, failures by kind (recorded by
/// <see cref="MeteredBlobBackend"/>), and the counters the decorators already keep, read when
/// scraped: retries (<see cref="RetryingBlobBackend"/>) and upstream requests
/// (<see cref="CountingBlobBackend"/>), for the backend handed to <see cref="Observe"/>.
/// </summary>
public sealed class StorageMetrics
{
    /// <summary>Meter name, for exporters.</summary>
    public const string MeterName = "Cairn.Storage";

    /// <summary><c>error.type</c> of a failure that retrying may cure (throttling, timeouts, resets).</summary>
    public const string Transient = "transient";

    /// <summary><c>error.type</c> of any other failure (denied, bad request, corrupt data).</summary>
    public const string Permanent = "permanent";

    /// <summary><c>error.type</c> of a blob that should exist and does not.</summary>
    public const string NotFound = "not_found";

    private static readonly BlobOperation[] Operations = Enum.GetValues<BlobOperation>();

    // Tag values made once: no string is built per call.
    private static readonly string[] OperationNames = Array.ConvertAll(Operations, static operation => operation.ToString());

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private RetryingBlobBackend? _retrying;
    private CountingBlobBackend? _counting;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public StorageMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("cairn.storage.blob.request.duration", unit: "s",
            description: "Duration of blob-store calls, retries included; the count is the number of calls.");
        _errors = meter.CreateCounter<long>("cairn.storage.blob.errors", unit: "{error}",
            description: "Blob-store calls that failed (after retries), by kind: transient, permanent, not_found.");
        meter.CreateObservableCounter("cairn.storage.blob.retries", ObserveRetries, unit: "{retry}",
            description: "Blob-store calls attempted again after a transient failure.");
        meter.CreateObservableCounter("cairn.storage.upstream.requests", ObserveUpstreamRequests, unit: "{request}",
            description: "Requests sent to an upstream object store (gateway mode), every retry included.");
    }

    /// <summary>
    /// Reads the retry and request counters of the decorators in <paramref name="backend"/>'s chain
    /// (the first <see cref="RetryingBlobBackend"/> and <see cref="CountingBlobBackend"/> found, on the hot side of
    /// a <see cref="TieredBlobBackend"/>).
    /// </summary>
    public void Observe(IBlobBackend backend)
    {
        // Through a TieredBlobBackend to its hot store: the gateway's counters stay what they were
        // before tiers; a tier's own decorators are not read.
        for (var layer = backend; layer is not null; layer = (layer as DelegatingBlobBackend)?.Inner ?? (layer as TieredBlobBackend)?.Hot)
        {
            if (layer is RetryingBlobBackend retrying)
            {
                Volatile.Write(ref _retrying, _retrying ?? retrying);
            }
            if (layer is CountingBlobBackend counting)
            {
                Volatile.Write(ref _counting, _counting ?? counting);
            }
        }
    }

    /// <summary>A call finished, well or not; <paramref name="startTimestamp"/> is from <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void CallCompleted(BlobOperation operation, long startTimestamp)
    {
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("blob.operation", OperationNames[(int)operation]));
        }
    }

    /// <summary>A call failed with <paramref name="exception"/>; the caller's own cancellation is not a failure.</summary>
    public void CallFailed(BlobOperation operation, Exception exception)
    {
        if (!_errors.Enabled || exception is OperationCanceledException)
        {
            return;
        }
        var kind = exception switch
        {
            BlobNotFoundException => NotFound,
            BlobBackendException { IsTransient: true } => Transient,
            _ => Permanent,
        };
        _errors.Add(1, new KeyValuePair<string, object?>("blob.operation", OperationNames[(int)operation]),
            new KeyValuePair<string, object?>("error.type", kind));
    }

    private IEnumerable<Measurement<long>> ObserveRetries() =>
        Volatile.Read(ref _retrying) is { } retrying ? PerOperation(retrying.Retries) : [];

    private IEnumerable<Measurement<long>> ObserveUpstreamRequests() =>
        Volatile.Read(ref _counting) is { } counting ? PerOperation(counting.Count) : [];

    /// <summary>One measurement per operation that has a count (once per scrape, not per call).</summary>
    private static List<Measurement<long>> PerOperation(Func<BlobOperation, long> count)
    {
        var measurements = new List<Measurement<long>>(Operations.Length);
        foreach (var operation in Operations)
        {
            var value = count(operation);
            if (value > 0)
            {
                measurements.Add(new Measurement<long>(value, new KeyValuePair<string, object?>("blob.operation", OperationNames[(int)operation])));
            }
        }
        return measurements;
    }
}
