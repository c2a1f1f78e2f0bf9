namespace Cairn.Storage.Tests;

/// <summary>A clock that moves only when told; enough of TimeProvider for Task.Delay.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(DateTimeOffset Due, TimerCallback Callback, object? State)> _timers = [];
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>Timers created and not yet fired: a waiter is registered once this rises.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    public void Advance(TimeSpan by)
    {
        List<(DateTimeOffset Due, TimerCallback Callback, object? State)> due;
        lock (_lock)
        {
            _now += by;
            due = _timers.FindAll(t => t.Due <= _now);
            _timers.RemoveAll(t => t.Due <= _now);
        }
        foreach (var (_, callback, state) in due)
        {
            callback(state);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            _timers.Add((_now + dueTime, callback, state));
        }
        return new NoopTimer();
    }

    private sealed class NoopTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
