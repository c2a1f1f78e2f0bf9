using Cairn.Core;

namespace Cairn.Engine.Chunks;

/// <summary>
/// A chunk that committed metadata references is missing, short or corrupt (invariant 3: a hard
/// error, never a short body). The message names the chunk address for the operator.
/// </summary>
public sealed class ChunkIntegrityException(ContentHash hash, string blobName, string problem, Exception? inner = null)
    : Exception($"Chunk {hash} (blob '{blobName}') {problem}.", inner)
{
    /// <summary>The chunk's address.</summary>
    public ContentHash Hash { get; } = hash;

    /// <summary>The blob that should hold it.</summary>
    public string BlobName { get; } = blobName;
}
