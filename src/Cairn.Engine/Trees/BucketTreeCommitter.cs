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
    /// Most keys whose versions are held in memory before they are folded into the tree. A fold of no
    /// more keys than this (every fold that keeps up with PUTs) reads all its versions first and folds
    /// them after closing its snapshot: on SQLite an open read snapshot keeps the WAL from being
    /// checkpointed past it, so the WAL grows while PUTs go on. A larger fold (a first fold of a big
    /// bucket, a long backlog) folds each time this many are read, snapshot open, to bound memory
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
            source = new TreeBlockSource(trees, blobs, bucket, _cache);
            tree = new MstTree();
        }
        else
        {
            source = await TreeBlockSource.OpenAsync(trees, blobs, previous, _cache, cancellationToken).ConfigureAwait(false);
            await source.ReadCommitAsync(previous, cancellationToken).ConfigureAwait(false);
            tree = MstTree.Open(previous.Root);
        }
        var manifests = new List<MstBlock>();
        var bodyChunks = new List<ChunkRef>();
        // Batches of changed keys with their versions, read and not yet folded into the tree.
        var readAhead = new List<VersionsBatch>();
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
                    readAhead.Add(new VersionsBatch(batch, await snapshot.ReadVersionsAsync(batch, cancellationToken).ConfigureAwait(false)));
                    batch = new List<string>(KeysPerBatch);
                    if (readAhead.Count * KeysPerBatch >= KeysReadAhead) // every batch read so far is full
                    {
                        await ApplyAsync(tree, source, readAhead, manifests, bodyChunks, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            if (batch.Count > 0)
            {
                readAhead.Add(new VersionsBatch(batch, await snapshot.ReadVersionsAsync(batch, cancellationToken).ConfigureAwait(false)));
            }
        }
        await ApplyAsync(tree, source, readAhead, manifests, bodyChunks, cancellationToken).ConfigureAwait(false);

        var nodes = new List<MstBlock>();
        var root = tree.ComputeRoot(nodes);
        var commit = new BucketCommit(bucket, root, previous?.Commit, seq,
            DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()));
        var commitBlock = commit.Encode();
        var commitCid = Cid.ForDagCbor(commitBlock);

        // The segment: new manifests (each chain oldest first), then new nodes (children first), then
        // the commit; each block's links are placed here or where the previous tree's nodes said.
        var segmentWriter = new TreeSegmentWriter(seq, commitCid, _segmentBuffer);
        foreach (var manifest in manifests)
        {
            segmentWriter.Add(manifest.Cid, manifest.Data, manifest.Links, source.PlaceOf, out _);
        }
        var written = new List<(MstBlock Node, TreePlacedLink[] Links)>(nodes.Count);
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

    /// <summary>Changed keys and every version of each, as one read gave them.</summary>
    private sealed record VersionsBatch(List<string> Keys, IReadOnlyDictionary<string, IReadOnlyList<ObjectVersionRecord>> Versions);

    /// <summary>Folds the versions read ahead into the tree (loading the keys' paths first) and empties <paramref name="readAhead"/>.</summary>
    private static async Task ApplyAsync(MstTree tree, TreeBlockSource source, List<VersionsBatch> readAhead, List<MstBlock> manifests,
        List<ChunkRef> bodyChunks, CancellationToken cancellationToken)
    {
        foreach (var (keys, versions) in readAhead)
        {
            var keyBytes = keys.Select(static key => Encoding.UTF8.GetBytes(key)).ToList();
            await tree.LoadAsync(keyBytes, source, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < keys.Count; i++)
            {
                var chain = versions[keys[i]];
                if (chain.Count == 0)
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
