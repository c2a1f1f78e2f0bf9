using System.Numerics;

namespace Cairn.Bench.Load.Runner;

/// <summary>
/// Request durations in a fixed-size log-linear histogram (the HDR idea): exact below 25.6 µs, and
/// within 0.4 % above (each power of two split into 128 buckets, the midpoint reported). Recording
/// is one array increment, memory is 35 KB whatever the request count; one per worker, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Values are TimeSpan ticks (100 ns).</summary>
    private const int ExactBuckets = 256;
    private const int SubBuckets = 128;
    private const int MaxShift = 33; // 2^40 ticks ≈ 30 hours; longer requests land in the last bucket

    private readonly long[] _counts = new long[ExactBuckets + (MaxShift * SubBuckets)];

    public long Count { get; private set; }

    public void Record(TimeSpan duration)
    {
        var ticks = Math.Max(0, duration.Ticks);
        _counts[IndexOf(ticks)]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
    }

    /// <summary>The duration below which <paramref name="percentile"/> % of requests finished; null when empty.</summary>
    public TimeSpan? Percentile(double percentile)
    {
        if (Count == 0)
        {
            return null;
        }
        // The rank of the sample (1-based, nearest-rank method) that the percentile names.
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return TimeSpan.FromTicks(ValueOf(i));
            }
        }
        return TimeSpan.FromTicks(ValueOf(_counts.Length - 1));
    }

    private static int IndexOf(long ticks)
    {
        if (ticks < ExactBuckets)
        {
            return (int)ticks;
        }
        // Keep the top 8 bits: ticks >> shift lies in [128, 255].
        var shift = BitOperations.Log2((ulong)ticks) - 7;
        if (shift > MaxShift)
        {
            return ExactBuckets + (MaxShift * SubBuckets) - 1;
        }
        return ExactBuckets + ((shift - 1) * SubBuckets) + (int)((ticks >> shift) - SubBuckets);
    }

    private static long ValueOf(int index)
    {
        if (index < ExactBuckets)
        {
            return index;
        }
        var shift = ((index - ExactBuckets) / SubBuckets) + 1;
        var mantissa = ((index - ExactBuckets) % SubBuckets) + SubBuckets;
        // The bucket's midpoint: at most half a bucket (1/256) away from any value in it.
        return (mantissa << shift) + (1L << (shift - 1));
    }
}
