using System.Text;
using Cairn.Core;

namespace Cairn.Mst.Tests;

public class MstVectorTests
{
    public static TheoryData<string, string> TreeCases => MstVectors.TreeCases();

    [Fact]
    public void Every_file_and_case_in_the_vector_index_is_covered()
    {
        // Arrange
        var index = MstVectors.Load("index.json");
        var covered = MstVectors.TreeCases().Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        var indexed = new List<(string File, string Case, string Root)>();
        var tables = new Dictionary<string, int>();
        foreach (var file in index.GetProperty("files").EnumerateArray())
        {
            var cases = file.GetProperty("cases");
            if (cases.ValueKind == System.Text.Json.JsonValueKind.Number)
            {
                // key-heights.json and common-prefix.json: tables, whose rows are counted here
                tables[file.GetProperty("file").GetString()!] = cases.GetInt32();
                continue;
            }
            foreach (var c in cases.EnumerateArray())
            {
                indexed.Add((file.GetProperty("file").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("expected_root").GetString()!));
            }
        }

        // Act / Assert: 7 tree files hold every indexed case; the two tables have the rows the index says.
        Assert.Equal(28, indexed.Count);
        Assert.Equal(2, tables.Count);
        foreach (var (file, rows) in tables)
        {
            Assert.Equal(rows, MstVectors.Load(file).GetProperty("cases").GetArrayLength());
        }
        foreach (var (file, name, root) in indexed)
        {
            Assert.Contains((file, name), covered);
            Assert.Equal(root, MstVectors.LoadCase(file, name).ExpectedRoot.ToString());
        }
        Assert.Equal(indexed.Count, covered.Count);
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void Building_from_the_key_set_gives_the_vector_root_and_every_node_byte_exact(string file, string name)
    {
        // Arrange
        var vector = MstVectors.LoadCase(file, name);
        Assert.Equal(vector.KeyCount, vector.Entries.Count);

        // Act
        var built = MstBuilder.Build(vector.Pairs);

        // Assert
        Assert.Equal(vector.ExpectedRoot, built.Root);
        Assert.Equal(vector.Nodes.Count, built.Blocks.Count);
        var expected = vector.Nodes.ToDictionary(n => n.Cid, n => Convert.ToHexStringLower(n.Cbor));
        foreach (var block in built.Blocks)
        {
            Assert.True(expected.TryGetValue(block.Cid, out var hex), $"{file}/{name}: built node {block.Cid} is not in the vector");
            Assert.Equal(hex, Convert.ToHexStringLower(block.Data));
        }
        Assert.Equal(built.Root, built.Blocks[^1].Cid);
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void The_incremental_tree_reaches_the_vector_root_in_any_insertion_order(string file, string name)
    {
        // Arrange
        var vector = MstVectors.LoadCase(file, name);
        var forward = vector.Pairs.ToList();
        var backward = Enumerable.Reverse(forward).ToList();
        var shuffled = forward.OrderBy(_ => Random.Shared.Next()).ToList();

        foreach (var order in new[] { forward, backward, shuffled })
        {
            // Act
            var tree = MstTree.Create(order);
            var blocks = tree.GetAllBlocks();

            // Assert
            Assert.Equal(vector.ExpectedRoot, tree.ComputeRoot());
            Assert.Equal(vector.Entries.Count, tree.Count);
            Assert.Equal(
                vector.Nodes.Select(n => (n.Cid.ToString(), Convert.ToHexStringLower(n.Cbor))).Order(),
                blocks.Select(b => (b.Cid.ToString(), Convert.ToHexStringLower(b.Data))).Order());
        }
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void Vector_nodes_decode_to_their_layer_and_entries_are_sorted_bytewise_with_their_heights(string file, string name)
    {
        // Arrange
        var vector = MstVectors.LoadCase(file, name);

        // Assert: the vector's own entries (sorted bytewise, heights as MstKey computes them).
        for (var i = 0; i < vector.Entries.Count; i++)
        {
            var entry = vector.Entries[i];
            Assert.Equal(entry.KeyBytes, Encoding.UTF8.GetBytes(entry.Key));
            Assert.Equal(entry.Height, MstKey.Height(entry.KeyBytes));
            if (i > 0)
            {
                Assert.True(MstKey.Compare(vector.Entries[i - 1].KeyBytes, entry.KeyBytes) < 0, $"{entry.Key} is out of bytewise order");
            }
        }
        Assert.Equal(vector.RootLayer, vector.Entries.Count == 0 ? 0 : vector.Entries.Max(e => e.Height));

        // Assert: each node block hashes to its CID, decodes strictly, re-encodes to the same bytes,
        // and holds keys of its layer only.
        foreach (var node in vector.Nodes)
        {
            Assert.Equal(node.Cid, Cid.ForDagCbor(node.Cbor));
            var decoded = MstNode.Decode(node.Cbor);
            Assert.Equal(node.Cbor, decoded.Encode());
            Assert.All(decoded.ExpandKeys(), key => Assert.Equal(node.Layer, MstKey.Height(key)));
        }
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void Values_follow_the_vector_value_rule_with_our_DAG_CBOR_encoder(string file, string name)
    {
        // Arrange
        var vector = MstVectors.LoadCase(file, name);

        // Act / Assert: "value = CIDv1(dag-cbor, sha2-256(DAG-CBOR({"key": <key as text>})))" or one fixed value.
        foreach (var entry in vector.Entries)
        {
            if (vector.ValueRule.StartsWith("every value = ", StringComparison.Ordinal))
            {
                Assert.Equal(vector.ValueRule["every value = ".Length..], entry.Value.ToString());
            }
            else
            {
                var writer = DagCbor.CreateWriter();
                writer.WriteStartMap(1);
                writer.WriteTextString("key");
                writer.WriteTextString(entry.Key);
                writer.WriteEndMap();
                Assert.Equal(entry.Value, Cid.ForDagCbor(writer.Encode()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void Every_vector_key_and_a_neighbour_that_is_absent_prove_against_the_vector_root(string file, string name)
    {
        // Arrange
        var vector = MstVectors.LoadCase(file, name);
        var stored = vector.Nodes.ToDictionary(n => n.Cid, n => n.Cbor);
        var keys = vector.Entries.Select(e => e.KeyBytes).ToHashSet(new ByteArrayComparer());

        foreach (var entry in vector.Entries.Take(200))
        {
            // Act: proofs collected from the vector's blocks alone
            var present = MstProof.Create(vector.ExpectedRoot, entry.KeyBytes, stored.GetValueOrDefault);
            var absentKey = entry.KeyBytes.Append((byte)0x00).ToArray();
            var absent = MstProof.Create(vector.ExpectedRoot, absentKey, stored.GetValueOrDefault);

            // Assert
            Assert.Equal(new MstProofResult(MstProofStatus.Present, entry.Value, null), present.Verify(vector.ExpectedRoot));
            Assert.DoesNotContain(absentKey, keys);
            Assert.Equal(MstProofStatus.Absent, absent.Verify(vector.ExpectedRoot).Status);
        }
    }

    [Fact]
    public void Key_heights_match_every_vector()
    {
        // Arrange
        var cases = MstVectors.Load("key-heights.json").GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(70, cases.Count);

        foreach (var c in cases)
        {
            var key = Convert.FromHexString(c.GetProperty("key_hex").GetString()!);

            // Act
            var height = MstKey.Height(key);

            // Assert
            Assert.Equal(key, Encoding.UTF8.GetBytes(c.GetProperty("key").GetString()!));
            Assert.True(c.GetProperty("height").GetInt32() == height, $"height of '{c.GetProperty("key").GetString()}'");
        }
        // The spread the table promises: heights up to 8, a 1024-byte key, both forms of "niño".
        Assert.Contains(cases, c => c.GetProperty("height").GetInt32() == 8);
        Assert.Contains(cases, c => c.GetProperty("key_hex").GetString()!.Length == 2048);
        Assert.Contains(cases, c => c.GetProperty("key_hex").GetString()!.Contains("6ecc83", StringComparison.Ordinal));
    }

    [Fact]
    public void Common_prefix_lengths_count_UTF8_bytes_as_in_every_vector()
    {
        // Arrange
        var cases = MstVectors.Load("common-prefix.json").GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(21, cases.Count);

        foreach (var c in cases)
        {
            var left = Convert.FromHexString(c.GetProperty("left_hex").GetString()!);
            var right = Convert.FromHexString(c.GetProperty("right_hex").GetString()!);

            // Act
            var prefix = MstKey.CommonPrefixLength(left, right);

            // Assert
            Assert.Equal(c.GetProperty("prefix_bytes").GetInt32(), prefix);
        }
    }

    [Fact]
    public void The_S3_key_vector_holds_the_1024_byte_key_NFC_and_NFD_forms_and_UTF8_order()
    {
        // Arrange
        var vector = MstVectors.LoadCase("s3-keys.json", "s3-keys");
        var keys = vector.Entries.Select(e => e.KeyBytes).ToList();
        var nfc = Encoding.UTF8.GetBytes("fotos/a\u00f1o-2024/ni\u00f1o.jpg");
        var nfd = Encoding.UTF8.GetBytes("fotos/a\u00f1o-2024/nin\u0303o.jpg");
        var tree = MstTree.Create(vector.Pairs);

        // Assert: distinct keys, both present, each with its own value
        Assert.Contains(keys, k => k.Length == 1024);
        Assert.NotNull(tree.Get(nfc));
        Assert.NotNull(tree.Get(nfd));
        Assert.NotEqual(tree.Get(nfc), tree.Get(nfd));
        Assert.NotNull(tree.Get(keys.Single(k => k.Length == 1024)));

        // Assert: U+E000 (EE 80 80) sorts before U+1F4A9 (F0 9F 92 A9) as bytes, though not as UTF-16
        var utf8Order = MstVectors.LoadCase("s3-keys.json", "s3-utf8-vs-utf16-order");
        Assert.Equal("emoji/\ue000-private-use.txt", utf8Order.Entries[0].Key);
        Assert.True(string.CompareOrdinal(utf8Order.Entries[0].Key, utf8Order.Entries[1].Key) > 0);
        Assert.Equal(utf8Order.ExpectedRoot, MstBuilder.Build(utf8Order.Pairs).Root);
    }

    [Fact]
    public void The_empty_tree_is_the_published_root()
    {
        // Act
        var built = MstBuilder.Build([]);
        var tree = new MstTree();

        // Assert
        Assert.Equal("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm", built.Root.ToString());
        Assert.Equal("a2616580616cf6", Convert.ToHexStringLower(built.Blocks.Single().Data));
        Assert.Equal(built.Root, tree.ComputeRoot());
        Assert.Equal(MstProofStatus.Absent, tree.CreateProof("a"u8).Verify(built.Root).Status);
    }

    [Fact]
    public void Deleting_down_to_a_vector_after_state_gives_its_root()
    {
        // Arrange: atproto's "trims top on delete": layer1 minus one key = layer0-after-delete
        var before = MstVectors.LoadCase("atproto-known-maps.json", "trims-top-on-delete/layer1");
        var after = MstVectors.LoadCase("atproto-known-maps.json", "trims-top-on-delete/layer0-after-delete");
        var tree = MstTree.Create(before.Pairs);
        var removed = before.Entries.Select(e => e.Key).Except(after.Entries.Select(e => e.Key)).Single();

        // Act
        Assert.Equal(before.ExpectedRoot, tree.ComputeRoot());
        var deleted = tree.Delete(Encoding.UTF8.GetBytes(removed));

        // Assert
        Assert.True(deleted);
        Assert.Equal(after.ExpectedRoot, tree.ComputeRoot());
    }

    [Fact]
    public void Commit_proof_fixtures_go_from_before_to_after_by_applying_the_difference()
    {
        var names = MstVectors.TreeCases().Select(row => (string)row[1]).Where(n => n.EndsWith(" (before)", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, names.Count);
        foreach (var beforeName in names)
        {
            // Arrange
            var before = MstVectors.LoadCase("interop-commit-proofs.json", beforeName);
            var after = MstVectors.LoadCase("interop-commit-proofs.json", beforeName.Replace("(before)", "(after)", StringComparison.Ordinal));
            var tree = MstTree.Create(before.Pairs);
            tree.ComputeRoot();

            // Act
            foreach (var gone in before.Entries.Where(b => !after.Entries.Any(a => a.Key == b.Key)))
            {
                Assert.True(tree.Delete(gone.KeyBytes));
            }
            foreach (var added in after.Entries)
            {
                tree.Put(added.KeyBytes, added.Value);
            }

            // Assert
            Assert.Equal(after.ExpectedRoot, tree.ComputeRoot());
        }
    }
}
