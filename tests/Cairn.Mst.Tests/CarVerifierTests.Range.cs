using Cairn.Core;

namespace Cairn.Mst.Tests;

/// <summary>
/// Range exports (<c>cairn export --prefix P</c>): a CAR rooted at the bucket's commit holding the
/// nodes a prefix's range needs and the manifests and chunks of its keys, verified with the prefix;
/// then one defect each.
/// </summary>
public partial class CarVerifierTests
{
    private static Task<CarVerification> VerifyAsync(byte[] car, string? prefix) =>
        CarVerifier.VerifyAsync(new MemoryStream(car), prefix, CancellationToken.None);

    /// <summary>
    /// What a range export of <see cref="Prefix"/> holds, worked out here without
    /// <see cref="MstPrefixRange"/>: the nodes on the search paths of the prefix and of the first key
    /// after its range, and every node whose subtree holds a key with the prefix; the in-range keys'
    /// manifest chains and their chunks. The prefix's last character must be ASCII (its successor is
    /// then the next character).
    /// </summary>
    private sealed record Range(Export Export, string Prefix, IReadOnlyList<CarBlock> Nodes, IReadOnlyList<CarBlock> Manifests,
        IReadOnlyList<CarBlock> Chunks, int Keys)
    {
        public IEnumerable<CarBlock> Blocks => [Export.CommitBlock, .. Nodes, .. Manifests, .. Chunks];

        public static Range Of(Export export, string prefix)
        {
            Assert.True(prefix[^1] < 0x7F);
            var start = Bytes(prefix);
            var end = Bytes(prefix[..^1] + (char)(prefix[^1] + 1));
            var blocks = export.Nodes.ToDictionary(static n => n.Cid);
            var root = BucketCommit.Decode(export.CommitBlock.Data).Data;
            var needed = new HashSet<Cid>();
            HoldsKeyWithPrefix(root);
            OnSearchPath(start);
            OnSearchPath(end);
            var keys = export.Chains.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var manifestCids = keys.SelectMany(k => export.Chains[k]).ToHashSet();
            var manifests = export.Manifests.Where(m => manifestCids.Contains(m.Cid)).ToList();
            var chunkCids = manifests.SelectMany(static m => ObjectManifest.Decode(m.Data).Body.Select(static c => c.Cid)).ToHashSet();
            return new Range(export, prefix, [.. export.Nodes.Where(n => needed.Contains(n.Cid))], manifests,
                [.. export.Chunks.Where(c => chunkCids.Contains(c.Cid))], keys.Count);

            bool HoldsKeyWithPrefix(Cid cid)
            {
                var node = MstNode.Decode(blocks[cid].Data);
                var holds = node.ExpandKeys().Any(k => k.AsSpan().StartsWith(start));
                foreach (var child in node.Entries.Select(static e => e.Right).Prepend(node.Left).OfType<Cid>())
                {
                    holds |= HoldsKeyWithPrefix(child);
                }
                if (holds)
                {
                    needed.Add(cid);
                }
                return holds;
            }

            void OnSearchPath(byte[] key)
            {
                for (Cid? cid = root; cid is not null;)
                {
                    needed.Add(cid);
                    var node = MstNode.Decode(blocks[cid].Data);
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

        public Task<byte[]> ToCarAsync() => CarVerifierTests.ToCarAsync(Blocks, [Export.Commit]);
    }

    /// <summary>A bucket of 400 keys under several prefixes, some with version chains and shared chunks.</summary>
    private static Export Catalogue()
    {
        var builder = new ExportBuilder();
        var shared = Bytes("shared body");
        for (var i = 0; i < 400; i++)
        {
            var key = (i % 5) switch
            {
                0 => $"logs/{i:D3}.txt",
                1 => $"photos/2025/{i:D3}.jpg",
                2 => $"photos/2026/{i:D3}.jpg",
                3 => $"\u00e9t\u00e9/{i:D3}-\u65e5\u672c",
                _ => $"docs/{i % 7}/{i:D3}",
            };
            builder.Put(key, i % 3 == 0 ? shared : Bytes($"body {i}"));
            if (i % 11 == 0)
            {
                builder.Put(key, Bytes($"second {i}"), Bytes($"more {i}"));
            }
            if (i % 37 == 0)
            {
                builder.Delete(key);
            }
        }
        return builder.Build();
    }

    private static void AssertValidRange(CarVerification result, Range range)
    {
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(range.Prefix, result.Prefix);
        Assert.Equal(range.Export.Commit, result.Commit);
        Assert.Equal(range.Export.Nodes[^1].Cid, result.Root);
        Assert.Equal(range.Keys, result.Keys);
        Assert.Equal(range.Nodes.Count, result.Nodes);
        Assert.Equal(range.Manifests.Count, result.Manifests);
        Assert.Equal(range.Chunks.Count, result.Chunks);
        Assert.Equal(1 + range.Nodes.Count + range.Manifests.Count + range.Chunks.Count, result.Blocks);
        Assert.Equal(range.Chunks.Sum(static c => (long)c.Data.Length), result.Bytes);
    }

    // Valid ranges

    [Theory(Timeout = 30_000)]
    [InlineData("logs/", 80)]
    [InlineData("photos/", 160)]
    [InlineData("photos/2026/", 80)]
    [InlineData("photos/2026/1", 20)]
    [InlineData("docs/3/", 11)]
    [InlineData("logs/005.txt", 1)]
    [InlineData("\u00e9t\u00e9/1", 20)]
    [InlineData("a", 0)]
    [InlineData("m", 0)]
    [InlineData("zzz", 0)]
    public async Task A_range_export_verifies_with_its_prefix_against_the_same_commit(string prefix, int keys)
    {
        // Arrange
        var export = Catalogue();
        var range = Range.Of(export, prefix);
        Assert.Equal(keys, range.Keys);

        // Act
        var result = await VerifyAsync(await range.ToCarAsync(), prefix);

        // Assert: the commit and root are the whole bucket's; subtrees outside the range were left out
        AssertValidRange(result, range);
        Assert.Equal("photos", result.Bucket);
        Assert.Equal(42, result.Seq);
        Assert.True(range.Nodes.Count < export.Nodes.Count, $"{range.Nodes.Count} of {export.Nodes.Count} nodes");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_range_export_of_an_empty_bucket_or_a_one_node_tree_verifies()
    {
        // Arrange
        var empty = Range.Of(new ExportBuilder().Build(), "x/");
        var keys = LayerZeroKeys("k", 3);
        var builder = new ExportBuilder();
        foreach (var key in keys)
        {
            builder.Put(key, Bytes(key));
        }
        var oneNode = Range.Of(builder.Build(), keys[1]);

        // Act
        var emptyResult = await VerifyAsync(await empty.ToCarAsync(), "x/");
        var oneNodeResult = await VerifyAsync(await oneNode.ToCarAsync(), keys[1]);

        // Assert
        AssertValidRange(emptyResult, empty);
        Assert.Equal(MstTree.EmptyRoot, emptyResult.Root);
        AssertValidRange(oneNodeResult, oneNode);
        Assert.Equal((1, 1, 1), (oneNodeResult.Keys, oneNodeResult.Nodes, oneNodeResult.Manifests));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_whole_bucket_export_verifies_with_any_prefix()
    {
        // Arrange
        var export = Catalogue();
        var car = await ToCarAsync(export);

        // Act
        var photos = await VerifyAsync(car, "photos/2026/");
        var none = await VerifyAsync(car, "zzz");
        var empty = await VerifyAsync(car, "");

        // Assert: every node and manifest the file holds is checked and counted; keys are the range's
        AssertValid(empty, export, keys: 400);
        Assert.Null(empty.Prefix);
        foreach (var (result, keys) in new[] { (photos, 80), (none, 0) })
        {
            Assert.Empty(result.Errors);
            Assert.Equal(keys, result.Keys);
            Assert.Equal(export.Nodes.Count, result.Nodes);
            Assert.Equal(export.Manifests.Count, result.Manifests);
            Assert.Equal(export.Chunks.Count, result.Chunks);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_range_export_verified_without_its_prefix_or_with_a_wider_one_fails()
    {
        // Arrange
        var range = Range.Of(Catalogue(), "photos/2026/");
        var car = await range.ToCarAsync();

        // Act
        var whole = await VerifyAsync(car);
        var wider = await VerifyAsync(car, "photos/");

        // Assert
        AssertSomeError(whole, "(linked from MST node", "is missing.");
        Assert.Null(whole.Prefix);
        AssertSomeError(wider, "(linked from MST node", "is missing, and keys starting with 'photos/' may lie under it");
    }

    // One defect each

    [Fact(Timeout = 30_000)]
    public async Task A_missing_node_inside_the_range_is_reported()
    {
        // Arrange: a node below the root that holds keys of the range
        var range = Range.Of(Catalogue(), "photos/");
        var missing = range.Nodes.First(n => n.Cid != range.Export.Nodes[^1].Cid
            && MstNode.Decode(n.Data).ExpandKeys().Any(static k => k.AsSpan().StartsWith(Bytes("photos/")))).Cid;

        // Act
        var result = await VerifyAsync(await ToCarAsync(range.Blocks.Where(b => b.Cid != missing), [range.Export.Commit]), "photos/");

        // Assert: reported; the manifests it led to are now extra blocks
        AssertSomeError(result, $"MST node {missing} (linked from MST node", "is missing, and keys starting with 'photos/' may lie under it");
        AssertSomeError(result, "is not reachable from the commit");
        Assert.True(result.Keys < range.Keys);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_manifest_or_chunk_inside_the_range_is_reported_with_its_key()
    {
        // Arrange: a key of the range whose value has a body of its own
        var export = Catalogue();
        var range = Range.Of(export, "logs/");
        var key = "logs/010.txt";
        var manifestCid = export.Chains[key][0];
        var manifest = ObjectManifest.Decode(range.Manifests.Single(m => m.Cid == manifestCid).Data);
        var chunk = manifest.Body[0].Cid;
        Assert.Single(range.Manifests, m => ObjectManifest.Decode(m.Data).Body.Any(c => c.Cid == chunk));

        // Act
        var noManifest = await VerifyAsync(await ToCarAsync(range.Blocks.Where(b => b.Cid != manifestCid), [export.Commit]), "logs/");
        var noChunk = await VerifyAsync(await ToCarAsync(range.Blocks.Where(b => b.Cid != chunk), [export.Commit]), "logs/");

        // Assert: the manifest's own chunks become extra blocks; the chunk is missing, nothing else
        AssertSomeError(noManifest, $"Manifest {manifestCid} of key '{key}'", "is missing");
        Assert.All(noManifest.Errors.Skip(1), static e => Assert.EndsWith("is not reachable from the commit.", e, StringComparison.Ordinal));
        AssertOneError(noChunk, $"Chunk {chunk} of key '{key}' (manifest {manifestCid}, body[0]) is missing");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_extra_block_in_a_range_export_is_reported()
    {
        // Arrange: a manifest and a chunk of a key outside the range, whose value is not in the file
        var export = Catalogue();
        var range = Range.Of(export, "logs/");
        var outside = export.Chains["photos/2026/002.jpg"][0];
        var outsideChunk = ObjectManifest.Decode(export.Manifests.Single(m => m.Cid == outside).Data).Body[0].Cid;
        var older = export.Chains["docs/2/044"][1];

        // Act
        var extraChunk = await VerifyAsync(
            await ToCarAsync(range.Blocks.Append(export.Chunks.Single(c => c.Cid == outsideChunk)), [export.Commit]), "logs/");
        var extraOlderVersion = await VerifyAsync(
            await ToCarAsync(range.Blocks.Append(export.Manifests.Single(m => m.Cid == older)), [export.Commit]), "logs/");

        // Assert
        AssertOneError(extraChunk, $"Block {outsideChunk} (at byte", "is not reachable from the commit");
        AssertOneError(extraOlderVersion, $"Block {older} (at byte", "is not reachable from the commit");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_manifest_outside_the_range_that_the_file_holds_is_checked()
    {
        // Arrange: the manifest of a key outside the range, in a node the range holds (on the path to
        // one of its ends), in the file without the chunk it names
        var export = Catalogue();
        var range = Range.Of(export, "logs/");
        var key = range.Nodes.SelectMany(static n => MstNode.Decode(n.Data).ExpandKeys()).Select(static k => System.Text.Encoding.UTF8.GetString(k))
            .First(k => !k.StartsWith("logs/", StringComparison.Ordinal) && export.Chains[k].Count == 1
                && ObjectManifest.Decode(export.Manifests.Single(m => m.Cid == export.Chains[k][0]).Data).Body.Count > 0);
        var outside = export.Chains[key][0];
        var chunk = ObjectManifest.Decode(export.Manifests.Single(m => m.Cid == outside).Data).Body[0].Cid;
        var unheld = export.Chains["photos/2026/002.jpg"][0];

        // Act
        var held = await VerifyAsync(await ToCarAsync(range.Blocks.Append(export.Manifests.Single(m => m.Cid == outside)), [export.Commit]), "logs/");
        var notHeld = await VerifyAsync(await ToCarAsync(range.Blocks.Append(export.Manifests.Single(m => m.Cid == unheld)), [export.Commit]), "logs/");

        // Assert: reached (not extra), and its missing chunk reported; a manifest under a node left out is extra
        AssertOneError(held, $"Chunk {chunk} of key '{key}'", "is missing");
        Assert.Equal(range.Manifests.Count + 1, held.Manifests);
        AssertOneError(notHeld, $"Block {unheld} (at byte", "is not reachable from the commit");
    }

    /// <summary>Keys of height <paramref name="height"/>, from a deterministic list.</summary>
    private static string[] KeysOfHeight(string prefix, int height, int count) =>
        [.. Enumerable.Range(0, 4000).Select(i => $"{prefix}{i:D4}").Where(k => MstKey.Height(Bytes(k)) == height).Take(count)];

    /// <summary>An export of <paramref name="keys"/> (one chunk each) whose tree is built by hand by <paramref name="tree"/>.</summary>
    private static Export HandBuilt(IEnumerable<string> keys, Func<Func<Cid?, (string Key, Cid? Right)[], Cid>, Cid> tree)
    {
        var builder = new ExportBuilder();
        foreach (var key in keys)
        {
            builder.Put(key, Bytes("body of " + key));
        }
        var export = builder.Build();
        var nodes = new List<CarBlock>();
        var root = tree((left, entries) =>
        {
            var block = MstNode.FromKeys(left, [.. entries.Select(e => (Bytes(e.Key), export.Chains[e.Key][0], e.Right))]).Encode();
            nodes.Add(new CarBlock(Cid.ForDagCbor(block), block));
            return nodes[^1].Cid;
        });
        return export.WithTree(root, nodes);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_outside_the_bounds_its_parent_gives_is_reported()
    {
        // Arrange: a root of two layer-1 keys; the child between them holds a layer-0 key after the second
        var high = KeysOfHeight("r/", 1, 2);
        var low = KeysOfHeight("r/", 0, 200).Where(k => MstKey.Compare(Bytes(k), Bytes(high[1])) > 0).Take(1).ToArray();
        var export = HandBuilt([.. high, .. low], node =>
        {
            var middle = node(null, [(low[0], null)]);
            return node(null, [(high[0], middle), (high[1], null)]);
        });

        // Act
        var result = await VerifyAsync(await ToCarAsync(export), "r/");

        // Assert
        AssertOneError(result, $"Key '{low[0]}' in MST node {export.Nodes[0].Cid}", "is outside the bounds its parent gives",
            $"does not come before '{high[1]}'");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_at_the_wrong_layer_is_reported()
    {
        // Arrange: one node holding a layer-0 key then a layer-1 key (in order, canonical)
        var zero = KeysOfHeight("w/", 0, 1)[0];
        var one = KeysOfHeight("w/", 1, 50).First(k => MstKey.Compare(Bytes(k), Bytes(zero)) > 0);
        var export = HandBuilt([zero, one], node => node(null, [(zero, null), (one, null)]));

        // Act
        var result = await VerifyAsync(await ToCarAsync(export), "w/");

        // Assert
        AssertOneError(result, $"Key '{one}' in MST node {export.Nodes[0].Cid} has MST layer 1, but its node is at layer 0");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_untrimmed_root_and_an_empty_node_below_it_are_reported()
    {
        // Arrange: a valid one-node tree under an entry-less root; a layer-1 key over an empty child
        var keys = LayerZeroKeys("t/", 2);
        var untrimmed = HandBuilt(keys, node => node(node(null, [(keys[0], null), (keys[1], null)]), []));
        var high = KeysOfHeight("t/", 1, 1)[0];
        var empty = HandBuilt([high], node => node(node(null, []), [(high, null)]));

        // Act
        var untrimmedResult = await VerifyAsync(await ToCarAsync(untrimmed), "t/");
        var emptyResult = await VerifyAsync(await ToCarAsync(empty), "t/");

        // Assert
        AssertOneError(untrimmedResult, $"MST node {untrimmed.Nodes[^1].Cid} (the commit's data) has no entries but a subtree");
        AssertOneError(emptyResult, $"MST node {empty.Nodes[0].Cid} (linked from MST node {empty.Nodes[^1].Cid}) has neither entries nor a subtree");
    }

    [Theory]
    [InlineData("b", null, null, true)]
    [InlineData("b", "a", "c", true)]
    [InlineData("b", null, "b", false)] // every key before the prefix itself
    [InlineData("b", null, "b\u0000", true)] // the prefix itself fits
    [InlineData("b", "b", null, true)] // keys after "b" may start with it
    [InlineData("b", "bzzz", "c", true)]
    [InlineData("b", "c", null, false)] // the successor and after
    [InlineData("b", "a", "az", false)]
    [InlineData("\u00e9", "\u00e9zzz", null, true)]
    [InlineData("\u00e9", "\u00ea", null, false)]
    public void A_prefix_range_overlaps_exactly_the_subtrees_that_can_hold_its_keys(string prefix, string? lower, string? upper, bool overlaps)
    {
        var range = MstPrefixRange.For(prefix)!;

        Assert.Equal(overlaps, range.Overlaps(lower is null ? null : Bytes(lower), upper is null ? null : Bytes(upper)));
        Assert.True(range.Contains(Bytes(prefix + "x")));
        Assert.False(range.Contains(Bytes("x" + prefix)));
        Assert.Null(MstPrefixRange.For(""));
        Assert.Null(MstPrefixRange.For(null));
    }
}
