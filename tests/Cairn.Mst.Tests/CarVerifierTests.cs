using System.Text;
using Cairn.Core;

namespace Cairn.Mst.Tests;

/// <summary>Offline verification of exported bucket CARs (issue 11): valid exports, then one defect each.</summary>
[Trait("Issue", "11")]
public partial class CarVerifierTests
{
    private static readonly DateTimeOffset s_time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    /// <summary>One version of a key as the builder makes its manifest.</summary>
    /// <param name="Chunks">The body's chunks (none for an empty body or a marker).</param>
    /// <param name="IsMarker">A delete marker.</param>
    /// <param name="ManifestKey">The key the manifest names, when not the tree's key (a defect).</param>
    /// <param name="ExtraLength">Added to the last chunk's length and the size (a defect).</param>
    private sealed record Version(byte[][] Chunks, bool IsMarker = false, string? ManifestKey = null, long ExtraLength = 0);

    /// <summary>The blocks of an export, by kind; <see cref="Blocks"/> is what an exporter writes.</summary>
    private sealed record Export(
        CarBlock CommitBlock,
        IReadOnlyList<CarBlock> Nodes,
        IReadOnlyList<CarBlock> Manifests,
        IReadOnlyList<CarBlock> Chunks,
        IReadOnlyDictionary<string, IReadOnlyList<Cid>> Chains)
    {
        public Cid Commit => CommitBlock.Cid;

        public IEnumerable<CarBlock> Blocks => [CommitBlock, .. Nodes, .. Manifests, .. Chunks];

        public long ChunkBytes => Chunks.Sum(static c => (long)c.Data.Length);

        /// <summary>The same export under a commit whose data is <paramref name="data"/>, with <paramref name="nodes"/> as its tree.</summary>
        public Export WithTree(Cid data, IReadOnlyList<CarBlock> nodes)
        {
            var commit = new BucketCommit("photos", data, Previous: null, Seq: 42, s_time).Encode();
            return this with { CommitBlock = new CarBlock(Cid.ForDagCbor(commit), commit), Nodes = nodes };
        }

        /// <summary>The same export whose tree is the one node <paramref name="node"/>.</summary>
        public Export WithTree(MstNode node)
        {
            var block = node.Encode();
            var cid = Cid.ForDagCbor(block);
            return WithTree(cid, [new CarBlock(cid, block)]);
        }
    }

    /// <summary>Builds an export the way the exporter does: version chains, manifests, chunks, the MST, the commit.</summary>
    private sealed class ExportBuilder
    {
        private readonly Dictionary<string, List<Version>> _versions = new(StringComparer.Ordinal);

        public ExportBuilder Put(string key, params byte[][] chunks) => Add(key, new Version(chunks));

        public ExportBuilder Delete(string key) => Add(key, new Version([], IsMarker: true));

        /// <summary>Adds <paramref name="version"/> as the newest version of <paramref name="key"/>.</summary>
        public ExportBuilder Add(string key, Version version)
        {
            if (!_versions.TryGetValue(key, out var list))
            {
                _versions[key] = list = [];
            }
            list.Add(version);
            return this;
        }

        public Export Build()
        {
            var manifests = new List<CarBlock>();
            var chunks = new Dictionary<Cid, CarBlock>();
            var chains = new Dictionary<string, IReadOnlyList<Cid>>(StringComparer.Ordinal);
            var leaves = new List<KeyValuePair<byte[], Cid>>();
            foreach (var (key, versions) in _versions)
            {
                Cid? previous = null;
                var chain = new List<Cid>();
                for (var i = 0; i < versions.Count; i++)
                {
                    var block = Manifest(key, i, versions[i], previous, chunks).ToBlock();
                    manifests.Add(block);
                    chain.Insert(0, block.Cid);
                    previous = block.Cid;
                }
                chains[key] = chain;
                leaves.Add(new(Encoding.UTF8.GetBytes(key), previous!));
            }
            leaves.Sort(static (a, b) => MstKey.Compare(a.Key, b.Key));
            var tree = MstBuilder.Build(leaves);
            var nodes = tree.Blocks.Select(static b => new CarBlock(b.Cid, b.Data)).ToList();
            var export = new Export(default, nodes, manifests, [.. chunks.Values], chains);
            return export.WithTree(tree.Root, nodes);
        }

        private static ObjectManifest Manifest(string key, int number, Version version, Cid? previous, Dictionary<Cid, CarBlock> chunks)
        {
            var body = new List<ManifestChunk>();
            foreach (var chunk in version.Chunks)
            {
                var cid = Cid.ForRaw(chunk);
                chunks.TryAdd(cid, new CarBlock(cid, chunk));
                body.Add(new ManifestChunk(cid, chunk.Length));
            }
            if (version.ExtraLength != 0)
            {
                body[^1] = body[^1] with { Length = body[^1].Length + version.ExtraLength };
            }
            var time = s_time.AddMilliseconds(number);
            return new ObjectManifest
            {
                Key = version.ManifestKey ?? key,
                VersionId = $"v{number}",
                IsDeleteMarker = version.IsMarker,
                Size = body.Sum(static c => c.Length),
                ETag = version.IsMarker ? "" : $"etag-{number}",
                Created = time,
                Modified = time,
                Body = body,
                Previous = previous,
            };
        }
    }

    private static async Task<byte[]> ToCarAsync(IEnumerable<CarBlock> blocks, IReadOnlyList<Cid> roots)
    {
        using var stream = new MemoryStream();
        var writer = new CarWriter(stream);
        await writer.WriteHeaderAsync(roots, CancellationToken.None);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(block.Cid, block.Data, CancellationToken.None);
        }
        return stream.ToArray();
    }

    private static Task<byte[]> ToCarAsync(Export export) => ToCarAsync(export.Blocks, [export.Commit]);

    private static Task<CarVerification> VerifyAsync(byte[] car) => CarVerifier.VerifyAsync(new MemoryStream(car), CancellationToken.None);

    private static void AssertValid(CarVerification result, Export export, int keys)
    {
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(export.Commit, result.Commit);
        Assert.Equal("photos", result.Bucket);
        Assert.Equal(42, result.Seq);
        Assert.Equal(export.Nodes[^1].Cid, result.Root);
        Assert.Equal(keys, result.Keys);
        Assert.Equal(export.Nodes.Count, result.Nodes);
        Assert.Equal(export.Manifests.Count, result.Manifests);
        Assert.Equal(export.Chunks.Count, result.Chunks);
        Assert.Equal(1 + export.Nodes.Count + export.Manifests.Count + export.Chunks.Count, result.Blocks);
        Assert.Equal(export.ChunkBytes, result.Bytes);
    }

    /// <summary>The only error, which contains every fragment.</summary>
    private static void AssertOneError(CarVerification result, params string[] fragments)
    {
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error, StringComparison.Ordinal);
        }
    }

    private static void AssertSomeError(CarVerification result, params string[] fragments)
    {
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, error => fragments.All(f => error.Contains(f, StringComparison.Ordinal)));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Keys of height 0 (a one-node tree holds only these), from a deterministic list.</summary>
    private static string[] LayerZeroKeys(string prefix, int count) =>
        [.. Enumerable.Range(0, 1000).Select(i => $"{prefix}{i:D3}").Where(k => MstKey.Height(Bytes(k)) == 0).Take(count)];

    /// <summary>A bucket of 100 small objects: a tree of several nodes.</summary>
    private static Export HundredKeys()
    {
        var builder = new ExportBuilder();
        for (var i = 0; i < 100; i++)
        {
            builder.Put($"logs/{i:D3}.txt", Bytes($"line {i}"));
        }
        var export = builder.Build();
        Assert.True(export.Nodes.Count > 1);
        return export;
    }

    // Valid exports

    [Fact(Timeout = 30_000)]
    public async Task An_empty_bucket_is_valid_with_its_empty_tree()
    {
        // Arrange
        var export = new ExportBuilder().Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export));

        // Assert
        AssertValid(result, export, keys: 0);
        Assert.Equal(MstTree.EmptyRoot, result.Root);
        Assert.Equal(2, result.Blocks);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bucket_of_one_key_is_valid()
    {
        // Arrange
        var export = new ExportBuilder().Put("hello.txt", Bytes("hello")).Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export));

        // Assert
        AssertValid(result, export, keys: 1);
        Assert.Equal((1, 1, 1, 5L), (result.Nodes, result.Manifests, result.Chunks, result.Bytes));
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_kind_of_version_counts_as_expected()
    {
        // Arrange: multi-chunk, inline-size and empty bodies, a delete marker over a version, a
        // non-ASCII key with a chain of three, and one chunk under two keys (stored once)
        var export = new ExportBuilder()
            .Put("a/multi", Bytes("aaaa"), Bytes("bbbb"), Bytes("cc"))
            .Put("b/inline", Bytes("0123456789"))
            .Put("c/empty")
            .Put("d/gone", Bytes("was here")).Delete("d/gone")
            .Put("\u00e9t\u00e9/\u65e5\u672c/\ud83d\ude42", Bytes("one")).Put("\u00e9t\u00e9/\u65e5\u672c/\ud83d\ude42", Bytes("two!"))
            .Put("\u00e9t\u00e9/\u65e5\u672c/\ud83d\ude42", Bytes("aaaa"), Bytes("three"))
            .Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export));

        // Assert: 5 keys, 1+1+1+2+3 manifests, chunks aaaa bbbb cc 0123456789 "was here" one two! three
        AssertValid(result, export, keys: 5);
        Assert.Equal(8, result.Manifests);
        Assert.Equal(8, result.Chunks);
        Assert.Equal(4 + 4 + 2 + 10 + 8 + 3 + 4 + 5, result.Bytes);
    }

    [Fact(Timeout = 60_000)]
    public async Task Five_hundred_keys_with_version_chains_in_any_order_from_a_file_are_valid()
    {
        // Arrange
        var random = new Random(11);
        var shared = Bytes("the same bytes under many keys");
        var builder = new ExportBuilder();
        for (var i = 0; i < 500; i++)
        {
            var key = i % 7 == 0 ? $"photos/\u00e9t\u00e9/{i:D4}-\u65e5\u672c-\ud83d\ude42.jpg" : $"docs/{i % 13}/file-{i:D4}.txt";
            for (var v = random.Next(1, 4); v > 0; v--)
            {
                builder.Add(key, random.Next(5) switch
                {
                    0 => new Version([], IsMarker: true),
                    1 => new Version([]),
                    2 => new Version([RandomBytes(random, random.Next(1, 257))]),
                    3 => new Version([.. Enumerable.Range(0, random.Next(2, 5)).Select(_ => RandomBytes(random, random.Next(1, 4097)))]),
                    _ => new Version([shared]),
                });
            }
        }
        var export = builder.Build();
        var blocks = export.Blocks.ToArray();
        random.Shuffle(blocks);
        var path = Path.Combine(Path.GetTempPath(), $"cairn-verify-{Guid.NewGuid():N}.car");
        try
        {
            await File.WriteAllBytesAsync(path, await ToCarAsync(blocks, [export.Commit]));

            // Act
            CarVerification result;
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true))
            {
                result = await CarVerifier.VerifyAsync(file, CancellationToken.None);
            }

            // Assert
            AssertValid(result, export, keys: 500);
            Assert.True(result.Manifests > 500);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_block_written_twice_is_valid_and_counted_once()
    {
        // Arrange
        var export = new ExportBuilder().Put("a", Bytes("x"), Bytes("y")).Put("b", Bytes("z")).Build();
        var blocks = export.Blocks.ToList();
        blocks.Add(export.Chunks[0]);
        blocks.Add(export.Manifests[0]);
        blocks.Insert(1, export.Nodes[^1]);

        // Act
        var result = await VerifyAsync(await ToCarAsync(blocks, [export.Commit]));

        // Assert
        AssertValid(result, export, keys: 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task Verification_starts_at_the_streams_position()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();
        var car = await ToCarAsync(export);
        var stream = new MemoryStream();
        stream.Write(Bytes("junk before the CAR"));
        stream.Write(car);
        stream.Position = 19;

        // Act
        var result = await CarVerifier.VerifyAsync(stream, CancellationToken.None);

        // Assert
        AssertValid(result, export, keys: 1);
    }

    // One defect each

    [Fact(Timeout = 30_000)]
    public async Task A_missing_chunk_is_reported_with_its_key()
    {
        // Arrange
        var export = new ExportBuilder().Put("a", Bytes("x"), Bytes("yy")).Put("b", Bytes("z")).Build();
        var missing = Cid.ForRaw(Bytes("yy"));

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks.Where(b => b.Cid != missing), [export.Commit]));

        // Assert
        AssertOneError(result, $"Chunk {missing} of key 'a'", "body[1]", "is missing");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_chunk_whose_manifest_gives_another_length_is_reported()
    {
        // Arrange: the manifest says 6 bytes for the 5-byte chunk (and a size of 6)
        var export = new ExportBuilder().Add("k", new Version([Bytes("hello")], ExtraLength: 1)).Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export));

        // Assert
        AssertOneError(result, $"Chunk {Cid.ForRaw(Bytes("hello"))} of key 'k'", "is 5 bytes; the manifest says 6");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_node_is_reported_and_its_keys_blocks_become_unreachable()
    {
        // Arrange: a node below the root (MstBuilder lists children before parents)
        var export = HundredKeys();
        var missing = export.Nodes[0].Cid;

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks.Where(b => b.Cid != missing), [export.Commit]));

        // Assert
        AssertSomeError(result, $"MST node {missing} (linked from MST node", "is missing");
        AssertSomeError(result, "is not reachable from the commit");
        Assert.DoesNotContain(result.Errors, e => e.Contains("is not the MST of its", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_manifest_in_a_previous_chain_is_reported()
    {
        // Arrange: the older version has an empty body, so nothing else goes unreachable
        var export = new ExportBuilder().Put("k").Put("k", Bytes("new")).Build();
        var (newest, older) = (export.Chains["k"][0], export.Chains["k"][1]);

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks.Where(b => b.Cid != older), [export.Commit]));

        // Assert
        AssertOneError(result, $"Manifest {older} on the previous chain of key 'k' (after manifest {newest}) is missing");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_manifest_of_another_key_than_the_trees_is_reported()
    {
        // Arrange
        var export = new ExportBuilder().Add("k", new Version([Bytes("v")], ManifestKey: "K")).Put("other", Bytes("w")).Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export));

        // Assert
        AssertOneError(result, $"Manifest {export.Chains["k"][0]} of key 'k'", "has key 'K', not the tree's key");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_commit_whose_data_is_another_root_is_reported()
    {
        // Arrange: the commit names the root of another bucket's tree; this tree's blocks stay
        var export = new ExportBuilder().Put("a", Bytes("1")).Put("b", Bytes("2")).Build();
        var other = new ExportBuilder().Put("elsewhere", Bytes("v")).Build().Nodes[^1].Cid;
        var tampered = export.WithTree(other, export.Nodes);

        // Act
        var result = await VerifyAsync(await ToCarAsync(tampered));

        // Assert
        Assert.Equal(other, result.Root);
        Assert.Equal(0, result.Keys);
        Assert.Equal($"MST node {other} (the commit's data) is missing.", result.Errors[0]);
        // Every block but the commit: the tree's nodes, both manifests, both chunks
        Assert.Equal(export.Nodes.Count + 4, result.Errors.Count(e => e.EndsWith("is not reachable from the commit.", StringComparison.Ordinal)));
        AssertSomeError(result, $"Block {export.Nodes[^1].Cid}", "is not reachable from the commit");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_node_with_keys_out_of_order_is_reported()
    {
        // Arrange: one node of layer-0 keys, written by hand in the wrong order
        var keys = LayerZeroKeys("k", 3);
        var builder = new ExportBuilder();
        foreach (var key in keys)
        {
            builder.Put(key, Bytes(key));
        }
        var export = builder.Build();
        var node = MstNode.FromKeys(null, [.. new[] { keys[0], keys[2], keys[1] }.Select(k => (Bytes(k), export.Chains[k][0], (Cid?)null))]);

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.WithTree(node)));

        // Assert
        AssertOneError(result, $"Key '{keys[1]}' in MST node", "is out of order", $"after '{keys[2]}'");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tree_in_order_but_of_another_shape_fails_the_rebuild()
    {
        // Arrange: every key in one node, in order and canonical, but keys above layer 0 belong higher up
        var export = HundredKeys();
        var keys = Enumerable.Range(0, 100).Select(i => $"logs/{i:D3}.txt").ToArray();
        var node = MstNode.FromKeys(null, [.. keys.Select(k => (Bytes(k), export.Chains[k][0], (Cid?)null))]);
        var tampered = export.WithTree(node);

        // Act
        var result = await VerifyAsync(await ToCarAsync(tampered));

        // Assert
        AssertOneError(result, $"The tree under {tampered.Nodes[0].Cid} is not the MST of its 100 keys", $"gives root {export.Nodes[^1].Cid}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_block_the_commit_does_not_reach_is_reported()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();
        var stray = new CarBlock(Cid.ForRaw(Bytes("stray")), Bytes("stray"));

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks.Append(stray), [export.Commit]));

        // Assert
        AssertOneError(result, $"Block {stray.Cid} (at byte", "is not reachable from the commit");
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_roots_are_reported()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks, [export.Commit, export.Commit]));

        // Assert
        AssertOneError(result, "names 2 roots", "exactly one");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_root_that_is_not_a_commit_is_reported()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks, [export.Manifests[0].Cid]));

        // Assert
        AssertOneError(result, $"Commit {export.Manifests[0].Cid} (the header's root) does not decode as a bucket commit");
        Assert.Null(result.Bucket);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_truncated_file_is_one_error()
    {
        // Arrange
        var car = await ToCarAsync(new ExportBuilder().Put("k", Bytes("some body")).Build());

        // Act
        var result = await VerifyAsync(car[..^3]);

        // Assert
        AssertOneError(result, "The CAR cannot be read", "ended inside a section");
        Assert.Null(result.Commit);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_flipped_byte_inside_a_block_is_one_error()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();
        var car = await ToCarAsync(export);
        var manifest = export.Manifests[0];
        var at = car.AsSpan().IndexOf(manifest.Data.Span);
        car[at + manifest.Data.Length / 2] ^= 0x01;

        // Act
        var result = await VerifyAsync(car);

        // Assert
        AssertOneError(result, "The CAR cannot be read", $"Block {manifest.Cid} does not hash to its CID");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_node_that_is_not_canonically_compressed_is_reported()
    {
        // Arrange: strict DAG-CBOR, keys in order, but each entry spells its whole key (p = 0)
        var keys = LayerZeroKeys("shared/prefix/", 3);
        var builder = new ExportBuilder();
        foreach (var key in keys)
        {
            builder.Put(key, Bytes(key));
        }
        var export = builder.Build();
        var node = new MstNode(null, [.. keys.Select(k => new MstEntry(0, Bytes(k), export.Chains[k][0], null))]);
        var tampered = export.WithTree(node);

        // Act
        var result = await VerifyAsync(await ToCarAsync(tampered));

        // Assert: its keys are still walked, so their manifests and chunks are reached
        AssertOneError(result, $"MST node {tampered.Nodes[0].Cid} (the commit's data) is not the canonical encoding of its entries");
        Assert.Equal(3, result.Keys);
    }

    [Fact(Timeout = 30_000)]
    public async Task Errors_stop_after_the_limit()
    {
        // Arrange
        var export = new ExportBuilder().Put("k", Bytes("v")).Build();
        var strays = Enumerable.Range(0, 150).Select(i => Bytes($"stray {i}")).Select(b => new CarBlock(Cid.ForRaw(b), b));

        // Act
        var result = await VerifyAsync(await ToCarAsync(export.Blocks.Concat(strays), [export.Commit]));

        // Assert
        Assert.Equal(CarVerifier.MaxErrors + 1, result.Errors.Count);
        Assert.StartsWith("Too many errors", result.Errors[^1], StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stream_that_cannot_seek_is_refused()
    {
        // Arrange
        var car = await ToCarAsync(new ExportBuilder().Build());
        var stream = new NoSeekStream(car);

        // Act + Assert
        await Assert.ThrowsAsync<ArgumentException>(() => CarVerifier.VerifyAsync(stream, CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_verification_throws()
    {
        // Arrange
        var car = await ToCarAsync(new ExportBuilder().Put("k", Bytes("v")).Build());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // Act + Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CarVerifier.VerifyAsync(new MemoryStream(car), cancelled.Token));
    }

    private sealed class NoSeekStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
