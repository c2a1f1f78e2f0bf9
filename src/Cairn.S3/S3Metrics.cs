using System.Diagnostics.Metrics;
using Cairn.S3.Routing;

namespace Cairn.S3;

/// <summary>Front-end metrics: request duration by operation and status, errors by code.</summary>
public sealed class S3Metrics
{
    /// <summary>Meter name, for exporters.</summary>
    public const string MeterName = "Cairn.S3";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public S3Metrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("s3.server.request.duration", unit: "s", description: "Duration of S3 requests.");
        _errors = meter.CreateCounter<long>("s3.server.errors", description: "S3 error responses by code.");
    }

    /// <summary>Records one finished request.</summary>
    public void RequestCompleted(S3Operation operation, int statusCode, string? errorCode, TimeSpan elapsed)
    {
        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, new("s3.operation", operation.ToString()), new("http.response.status_code", statusCode));
        }
        if (errorCode is not null && _errors.Enabled)
        {
            _errors.Add(1, new KeyValuePair<string, object?>("error.code", errorCode));
        }
    }
}
