namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The system clock plus an offset a test moves forward, so a grace period can be made to elapse
/// without sleeping (and without a slow machine making it elapse early). Small offsets keep SigV4's
/// 15-minute skew check satisfied for clients signing with the real time.
/// </summary>
internal sealed class OffsetTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
