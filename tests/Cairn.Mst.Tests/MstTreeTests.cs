using System.Text;
using Cairn.Core;

namespace Cairn.Mst.Tests;

public class MstTreeTests
{
    private static readonly string[] s_prefixes = ["", "a/", "photos/2024/", "logs/", "\u65e5\u672c/", "emoji/\ud83d\udca9", "x"];

    /// <summary>Keys from a small alphabet so that inserts and deletes collide often.</summary>
    private static byte[] RandomKey(Random random)
    {
        var prefix = s_prefixes[random.Next(s_prefixes.Length)];
        var length = 1 + random.Next(6);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = "abcdeé/ 0"[random.Next(9)];
        }
        return Encoding.UTF8.GetBytes(prefix + new string(chars));
    }

    private static Cid RandomValue(Random random)
    {
        var bytes = new byte[8];
        random.NextBytes(bytes);
        return Cid.ForDagCbor(bytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_insert_update_delete_sequences_give_the_root_of_a_rebuild_from_the_final_set(int seed)
    {
        // Arrange
        var random = new Random(seed);
        var tree = new MstTree();
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);

        for (var step = 0; step < 1500; step++)
        {
            // Act: 60 % puts (new or update), 40 % deletes (often of a present key)
            var key = model.Count > 0 && random.Next(3) == 0 ? model.Keys.ElementAt(random.Next(model.Count)) : RandomKey(random);
            if (random.Next(10) < 6)
            {
                var value = RandomValue(random);
                Assert.Equal(!model.ContainsKey(key), tree.Put(key, value));
                model[key] = value;
            }
            else
            {
                Assert.Equal(model.Remove(key), tree.Delete(key));
            }

            // Assert: every so often (and at the end), the root equals the rebuild's
            if (step % 97 == 0 || step == 1499)
            {
                var newBlocks = new List<MstBlock>();
                var root = tree.ComputeRoot(newBlocks);
                var rebuilt = MstBuilder.Build(model);
                Assert.Equal(rebuilt.Root, root);
                Assert.Equal(model.Count, tree.Count);
                Assert.Equal(rebuilt.Blocks.Select(b => b.Cid).ToHashSet(), tree.GetAllBlocks().Select(b => b.Cid).ToHashSet());
                // Only nodes of the new tree were (re-)encoded.
                Assert.Subset(rebuilt.Blocks.Select(b => b.Cid).ToHashSet(), newBlocks.Select(b => b.Cid).ToHashSet());
                // Each new block carries the links its bytes encode, in their order (a segment writer trusts them).
                Assert.All(newBlocks, block => Assert.Equal(DagCbor.ReadLinks(block.Data), block.Links));
            }
        }
        Assert.Equal(model.Select(p => Convert.ToHexString(p.Key)), tree.Enumerate().Select(p => Convert.ToHexString(p.Key)));
    }

    [Fact]
    public void Deleting_every_key_gives_the_empty_tree_and_Get_follows_the_changes()
    {
        // Arrange
        var random = new Random(42);
        var entries = Enumerable.Range(0, 300).Select(i => Encoding.UTF8.GetBytes($"k/{i}")).ToList();
        var tree = MstTree.Create(entries.Select(k => new KeyValuePair<byte[], Cid>(k, RandomValue(random))));
        tree.ComputeRoot();

        // Act
        foreach (var key in entries.OrderBy(_ => random.Next()))
        {
            Assert.NotNull(tree.Get(key));
            Assert.True(tree.Delete(key));
            Assert.Null(tree.Get(key));
            Assert.False(tree.Delete(key));
        }

        // Assert
        Assert.Equal(0, tree.Count);
        Assert.Equal(MstBuilder.Build([]).Root, tree.ComputeRoot());
    }

    [Fact]
    public void Putting_the_same_value_again_changes_nothing_and_a_new_value_changes_the_root()
    {
        // Arrange
        var tree = MstTree.Create(Enumerable.Range(0, 50).Select(i => new KeyValuePair<byte[], Cid>(Encoding.UTF8.GetBytes($"k{i}"), Cid.ForRaw([(byte)i]))));
        var root = tree.ComputeRoot();

        // Act
        var addedAgain = tree.Put("k7"u8.ToArray(), Cid.ForRaw([7]));
        var unchangedBlocks = new List<MstBlock>();
        var sameRoot = tree.ComputeRoot(unchangedBlocks);
        tree.Put("k7"u8.ToArray(), Cid.ForRaw([99]));
        var changedRoot = tree.ComputeRoot();

        // Assert
        Assert.False(addedAgain);
        Assert.Equal(root, sameRoot);
        Assert.Empty(unchangedBlocks);
        Assert.NotEqual(root, changedRoot);
        Assert.Equal(Cid.ForRaw([99]), tree.Get("k7"u8));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Proofs_of_present_and_absent_keys_verify_against_the_root_only(int seed)
    {
        // Arrange
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], Cid>(MstKey.Comparer);
        for (var i = 0; i < 400; i++)
        {
            model[RandomKey(random)] = RandomValue(random);
        }
        var tree = MstTree.Create(model);
        var root = tree.ComputeRoot();
        var otherTree = MstTree.Create(model.Skip(1));
        var otherRoot = otherTree.ComputeRoot();

        foreach (var (key, value) in model.Take(150))
        {
            // Act
            var proof = tree.CreateProof(key);

            // Assert
            Assert.Equal(new MstProofResult(MstProofStatus.Present, value, null), proof.Verify(root));
            Assert.Equal(MstProofStatus.Invalid, proof.Verify(otherRoot).Status);
        }
        for (var i = 0; i < 150; i++)
        {
            var key = RandomKey(random);
            if (model.ContainsKey(key))
            {
                continue;
            }

            // Act
            var proof = tree.CreateProof(key);

            // Assert
            Assert.Equal(MstProofStatus.Absent, proof.Verify(root).Status);
            Assert.Equal(MstProofStatus.Invalid, proof.Verify(otherRoot).Status);
        }
    }

    [Fact]
    public void A_proof_with_a_tampered_or_missing_node_is_invalid()
    {
        // Arrange: a tree deep enough that proofs have several nodes
        var random = new Random(7);
        var entries = Enumerable.Range(0, 2000).Select(i => new KeyValuePair<byte[], Cid>(Encoding.UTF8.GetBytes($"obj/{i:D5}"), RandomValue(random))).ToList();
        var tree = MstTree.Create(entries);
        var root = tree.ComputeRoot();
        var (key, _) = entries.First(e => tree.CreateProof(e.Key).Nodes.Count >= 3);
        var proof = tree.CreateProof(key);
        Assert.Equal(MstProofStatus.Present, proof.Verify(root).Status);

        for (var n = 0; n < proof.Nodes.Count; n++)
        {
            // Act: flip one byte in node n (in a key suffix, a CID or the structure)
            var tampered = proof.Nodes.Select(b => (byte[])b.Clone()).ToList();
            tampered[n][tampered[n].Length / 2] ^= 0x01;
            var missing = proof.Nodes.Where((_, i) => i != n).ToList();

            // Assert
            Assert.Equal(MstProofStatus.Invalid, new MstProof(key, tampered).Verify(root).Status);
            Assert.Equal(MstProofStatus.Invalid, new MstProof(key, missing).Verify(root).Status);
        }
    }

    [Fact]
    public void A_proof_cannot_claim_a_present_key_is_absent_by_substituting_another_keys_path()
    {
        // Arrange
        var entries = Enumerable.Range(0, 500).Select(i => new KeyValuePair<byte[], Cid>(Encoding.UTF8.GetBytes($"f/{i}"), Cid.ForRaw([(byte)i]))).ToList();
        var tree = MstTree.Create(entries);
        var root = tree.ComputeRoot();
        var target = entries[250].Key;
        var decoys = entries.Where(e => !e.Key.AsSpan().SequenceEqual(target)).Select(e => tree.CreateProof(e.Key)).ToList();

        // Act / Assert: any other key's genuine path, offered for the target, proves it present or is incomplete
        foreach (var decoy in decoys)
        {
            var result = new MstProof(target, decoy.Nodes).Verify(root);
            Assert.NotEqual(MstProofStatus.Absent, result.Status);
            if (result.Status == MstProofStatus.Present)
            {
                Assert.Equal(entries[250].Value, result.Value);
            }
        }
    }

    [Fact]
    public void Non_canonical_nodes_are_refused_by_the_verifier()
    {
        // Arrange: a root node whose single entry's p is 0 although it shares no prefix is fine;
        // the same node written with an entry-less untrimmed root above it is not.
        var leafBlock = MstNode.FromKeys(null, [("a"u8.ToArray(), Cid.ForRaw([1]), null)]).Encode();
        var leaf = Cid.ForDagCbor(leafBlock);
        var untrimmedBlock = new MstNode(leaf, []).Encode();
        var untrimmed = Cid.ForDagCbor(untrimmedBlock);

        // Act
        var result = new MstProof("a"u8.ToArray(), [untrimmedBlock, leafBlock]).Verify(untrimmed);

        // Assert
        Assert.Equal(MstProofStatus.Invalid, result.Status);
        Assert.Equal(MstProofStatus.Present, new MstProof("a"u8.ToArray(), [leafBlock]).Verify(leaf).Status);
    }

    [Fact]
    public void Empty_keys_and_unsorted_builder_input_are_refused()
    {
        var value = Cid.ForRaw([]);
        Assert.Throws<ArgumentException>(() => new MstTree().Put([], value));
        Assert.Throws<ArgumentException>(() => MstBuilder.Build([new([], value)]));
        Assert.Throws<ArgumentException>(() => MstBuilder.Build([new("b"u8.ToArray(), value), new("a"u8.ToArray(), value)]));
        Assert.Throws<ArgumentException>(() => MstBuilder.Build([new("a"u8.ToArray(), value), new("a"u8.ToArray(), value)]));
    }
}
