namespace Cairn.TestSupport;

/// <summary>Waiting for a background worker's effect, bounded in time.</summary>
public static class Poll
{
    /// <summary>Reads every 100 ms until <paramref name="done"/> holds or <paramref name="within"/> passed; returns the last value read.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }
}
