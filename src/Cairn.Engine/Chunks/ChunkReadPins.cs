using System.Collections.Concurrent;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Chunks;

/// <summary>
/// Chunks that downloads in this process are streaming. The grace period covers ordinary readers;
/// a pin covers a download that outlasts it (a slow client on a large object): the sweeper
/// postpones deleting a pinned chunk (invariant 5).
/// </summary>
public sealed class ChunkReadPins
{
    private readonly ConcurrentDictionary<ContentHash, int> _counts = new();

    /// <summary>Pins every chunk of a body until the returned handle is disposed.</summary>
    public Lease Pin(IReadOnlyList<ChunkRef> chunks)
    {
        foreach (var chunk in chunks)
        {
            _counts.AddOrUpdate(chunk.Hash, 1, static (_, count) => count + 1);
        }
        return new Lease(this, chunks);
    }

    /// <summary>True while some download holds the chunk.</summary>
    public bool IsPinned(ContentHash hash) => _counts.ContainsKey(hash);

    private void Unpin(IReadOnlyList<ChunkRef> chunks)
    {
        foreach (var chunk in chunks)
        {
            while (_counts.TryGetValue(chunk.Hash, out var count))
            {
                if (count == 1 ? _counts.TryRemove(new KeyValuePair<ContentHash, int>(chunk.Hash, 1)) : _counts.TryUpdate(chunk.Hash, count - 1, count))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Releases the pins of one download.</summary>
    public readonly struct Lease(ChunkReadPins owner, IReadOnlyList<ChunkRef> chunks) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => owner?.Unpin(chunks);
    }
}
