using System.Buffers.Binary;
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
internal sealed class TreeBlockSource(IBucketTreeCatalog trees, IBlobBackend blobs, string bucket, TreeBlockCache? cache = null, bool forgetOnRead = false,
    Dictionary<Cid, TreeBlockLocation>? places = null) : IMstBlockSource
{
    /// <summary>The places learned so far (in <c>places</c> when given: the committer reuses one, emptied between folds).</summary>
    private readonly Dictionary<Cid, TreeBlockLocation> _places = places ?? [];
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
        CancellationToken cancellationToken, bool forgetOnRead = false, Dictionary<Cid, TreeBlockLocation>? places = null)
    {
        var segment = await trees.GetTreeSegmentAsync(head.Bucket, head.Seq, cancellationToken).ConfigureAwait(false)
            ?? throw new TreeCommitCollectedException(head.Bucket, head.Seq);
        var source = new TreeBlockSource(trees, blobs, head.Bucket, cache, forgetOnRead, places);
        source._segments[segment.Seq] = segment.Name;
        source._places[head.Commit] = segment.Commit;
        return source;
    }

    /// <summary>Reads the commit block this source was opened at (learning its root's place).</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadCommitAsync(TreeHead head, CancellationToken cancellationToken) =>
        GetBlockAsync(head.Commit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// True: a block read from a segment is checked against its CID (<see cref="ReadAsync"/>), a cached
    /// one was checked so or encoded by this process, and segments only ever hold blocks a committer
    /// encoded (an import brings objects into the catalog, never blocks into segments), so a block
    /// that matches its CID is the canonical node. Re-checking each node cost a fold with random keys
    /// about 15 us per node loaded (docs/benchmarks.md).
    /// </remarks>
    public bool ReturnsVerifiedNodes => true;

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
        if (await blobs.ReadFullyAsync(segment, place.Offset, bytes, cancellationToken).ConfigureAwait(false) < bytes.Length)
        {
            throw new InvalidDataException($"Segment {segment} ends before block {cid} ({place.Offset}+{bytes.Length}).");
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
/// Blocks by bucket and CID, with their links' places, in at most <c>capacityBytes</c>: written in
/// turn into a fixed set of slabs (large byte arrays); when the slab being written is full, the next
/// one is emptied, its blocks forgotten, and written again. Keyed by bucket too: places name a
/// bucket's segments, so a block two buckets share has a place in each. A read hands out copies.
/// Not thread-safe: one user at a time (the committer's folds take turns, a source takes its lock).
/// </summary>
/// <remarks>
/// Why slabs and not an object per block: the cache lives as long as the process, so blocks kept as
/// objects of their own (the bytes, the links, each link's CID) all reach the GC's oldest generation
/// and die there when the tree moves on. Under 4 KiB PUTs with the committer folding every second
/// that meant a gen-2 collection every two seconds and twice the time in GC pauses, which cost the
/// PUT rate more than the cache saved the folds (a server with no cache at all PUT 6 % faster, see
/// docs/benchmarks.md). Slabs are allocated once and the index holds no references, so the GC has
/// nothing here to trace.
/// </remarks>
internal sealed class TreeBlockCache
{
    private const int MaxSlabBytes = 1 << 20;

    /// <summary>A link as a slab holds it: the binary CID, then the place's four numbers.</summary>
    private const int LinkBytes = Cid.BinaryLength + 8 + 8 + 4 + 4;

    private readonly int _slabBytes;
    private readonly byte[]?[] _slabs;

    /// <summary>The keys written into each slab (an entry still pointing there is dropped when the slab is written again).</summary>
    private readonly List<BlockKey>[] _slabKeys;

    private readonly Dictionary<BlockKey, Entry> _index = [];
    private readonly Dictionary<string, int> _bucketIds = new(StringComparer.Ordinal);
    private int _slab;
    private int _used;

    public TreeBlockCache(long capacityBytes)
    {
        var slabs = (int)Math.Clamp(capacityBytes / MaxSlabBytes, 2, 4096);
        _slabBytes = (int)Math.Min(MaxSlabBytes, Math.Max(0, capacityBytes) / slabs);
        _slabs = new byte[]?[slabs];
        _slabKeys = new List<BlockKey>[slabs];
        for (var i = 0; i < slabs; i++)
        {
            _slabKeys[i] = [];
        }
    }

    public bool TryGet(string bucket, Cid cid, out (byte[] Block, TreePlacedLink[] Links) entry)
    {
        entry = default;
        if (!_bucketIds.TryGetValue(bucket, out var bucketId) || !_index.TryGetValue(BlockKey.Of(bucketId, cid), out var at))
        {
            return false;
        }
        var slab = _slabs[at.Slab].AsSpan(at.Offset);
        var links = new TreePlacedLink[at.LinkCount];
        var encoded = slab.Slice(at.BlockLength, at.LinkCount * LinkBytes);
        for (var i = 0; i < links.Length; i++)
        {
            var link = encoded.Slice(i * LinkBytes, LinkBytes);
            var place = link[Cid.BinaryLength..];
            links[i] = new TreePlacedLink(Cid.FromBytes(link[..Cid.BinaryLength]), new TreeBlockLocation(
                BinaryPrimitives.ReadInt64LittleEndian(place), BinaryPrimitives.ReadInt64LittleEndian(place[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(place[16..]), BinaryPrimitives.ReadInt32LittleEndian(place[20..])));
        }
        entry = (slab[..at.BlockLength].ToArray(), links);
        return true;
    }

    /// <summary>
    /// Keeps <paramref name="block"/> for later reads (unless it is larger than a slab). A block
    /// remembered again takes its latest place's links (the places the bucket's tree uses now).
    /// </summary>
    public void Remember(string bucket, Cid cid, byte[] block, TreePlacedLink[] links)
    {
        if (!_bucketIds.TryGetValue(bucket, out var bucketId))
        {
            bucketId = _bucketIds.Count;
            _bucketIds[bucket] = bucketId;
        }
        var key = BlockKey.Of(bucketId, cid);
        var size = block.Length + links.Length * LinkBytes;
        if (size > _slabBytes)
        {
            _index.Remove(key); // an older copy's links may name places collected since
            return;
        }
        if (_used + size > _slabBytes)
        {
            _slab = (_slab + 1) % _slabs.Length;
            _used = 0;
            foreach (var old in _slabKeys[_slab])
            {
                if (_index.TryGetValue(old, out var at) && at.Slab == _slab)
                {
                    _index.Remove(old);
                }
            }
            _slabKeys[_slab].Clear();
        }
        var slab = _slabs[_slab] ??= new byte[_slabBytes];
        var destination = slab.AsSpan(_used, size);
        block.CopyTo(destination);
        for (var i = 0; i < links.Length; i++)
        {
            var link = destination.Slice(block.Length + i * LinkBytes, LinkBytes);
            links[i].Cid.WriteBytes(link);
            var place = link[Cid.BinaryLength..];
            BinaryPrimitives.WriteInt64LittleEndian(place, links[i].Place.Seq);
            BinaryPrimitives.WriteInt64LittleEndian(place[8..], links[i].Place.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(place[16..], links[i].Place.Length);
            BinaryPrimitives.WriteInt32LittleEndian(place[20..], links[i].Place.LinksLength);
        }
        _index[key] = new Entry(_slab, _used, block.Length, links.Length);
        _slabKeys[_slab].Add(key);
        _used += size;
    }

    /// <summary>Forgets the bucket's blocks (its tree moved on without this process: their places may be gone).</summary>
    public void Forget(string bucket)
    {
        if (!_bucketIds.TryGetValue(bucket, out var bucketId))
        {
            return;
        }
        foreach (var key in _index.Keys.Where(key => key.Bucket == bucketId).ToList())
        {
            _index.Remove(key);
        }
    }

    /// <summary>Where a kept block is: its slab, its offset there, its length, then its links.</summary>
    private readonly record struct Entry(int Slab, int Offset, int BlockLength, int LinkCount);

    /// <summary>A bucket (numbered here) and a CID's codec and digest: a key without references.</summary>
    private readonly record struct BlockKey(int Bucket, byte Codec, ulong D0, ulong D1, ulong D2, ulong D3)
    {
        public static BlockKey Of(int bucket, Cid cid)
        {
            var digest = cid.Digest;
            return new BlockKey(bucket, cid.Codec, BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]), BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]));
        }
    }
}
