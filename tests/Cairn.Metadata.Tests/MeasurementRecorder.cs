using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cairn.Metadata.Tests;

/// <summary>
/// A meter factory whose meters carry it as their scope, and a listener that keeps every measurement
/// of those meters by instrument name (other factories' meters in the test run are ignored).
/// </summary>
internal sealed class MeasurementRecorder : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _values = new(StringComparer.Ordinal);
    private readonly List<Meter> _meters = [];

    public MeasurementRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument, value));
        _listener.Start();
    }

    /// <summary>Every value recorded by the instrument <paramref name="name"/> so far, in order.</summary>
    public IReadOnlyList<double> Values(string name) => _values.TryGetValue(name, out var values) ? [.. values] : [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }
        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }

    private void Add(Instrument instrument, double value) => _values.GetOrAdd(instrument.Name, static _ => new()).Enqueue(value);
}
