namespace Cairn.Storage;

/// <summary>A blob store failure other than a missing blob.</summary>
public sealed class BlobBackendException(string message, bool isTransient, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>True when retrying the same call may succeed (throttling, timeouts, resets).</summary>
    public bool IsTransient { get; } = isTransient;
}
