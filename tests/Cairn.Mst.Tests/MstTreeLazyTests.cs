using System.Text;
using Cairn.Core;
using Xunit.Abstractions;

namespace Cairn.Mst.Tests;

/// <summary>Opened trees: nodes loaded on demand from a block source, batch by batch (issue 11).</summary>
public class MstTreeLazyTests(ITestOutputHelper output)
{
    private const string Alphabet = "abcdez/-_.0189 é日本\ud83d\udca9";
    private static readonly string[] s_prefixes = ["", "a/", "photos/2024/", "logs/", "\u65e5\u672c/", "x"];

    public static TheoryData<int> Seeds { get; } = [.. Enumerable.Range(1, 30)];

    /// <summary>A block store in a dictionary that counts reads and can refuse some CIDs.</summary>
    private sealed class DictionaryBlockSource : IMstBlockSource
    {
        private readonly Dictionary<Cid, byte[]> _blocks = [];
        private readonly HashSet<Cid> _read = [];
        private int _reads;

        public DictionaryBlockSource(IEnumerable<MstBlock> blocks) => Add(blocks);

        /// <summary>Whether the tree may skip its checks (a committer's own store vouches for its blocks).</summary>
        public bool ReturnsVerifiedNodes { get; init; }

        public HashSet<Cid> Refused { get; } = [];

        public int Reads => _reads;

        /// <summary>True when some block was read twice since the last <see cref="ResetReads"/>.</summary>
        public bool ReadTwice { get; private set; }

        public void Add(IEnumerable<MstBlock> blocks)
        {
            foreach (var block in blocks)
            {
                Assert.True(block.Cid.Matches(block.Data));
                _blocks[block.Cid] = block.Data;
            }
        }

        public bool Contains(Cid cid) => _blocks.ContainsKey(cid);

        public byte[] this[Cid cid]
        {
            get => _blocks[cid];
            set => _blocks[cid] = value; // may not match the CID: a corrupt store
        }

        public void ResetReads()
        {
            _reads = 0;
            _read.Clear();
            ReadTwice = false;
        }

        public ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            lock (_read)
            {
                ReadTwice |= !_read.Add(cid);
            }
            if (Refused.Contains(cid) || !_blocks.TryGetValue(cid, out var block))
            {
                throw new KeyNotFoundException($"No block {cid}.");
            }
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(block);
        }
    }

    private static byte[] RandomKey(Random random)
    {
        var prefix = s_prefixes[random.Next(s_prefixes.Length)];
        var builder = new StringBuilder(prefix);
        var length = 1 + random.Next(8);
        for (var i = 0; i < length; i++)
        {
            var c = random.Next(Alphabet.Length);
            builder.Append(char.IsHighSurrogate(Alphabet[c]) ? Alphabet.AsSpan(c, 2) : char.IsLowSurrogate(Alphabet[c]) ? "q" : Alphabet.AsSpan(c, 1));
        }
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>A random key of exactly <paramref name="height"/>, found by trying random strings.</summary>
    private static byte[] KeyOfHeight(Random random, int height)
    {
        while (true)
        {
            var key = RandomKey(random);
            if (MstKey.Height(key) == height)
            {
                return key;
            }
        }
    }

    /// <summary>Keys of every height up to 3 (mostly 0, as in real trees), with a few collisions.</summary>
    private static List<byte[]> KeyPool(Random random)
    {
        var pool = new List<byte[]>();
        for (var i = 0; i < 120; i++)
        {
            pool.Add(RandomKey(random));
        }
        foreach (var (height, count) in new[] { (1, 25), (2, 10), (3, 4) })
        {
            for (var i = 0; i < count; i++)
            {
                pool.Add(KeyOfHeight(random, height));
            }
        }
        return [.. pool.DistinctBy(Convert.ToHexString)];
    }

    private static Cid RandomValue(Random random)
    {
        var bytes = new byte[8];
        random.NextBytes(bytes);
        return Cid.ForRaw(bytes);
    }

    private static SortedDictionary<byte[], Cid> RandomModel(Random random, int count)
    {
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);
        while (model.Count < count)
        {
            model[Encoding.UTF8.GetBytes($"obj/{random.Next():x8}/{(char)('a' + random.Next(26))}\u00e9")] = RandomValue(random);
        }
        return model;
    }

    /// <summary>The root's layer plus one: the most nodes on a path from the root.</summary>
    private static int TreeHeight(DictionaryBlockSource source, Cid root)
    {
        var node = MstNode.Decode(source[root]);
        return MstKey.Height(node.ExpandKeys()[0]) + 1;
    }

    /// <summary>Every block reachable from <paramref name="root"/> is in the source; returns how many.</summary>
    private static int AssertReachableBlocksStored(DictionaryBlockSource source, Cid root)
    {
        var stack = new Stack<Cid>([root]);
        var count = 0;
        while (stack.TryPop(out var cid))
        {
            Assert.True(source.Contains(cid), $"block {cid} is not stored");
            count++;
            var node = MstNode.Decode(source[cid]);
            if (node.Left is not null)
            {
                stack.Push(node.Left);
            }
            foreach (var entry in node.Entries.Where(e => e.Right is not null))
            {
                stack.Push(entry.Right!);
            }
        }
        return count;
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Seeds))]
    public Task Batches_on_an_opened_tree_give_the_root_of_a_rebuild_and_store_every_new_node(int seed) =>
        RunRandomBatchesAsync(seed, verifiedSource: false);

    /// <summary>
    /// The same batches through a source that vouches for its blocks (<see cref="IMstBlockSource.ReturnsVerifiedNodes"/>,
    /// as the committer's segments do): the tree loads them without its checks and comes to the same roots.
    /// </summary>
    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Seeds))]
    [Trait("Issue", "11")]
    public Task Batches_through_a_source_that_vouches_for_its_blocks_give_the_same_roots(int seed) =>
        RunRandomBatchesAsync(seed, verifiedSource: true);

    private static async Task RunRandomBatchesAsync(int seed, bool verifiedSource)
    {
        // Arrange
        var random = new Random(seed);
        var pool = KeyPool(random);
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);
        var source = new DictionaryBlockSource(MstBuilder.Build([]).Blocks) { ReturnsVerifiedNodes = verifiedSource };
        var root = MstTree.EmptyRoot;
        MstTree? kept = null;

        for (var batch = 0; batch < 20; batch++)
        {
            // Act: up to 50 puts (new, updates, the same value) and deletes (present and absent)
            var operations = new List<(byte[] Key, Cid? Value)>();
            var count = 1 + random.Next(50);
            for (var i = 0; i < count; i++)
            {
                var key = model.Count > 0 && random.Next(2) == 0 ? model.Keys.ElementAt(random.Next(model.Count)) : pool[random.Next(pool.Count)];
                if (random.Next(10) < 6)
                {
                    var same = random.Next(8) == 0 && model.ContainsKey(key);
                    operations.Add((key, same ? model[key] : RandomValue(random)));
                }
                else
                {
                    operations.Add((key, null));
                }
            }
            // Most batches open the last root; some go on with the unloaded tree of the last batch.
            var tree = kept is not null && random.Next(3) == 0 ? kept : MstTree.Open(root);
            source.ResetReads();
            await tree.LoadAsync(operations.Select(o => o.Key), source, CancellationToken.None);
            Assert.False(source.ReadTwice);
            foreach (var (key, value) in operations)
            {
                if (value is not null)
                {
                    Assert.Equal(!model.ContainsKey(key), tree.Put(key, value));
                    model[key] = value;
                }
                else
                {
                    Assert.Equal(model.Remove(key), tree.Delete(key));
                }
            }
            var newBlocks = new List<MstBlock>();
            root = tree.ComputeRoot(newBlocks);
            source.Add(newBlocks);
            tree.Unload(keepLevels: random.Next(3));
            kept = tree;

            // Assert
            var rebuilt = MstBuilder.Build(model);
            Assert.Equal(rebuilt.Root, root);
            Assert.Subset(rebuilt.Blocks.Select(b => b.Cid).ToHashSet(), newBlocks.Select(b => b.Cid).ToHashSet());
            Assert.Equal(rebuilt.Blocks.Count, AssertReachableBlocksStored(source, root));
            foreach (var (key, value) in model.Take(3))
            {
                await tree.LoadAsync([key], source, CancellationToken.None);
                Assert.Equal(value, tree.Get(key));
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Deletes_that_merge_gaps_at_several_layers_and_then_empty_the_tree_give_the_rebuilt_roots()
    {
        // Arrange: keys of heights 0 to 3, so deleting the high ones merges gaps down several layers
        var random = new Random(99);
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);
        foreach (var key in KeyPool(random).Concat(KeyPool(random)))
        {
            model[key] = RandomValue(random);
        }
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var root = built.Root;
        var batches = new List<List<byte[]>>
        {
            model.Keys.Where(k => MstKey.Height(k) >= 2).ToList(),
            model.Keys.Where(k => MstKey.Height(k) == 1).ToList(),
        };
        batches.AddRange(model.Keys.Where(k => MstKey.Height(k) == 0).OrderBy(_ => random.Next()).Chunk(37).Select(c => c.ToList()));
        Assert.True(batches[0].Count >= 6);

        var newBlocks = new List<MstBlock>();
        foreach (var batch in batches)
        {
            // Act
            var tree = MstTree.Open(root);
            await tree.LoadAsync(batch, source, CancellationToken.None);
            foreach (var key in batch)
            {
                Assert.True(tree.Delete(key));
                model.Remove(key);
            }
            newBlocks.Clear();
            root = tree.ComputeRoot(newBlocks);
            source.Add(newBlocks);

            // Assert
            Assert.Equal(MstBuilder.Build(model).Root, root);
            AssertReachableBlocksStored(source, root);
        }
        Assert.Empty(model);
        Assert.Equal(MstTree.EmptyRoot, root);
        Assert.Equal(MstTree.EmptyRoot, Assert.Single(newBlocks).Cid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_put_of_a_key_higher_than_the_root_adds_layers_above_it()
    {
        // Arrange: a tree of keys of height 0 and 1 only
        var random = new Random(5);
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);
        foreach (var key in KeyPool(random).Where(k => MstKey.Height(k) <= 1))
        {
            model[key] = RandomValue(random);
        }
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        Assert.Equal(2, TreeHeight(source, built.Root));
        var high = KeyOfHeight(random, 3);

        // Act
        var tree = MstTree.Open(built.Root);
        await tree.LoadAsync([high], source, CancellationToken.None);
        var added = tree.Put(high, Cid.ForRaw([3]));
        var newBlocks = new List<MstBlock>();
        var root = tree.ComputeRoot(newBlocks);
        source.Add(newBlocks);
        model[high] = Cid.ForRaw([3]);

        // Assert
        Assert.True(added);
        Assert.Equal(MstBuilder.Build(model).Root, root);
        Assert.Equal(4, TreeHeight(source, root));
        AssertReachableBlocksStored(source, root);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_put_of_the_same_value_and_a_delete_of_an_absent_key_change_nothing()
    {
        // Arrange
        var random = new Random(8);
        var model = RandomModel(random, 2000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var (present, value) = model.ElementAt(1234);
        var absent = "obj/absent"u8.ToArray();
        var absentHigh = KeyOfHeight(random, TreeHeight(source, built.Root) + 1);

        // Act
        var tree = MstTree.Open(built.Root);
        await tree.LoadAsync([present, absent, absentHigh], source, CancellationToken.None);
        var addedAgain = tree.Put(present, value);
        var deletedAbsent = tree.Delete(absent);
        var deletedAbsentHigh = tree.Delete(absentHigh);
        var newBlocks = new List<MstBlock>();
        var root = tree.ComputeRoot(newBlocks);

        // Assert
        Assert.False(addedAgain);
        Assert.False(deletedAbsent);
        Assert.False(deletedAbsentHigh);
        Assert.Equal(built.Root, root);
        Assert.Empty(newBlocks);
        Assert.Equal(value, tree.Get(present));
        Assert.Null(tree.Get(absent));
    }

    [Fact(Timeout = 120_000)]
    public async Task One_change_in_a_10000_key_tree_reads_and_writes_only_its_path()
    {
        // Arrange
        var random = new Random(10_000);
        var model = RandomModel(random, 10_000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var height = TreeHeight(source, built.Root);
        int maxPutReads = 0, maxDeleteReads = 0, maxPutBlocks = 0, maxDeleteBlocks = 0;

        for (var i = 0; i < 60; i++)
        {
            // Act: one put of a new key or one delete of a present key, in a batch of its own
            var delete = i % 2 == 1;
            var key = delete ? model.Keys.ElementAt(random.Next(model.Count)) : Encoding.UTF8.GetBytes($"new/{random.Next():x8}");
            var keyHeight = MstKey.Height(key);
            var tree = MstTree.Open(built.Root);
            source.ResetReads();
            await tree.LoadAsync([key], source, CancellationToken.None);
            var reads = source.Reads;
            Assert.True(delete ? tree.Delete(key) : tree.Put(key, Cid.ForRaw([1])));
            var newBlocks = new List<MstBlock>();
            tree.ComputeRoot(newBlocks);

            // Assert: O(height) reads, each block once; new blocks: the path, plus the two halves
            // of each split gap below a put key's layer
            Assert.False(source.ReadTwice);
            Assert.InRange(reads, 1, 4 * height + 4);
            Assert.InRange(newBlocks.Count, 0, height + Math.Max(1, keyHeight));
            if (keyHeight <= 1)
            {
                Assert.InRange(newBlocks.Count, 0, height + 1);
            }
            if (delete)
            {
                (maxDeleteReads, maxDeleteBlocks) = (Math.Max(maxDeleteReads, reads), Math.Max(maxDeleteBlocks, newBlocks.Count));
            }
            else
            {
                (maxPutReads, maxPutBlocks) = (Math.Max(maxPutReads, reads), Math.Max(maxPutBlocks, newBlocks.Count));
            }
            tree.Unload();
            Assert.Equal(0, tree.LoadedNodeCount);
        }
        output.WriteLine($"height {height} ({built.Blocks.Count} nodes): put reads <= {maxPutReads}, new blocks <= {maxPutBlocks}; delete reads <= {maxDeleteReads}, new blocks <= {maxDeleteBlocks}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_batch_reads_each_block_once_and_no_more_than_its_keys_paths()
    {
        // Arrange
        var random = new Random(3);
        var model = RandomModel(random, 10_000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var height = TreeHeight(source, built.Root);
        var keys = model.Keys.Where((_, i) => i % 200 == 0).Concat(Enumerable.Range(0, 50).Select(i => Encoding.UTF8.GetBytes($"obj/{i:x8}"))).ToList();

        // Act
        var tree = MstTree.Open(built.Root);
        await tree.LoadAsync(keys, source, CancellationToken.None);
        var reads = source.Reads;
        await tree.LoadAsync(keys, source, CancellationToken.None);

        // Assert
        Assert.False(source.ReadTwice);
        Assert.Equal(reads, source.Reads); // loaded nodes are not read again
        Assert.Equal(reads, tree.LoadedNodeCount);
        Assert.InRange(reads, height, keys.Count * (3 * height));
        output.WriteLine($"{keys.Count} keys, height {height}: {reads} reads of {built.Blocks.Count} nodes");
    }

    [Fact(Timeout = 60_000)]
    public async Task Changes_and_reads_outside_the_loaded_paths_throw_and_change_nothing()
    {
        // Arrange
        var random = new Random(4);
        var model = RandomModel(random, 3000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var loaded = model.Keys.First();
        var elsewhere = model.Keys.Last();
        var tree = MstTree.Open(built.Root);

        // Act / Assert: nothing loaded
        Assert.Throws<InvalidOperationException>(() => tree.Put("obj/new"u8.ToArray(), Cid.ForRaw([1])));
        Assert.Throws<InvalidOperationException>(() => tree.Delete(loaded));
        Assert.Throws<InvalidOperationException>(() => tree.Get(loaded));
        Assert.Throws<InvalidOperationException>(() => tree.CreateProof(loaded));
        Assert.Throws<InvalidOperationException>(() => tree.Enumerate());
        Assert.Throws<InvalidOperationException>(() => tree.GetAllBlocks());
        Assert.Throws<InvalidOperationException>(() => tree.Count);

        // Act / Assert: one path loaded, another key's changes refused
        await tree.LoadAsync([loaded], source, CancellationToken.None);
        var error = Assert.Throws<InvalidOperationException>(() => tree.Put(elsewhere, Cid.ForRaw([1])));
        Assert.Contains("LoadAsync", error.Message);
        Assert.Throws<InvalidOperationException>(() => tree.Delete(elsewhere));
        Assert.Throws<InvalidOperationException>(() => tree.Get(elsewhere));
        var newBlocks = new List<MstBlock>();
        Assert.Equal(built.Root, tree.ComputeRoot(newBlocks));
        Assert.Empty(newBlocks);
        Assert.Equal(model[loaded], tree.Get(loaded));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_corrupt_block_a_node_of_the_wrong_layer_and_a_missing_block_are_refused()
    {
        // Arrange: a corrupt child (another node's bytes under its CID)
        var random = new Random(6);
        var model = RandomModel(random, 500);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var key = model.Keys.First();
        var rootNode = MstNode.Decode(source[built.Root]);
        var child = rootNode.Left ?? rootNode.Entries[0].Right!;
        source[child] = source[built.Root];

        // Act / Assert
        await Assert.ThrowsAsync<MstFormatException>(async () => await MstTree.Open(built.Root).LoadAsync([key], source, CancellationToken.None));
        await Assert.ThrowsAsync<MstFormatException>(async () =>
        {
            await foreach (var _ in MstTree.Open(built.Root).EnumerateAsync(source, CancellationToken.None))
            {
            }
        });

        // Arrange: a well-formed block that hangs one layer too low (a height-1 key under a layer-1 root)
        var (low, high) = (KeyOfHeight(random, 1), KeyOfHeight(random, 1));
        if (MstKey.Compare(low, high) > 0)
        {
            (low, high) = (high, low);
        }
        var wrongChild = MstNode.FromKeys(null, [(low, Cid.ForRaw([1]), null)]).Encode();
        var wrongRoot = MstNode.FromKeys(Cid.ForDagCbor(wrongChild), [(high, Cid.ForRaw([2]), null)]).Encode();
        var wrongSource = new DictionaryBlockSource([new(Cid.ForDagCbor(wrongChild), wrongChild), new(Cid.ForDagCbor(wrongRoot), wrongRoot)]);

        // Act / Assert
        var wrongLayer = await Assert.ThrowsAsync<MstFormatException>(async () =>
            await MstTree.Open(Cid.ForDagCbor(wrongRoot)).LoadAsync([low], wrongSource, CancellationToken.None));
        Assert.Contains("layer 0", wrongLayer.Message);

        // Arrange / Act / Assert: a block the store refuses surfaces the store's error; the tree stays usable
        var refusing = new DictionaryBlockSource(built.Blocks);
        refusing.Refused.Add(child);
        var tree = MstTree.Open(built.Root);
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await tree.LoadAsync([key], refusing, CancellationToken.None));
        refusing.Refused.Clear();
        await tree.LoadAsync([key], refusing, CancellationToken.None);
        Assert.Equal(model[key], tree.Get(key));
    }

    [Fact(Timeout = 60_000)]
    [Trait("Issue", "11")]
    public async Task A_source_that_vouches_for_its_blocks_still_gets_an_error_for_bytes_that_are_no_node()
    {
        // Arrange: a store whose child block is replaced by bytes that decode to no MST node at all
        var random = new Random(7);
        var model = RandomModel(random, 500);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks) { ReturnsVerifiedNodes = true };
        var rootNode = MstNode.Decode(source[built.Root]);
        var child = rootNode.Left ?? rootNode.Entries[0].Right!;
        source[child] = [0xa1, 0x61, 0x78, 0x01]; // {"x": 1}

        // Act / Assert: the root loads; the walk into the child fails on its shape
        var tree = MstTree.Open(built.Root);
        await Assert.ThrowsAsync<MstFormatException>(async () => await tree.LoadAsync(model.Keys, source, CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Proofs_on_loaded_paths_verify_against_the_root()
    {
        // Arrange
        var random = new Random(12);
        var model = RandomModel(random, 3000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var present = model.ElementAt(777);
        var absent = "obj/zzz-absent"u8.ToArray();
        var tree = MstTree.Open(built.Root);

        // Act
        await tree.LoadAsync([present.Key, absent], source, CancellationToken.None);
        var presentProof = tree.CreateProof(present.Key);
        var absentProof = tree.CreateProof(absent);

        // Assert
        Assert.Equal(new MstProofResult(MstProofStatus.Present, present.Value, null), presentProof.Verify(built.Root));
        Assert.Equal(MstProofStatus.Absent, absentProof.Verify(built.Root).Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task EnumerateAsync_walks_an_opened_tree_in_key_order_reading_each_node_once_without_keeping_it()
    {
        // Arrange
        var random = new Random(13);
        var model = RandomModel(random, 3000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var tree = MstTree.Open(built.Root);

        // Act
        var listed = new List<KeyValuePair<byte[], Cid>>();
        await foreach (var pair in tree.EnumerateAsync(source, CancellationToken.None))
        {
            listed.Add(pair);
        }

        // Assert
        Assert.Equal(model.Select(p => (Convert.ToHexString(p.Key), p.Value)), listed.Select(p => (Convert.ToHexString(p.Key), p.Value)));
        Assert.Equal(built.Blocks.Count, source.Reads);
        Assert.False(source.ReadTwice);
        Assert.Equal(0, tree.LoadedNodeCount);

        // Act: pending changes on loaded paths show, the rest is read from the store
        var gone = model.Keys.ElementAt(10);
        var added = "obj/added"u8.ToArray();
        await tree.LoadAsync([gone, added], source, CancellationToken.None);
        tree.Delete(gone);
        tree.Put(added, Cid.ForRaw([9]));
        model.Remove(gone);
        model[added] = Cid.ForRaw([9]);
        listed.Clear();
        await foreach (var pair in tree.EnumerateAsync(source, CancellationToken.None))
        {
            listed.Add(pair);
        }

        // Assert
        Assert.Equal(model.Select(p => (Convert.ToHexString(p.Key), p.Value)), listed.Select(p => (Convert.ToHexString(p.Key), p.Value)));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("a/")]
    [InlineData("photos/2024/")]
    [InlineData("\u65e5\u672c/")]
    [InlineData("no-such-prefix/")]
    public async Task EnumerateAsync_with_a_range_yields_only_its_keys_and_never_reads_a_subtree_outside_it(string prefix)
    {
        // Arrange: a store that refuses every node whose subtree lies wholly outside the range.
        var random = new Random(29);
        var model = RandomModel(random, 3000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var range = MstPrefixRange.For(prefix)!;
        var outside = 0;
        var pending = new Stack<(Cid Cid, byte[]? Lower, byte[]? Upper)>([(built.Root, null, null)]);
        while (pending.TryPop(out var visit))
        {
            var node = MstNode.Decode(source[visit.Cid]);
            var keys = node.ExpandKeys();
            var children = new List<(Cid Cid, byte[]? Lower, byte[]? Upper)>();
            if (node.Left is { } left)
            {
                children.Add((left, visit.Lower, keys.Length > 0 ? keys[0] : visit.Upper));
            }
            for (var i = 0; i < node.Entries.Count; i++)
            {
                if (node.Entries[i].Right is { } right)
                {
                    children.Add((right, keys[i], i + 1 < keys.Length ? keys[i + 1] : visit.Upper));
                }
            }
            foreach (var child in children)
            {
                var lowerOk = child.Upper is null || child.Upper.AsSpan().SequenceCompareTo(range.Prefix) > 0;
                var startsBefore = child.Lower is null || child.Lower.AsSpan()[..Math.Min(child.Lower.Length, range.Prefix.Length)].SequenceCompareTo(range.Prefix) <= 0;
                if (lowerOk && startsBefore)
                {
                    pending.Push(child);
                }
                else
                {
                    source.Refused.Add(child.Cid);
                    outside++;
                }
            }
        }
        var prefixBytes = System.Text.Encoding.UTF8.GetBytes(prefix);

        // Act
        var listed = new List<string>();
        await foreach (var pair in MstTree.Open(built.Root).EnumerateAsync(source, range, CancellationToken.None))
        {
            listed.Add(Convert.ToHexString(pair.Key));
        }

        // Assert
        Assert.Equal(model.Keys.Where(key => key.AsSpan().StartsWith(prefixBytes)).Select(Convert.ToHexString), listed);
        Assert.True(outside > 0, "the test tree should have subtrees outside the range");
        Assert.True(source.Reads < built.Blocks.Count - outside + 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task Unload_keeps_the_top_levels_asked_for_and_the_next_batch_reads_only_below_them()
    {
        // Arrange: a present key of height 0, whose change keeps the shape of its path
        var random = new Random(14);
        var model = RandomModel(random, 10_000);
        var built = MstBuilder.Build(model);
        var source = new DictionaryBlockSource(built.Blocks);
        var key = model.Keys.First(k => MstKey.Height(k) == 0);
        var tree = MstTree.Open(built.Root);
        await tree.LoadAsync([key], source, CancellationToken.None);
        var pathReads = source.Reads;
        Assert.True(pathReads >= 4);

        foreach (var keepLevels in new[] { 2, 1, 0 })
        {
            // Act
            tree.Put(key, RandomValue(random));
            var newBlocks = new List<MstBlock>();
            var root = tree.ComputeRoot(newBlocks);
            source.Add(newBlocks);
            tree.Unload(keepLevels);
            var kept = tree.LoadedNodeCount;
            source.ResetReads();
            await tree.LoadAsync([key], source, CancellationToken.None);

            // Assert
            Assert.Equal(pathReads, newBlocks.Count);
            Assert.Equal(keepLevels, kept); // the root and the path node below it: all that was loaded
            Assert.Equal(pathReads - keepLevels, source.Reads);
            Assert.Equal(root, tree.ComputeRoot());
        }

        // Assert: nothing is dropped that was not encoded
        tree.Put(key, RandomValue(random));
        Assert.Throws<InvalidOperationException>(() => tree.Unload());
    }

    [Fact(Timeout = 60_000)]
    public async Task Count_is_known_for_trees_built_in_memory_even_after_Unload_and_unknown_for_opened_trees()
    {
        // Arrange
        var random = new Random(15);
        var model = RandomModel(random, 500);
        var tree = MstTree.Create(model);
        var source = new DictionaryBlockSource(tree.GetAllBlocks());
        var root = tree.ComputeRoot();

        // Act
        tree.Unload();
        await tree.LoadAsync([model.Keys.First(), "obj/new"u8.ToArray()], source, CancellationToken.None);
        tree.Delete(model.Keys.First());
        tree.Put("obj/new"u8.ToArray(), Cid.ForRaw([1]));
        tree.Put("obj/new"u8.ToArray(), Cid.ForRaw([2]));

        // Assert
        Assert.Equal(500, tree.Count);
        Assert.Equal(0, MstTree.Open(MstTree.EmptyRoot).Count);
        Assert.Throws<InvalidOperationException>(() => MstTree.Open(root).Count);
        Assert.Throws<InvalidOperationException>(() => tree.Enumerate());
    }
}
