using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>
/// A bucket's stored tree blocks, read from their segments: the catalog says where a block is, the
/// blob store holds it. Blocks read go into <paramref name="cache"/>, where a caller also puts the
/// blocks it has just written (the committer reads the upper layers of the tree in every batch).
/// Checking a block against its CID is the reader's business (the tree checks every node it loads).
/// </summary>
internal sealed class TreeBlockSource(IBucketTreeCatalog trees, IBlobBackend blobs, string bucket, TreeBlockCache cache) : IMstBlockSource
{
    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (cache.TryGet(cid, out var cached))
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
        cache.Remember(cid, block);
        return block;
    }
}

/// <summary>
/// Blocks by CID, at most <paramref name="capacityBytes"/> of them, emptied whole when full. A CID
/// names its bytes wherever they are stored, so one cache serves every bucket. Not thread-safe: one
/// user at a time (the committer's folds take turns).
/// </summary>
internal sealed class TreeBlockCache(long capacityBytes)
{
    private readonly Dictionary<Cid, byte[]> _blocks = [];
    private long _bytes;

    public bool TryGet(Cid cid, out byte[] block) => _blocks.TryGetValue(cid, out block!);

    /// <summary>Keeps <paramref name="block"/> for later reads, dropping everything once the cache is full.</summary>
    public void Remember(Cid cid, byte[] block)
    {
        if (_bytes + block.Length > capacityBytes)
        {
            _blocks.Clear();
            _bytes = 0;
        }
        if (_blocks.TryAdd(cid, block))
        {
            _bytes += block.Length;
        }
    }
}
