namespace Cairn.Bench.Load.Runner;

/// <summary>How one request ended: succeeded (a 2xx with the expected body) and how many body bytes moved.</summary>
internal readonly record struct RequestOutcome(bool Succeeded, long Bytes)
{
    public static RequestOutcome Failed => new(false, 0);

    public static RequestOutcome Ok(long bytes) => new(true, bytes);
}

/// <summary>Sends request number <paramref name="sequence"/> of a phase on behalf of <paramref name="worker"/>.</summary>
internal delegate ValueTask<RequestOutcome> SendRequestAsync(WorkerState worker, long sequence, CancellationToken cancellationToken);
