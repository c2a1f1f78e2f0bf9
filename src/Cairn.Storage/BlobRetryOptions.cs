namespace Cairn.Storage;

/// <summary>Settings of <see cref="RetryingBlobBackend"/>, bound from section <c>BlobRetry</c>.</summary>
public sealed class BlobRetryOptions
{
    /// <summary>Attempts per call, the first included; 1 turns retries off. Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Upper bound of the first retry's delay; each further retry doubles it. Default 100 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of any one delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentException($"BlobRetry:MaxAttempts must be 1 to 100, not {MaxAttempts}.");
        }
        if (BaseDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero || BaseDelay > MaxDelay)
        {
            throw new ArgumentException($"BlobRetry delays must satisfy 0 <= BaseDelay ({BaseDelay}) <= MaxDelay ({MaxDelay}).");
        }
    }
}
