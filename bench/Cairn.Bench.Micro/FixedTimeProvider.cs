namespace Cairn.Bench.Micro;

/// <summary>A clock that always says the same time, so signed requests never drift out of the allowed skew.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
