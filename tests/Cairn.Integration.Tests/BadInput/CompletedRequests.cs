using System.Diagnostics.Metrics;
using Cairn.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// Counts requests one server has finished, from its <c>s3.server.request.duration</c> measurements
/// (recorded in the middleware's finally, after the handler and any upload abort). Lets a test wait
/// for the server's side of a request whose connection was cut before any response.
/// </summary>
internal sealed class CompletedRequests : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly SemaphoreSlim _completed = new(0);

    public CompletedRequests(CairnServer server)
    {
        // Meters from a server's IMeterFactory carry that factory as their scope: other servers in the run are ignored.
        var factory = server.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == S3Metrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)
                && instrument.Name == "s3.server.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => _completed.Release());
        _listener.Start();
    }

    /// <summary>Waits until the server has finished one more request since this probe started.</summary>
    public async Task WaitForOneAsync()
    {
        Assert.True(await _completed.WaitAsync(TimeSpan.FromSeconds(10)), "the server did not finish the request within 10 s");
    }

    public void Dispose()
    {
        _listener.Dispose();
        _completed.Dispose();
    }
}
