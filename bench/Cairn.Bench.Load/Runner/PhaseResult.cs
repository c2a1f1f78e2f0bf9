namespace Cairn.Bench.Load.Runner;

/// <summary>
/// The tallies of one phase: successful requests (their latencies only), failed ones, body bytes, the
/// wall time until the last worker stopped and the CPU time this process spent meanwhile.
/// </summary>
internal sealed record PhaseResult(long Succeeded, long Errors, long Bytes, TimeSpan Elapsed, LatencyHistogram Latencies, TimeSpan ClientCpu)
{
    public long Requests => Succeeded + Errors;

    /// <summary>Client CPU as a percentage of one core over the phase (200 = both cores of a 2-core machine).</summary>
    public double ClientCpuPercent => Elapsed > TimeSpan.Zero ? 100 * ClientCpu / Elapsed : 0;

    /// <summary>CPU time the server process (<c>--server-pid</c>) spent over the phase; null when not asked.</summary>
    public TimeSpan? ServerCpu { get; init; }
}
