using System.Text;
using Cairn.Core;
using Cairn.Mst;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn proof</c> against proofs built in the test (<see cref="ProofBuilder"/>) and served by
/// <see cref="FakeAdminHandler"/>: sound proofs check (exit 0), and every kind of tampering is
/// caught offline (exit 3, with the reason).
/// </summary>
[Trait("Issue", "11")]
public sealed class ProofCommandTests
{
    private const string Bucket = "photos";

    private static readonly string[] Keys = [.. Enumerable.Range(0, 300).Select(static i => $"albums/{i % 7}/photo-{i:D4}.jpg")];

    private readonly ProofBuilder _tree = new(Bucket, Keys);

    [Fact(Timeout = 10_000)]
    public async Task A_present_key_s_proof_checks_and_prints_its_manifest()
    {
        // Arrange
        var key = Keys[123];
        using var handler = await ServeAsync(key, _tree.Blocks(key));
        var manifest = ObjectManifest.Decode(_tree.Manifests[key].Data);

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Equal(
            $"present\nroot: {_tree.Root}\nseq: 12\ncommit: {_tree.CommitCid}\nmanifest: {_tree.Manifests[key].Cid}\n"
            + $"version: v1\nsize: {manifest.Size}\netag: \"{manifest.ETag}\"\n",
            run.Stdout);
        Assert.Empty(run.Stderr);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("albums/0/photo-9999.jpg")]
    [InlineData("a")]
    [InlineData("zzz")]
    public async Task An_absent_key_s_proof_checks_and_prints_absent(string key)
    {
        using var handler = await ServeAsync(key, _tree.Blocks(key));

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Equal($"absent\nroot: {_tree.Root}\nseq: 12\ncommit: {_tree.CommitCid}\n", run.Stdout);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_bucket_and_key_are_percent_encoded_and_flush_is_asked_for()
    {
        // Arrange
        var key = "dir/été + ~x?&=#.jpg";
        var tree = new ProofBuilder("my.bucket", [key]);
        using var handler = new FakeAdminHandler();
        var car = await tree.CarAsync(tree.Blocks(key));
        handler.Answer = _ => tree.Answer(car, key);

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", "my.bucket", key, "--flush"]);

        // Assert
        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.StartsWith("present\n", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("/_cairn/buckets/my.bucket/proof?key=dir%2F%C3%A9t%C3%A9%20%2B%20~x%3F%26%3D%23.jpg&flush=true",
            Assert.Single(handler.Requests).RequestUri!.PathAndQuery);
    }

    [Fact(Timeout = 10_000)]
    public async Task Output_writes_the_CAR_as_received()
    {
        // Arrange
        var key = Keys[7];
        var car = await _tree.CarAsync(_tree.Blocks(key));
        using var handler = new FakeAdminHandler { Answer = _ => _tree.Answer(car, key) };
        var file = Path.Combine(Path.GetTempPath(), $"cairn-proof-{Guid.NewGuid():N}.car");

        try
        {
            // Act
            var run = await CliRun.StartAsync(handler, ["proof", Bucket, key, "-o", file]);

            // Assert
            Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
            Assert.Equal(car, await File.ReadAllBytesAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task A_tampered_node_fails_its_CID_check_and_exits_3()
    {
        // Arrange: one byte of the last node on the path changed, its CID kept.
        var key = Keys[200];
        var blocks = _tree.Blocks(key);
        var node = blocks.FindLastIndex(block => block.Cid != _tree.CommitCid && block.Cid != _tree.Manifests[key].Cid);
        var altered = blocks[node].Data.ToArray();
        altered[^1] ^= 0x01;
        blocks[node] = new CarBlock(blocks[node].Cid, altered);
        using var handler = await ServeAsync(key, blocks);

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        AssertFails(run, "does not hash to its CID");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_node_replaced_by_another_tree_s_node_exits_3()
    {
        // Arrange: the root node swapped for another tree's root node (a valid block under its own CID).
        var key = Keys[50];
        var other = new ProofBuilder(Bucket, Keys.Take(299));
        var blocks = _tree.Blocks(key);
        var otherRoot = other.Blocks(key)[1];
        blocks[1] = otherRoot;
        using var handler = await ServeAsync(key, blocks);

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        AssertFails(run, $"No block for {_tree.Root}");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_commit_naming_another_root_exits_3()
    {
        // Arrange: a commit whose tree is another tree, over this tree's nodes.
        var key = Keys[10];
        var other = new ProofBuilder(Bucket, Keys.Skip(1));
        var blocks = _tree.Blocks(key);
        blocks[0] = new CarBlock(other.CommitCid, other.CommitBlock);
        var car = await _tree.CarAsync(blocks, other.CommitCid);
        using var handler = new FakeAdminHandler { Answer = _ => other.Answer(car, key) };

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        AssertFails(run, $"do not prove the key under root {other.Root}");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_CAR_rooted_elsewhere_than_its_commit_exits_3()
    {
        var key = Keys[10];
        var blocks = _tree.Blocks(key);
        var car = await _tree.CarAsync(blocks, _tree.Root);
        using var handler = new FakeAdminHandler { Answer = _ => _tree.Answer(car, key) };

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        AssertFails(run, $"the root block {_tree.Root} is not a bucket commit");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_missing_manifest_block_exits_3()
    {
        var key = Keys[42];
        var blocks = _tree.Blocks(key);
        blocks.RemoveAt(blocks.Count - 1);
        using var handler = await ServeAsync(key, blocks);

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        AssertFails(run, "does not hold the key's manifest block");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_manifest_of_another_key_exits_3()
    {
        // Arrange: a tree whose entry for the key names a manifest made for another key.
        var key = "a.jpg";
        var tree = new ProofBuilder(Bucket, [key, "b.jpg"]);
        tree.Tree.Put(Encoding.UTF8.GetBytes(key), tree.Manifests["b.jpg"].Cid);
        var forged = new ProofBuilder(Bucket, []);
        var root = tree.Tree.ComputeRoot();
        var commit = new BucketCommit(Bucket, root, null, 12, DateTimeOffset.UnixEpoch).Encode();
        var commitCid = Cid.ForDagCbor(commit);
        var blocks = new List<CarBlock> { new(commitCid, commit) };
        blocks.AddRange(tree.Tree.CreateProof(Encoding.UTF8.GetBytes(key)).Nodes.Select(static n => new CarBlock(Cid.ForDagCbor(n), n)));
        blocks.Add(tree.Manifests["b.jpg"]);
        var car = await forged.CarAsync(blocks, commitCid);
        using var handler = new FakeAdminHandler { Answer = _ => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(car) } };

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        AssertFails(run, "the manifest is for key 'b.jpg', not 'a.jpg'");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_commit_of_another_bucket_exits_3()
    {
        var key = Keys[3];
        var other = new ProofBuilder("other", Keys);
        var car = await other.CarAsync(other.Blocks(key));
        using var handler = new FakeAdminHandler { Answer = _ => other.Answer(car, key) };

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        AssertFails(run, "the commit is for bucket 'other', not 'photos'");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_server_claim_the_proof_contradicts_exits_3()
    {
        // Arrange: the key is present, the header says absent.
        var key = Keys[5];
        var car = await _tree.CarAsync(_tree.Blocks(key));
        using var handler = new FakeAdminHandler
        {
            Answer = _ =>
            {
                var response = _tree.Answer(car, key);
                response.Headers.Remove("x-cairn-proof");
                response.Headers.Add("x-cairn-proof", "absent");
                return response;
            },
        };

        // Act
        var run = await CliRun.StartAsync(handler, ["proof", Bucket, key]);

        // Assert
        AssertFails(run, "the server says 'absent', the proof shows the key present");
    }

    [Theory(Timeout = 10_000)]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x0a, 0xa1, 0x67, 0x76, 0x65, 0x72 })]
    public async Task An_answer_that_is_not_a_CAR_exits_3(byte[] body)
    {
        using var handler = new FakeAdminHandler { Answer = _ => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body) } };

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, "a.jpg"]);

        AssertFails(run, "not a valid CAR");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_server_error_exits_1()
    {
        using var handler = new FakeAdminHandler
        {
            Answer = static _ => FakeAdminHandler.Json(System.Net.HttpStatusCode.NotFound, """{"code":"NoTreeCommit","message":"No commit yet."}"""),
        };

        var run = await CliRun.StartAsync(handler, ["proof", Bucket, "a.jpg"]);

        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.Equal("error: NoTreeCommit: No commit yet.\n", run.Stderr.ReplaceLineEndings("\n"));
    }

    private async Task<FakeAdminHandler> ServeAsync(string key, List<CarBlock> blocks)
    {
        var car = await _tree.CarAsync(blocks);
        return new FakeAdminHandler { Answer = _ => _tree.Answer(car, key) };
    }

    private static void AssertFails(CliRun run, string reason)
    {
        Assert.Equal(CairnCli.ExitProofFailed, run.ExitCode);
        Assert.StartsWith("proof does not check: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }
}
