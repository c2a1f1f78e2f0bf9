namespace Cairn.Bench.Load;

/// <summary>What each scenario uses when the command line leaves a bound out.</summary>
internal readonly record struct ScenarioDefaults(int Concurrency, long Requests, long Size, int Keys, string RawPath)
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;
    private const long GiB = 1024 * MiB;

    /// <summary>
    /// Request-rate scenarios stop at a million requests or the duration; PUT signs one request
    /// per fresh key before the timed phase, so this is also the size of its signed pool.
    /// </summary>
    private const long RateRequests = 1_000_000;

    public static ScenarioDefaults For(Scenario scenario) => scenario switch
    {
        Scenario.Put => new(16, RateRequests, 4 * KiB, 0, "/upload"),
        Scenario.Get or Scenario.Head => new(16, RateRequests, 4 * KiB, 1000, "/4k"),
        Scenario.Mix => new(16, RateRequests, 4 * KiB, 1000, "/4k"),
        Scenario.PutLarge => new(1, 3, 256 * MiB, 0, "/upload"),
        Scenario.GetLarge => new(1, 3, 256 * MiB, 0, "/bytes/268435456"),
        Scenario.Multipart => new(8, 1, 1 * GiB, 0, "/"),
        Scenario.List => new(1, 3, 0, 100_000, "/"),
        Scenario.ListDelimiter => new(16, RateRequests, 0, 100_000, "/"),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };
}
