using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cairn.TestSupport;

/// <summary>
/// A meter factory whose meters carry it as their scope, and a listener that keeps every measurement
/// of those meters (other factories' meters in the test run are ignored). Observable instruments are
/// read by <see cref="Collect"/>.
/// </summary>
public sealed class MeasurementRecorder : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string Tags)> _measurements = new();
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
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>
    /// The values <paramref name="instrument"/> recorded so far, in order; with <paramref name="tags"/>
    /// ("key=value,key=value" in the order recorded) only those measurements.
    /// </summary>
    public IReadOnlyList<double> Values(string instrument, string? tags = null)
    {
        var values = new List<double>();
        foreach (var measurement in _measurements)
        {
            if (measurement.Instrument == instrument && (tags is null || measurement.Tags == tags))
            {
                values.Add(measurement.Value);
            }
        }
        return values;
    }

    /// <summary>Reads the observable instruments once (their values join <see cref="Values"/>).</summary>
    public void Collect() => _listener.RecordObservableInstruments();

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

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new List<string>(tags.Length);
        foreach (var (key, tagValue) in tags)
        {
            text.Add(key + "=" + tagValue);
        }
        _measurements.Enqueue((instrument.Name, value, string.Join(',', text)));
    }
}
