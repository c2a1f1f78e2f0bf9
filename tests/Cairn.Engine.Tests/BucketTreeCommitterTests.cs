using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Engine.Trees;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;
using Cairn.Mst;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// The tree committer on a real catalog (SQLite, and PostgreSQL below): after a random workload of
/// puts (inline, chunked, with headers, metadata and checksums), deletes, version removals, tags and
/// versioning changes, each recorded commit's root equals a tree built from scratch out of the
/// catalog's state at that journal number, with manifests made here independently of the engine's
/// mapping; every block the commit reaches is stored, matches its CID and decodes.
/// </summary>
[Trait("Issue", "11")]
public abstract partial class BucketTreeCommitterTests : IAsyncLifetime
{
    private const string Bucket = "trees";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryBlobBackend _blobs = new();
    private readonly EngineOptions _options = new() { ChunkSize = 64 * 1024, InlineThreshold = 1024, GracePeriod = TimeSpan.FromMinutes(5) };
    private SqlMetadataStore _store = null!;
    private ObjectService _objects = null!;
    private BucketTreeCommitter _committer = null!;
    private BucketTreeService _service = null!;

    protected abstract Task<SqlMetadataStore> OpenStoreAsync();

    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.MigrateAsync(Ct);
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(Bucket, _clock.GetUtcNow(), "us-east-1"), Ct));
        var chunks = new ChunkStore(_blobs, _store, _options, _clock, new ChunkReadPins());
        _objects = new ObjectService(_store, _store, chunks, _options, _clock);
        _committer = new BucketTreeCommitter(_store, _blobs, _options, _clock, NullLogger<BucketTreeCommitter>.Instance);
        _service = new BucketTreeService(_store, _store, _store, _blobs, _committer, chunks, _options, _clock);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropStoreAsync();
    }

    [Theory(Timeout = 120_000)]
    [InlineData(500, 20_000)] // the defaults: every fold reads all its versions, then folds them with the snapshot closed
    [InlineData(2, 3)] // a fold of more than 3 keys folds while its snapshot is open, as a big first fold does
    public async Task Every_commit_of_a_random_workload_equals_a_rebuild_from_the_catalog_at_its_number(int keysPerBatch, int keysReadAhead)
    {
        // Arrange: keys of several heights, non-ASCII, NFC and NFD forms, a 1,024-byte key.
        _committer = new BucketTreeCommitter(_store, _blobs, _options, _clock, NullLogger<BucketTreeCommitter>.Instance)
        {
            KeysPerBatch = keysPerBatch,
            KeysReadAhead = keysReadAhead,
        };
        var random = new Random(11);
        string[] keys = ["a", "a/b/c", "é", "e\u0301", "\U0001F600", "z", "photos/2026/01/01.jpg", new string('k', 1024), "m", "q/r"];
        var versionIds = new List<(string Key, string VersionId)>();
        TreeHead? last = null;
        var recorded = new List<TreeHead>();

        // Act
        for (var step = 0; step < 160; step++)
        {
            var key = keys[random.Next(keys.Length)];
            switch (random.Next(10))
            {
                case 0 when step > 20:
                    await _store.PutBucketVersioningAsync(Bucket, random.Next(3) == 0 ? BucketVersioning.Suspended : BucketVersioning.Enabled, Ct);
                    break;
                case 1:
                    await _objects.DeleteAsync(Bucket, key, Ct);
                    break;
                case 2 when versionIds.Count > 0:
                    var (versionKey, versionId) = versionIds[random.Next(versionIds.Count)];
                    await _objects.DeleteAsync(Bucket, versionKey, Ct, versionId: versionId);
                    break;
                case 3:
                    await _objects.PutTagsAsync(Bucket, key, new Dictionary<string, string> { ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Ct);
                    break;
                default:
                    var put = await PutAsync(key, random.Next(4) == 0 ? 70_000 : random.Next(0, 600), step);
                    versionIds.Add((key, put.Version.VersionId));
                    break;
            }
            _clock.Advance(TimeSpan.FromMilliseconds(1500));
            if (step % 17 == 16 || step == 159)
            {
                await _committer.CommitAllAsync(Ct);
                var head = await _store.GetTreeHeadAsync(Bucket, Ct);
                Assert.NotNull(head);
                Assert.Equal(await JournalHeadAsync(), head.Seq);
                Assert.Equal(await RebuildRootAsync(), head.Root);
                if (head != last)
                {
                    await AssertStoredAsync(head, last);
                    recorded.Insert(0, head);
                    last = head;
                }
            }
        }

        // Assert: every commit was recorded, newest first, each linking the one before.
        Assert.True(recorded.Count >= 5);
        Assert.Equal(recorded, await _store.ListTreeCommitsAsync(Bucket, 100, Ct));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_fold_that_reads_many_nodes_from_segments_at_once_learns_every_place()
    {
        // Arrange: segments on disk, whose reads complete on pool threads, and a block cache too small
        // to keep anything, so every fold after the first reads the nodes on its keys' paths from
        // segments, up to 32 at a time, each read's continuation learning its links' places.
        var directory = Directory.CreateTempSubdirectory("cairn-tree-segments-").FullName;
        try
        {
            var disk = new FileSystemBlobBackend(new FileSystemBlobBackendOptions { RootDirectory = directory });
            var options = new EngineOptions
            {
                ChunkSize = _options.ChunkSize,
                InlineThreshold = _options.InlineThreshold,
                GracePeriod = _options.GracePeriod,
                TreeCacheBytes = 1,
            };
            var committer = new BucketTreeCommitter(_store, disk, options, _clock, NullLogger<BucketTreeCommitter>.Instance);
            const int Keys = 3000;
            for (var i = 0; i < Keys; i++)
            {
                await PutAsync($"k/{i:D5}", 10, i);
            }
            Assert.Equal(1, await committer.CommitAllAsync(Ct));

            // Act and assert: overwrites spread over the whole key range, folded three times.
            for (var round = 1; round <= 3; round++)
            {
                for (var i = 0; i < 600; i++)
                {
                    await PutAsync($"k/{(i * 5 + round) % Keys:D5}", 12, round * 1000 + i);
                }
                Assert.Equal(1, await committer.CommitAllAsync(Ct));
                var head = await _store.GetTreeHeadAsync(Bucket, Ct);
                Assert.NotNull(head);
                Assert.Equal(await JournalHeadAsync(), head.Seq);
                Assert.Equal(await RebuildRootAsync(), head.Root);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bucket_with_nothing_gets_the_empty_tree_and_a_delete_of_everything_returns_to_it()
    {
        // Act
        await _committer.CommitAllAsync(Ct);
        var empty = await _store.GetTreeHeadAsync(Bucket, Ct);
        await PutAsync("only", 10, 1);
        await _committer.CommitAllAsync(Ct);
        var one = await _store.GetTreeHeadAsync(Bucket, Ct);
        await _objects.DeleteAsync(Bucket, "only", Ct);
        await _committer.CommitAllAsync(Ct);
        var again = await _store.GetTreeHeadAsync(Bucket, Ct);

        // Assert
        Assert.NotNull(empty);
        Assert.Equal(0, empty.Seq);
        Assert.Equal(Cid.ForDagCbor(MstNode.EmptyTreeBlock), empty.Root);
        Assert.NotEqual(empty.Root, one!.Root);
        Assert.Equal(empty.Root, again!.Root);
        Assert.Equal(2, again.Seq);
        Assert.Empty(await _store.ListTreesBehindAsync(10, Ct));
        Assert.Equal(0, await _committer.CommitAllAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Deleting_the_bucket_leaves_its_segments_to_the_sweeper()
    {
        // Arrange
        await PutAsync("a", 10, 1);
        await _committer.CommitAllAsync(Ct);
        await _objects.DeleteAsync(Bucket, "a", Ct);
        await _committer.CommitAllAsync(Ct);
        Assert.Equal(2, (await SegmentsAsync()).Count);

        // Act
        Assert.Equal(DeleteBucketOutcome.Deleted, await _store.DeleteBucketAsync(Bucket, _clock.GetUtcNow(), _options.GracePeriod, Ct));
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        var sweeper = new Workers.DeleteQueueSweeper(_store, _store, _blobs, new ChunkReadPins(), _options, _clock,
            NullLogger<Workers.DeleteQueueSweeper>.Instance);
        await sweeper.SweepAllDueAsync(Ct);

        // Assert
        Assert.Empty(await SegmentsAsync());
        Assert.Equal(0, await _store.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_export_holds_the_commit_every_node_every_versions_manifest_and_every_body_block_and_nothing_else()
    {
        // Arrange: versions of several keys, multi-chunk, inline and empty bodies, a delete marker.
        await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        var bodies = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, size, seed) in new[] { ("big", 150_000, 1), ("small", 100, 2), ("big", 70_000, 3), ("empty", 0, 4), ("ключ", 500, 5), ("gone", 10, 6) })
        {
            var put = await PutAsync(key, size, seed);
            var body = new byte[size];
            new Random(seed).NextBytes(body);
            bodies[put.Version.VersionId] = body;
        }
        await _objects.DeleteAsync(Bucket, "gone", Ct);
        var (status, head) = await _service.PrepareExportAsync(Bucket, seq: null, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);

        // Act
        using var file = new MemoryStream();
        var summary = await _service.ExportAsync(head, file, progress: null, Ct);

        // Assert: read it back as any CAR reader would, and walk it from the commit.
        file.Position = 0;
        var reader = await CarReader.OpenAsync(file, Ct);
        Assert.Equal([head.Commit], reader.Roots);
        var blocks = new Dictionary<Cid, byte[]>();
        while (await reader.ReadBlockAsync(Ct) is { } block)
        {
            blocks[block.Cid] = block.Data.ToArray();
        }
        var reached = new HashSet<Cid> { head.Commit };
        Assert.Equal(head.Root, BucketCommit.Decode(blocks[head.Commit]).Data);
        var versions = new List<ObjectManifest>();
        var nodes = new Stack<Cid>([head.Root]);
        while (nodes.TryPop(out var nodeCid))
        {
            reached.Add(nodeCid);
            var node = MstNode.Decode(blocks[nodeCid]);
            foreach (var child in node.Entries.Select(static e => e.Right).Append(node.Left).OfType<Cid>())
            {
                nodes.Push(child);
            }
            foreach (var entry in node.Entries)
            {
                for (Cid? link = entry.Value; link is not null;)
                {
                    reached.Add(link);
                    var manifest = ObjectManifest.Decode(blocks[link]);
                    versions.Add(manifest);
                    reached.UnionWith(manifest.Body.Select(static c => c.Cid));
                    if (!manifest.IsDeleteMarker)
                    {
                        Assert.Equal(bodies[manifest.VersionId], manifest.Body.SelectMany(c => blocks[c.Cid]).ToArray());
                    }
                    link = manifest.Previous;
                }
            }
        }
        Assert.Equal(7, versions.Count);
        Assert.Single(versions, static v => v.IsDeleteMarker);
        Assert.Equal(["big", "big", "empty", "gone", "gone", "small", "ключ"], versions.Select(static v => v.Key).Order(StringComparer.Ordinal));
        Assert.True(reached.SetEquals(blocks.Keys), $"{blocks.Count} blocks in the file, {reached.Count} reachable");
        Assert.Equal(5, summary.Keys);
        Assert.Equal(7, summary.Manifests);
        Assert.Equal(file.Length, summary.Bytes);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_export_at_an_unrecorded_number_or_of_a_missing_bucket_is_refused()
    {
        await PutAsync("a", 10, 1);
        await _committer.CommitAllAsync(Ct);
        Assert.Equal(BucketTreeStatus.NoSuchCommit, (await _service.PrepareExportAsync(Bucket, 99, Ct)).Status);
        Assert.Equal(BucketTreeStatus.NoSuchBucket, (await _service.PrepareExportAsync("missing", null, Ct)).Status);
        var (status, head) = await _service.PrepareExportAsync(Bucket, 1, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);
        Assert.Equal(1, head.Seq);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_prefix_export_holds_exactly_its_keys_manifests_and_chunks_and_the_nodes_its_range_needs_under_the_same_commit()
    {
        // Arrange: 90 keys under a/, b/ and c/ (a tree of several nodes), versions, inline and chunked bodies.
        await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        for (var i = 0; i < 90; i++)
        {
            var key = $"{"abc"[i % 3]}/{i:D3}";
            await PutAsync(key, i % 10 == 0 ? 70_000 : i * 7 % 600, i);
            if (i % 9 == 0)
            {
                await PutAsync(key, 50, 1000 + i);
            }
        }
        await _objects.DeleteAsync(Bucket, "b/004", Ct);
        var (status, head) = await _service.PrepareExportAsync(Bucket, seq: null, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);

        // Act
        using var full = new MemoryStream();
        var fullSummary = await _service.ExportAsync(head, full, progress: null, Ct);
        using var range = new MemoryStream();
        var rangeSummary = await _service.ExportAsync(head, "b/", range, progress: null, Ct);

        // Assert: same commit; the range file is the commit, the nodes on the search paths of "b/" and of
        // "b0" (the first key after the range) and every node holding a b/ key below it, and the b/ keys'
        // manifest chains and chunks, worked out here from the whole export.
        var (fullRoots, fullBlocks) = await ReadCarAsync(full);
        var (rangeRoots, rangeBlocks) = await ReadCarAsync(range);
        Assert.Equal([head.Commit], fullRoots);
        Assert.Equal([head.Commit], rangeRoots);
        var expected = new HashSet<Cid> { head.Commit };
        var neededNodes = new HashSet<Cid>();
        var inRange = 0;
        HoldsRangeKey(head.Root);
        OnSearchPath("b/"u8.ToArray());
        OnSearchPath("b0"u8.ToArray());
        expected.UnionWith(neededNodes);
        var nodes = neededNodes.Count;
        Assert.True(nodes < fullBlocks.Values.Count(IsNode), "the range left no subtree out");
        Assert.True(rangeBlocks.Keys.ToHashSet().SetEquals(expected),
            $"{rangeBlocks.Count} blocks in the range file, {expected.Count} expected, {rangeBlocks.Keys.Intersect(expected).Count()} in both");
        Assert.Equal(30, inRange);
        Assert.Equal(30, rangeSummary.Keys);
        Assert.Equal(90, fullSummary.Keys);
        Assert.Equal(range.Length, rangeSummary.Bytes);
        Assert.True(range.Length < full.Length / 2);

        // ...and it verifies offline as the range's export, and not as the whole bucket's.
        range.Position = 0;
        var verified = await CarVerifier.VerifyAsync(range, "b/", Ct);
        Assert.True(verified.IsValid, string.Join("\n", verified.Errors));
        Assert.Equal((head.Commit, head.Root, 30, nodes, "b/"), (verified.Commit, verified.Root, verified.Keys, verified.Nodes, verified.Prefix));
        Assert.Equal(rangeSummary.Manifests, verified.Manifests);
        range.Position = 0;
        Assert.Contains((await CarVerifier.VerifyAsync(range, Ct)).Errors, static e => e.EndsWith("is missing.", StringComparison.Ordinal));
        full.Position = 0;
        var fullVerified = await CarVerifier.VerifyAsync(full, "b/", Ct);
        Assert.True(fullVerified.IsValid, string.Join("\n", fullVerified.Errors));
        Assert.Equal(30, fullVerified.Keys);

        bool HoldsRangeKey(Cid cid)
        {
            var node = MstNode.Decode(fullBlocks[cid]);
            var holds = false;
            foreach (var (key, entry) in node.ExpandKeys().Zip(node.Entries))
            {
                if (key.AsSpan().StartsWith("b/"u8))
                {
                    holds = true;
                    inRange++;
                    for (Cid? link = entry.Value; link is not null;)
                    {
                        expected.Add(link);
                        var manifest = ObjectManifest.Decode(fullBlocks[link]);
                        Assert.StartsWith("b/", manifest.Key, StringComparison.Ordinal);
                        expected.UnionWith(manifest.Body.Select(static c => c.Cid));
                        link = manifest.Previous;
                    }
                }
            }
            foreach (var child in node.Entries.Select(static e => e.Right).Prepend(node.Left).OfType<Cid>())
            {
                holds |= HoldsRangeKey(child);
            }
            if (holds)
            {
                neededNodes.Add(cid);
            }
            return holds;
        }

        void OnSearchPath(byte[] key)
        {
            for (Cid? cid = head.Root; cid is not null;)
            {
                neededNodes.Add(cid);
                var node = MstNode.Decode(fullBlocks[cid]);
                var keys = node.ExpandKeys();
                var at = Array.FindIndex(keys, k => MstKey.Compare(k, key) >= 0);
                at = at < 0 ? keys.Length : at;
                if (at < keys.Length && keys[at].AsSpan().SequenceEqual(key))
                {
                    return;
                }
                cid = at == 0 ? node.Left : node.Entries[at - 1].Right;
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_prefix_export_of_a_range_with_no_keys_holds_only_the_path_to_it_and_verifies()
    {
        // Arrange
        for (var i = 0; i < 60; i++)
        {
            await PutAsync($"k/{i:D3}", 20, i);
        }
        var (_, head) = await _service.PrepareExportAsync(Bucket, seq: null, Ct);

        // Act
        using var file = new MemoryStream();
        var summary = await _service.ExportAsync(head, "k/0305", file, progress: null, Ct);

        // Assert: the commit and nodes only; the root's layer is at least 1, so it has children
        var (roots, blocks) = await ReadCarAsync(file);
        Assert.Equal([head.Commit], roots);
        Assert.Equal((0L, 0L, 0L), (summary.Keys, summary.Manifests, summary.Chunks));
        Assert.All(blocks.Where(b => b.Key != head.Commit), static b => Assert.True(IsNode(b.Value)));
        Assert.InRange(blocks.Count, 2, 10);
        file.Position = 0;
        var verified = await CarVerifier.VerifyAsync(file, "k/0305", Ct);
        Assert.True(verified.IsValid, string.Join("\n", verified.Errors));
        Assert.Equal((0, blocks.Count - 1, head.Root), (verified.Keys, verified.Nodes, verified.Root));
    }

    /// <summary>Every block a commit reaches in its bucket's segments: the commit, its nodes and its manifest chains.</summary>
    private async Task<HashSet<Cid>> ReachableAsync(TreeHead head)
    {
        var reached = new HashSet<Cid> { head.Commit };
        var pending = new Stack<Cid>([head.Root]);
        while (pending.TryPop(out var cid))
        {
            reached.Add(cid);
            var node = MstNode.Decode(await ReadBlockAsync(cid));
            foreach (var child in node.Entries.Select(static e => e.Right).Append(node.Left).OfType<Cid>())
            {
                pending.Push(child);
            }
            foreach (var entry in node.Entries)
            {
                for (Cid? link = entry.Value; link is not null && reached.Add(link);)
                {
                    link = ObjectManifest.Decode(await ReadBlockAsync(link)).Previous;
                }
            }
        }
        return reached;
    }

    private static async Task<(IReadOnlyList<Cid> Roots, Dictionary<Cid, byte[]> Blocks)> ReadCarAsync(MemoryStream file)
    {
        file.Position = 0;
        var reader = await CarReader.OpenAsync(file, Ct);
        var blocks = new Dictionary<Cid, byte[]>();
        while (await reader.ReadBlockAsync(Ct) is { } block)
        {
            blocks[block.Cid] = block.Data.ToArray();
        }
        return (reader.Roots, blocks);
    }

    private static bool IsNode(byte[] block)
    {
        try
        {
            MstNode.Decode(block);
            return true;
        }
        catch (MstFormatException)
        {
            return false;
        }
    }

    private async Task<List<string>> SegmentsAsync()
    {
        var names = new List<string>();
        await foreach (var name in _blobs.ListAsync("trees/", Ct))
        {
            names.Add(name);
        }
        return names;
    }

    private async Task<PutObjectResult> PutAsync(string key, int size, int seed)
    {
        var body = new byte[size];
        new Random(seed).NextBytes(body);
        var result = await _objects.PutAsync(new PutObjectCommand
        {
            Bucket = Bucket,
            Key = key,
            Body = new MemoryStream(body),
            DeclaredLength = body.Length,
            Headers = new ContentHeaders(ContentType: "application/x-test", CacheControl: seed % 2 == 0 ? "no-cache" : null),
            UserMetadata = new Dictionary<string, string> { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Checksums = [ChecksumAlgorithm.Crc32C],
        }, Ct);
        Assert.Equal(PutObjectStatus.Created, result.Status);
        return result;
    }

    private async Task<long> JournalHeadAsync()
    {
        await using var snapshot = await _store.OpenFoldSnapshotAsync(Bucket, 0, Ct);
        return snapshot!.HeadSeq;
    }

    /// <summary>The tree built from nothing out of the catalog's current rows, with manifests made here.</summary>
    private async Task<Cid> RebuildRootAsync()
    {
        await using var snapshot = await _store.OpenFoldSnapshotAsync(Bucket, null, Ct);
        Assert.NotNull(snapshot);
        var keys = new List<string>();
        await foreach (var key in snapshot.ReadChangedKeysAsync(Ct))
        {
            keys.Add(key);
        }
        var versions = await snapshot.ReadVersionsAsync(keys, Ct);
        var entries = new List<KeyValuePair<byte[], Cid>>();
        foreach (var key in keys)
        {
            Cid? previous = null;
            foreach (var listed in versions[key].Reverse())
            {
                // The fold's reading names an inline body by the hash in its row: the test hashes the body itself.
                var version = listed.InlineBody is null && listed.InlineBodyHash is not null
                    ? await _store.GetObjectVersionAsync(Bucket, key, listed.VersionId, Ct) ?? throw new InvalidOperationException($"{key} {listed.VersionId} is gone")
                    : listed;
                previous = Cid.ForDagCbor(ExpectedManifest(version, previous).Encode());
            }
            entries.Add(new(Encoding.UTF8.GetBytes(key), previous!));
        }
        return MstBuilder.Build(entries).Root;
    }

    private static ObjectManifest ExpectedManifest(ObjectVersionRecord version, Cid? previous) => new()
    {
        Key = version.Key,
        VersionId = version.VersionId,
        IsDeleteMarker = version.IsDeleteMarker,
        Size = version.Size,
        ETag = version.ETag,
        Checksums = version.Checksums,
        ChecksumType = version.ChecksumType,
        Headers = version.Headers,
        Metadata = version.UserMetadata,
        Tags = version.Tags,
        Created = version.LastModified,
        Modified = version.LastModified,
        Body = version.InlineBody is { Length: > 0 } inline
            ? [new ManifestChunk(Cid.ForRaw(inline), inline.Length)]
            : [.. version.Chunks.Select(static c => new ManifestChunk(Cid.FromDigest(Cid.RawCodec, c.Hash.Bytes), c.Length))],
        Parts = version.PartSizes,
        Previous = previous,
    };

    /// <summary>The commit block, every tree node and every manifest reachable from it are stored and decode.</summary>
    private async Task AssertStoredAsync(TreeHead head, TreeHead? previous)
    {
        var commit = BucketCommit.Decode(await ReadBlockAsync(head.Commit));
        Assert.Equal(new BucketCommit(Bucket, head.Root, previous?.Commit, head.Seq, head.CommittedAt), commit);
        var pending = new Stack<Cid>([head.Root]);
        while (pending.Count > 0)
        {
            var node = MstNode.Decode(await ReadBlockAsync(pending.Pop()));
            if (node.Left is { } left)
            {
                pending.Push(left);
            }
            foreach (var entry in node.Entries)
            {
                if (entry.Right is { } right)
                {
                    pending.Push(right);
                }
                for (Cid? manifest = entry.Value; manifest is not null;)
                {
                    var decoded = ObjectManifest.Decode(await ReadBlockAsync(manifest));
                    // Bodies are never copied into segments: inline ones stay in their rows, chunks in the chunk store.
                    Assert.All(decoded.Body, chunk => Assert.False(_segmentBlocks.ContainsKey(chunk.Cid), $"body block {chunk.Cid} is in a segment"));
                    manifest = decoded.Previous;
                }
            }
        }
    }

    /// <summary>Blocks of the bucket's recorded segments, read as plain CAR files (not through the engine's places).</summary>
    private readonly Dictionary<Cid, byte[]> _segmentBlocks = [];

    /// <summary>A block from the bucket's recorded segments (re-read when a commit added some); fails the test when none holds it.</summary>
    private async Task<byte[]> ReadBlockAsync(Cid cid)
    {
        if (!_segmentBlocks.ContainsKey(cid))
        {
            foreach (var segment in await _store.ListTreeSegmentsAsync(Bucket, Ct))
            {
                foreach (var (blockCid, data) in await ReadSegmentAsync(segment.Name))
                {
                    _segmentBlocks[blockCid] = data;
                }
            }
        }
        Assert.True(_segmentBlocks.TryGetValue(cid, out var block), $"no recorded segment holds block {cid}");
        Assert.True(cid.Matches(block), $"block {cid} does not match its bytes");
        return block;
    }

    private async Task<Dictionary<Cid, byte[]>> ReadSegmentAsync(string name)
    {
        var bytes = new byte[(int)(await _blobs.GetLengthAsync(name, Ct) ?? throw new InvalidOperationException($"segment {name} is gone"))];
        Assert.Equal(bytes.Length, await _blobs.ReadAsync(name, 0, bytes, Ct));
        using var file = new MemoryStream(bytes);
        return (await ReadCarAsync(file)).Blocks;
    }
}

public sealed class SqliteBucketTreeCommitterTests : BucketTreeCommitterTests
{
    protected override Task<SqlMetadataStore> OpenStoreAsync() =>
        Task.FromResult<SqlMetadataStore>(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory }));

    protected override Task DropStoreAsync() => Task.CompletedTask;
}

[Collection(PostgresCluster.Collection)]
public sealed class PostgresBucketTreeCommitterTests(PostgresCluster cluster) : BucketTreeCommitterTests
{
    private string _connectionString = "";

    protected override async Task<SqlMetadataStore> OpenStoreAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString });
    }

    protected override Task DropStoreAsync() => cluster.DropDatabaseAsync(_connectionString);
}

/// <summary>The test classes that share one <see cref="PostgresCluster"/>.</summary>
[CollectionDefinition(PostgresCluster.Collection)]
public sealed class PostgresClusterCollection : ICollectionFixture<PostgresCluster>;
