using Cairn.Storage;

namespace Cairn.TestSupport;

/// <summary>
/// A fault rule for one <see cref="BlobOperation"/> of a <see cref="FlakyBlobBackend"/>. A call fails
/// when it is the <see cref="FailOnCall"/>-th call since the rule was set, when it is one of the first
/// <see cref="FailFirstCalls"/> calls, or when the seeded random draw falls under
/// <see cref="FailureRate"/>; every call first waits <see cref="Delay"/>.
/// </summary>
public sealed record BlobFault
{
    /// <summary>1-based ordinal of the one call to fail, counted from when the rule is set; null for none.</summary>
    public int? FailOnCall { get; init; }

    /// <summary>How many calls to fail from when the rule is set, before later calls go through (0 for none).</summary>
    public int FailFirstCalls { get; init; }

    /// <summary>Fraction of calls to fail, from 0 (none) to 1 (all), drawn from the backend's seeded random.</summary>
    public double FailureRate { get; init; }

    /// <summary>Value of <see cref="Cairn.Core.StorageFailureException.IsTransient"/> on the injected failures. Default true.</summary>
    public bool IsTransient { get; init; } = true;

    /// <summary>
    /// When true a failing call first runs against the inner backend and then throws, as when a write
    /// lands but its acknowledgement is lost. Default false: the call fails before reaching the backend.
    /// </summary>
    public bool FailAfterInner { get; init; }

    /// <summary>Wait added before every call of the operation (zero for none), on the backend's clock.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Fails the <paramref name="ordinal"/>-th call (1-based) after the rule is set.</summary>
    public static BlobFault OnCall(int ordinal, bool isTransient = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ordinal, 1);
        return new BlobFault { FailOnCall = ordinal, IsTransient = isTransient };
    }

    /// <summary>Fails the first <paramref name="count"/> calls after the rule is set, then lets calls through.</summary>
    public static BlobFault FirstCalls(int count, bool isTransient = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new BlobFault { FailFirstCalls = count, IsTransient = isTransient };
    }

    /// <summary>Fails a fraction <paramref name="rate"/> of calls.</summary>
    public static BlobFault Rate(double rate, bool isTransient = true)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "A failure rate lies between 0 and 1.");
        }
        return new BlobFault { FailureRate = rate, IsTransient = isTransient };
    }

    /// <summary>Fails every call.</summary>
    public static BlobFault Always(bool isTransient = true) => Rate(1, isTransient);

    /// <summary>Delays every call by <paramref name="delay"/> and never fails.</summary>
    public static BlobFault Slow(TimeSpan delay) => new() { Delay = delay };
}
