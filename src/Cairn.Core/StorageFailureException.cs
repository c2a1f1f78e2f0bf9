namespace Cairn.Core;

/// <summary>
/// A failure of a store below the engine, as the layers above it see it: they learn whether retrying
/// may succeed (<see cref="IsTransient"/>, as npgsql's <c>NpgsqlException.IsTransient</c>) without
/// knowing which store failed or how. The S3 front end answers a transient one with 503 SlowDown.
/// </summary>
public abstract class StorageFailureException(string message, bool isTransient, Exception? inner) : Exception(message, inner)
{
    /// <summary>True when retrying the same call may succeed (throttling, timeouts, resets).</summary>
    public bool IsTransient { get; } = isTransient;
}
