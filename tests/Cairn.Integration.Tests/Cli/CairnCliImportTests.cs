using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn import</c> against the real server: an export comes back into another bucket under the
/// same root, a replace with an empty archive says it emptied the prefix, and refusals exit 1 with
/// the server's reason.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "11")]
public sealed class CairnCliImportTests(ServerFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> RunAsync(params string[] args) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", fixture.Server.Endpoint]);

    private async Task<string> NewBucketAsync(params string[] keys)
    {
        var bucket = CairnServer.NewBucketName("cli-import");
        await fixture.Server.Client.PutBucketAsync(bucket);
        foreach (var key in keys)
        {
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "body of " + key });
        }
        return bucket;
    }

    private static string Line(string output, string name) =>
        output.Split('\n').Single(line => line.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];

    [Fact(Timeout = 60_000)]
    public async Task An_export_imports_into_another_bucket_under_the_same_root_and_an_empty_replace_says_it_emptied()
    {
        // Arrange
        var source = await NewBucketAsync("docs/a", "docs/ключ", "other");
        var target = await NewBucketAsync("docs/old", "keep");
        var file = Path.Combine(_directory, "source.car");
        var emptyFile = Path.Combine(_directory, "empty.car");
        Assert.Equal(CairnCli.ExitSuccess, (await RunAsync("export", source, "-o", file)).ExitCode);
        Assert.Equal(CairnCli.ExitSuccess, (await RunAsync("export", await NewBucketAsync(), "-o", emptyFile)).ExitCode);

        // Act
        var imported = await RunAsync("import", file, target, "--prefix", "docs/", "--replace");
        var sourceTree = await RunAsync("tree", source, "--flush");
        var exists = await RunAsync("import", file, target, "--prefix", "docs/");
        var emptied = await RunAsync("import", emptyFile, target, "--prefix", "docs/", "--replace");
        var listing = await fixture.Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = target });

        // Assert
        Assert.True(imported.ExitCode == CairnCli.ExitSuccess, imported.Stderr);
        Assert.StartsWith($"replaced: the prefix 'docs/' of bucket {target} now holds the archive's 2 keys (1 key replaced or removed).\n",
            imported.Stdout, StringComparison.Ordinal);
        Assert.Equal("2", Line(imported.Stdout, "keys"));
        Assert.Equal(source, Line(imported.Stdout, "source-bucket"));
        Assert.Equal(Line(sourceTree.Stdout, "root"), Line(imported.Stdout, "source-root"));
        Assert.Equal(CairnCli.ExitServerError, exists.ExitCode);
        Assert.StartsWith("error: KeyExists: The key 'docs/a' is already in the bucket", exists.Stderr, StringComparison.Ordinal);
        Assert.True(emptied.ExitCode == CairnCli.ExitSuccess, emptied.Stderr);
        Assert.StartsWith($"emptied: the archive holds no keys under the prefix, so the prefix 'docs/' of bucket {target} is now empty (2 keys removed).\n",
            emptied.Stdout, StringComparison.Ordinal);
        Assert.Equal(["keep"], listing.S3Objects.Select(static o => o.Key));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_corrupt_or_missing_file_is_refused()
    {
        // Arrange
        var target = await NewBucketAsync("kept");
        var corrupt = Path.Combine(_directory, "corrupt.car");
        await File.WriteAllBytesAsync(corrupt, [0x0a, 0xa1, 0x67, 0x76, 0x65]);

        // Act
        var refused = await RunAsync("import", corrupt, target, "--replace");
        var missing = await RunAsync("import", Path.Combine(_directory, "absent.car"), target);
        var listing = await fixture.Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = target });

        // Assert
        Assert.Equal(CairnCli.ExitServerError, refused.ExitCode);
        Assert.StartsWith("error: InvalidArchive: The archive was refused; nothing changed. The CAR cannot be read", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitUsage, missing.ExitCode);
        Assert.Contains("cannot read", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(["kept"], listing.S3Objects.Select(static o => o.Key));
    }
}
