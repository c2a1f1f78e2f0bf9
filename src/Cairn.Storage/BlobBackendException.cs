using Cairn.Core;

namespace Cairn.Storage;

/// <summary>A blob store failure other than a missing blob; <see cref="StorageFailureException.IsTransient"/> says whether a retry may succeed.</summary>
public sealed class BlobBackendException(string message, bool isTransient, Exception? inner = null)
    : StorageFailureException(message, isTransient, inner);
