using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>
/// A bucket's stored tree blocks, read from their segments: the catalog says where a block is, the
/// blob store holds it. Blocks just written or read are kept in a bounded cache (the committer reads
/// the upper layers of the tree in every batch). Checking a block against its CID is the reader's
/// business (the tree checks every node it loads).
/// </summary>
internal sealed class TreeBlockSource(IBucketTreeCatalog trees, IBlobBackend blobs, string bucket, long cacheBytes) : IMstBlockSource
{
    private readonly Dictionary<Cid, byte[]> _cache = [];
    private long _cachedBytes;

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(cid, out var cached))
        {
            return cached;
        }
        var places = await trees.LocateTreeBlocksAsync(bucket, [cid], cancellationToken).ConfigureAwait(false);
        if (!places.TryGetValue(cid, out var place))
        {
            throw new InvalidDataException($"Bucket '{bucket}' has no stored block {cid}: its tree cannot be read.");
        }
        var block = new byte[place.Length];
        var total = 0;
        while (total < block.Length)
        {
            var read = await blobs.ReadAsync(place.Segment, place.Offset + total, block.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException($"Segment {place.Segment} ends before block {cid} ({place.Offset}+{place.Length}).");
            }
            total += read;
        }
        Remember(cid, block);
        return block;
    }

    /// <summary>Keeps <paramref name="block"/> for later reads, dropping everything once the cache is full.</summary>
    public void Remember(Cid cid, byte[] block)
    {
        if (_cachedBytes + block.Length > cacheBytes)
        {
            _cache.Clear();
            _cachedBytes = 0;
        }
        if (_cache.TryAdd(cid, block))
        {
            _cachedBytes += block.Length;
        }
    }
}
