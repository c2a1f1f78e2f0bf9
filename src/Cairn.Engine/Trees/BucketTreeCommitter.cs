using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Trees;

/// <summary>
/// Folds each bucket's change journal into its Merkle Search Tree (issue 11): a singleton worker,
/// run under a lease by <see cref="WorkerHost"/>. One fold of a bucket reads the catalog at one
/// journal number N (<see cref="ITreeFoldSnapshot"/>): the keys changed since the last commit and
/// every version of each. It turns each key's versions into a chain of manifests (oldest first, each
/// linking the one before), points the key at the newest manifest in the tree (or removes the key
/// when it has no version left), and stores the new blocks as one segment, a CAR file, before the
/// catalog records the commit <c>{bucket, data: root, prev, seq: N, time}</c>. The root recorded for
/// N is therefore what building the tree from the catalog's state at N gives.
/// </summary>
/// <remarks>
/// A fold that loses a race (a bucket deleted or created again, another committer's commit, a
/// segment swept after a stall) records nothing; its segment stays queued for deletion, and the next
/// fold starts from whatever was recorded.
/// </remarks>
public sealed partial class BucketTreeCommitter(IBucketTreeCatalog trees, IBlobBackend blobs, EngineOptions options, TimeProvider time,
    ILogger<BucketTreeCommitter> logger) : IWorker
{
    /// <summary>Buckets looked at per step.</summary>
    private const int BucketsPerStep = 16;

    /// <summary>Keys whose versions are read and whose tree paths are loaded together (tests set fewer).</summary>
    internal int KeysPerBatch { get; init; } = 500;

    /// <summary>
    /// Most keys whose manifests are held in memory before they are folded into the tree. A fold of no
    /// more keys than this reads all its versions first (encoding their manifests as it goes) and folds
    /// them after closing its snapshot: on SQLite an open read snapshot keeps the WAL from being
    /// checkpointed past it, so the WAL grows while PUTs go on. A larger fold (a first fold of a big
    /// bucket, a long backlog, or one interval of 4 KiB PUTs at c64 at the default 5 seconds: about
    /// 40,000 keys on two cores) folds each time this many are read, snapshot open, to bound memory
    /// (tests set fewer).
    /// </summary>
    internal int KeysReadAhead { get; init; } = 20_000;

    /// <summary>How long a written segment may wait for its commit before the sweeper may delete it.</summary>
    private static readonly TimeSpan SegmentReservation = TimeSpan.FromHours(1);

    private readonly TreeBlockCache _cache = new(options.TreeCacheBytes);

    private readonly TreeCollector _collector = new(trees, blobs, options);

    /// <summary>When each bucket's tree was last collected by this process (see <see cref="EngineOptions.TreeCollectInterval"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _collected = new(StringComparer.Ordinal);

    /// <summary>Largest segment buffer kept between folds.</summary>
    private const int MaxKeptSegmentBuffer = 32 * 1024 * 1024;

    /// <summary>The buffer every fold writes its segment into (folds take turns, see <see cref="_gate"/>).</summary>
    private MemoryStream _segmentBuffer = new();

    /// <summary>The collections every fold fills (folds take turns, see <see cref="_gate"/>), emptied after each.</summary>
    private readonly FoldBuffers _buffers = new();

    /// <summary>The commit this process last recorded for each bucket (its cached blocks' places are that tree's).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Cid> _recorded = new(StringComparer.Ordinal);

    /// <summary>One fold at a time in this process: the worker's and an admin flush's (the block cache is not shared safely).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public string Name => "tree-committer";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>Journal entries folded since start (the difference between successive commits' numbers).</summary>
    public long EntriesFolded { get; private set; }

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var behind = await trees.ListTreesBehindAsync(BucketsPerStep, cancellationToken).ConfigureAwait(false);
        var committed = 0;
        foreach (var lag in behind)
        {
            if (await FoldAsync(lag.Bucket, lag, cancellationToken).ConfigureAwait(false) is not null)
            {
                committed++;
            }
        }
        Status = $"last run {time.GetUtcNow():O}: {behind.Count} buckets behind, {committed} commits";
        // Folding again at once after a commit would fold a handful of entries at a time, each fold
        // paying its fixed costs (snapshot, segment write, two transactions) while PUTs wait on the
        // same writer: the interval batches the journal. Only more buckets behind than one step
        // takes are worth another step now.
        return behind.Count == BucketsPerStep && committed > 0 ? WorkerState.Busy : WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.TreeCommitInterval, time, cancellationToken);

    /// <summary>
    /// Folds every bucket until none is behind its journal as it was when this call began (used by
    /// tests and by the admin endpoint's flush). Returns the commits recorded.
    /// </summary>
    public async Task<int> CommitAllAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var behind = await trees.ListTreesBehindAsync(BucketsPerStep, cancellationToken).ConfigureAwait(false);
            var committed = 0;
            foreach (var lag in behind)
            {
                if (await FoldAsync(lag.Bucket, lag, cancellationToken).ConfigureAwait(false) is not null)
                {
                    committed++;
                }
            }
            total += committed;
            if (behind.Count == 0 || committed == 0)
            {
                return total;
            }
        }
    }

    /// <summary>Folds one bucket up to its journal's number now; the new head, or null when nothing was recorded.</summary>
    public Task<TreeHead?> CommitBucketAsync(string bucket, CancellationToken cancellationToken) => FoldAsync(bucket, lag: null, cancellationToken);

    /// <summary>
    /// Folds <paramref name="bucket"/> from the head its <paramref name="lag"/> listed, or, for a flush
    /// (no lag), from the head read here. A commit recorded since the listing makes the record a
    /// conflict, never a wrong tree.
    /// </summary>
    private async Task<TreeHead?> FoldAsync(string bucket, TreeLag? lag, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var head = lag is null ? await trees.GetTreeHeadAsync(bucket, cancellationToken).ConfigureAwait(false) : lag.Head;
            return await FoldFromAsync(bucket, head, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TreeHead?> FoldFromAsync(string bucket, TreeHead? previous, CancellationToken cancellationToken)
    {
        try
        {
            return await FoldWithBuffersAsync(bucket, previous, _buffers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _buffers.Reset(); // nothing a fold read or wrote outlives it here (it would age into the GC's oldest generation)
        }
    }

    private async Task<TreeHead?> FoldWithBuffersAsync(string bucket, TreeHead? previous, FoldBuffers buffers, CancellationToken cancellationToken)
    {
        if (previous is not null && (!_recorded.TryGetValue(bucket, out var recorded) || recorded != previous.Commit))
        {
            // The tree moved on without this process (another node held the lease, or the bucket is
            // new): blocks it remembers may name places a collection has dropped since.
            _cache.Forget(bucket);
        }
        TreeBlockSource source;
        MstTree tree;
        if (previous is null)
        {
            source = new TreeBlockSource(trees, blobs, bucket, _cache, places: buffers.SourcePlaces);
            tree = new MstTree();
        }
        else
        {
            source = await TreeBlockSource.OpenAsync(trees, blobs, previous, _cache, cancellationToken, places: buffers.SourcePlaces).ConfigureAwait(false);
            await source.ReadCommitAsync(previous, cancellationToken).ConfigureAwait(false);
            tree = MstTree.Open(previous.Root);
        }
        var manifests = buffers.Manifests;
        var bodyChunks = buffers.BodyChunks;
        // Batches of changed keys with their manifests, read and not yet folded into the tree.
        var readAhead = new List<ChainsBatch>();
        long seq;
        DateTimeOffset bucketCreatedAt;
        var snapshot = await trees.OpenFoldSnapshotAsync(bucket, previous?.Seq, cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return null;
        }
        await using (snapshot.ConfigureAwait(false))
        {
            seq = snapshot.HeadSeq;
            bucketCreatedAt = snapshot.BucketCreatedAt;
            if (previous is not null && seq <= previous.Seq)
            {
                return null;
            }
            var batch = new List<string>(KeysPerBatch);
            await foreach (var key in snapshot.ReadChangedKeysAsync(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(key);
                if (batch.Count == KeysPerBatch)
                {
                    readAhead.Add(await ReadChainsAsync(snapshot, batch, cancellationToken).ConfigureAwait(false));
                    batch = new List<string>(KeysPerBatch);
                    if (readAhead.Count * KeysPerBatch >= KeysReadAhead) // every batch read so far is full
                    {
                        await ApplyAsync(tree, source, readAhead, manifests, bodyChunks, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            if (batch.Count > 0)
            {
                readAhead.Add(await ReadChainsAsync(snapshot, batch, cancellationToken).ConfigureAwait(false));
            }
        }
        await ApplyAsync(tree, source, readAhead, manifests, bodyChunks, cancellationToken).ConfigureAwait(false);

        var nodes = buffers.Nodes;
        var root = tree.ComputeRoot(nodes);
        var commit = new BucketCommit(bucket, root, previous?.Commit, seq,
            DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()));
        var commitBlock = commit.Encode();
        var commitCid = Cid.ForDagCbor(commitBlock);

        // The segment: new manifests (each chain oldest first), then new nodes (children first), then
        // the commit; each block's links are placed here or where the previous tree's nodes said.
        var segmentWriter = new TreeSegmentWriter(seq, commitCid, _segmentBuffer, buffers.SegmentPlaces);
        foreach (var manifest in manifests)
        {
            segmentWriter.Add(manifest.Cid, manifest.Data, manifest.Links, source.PlaceOf, out _);
        }
        var written = buffers.Written;
        foreach (var node in nodes)
        {
            segmentWriter.Add(node.Cid, node.Data, node.Links, source.PlaceOf, out var links);
            written.Add((node, links));
        }
        var commitPlace = segmentWriter.Add(commitCid, commitBlock, links: null, source.PlaceOf, out var commitLinks);
        var segment = BlobNames.NewTreeSegment(bucket, seq);
        await trees.ReserveTreeSegmentAsync(segment, time.GetUtcNow() + SegmentReservation, cancellationToken).ConfigureAwait(false);
        await blobs.PutAsync(segment, segmentWriter.Bytes, cancellationToken).ConfigureAwait(false);
        if (_segmentBuffer.Capacity > MaxKeptSegmentBuffer)
        {
            _segmentBuffer = new MemoryStream(); // a first fold or a long backlog's: not kept for the small folds after it
        }
        var head = new TreeHead(bucket, seq, commitCid, root, commit.Time);
        var now = time.GetUtcNow();
        var collect = options.TreeCollectInterval == TimeSpan.Zero || !_collected.TryGetValue(bucket, out var collectedAt)
            || now - collectedAt >= options.TreeCollectInterval;
        var collection = collect
            ? await _collector.PlanAsync(previous, head, now, cancellationToken).ConfigureAwait(false)
            : null;
        var outcome = await trees.RecordTreeCommitAsync(head, bucketCreatedAt, previous?.Seq, segment, commitPlace, bodyChunks, cancellationToken,
                collection)
            .ConfigureAwait(false);
        if (outcome != RecordTreeCommitOutcome.Recorded)
        {
            LogCommitRefused(bucket, seq);
            _recorded.TryRemove(bucket, out _);
            return null;
        }
        if (collect)
        {
            _collected[bucket] = now;
        }
        foreach (var (node, links) in written)
        {
            _cache.Remember(bucket, node.Cid, node.Data, links);
        }
        _cache.Remember(bucket, commitCid, commitBlock, commitLinks);
        _recorded[bucket] = commitCid;
        tree.Unload();
        EntriesFolded += seq - (previous?.Seq ?? 0);
        LogCommitted(bucket, seq, root, segmentWriter.Written.Count);
        return head;
    }

    /// <summary>
    /// The collections a fold fills, kept from one fold to the next. A fold of a second's 4 KiB PUTs
    /// fills each with thousands of items; allocated anew every fold, their arrays were large objects
    /// (85,000 bytes and more), which only gen-2 collections reclaim: with the committer on, the
    /// server ran a gen-2 collection every second or two (dotnet-counters, see docs/benchmarks.md).
    /// </summary>
    private sealed class FoldBuffers
    {
        /// <summary>Items above which a collection is dropped rather than kept (a first fold's, a long backlog's).</summary>
        private const int MaxKeptItems = 100_000;

        public List<MstBlock> Manifests { get; private set; } = [];

        public List<MstBlock> Nodes { get; private set; } = [];

        public List<ChunkRef> BodyChunks { get; private set; } = [];

        public List<(MstBlock Node, TreePlacedLink[] Links)> Written { get; private set; } = [];

        public Dictionary<Cid, TreeBlockLocation> SegmentPlaces { get; private set; } = [];

        public Dictionary<Cid, TreeBlockLocation> SourcePlaces { get; private set; } = [];

        /// <summary>Empties every collection (so what they held can be collected young), dropping any grown past <see cref="MaxKeptItems"/>.</summary>
        public void Reset()
        {
            Manifests = Emptied(Manifests);
            Nodes = Emptied(Nodes);
            BodyChunks = Emptied(BodyChunks);
            Written = Emptied(Written);
            SegmentPlaces = Emptied(SegmentPlaces);
            SourcePlaces = Emptied(SourcePlaces);
        }

        private static List<T> Emptied<T>(List<T> list)
        {
            if (list.Capacity > MaxKeptItems)
            {
                return [];
            }
            list.Clear();
            return list;
        }

        private static Dictionary<Cid, TreeBlockLocation> Emptied(Dictionary<Cid, TreeBlockLocation> places)
        {
            if (places.EnsureCapacity(0) > MaxKeptItems)
            {
                return [];
            }
            places.Clear();
            return places;
        }
    }

    /// <summary>Changed keys and the manifest chain of each (empty: the key has no version left).</summary>
    private sealed record ChainsBatch(List<string> Keys, Dictionary<string, ManifestChainLink[]> Chains);

    /// <summary>
    /// Reads <paramref name="keys"/>' versions and encodes their manifests at once: the records are
    /// dropped young, and only the manifests' bytes wait, in memory, for the fold (the records of a
    /// second's PUTs, held until then, lived long enough to reach the GC's oldest generation).
    /// </summary>
    private static async Task<ChainsBatch> ReadChainsAsync(ITreeFoldSnapshot snapshot, List<string> keys, CancellationToken cancellationToken)
    {
        var versions = await snapshot.ReadVersionsAsync(keys, cancellationToken).ConfigureAwait(false);
        var chains = new Dictionary<string, ManifestChainLink[]>(keys.Count, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            chains[key] = ObjectManifests.EncodeChain(versions[key]);
        }
        return new ChainsBatch(keys, chains);
    }

    /// <summary>Folds the manifests read ahead into the tree (loading the keys' paths first) and empties <paramref name="readAhead"/>.</summary>
    private static async Task ApplyAsync(MstTree tree, TreeBlockSource source, List<ChainsBatch> readAhead, List<MstBlock> manifests,
        List<ChunkRef> bodyChunks, CancellationToken cancellationToken)
    {
        foreach (var (keys, chains) in readAhead)
        {
            var keyBytes = keys.Select(static key => Encoding.UTF8.GetBytes(key)).ToList();
            await tree.LoadAsync(keyBytes, source, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < keys.Count; i++)
            {
                var chain = chains[keys[i]];
                if (chain.Length == 0)
                {
                    tree.Delete(keyBytes[i]);
                }
                else
                {
                    // The manifests below the key's value in the tree are stored already (their places known from its node).
                    tree.Put(keyBytes[i], ObjectManifests.AddChain(chain, manifests, stored: tree.Get(keyBytes[i]), bodyChunks));
                }
            }
        }
        readAhead.Clear();
    }

    // Event ids 140-149 belong to this worker; next free: 142.
    [LoggerMessage(EventId = 140, Level = LogLevel.Debug, Message = "Bucket {Bucket}: tree committed at journal number {Seq}, root {Root}, {Blocks} new blocks")]
    private partial void LogCommitted(string bucket, long seq, Cid root, int blocks);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "Bucket {Bucket}: the tree commit at journal number {Seq} lost a race (bucket deleted or recreated, or another commit); it is folded again")]
    private partial void LogCommitRefused(string bucket, long seq);
}
