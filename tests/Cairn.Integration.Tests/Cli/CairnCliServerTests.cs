using Amazon.S3.Model;
using Cairn.Core;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn tree</c> and <c>cairn proof</c> in process against the real server over HTTP: the
/// admin API accepts the tools' signatures, and its proofs check offline.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "11")]
public sealed class CairnCliServerTests(ServerFixture fixture)
{
    private Task<CliRun> RunAsync(params string[] args) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", fixture.Server.Endpoint]);

    private async Task<string> NewBucketAsync(params string[] keys)
    {
        var bucket = CairnServer.NewBucketName("cli");
        await fixture.Server.Client.PutBucketAsync(bucket);
        foreach (var key in keys)
        {
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "body of " + key });
        }
        return bucket;
    }

    [Fact(Timeout = 60_000)]
    public async Task Tree_shows_no_commit_until_flushed_then_the_commit()
    {
        // Arrange
        var bucket = await NewBucketAsync("a", "b/c", "é");

        // Act
        var before = await RunAsync("tree", bucket);
        var flushed = await RunAsync("tree", bucket, "--flush");
        var json = await RunAsync("tree", bucket, "--json");

        // Assert
        Assert.Equal(CairnCli.ExitServerError, before.ExitCode);
        Assert.StartsWith("error: NoTreeCommit: ", before.Stderr, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitSuccess, flushed.ExitCode);
        var lines = flushed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["bucket", "seq", "commit", "root", "committed"], lines.Select(static line => line[..line.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Equal($"bucket: {bucket}", lines[0]);
        Assert.Equal("seq: 3", lines[1]);
        Assert.True(Cid.TryParse(lines[2]["commit: ".Length..], out _));
        Assert.True(Cid.TryParse(lines[3]["root: ".Length..], out _));
        Assert.Equal(CairnCli.ExitSuccess, json.ExitCode);
        Assert.Contains($"\"root\":\"{lines[3]["root: ".Length..]}\"", json.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Tree_of_a_missing_bucket_exits_1_with_NoSuchBucket()
    {
        var run = await RunAsync("tree", CairnServer.NewBucketName("none"));

        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith("error: NoSuchBucket: ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("photos/2026/a.jpg")]
    [InlineData("dir/été + ~x?&=#%.txt")]
    [InlineData("😀")]
    public async Task Proof_of_a_present_key_checks_and_prints_its_manifest(string key)
    {
        // Arrange
        var bucket = await NewBucketAsync(key, "other");
        var head = await fixture.Server.Client.GetObjectMetadataAsync(bucket, key);
        var file = Path.Combine(Path.GetTempPath(), $"cairn-proof-{Guid.NewGuid():N}.car");

        try
        {
            // Act
            var run = await RunAsync("proof", bucket, key, "--flush", "-o", file);

            // Assert
            Assert.True(run.ExitCode == CairnCli.ExitSuccess, run.Stderr);
            var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("present", lines[0]);
            Assert.Contains("seq: 2", lines);
            Assert.Contains($"size: {head.ContentLength}", lines);
            Assert.Contains($"etag: {head.ETag}", lines);
            await using var car = File.OpenRead(file);
            var again = await ProofChecker.CheckAsync(car, bucket, key, new ProofHeaders(), CancellationToken.None);
            Assert.True(again.Holds, again.Failure);
            Assert.Equal(key, again.Manifest!.Key);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Proof_of_an_absent_key_checks_and_prints_absent()
    {
        var bucket = await NewBucketAsync("a", "c");

        var run = await RunAsync("proof", bucket, "b", "--flush");

        Assert.True(run.ExitCode == CairnCli.ExitSuccess, run.Stderr);
        Assert.StartsWith("absent\nroot: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nseq: 2\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_secret_exits_1_with_SignatureDoesNotMatch()
    {
        // Arrange
        var bucket = await NewBucketAsync("a");
        var environment = CliRun.Credentials();
        environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";

        // Act
        var run = await CliRun.StartAsync(handler: null, ["tree", bucket, "--endpoint", fixture.Server.Endpoint], environment);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith("error: SignatureDoesNotMatch: ", run.Stderr, StringComparison.Ordinal);
    }
}
