using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Cli;
using Cairn.Mst;
using Cairn.Server.Cli;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The tree committer (issue 11) killed with SIGKILL while it folds a bucket under write load: after a
/// restart on the same data directory it resumes from the last recorded commit, and the tree it
/// reaches is the catalog's (an export verifies offline and holds exactly the versions the bucket
/// lists), whatever commit or segment was cut short.
/// </summary>
[Trait("Category", "Crash")]
[Trait("Issue", "11")]
[Collection(DurabilityCollection.Name)]
public sealed class TreeCommitterCrashTests(ITestOutputHelper output)
{
    private static readonly string[] ServerArgs = ["--Engine:TreeCommitter=true", "--Engine:TreeCommitInterval=00:00:00.020"];

    [Fact(Timeout = 90_000)]
    public async Task A_committer_killed_while_it_folds_under_load_resumes_and_its_tree_is_the_catalogs()
    {
        // Arrange
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(85));
        var cancellationToken = timeout.Token;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cairn-tests", "tree-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var bucket = "tree-crash-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            long committedBeforeKill;
            await using (var server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken))
            {
                using var s3 = server.CreateClient();
                await s3.PutBucketAsync(bucket, cancellationToken);
                await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
                {
                    BucketName = bucket,
                    VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
                }, cancellationToken);

                // Act: writers keep the committer folding; the kill lands while they run.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var writers = Enumerable.Range(0, 4).Select(writer => WriteAsync(s3, bucket, writer, stop.Token)).ToArray();
                committedBeforeKill = await WaitForCommitsAsync(server.Endpoint, bucket, minimumSeq: 200, cancellationToken);
                await Task.Delay(Random.Shared.Next(50, 400), cancellationToken);
                await server.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(writers.Select(static w => w.ContinueWith(static _ => { }, TaskScheduler.Default)));
            }
            output.WriteLine($"a commit at journal number {committedBeforeKill} was recorded before the kill");

            await using var restarted = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken);
            using var client = restarted.CreateClient();
            var file = Path.Combine(dataDirectory, "export.car");
            var export = await RunCliAsync(restarted.Endpoint, "export", bucket, "-o", file);
            var again = await RunCliAsync(restarted.Endpoint, "tree", bucket, "--flush");

            // Assert: the export checks offline and holds every listed version, and nothing is left to fold.
            Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
            CarVerification verified;
            await using (var stream = File.OpenRead(file))
            {
                verified = await CarVerifier.VerifyAsync(stream, cancellationToken);
            }
            Assert.True(verified.IsValid, string.Join(Environment.NewLine, verified.Errors));
            var (keys, versions) = await CountVersionsAsync(client, bucket, cancellationToken);
            Assert.Equal(keys, verified.Keys);
            Assert.Equal(versions, verified.Manifests);
            Assert.True(verified.Seq >= committedBeforeKill, $"the tree went back from {committedBeforeKill} to {verified.Seq}");
            Assert.Equal(CairnCli.ExitSuccess, again.ExitCode);
            Assert.Contains($"seq: {verified.Seq}\n", again.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a dying process: the temp folder is cleaned later.
            }
        }
    }

    /// <summary>Puts (new keys and new versions of a few), and deletes, until stopped or the server dies.</summary>
    private static async Task WriteAsync(IAmazonS3 s3, string bucket, int writer, CancellationToken cancellationToken)
    {
        var random = new Random(writer);
        for (var i = 0; i < 20_000 && !cancellationToken.IsCancellationRequested; i++)
        {
            var key = random.Next(4) == 0 ? $"shared/{random.Next(20)}" : $"w{writer}/{i:D5}";
            if (random.Next(10) == 0)
            {
                await s3.DeleteObjectAsync(bucket, key, cancellationToken);
            }
            else
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = $"{writer}/{i}" }, cancellationToken);
            }
        }
    }

    /// <summary>Polls the bucket's tree (no flush: the background committer's own commits) until one reaches <paramref name="minimumSeq"/>.</summary>
    private static async Task<long> WaitForCommitsAsync(string endpoint, string bucket, long minimumSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await RunCliAsync(endpoint, "tree", bucket);
            var line = run.Stdout.Split('\n').FirstOrDefault(static l => l.StartsWith("seq: ", StringComparison.Ordinal));
            if (line is not null && long.Parse(line["seq: ".Length..], System.Globalization.CultureInfo.InvariantCulture) is var seq && seq >= minimumSeq)
            {
                return seq;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private static Task<CliRun> RunCliAsync(string endpoint, params string[] args) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", endpoint]);

    private static async Task<(int Keys, int Versions)> CountVersionsAsync(IAmazonS3 s3, string bucket, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var versions = 0;
        var request = new ListVersionsRequest { BucketName = bucket };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request, cancellationToken);
            foreach (var version in page.Versions ?? [])
            {
                keys.Add(version.Key);
                versions++;
            }
            if (page.IsTruncated != true)
            {
                return (keys.Count, versions);
            }
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }
}
