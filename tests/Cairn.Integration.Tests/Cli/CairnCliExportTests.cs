using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn export</c> against the real server and <c>cairn verify</c> on the file it wrote, offline:
/// an export verifies, a changed byte does not, and refused exports leave no file behind.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "11")]
public sealed class CairnCliExportTests(ServerFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> RunAsync(params string[] args) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", fixture.Server.Endpoint]);

    [Fact(Timeout = 60_000)]
    public async Task An_export_verifies_offline_and_a_changed_byte_does_not()
    {
        // Arrange: versions, a multi-chunk body and a non-ASCII key.
        var bucket = CairnServer.NewBucketName("cli-export");
        await fixture.Server.Client.PutBucketAsync(bucket);
        await fixture.Server.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        foreach (var key in new[] { "a", "a", "ключ", "b/c" })
        {
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "body of " + key });
        }
        await fixture.Server.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "big",
            InputStream = new MemoryStream(new byte[9 * 1024 * 1024]),
        });
        var file = Path.Combine(_directory, "bucket.car");

        // Act
        var export = await RunAsync("export", bucket, "-o", file);
        var verify = await CliRun.StartAsync(handler: null, ["verify", file]);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x01;
        var tampered = Path.Combine(_directory, "tampered.car");
        await File.WriteAllBytesAsync(tampered, bytes);
        var refused = await CliRun.StartAsync(handler: null, ["verify", tampered]);

        // Assert
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        Assert.Contains("seq: 5", export.Stdout, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
        Assert.StartsWith("ok\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains($"bucket: {bucket}\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("keys: 4\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("manifests: 5\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitProofFailed, refused.ExitCode);
        Assert.Contains("does not verify", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(["bucket.car", "tampered.car"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_export_with_a_prefix_verifies_with_it_and_not_without()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("cli-export");
        await fixture.Server.Client.PutBucketAsync(bucket);
        for (var i = 0; i < 30; i++)
        {
            var key = i % 3 == 0 ? $"in/{i:D2}" : $"out/{i:D2}";
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "body of " + key });
        }
        var file = Path.Combine(_directory, "range.car");

        // Act
        var export = await RunAsync("export", bucket, "--prefix", "in/", "-o", file);
        var verify = await CliRun.StartAsync(handler: null, ["verify", file, "--prefix", "in/"]);
        var whole = await CliRun.StartAsync(handler: null, ["verify", file]);

        // Assert
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        Assert.Contains("prefix: in/\n", export.Stdout, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
        Assert.StartsWith("ok\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("prefix: in/\nkeys: 10\nmanifests: 10\nchunks: 10\n", verify.Stdout, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitProofFailed, whole.ExitCode);
        Assert.Contains("is missing", whole.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not verify", whole.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Refused_exports_exit_1_and_leave_no_file()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("cli-export");
        await fixture.Server.Client.PutBucketAsync(bucket);
        var file = Path.Combine(_directory, "x.car");

        // Act
        var missing = await RunAsync("export", CairnServer.NewBucketName("none"), "-o", file);
        var noCommit = await RunAsync("export", bucket, "--at", "42", "-o", file);
        var noFile = await CliRun.StartAsync(handler: null, ["verify", Path.Combine(_directory, "absent.car")]);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, missing.ExitCode);
        Assert.StartsWith("error: NoSuchBucket: ", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitServerError, noCommit.ExitCode);
        Assert.StartsWith("error: NoSuchCommit: ", noCommit.Stderr, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitUsage, noFile.ExitCode);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
