namespace Cairn.Bench.Load.Runner;

/// <summary>
/// What one closed-loop worker owns, so that the hot path shares nothing but the request counter:
/// its seeded random source, a buffer to read bodies into, its latency histogram and its tallies.
/// </summary>
internal sealed class WorkerState(int index, int bufferSize)
{
    public int Index { get; } = index;

    /// <summary>Seeded by the worker's index: the same run makes the same choices per worker.</summary>
    public Random Random { get; } = new(20_250_101 + index);

    public byte[] Buffer { get; } = new byte[bufferSize];

    public LatencyHistogram Latencies { get; } = new();

    public long Succeeded { get; set; }

    public long Errors { get; set; }

    public long Bytes { get; set; }
}
