using System.Diagnostics.Metrics;
using Cairn.S3.Routing;

namespace Cairn.S3;

/// <summary>
/// Front-end metrics: request duration by operation and status (its count is the request count),
/// request and response body bytes by operation, errors by code.
/// </summary>
public sealed class S3Metrics
{
    /// <summary>Meter name, for exporters.</summary>
    public const string MeterName = "Cairn.S3";

    // Tag values made once: no string is built per request.
    private static readonly string[] OperationNames = Array.ConvertAll(Enum.GetValues<S3Operation>(), static operation => operation.ToString());

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _requestBytes;
    private readonly Counter<long> _responseBytes;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public S3Metrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("s3.server.request.duration", unit: "s", description: "Duration of S3 requests.");
        _errors = meter.CreateCounter<long>("s3.server.errors", description: "S3 error responses by code.");
        _requestBytes = meter.CreateCounter<long>("s3.server.request.body.size", unit: "By",
            description: "Request body bytes received (the Content-Length of each request, aws-chunked framing included).");
        _responseBytes = meter.CreateCounter<long>("s3.server.response.body.size", unit: "By",
            description: "Response body bytes sent (the Content-Length of each response with a body; a response cut short is not counted).");
    }

    /// <summary>
    /// Records one finished request: <paramref name="requestBytes"/> received and
    /// <paramref name="responseBytes"/> sent in the bodies (0 for none).
    /// </summary>
    public void RequestCompleted(S3Operation operation, int statusCode, string? errorCode, TimeSpan elapsed, long requestBytes,
        long responseBytes)
    {
        var operationTag = new KeyValuePair<string, object?>("s3.operation", OperationName(operation));
        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, operationTag, new("http.response.status_code", statusCode));
        }
        if (requestBytes > 0 && _requestBytes.Enabled)
        {
            _requestBytes.Add(requestBytes, operationTag);
        }
        if (responseBytes > 0 && _responseBytes.Enabled)
        {
            _responseBytes.Add(responseBytes, operationTag);
        }
        if (errorCode is not null && _errors.Enabled)
        {
            _errors.Add(1, new KeyValuePair<string, object?>("error.code", errorCode));
        }
    }

    private static string OperationName(S3Operation operation) =>
        (uint)operation < (uint)OperationNames.Length ? OperationNames[(int)operation] : operation.ToString();
}
