using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>
/// A bucket's stored tree blocks, read from their segments by place: a walk starts at a commit,
/// whose place the catalog keeps with its segment (<see cref="OpenAsync"/>), and every block read
/// brings the places of the blocks it links to (its links block, see <see cref="TreeSegmentWriter"/>),
/// so a walk from a commit down never asks the catalog where a block is. Every block read is
/// checked against its CID. Blocks read go into <paramref name="cache"/> (when given) with their
/// links' places, where the committer also puts the blocks it has just written (it reads the upper
/// layers of the tree in every fold). A walk that reads each block once (an export, a proof, a
/// collection's marking) has no use for one.
/// </summary>
/// <remarks>
/// With <c>forgetOnRead</c> a block's place is forgotten once it is read (an export reads each block
/// once): the places held are then those of the blocks still to read along the walk, not of the whole tree.
/// </remarks>
internal sealed class TreeBlockSource(IBucketTreeCatalog trees, IBlobBackend blobs, string bucket, TreeBlockCache? cache = null, bool forgetOnRead = false)
    : IMstBlockSource
{
    private readonly Dictionary<Cid, TreeBlockLocation> _places = [];
    private readonly Dictionary<long, string> _segments = [];

    // MstTree.LoadAsync has up to 32 reads in flight, and each read's continuation learns places and
    // fills the cache: the dictionaries and the cache are touched under this lock, never concurrently
    // (unguarded, concurrent writes lost places and paired a CID with another block's place).
    private readonly Lock _sync = new();

    /// <summary>
    /// A source that can read <paramref name="head"/>'s commit block and, from it, its tree; the
    /// commit's root's place is learned by reading the commit block (<see cref="ReadCommitAsync"/>).
    /// </summary>
    /// <exception cref="TreeCommitCollectedException">The commit's segment is gone (collected).</exception>
    public static async Task<TreeBlockSource> OpenAsync(IBucketTreeCatalog trees, IBlobBackend blobs, TreeHead head, TreeBlockCache? cache,
        CancellationToken cancellationToken, bool forgetOnRead = false)
    {
        var segment = await trees.GetTreeSegmentAsync(head.Bucket, head.Seq, cancellationToken).ConfigureAwait(false)
            ?? throw new TreeCommitCollectedException(head.Bucket, head.Seq);
        var source = new TreeBlockSource(trees, blobs, head.Bucket, cache, forgetOnRead);
        source._segments[segment.Seq] = segment.Name;
        source._places[head.Commit] = segment.Commit;
        return source;
    }

    /// <summary>Reads the commit block this source was opened at (learning its root's place).</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadCommitAsync(TreeHead head, CancellationToken cancellationToken) =>
        GetBlockAsync(head.Commit, cancellationToken);

    /// <summary>Where <paramref name="cid"/> is stored, when a block read so far links to it; else null.</summary>
    public TreeBlockLocation? PlaceOf(Cid cid)
    {
        lock (_sync)
        {
            return _places.TryGetValue(cid, out var place) ? place : null;
        }
    }

    /// <inheritdoc />
    /// <remarks>Safe for concurrent calls (a tree's load has several reads in flight).</remarks>
    public async ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken)
    {
        TreeBlockLocation? place;
        lock (_sync)
        {
            place = _places.TryGetValue(cid, out var known) ? known : null;
            if (forgetOnRead)
            {
                _places.Remove(cid);
            }
            if (cache is not null && cache.TryGet(bucket, cid, out var cached))
            {
                LearnLocked(cached.Links);
                return cached.Block;
            }
        }
        if (place is not { } at)
        {
            throw new InvalidDataException($"Bucket '{bucket}': no block read so far links to {cid}, so its place is not known.");
        }
        var (block, links) = await ReadAsync(cid, at, cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            cache?.Remember(bucket, cid, block, links);
            LearnLocked(links);
        }
        return block;
    }

    /// <summary>Reads the block at <paramref name="place"/>, checks it against <paramref name="cid"/>, and pairs its links with their places.</summary>
    public async Task<(byte[] Block, TreePlacedLink[] Links)> ReadAsync(Cid cid, TreeBlockLocation place, CancellationToken cancellationToken)
    {
        var segment = await SegmentNameAsync(place.Seq, cancellationToken).ConfigureAwait(false);
        var linksStart = place.Length + (place.LinksLength == 0 ? 0 : TreeSegmentWriter.LinksGap(place.LinksLength));
        var bytes = new byte[linksStart + place.LinksLength];
        var total = 0;
        while (total < bytes.Length)
        {
            var read = await blobs.ReadAsync(segment, place.Offset + total, bytes.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException($"Segment {segment} ends before block {cid} ({place.Offset}+{bytes.Length}).");
            }
            total += read;
        }
        var block = bytes.AsSpan(0, place.Length).ToArray();
        if (!cid.Matches(block))
        {
            throw new InvalidDataException($"Segment {segment}: the bytes at {place.Offset} are not block {cid}.");
        }
        if (place.LinksLength == 0)
        {
            return (block, []);
        }
        var places = TreeLinks.Decode(bytes.AsMemory(linksStart));
        var linked = DagCbor.ReadLinks(block);
        if (places.Length != linked.Count)
        {
            throw new InvalidDataException($"Segment {segment}: block {cid} has {linked.Count} links, its links block {places.Length} places.");
        }
        var links = new List<TreePlacedLink>(linked.Count);
        for (var i = 0; i < linked.Count; i++)
        {
            if (places[i] is { } linkPlace)
            {
                links.Add(new TreePlacedLink(linked[i], linkPlace));
            }
        }
        return (block, links.ToArray());
    }

    /// <summary>Takes the places of a block's links (read, or written by the caller).</summary>
    public void Learn(IEnumerable<TreePlacedLink> links)
    {
        lock (_sync)
        {
            LearnLocked(links);
        }
    }

    private void LearnLocked(IEnumerable<TreePlacedLink> links)
    {
        foreach (var link in links)
        {
            _places[link.Cid] = link.Place;
        }
    }

    private async ValueTask<string> SegmentNameAsync(long seq, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_segments.TryGetValue(seq, out var name))
            {
                return name;
            }
        }
        var segment = await trees.GetTreeSegmentAsync(bucket, seq, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Bucket '{bucket}' has no segment of commit {seq}: its tree cannot be read.");
        lock (_sync)
        {
            _segments[seq] = segment.Name;
        }
        return segment.Name;
    }
}

/// <summary>A link of a stored block and the place of the block it links to.</summary>
internal readonly record struct TreePlacedLink(Cid Cid, TreeBlockLocation Place);

/// <summary>
/// Blocks by bucket and CID, with their links' places, at most <paramref name="capacityBytes"/> of
/// them, emptied whole when full. Keyed by bucket too: places name a bucket's segments, so a block
/// two buckets share has a place in each. Not thread-safe: one user at a time (the committer's folds take turns).
/// </summary>
internal sealed class TreeBlockCache(long capacityBytes)
{
    private readonly Dictionary<(string Bucket, Cid Cid), (byte[] Block, TreePlacedLink[] Links)> _blocks = [];
    private long _bytes;

    public bool TryGet(string bucket, Cid cid, out (byte[] Block, TreePlacedLink[] Links) entry) => _blocks.TryGetValue((bucket, cid), out entry);

    /// <summary>
    /// Keeps <paramref name="block"/> for later reads, dropping everything once the cache is full. A
    /// block remembered again takes its latest place's links (the places the bucket's tree uses now).
    /// </summary>
    public void Remember(string bucket, Cid cid, byte[] block, TreePlacedLink[] links)
    {
        var size = block.Length + links.Length * 64L;
        if (_bytes + size > capacityBytes)
        {
            _blocks.Clear();
            _bytes = 0;
        }
        if (!_blocks.ContainsKey((bucket, cid)))
        {
            _bytes += size;
        }
        _blocks[(bucket, cid)] = (block, links);
    }

    /// <summary>Forgets the bucket's blocks (its tree moved on without this process: their places may be gone).</summary>
    public void Forget(string bucket)
    {
        foreach (var key in _blocks.Keys.Where(key => key.Bucket == bucket).ToList())
        {
            var (block, links) = _blocks[key];
            _bytes -= block.Length + links.Length * 64L;
            _blocks.Remove(key);
        }
    }
}
