using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn export</c>, <c>verify</c> and <c>import</c> against the real server, once with their output
/// on plain writers (what pipes and CI get: no bar, nothing extra on stderr) and once with a console
/// acting as a terminal (bars drawn there, the same lines on stdout).
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "14")]
public sealed class CairnCliProgressTests(ServerFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-progress-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> RunAsync(string[] args, CliProgress? progress = null) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", fixture.Server.Endpoint], progress: progress);

    private async Task<string> NewBucketAsync(params string[] keys)
    {
        var bucket = CairnServer.NewBucketName("cli-progress");
        await fixture.Server.Client.PutBucketAsync(bucket);
        foreach (var key in keys)
        {
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(new byte[2 * 1024 * 1024 + key.Length]),
            });
        }
        return bucket;
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_a_terminal_the_long_commands_print_only_their_lines()
    {
        // Arrange
        var source = await NewBucketAsync("a", "b/c");
        var target = await NewBucketAsync();
        var file = Path.Combine(_directory, "plain.car");

        // Act
        var export = await RunAsync(["export", source, "-o", file]);
        var verify = await RunAsync(["verify", file]);
        var import = await RunAsync(["import", file, target]);

        // Assert
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
        Assert.True(import.ExitCode == CairnCli.ExitSuccess, import.Stderr);
        Assert.Equal("", export.Stderr + verify.Stderr + import.Stderr);
        Assert.DoesNotContain('\u001b', export.Stdout + verify.Stdout + import.Stdout);
        Assert.StartsWith("file: ", export.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("ok\n", verify.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("imported: 2 keys", import.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task On_a_terminal_each_long_command_draws_its_bars_there_and_prints_the_same_lines()
    {
        // Arrange
        var source = await NewBucketAsync("a", "b/c");
        var target = await NewBucketAsync();
        var plainTarget = await NewBucketAsync();
        var file = Path.Combine(_directory, "bucket.car");
        using var exportTerminal = new StringWriter();
        using var verifyTerminal = new StringWriter();
        using var importTerminal = new StringWriter();

        // Act
        var export = await RunAsync(["export", source, "-o", file], CliProgressTests.TerminalInto(exportTerminal));
        var verify = await RunAsync(["verify", file], CliProgressTests.TerminalInto(verifyTerminal));
        var import = await RunAsync(["import", file, target], CliProgressTests.TerminalInto(importTerminal));
        var plainVerify = await RunAsync(["verify", file]);
        var plainImport = await RunAsync(["import", file, plainTarget]);

        // Assert: stdout and stderr as without a terminal; the bars on the terminal, each ended.
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
        Assert.True(import.ExitCode == CairnCli.ExitSuccess, import.Stderr);
        Assert.Equal("", export.Stderr + verify.Stderr + import.Stderr);
        Assert.Equal(plainVerify.Stdout, verify.Stdout);
        Assert.Equal(plainImport.Stdout.Replace(plainTarget, target, StringComparison.Ordinal), import.Stdout);
        var exported = CliProgressTests.LastFrame(exportTerminal);
        Assert.Contains($"exporting {source}", exported, StringComparison.Ordinal);
        Assert.Contains("100%", exported, StringComparison.Ordinal);
        Assert.Contains(CliProgress.FormatBytes(new FileInfo(file).Length), exported, StringComparison.Ordinal);
        var verified = CliProgressTests.LastFrame(verifyTerminal);
        Assert.Contains("reading bucket.car", verified, StringComparison.Ordinal);
        Assert.Contains("100%", verified, StringComparison.Ordinal);
        Assert.Contains("checking tree and manifests", verified, StringComparison.Ordinal);
        var imported = CliProgressTests.LastFrame(importTerminal);
        Assert.Contains("hashing bucket.car", imported, StringComparison.Ordinal);
        Assert.Contains("sending bucket.car", imported, StringComparison.Ordinal);
        Assert.Contains("server checks bucket.car", imported, StringComparison.Ordinal);
        Assert.Equal(2, imported.Split("100%").Length - 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task No_progress_draws_nothing_even_on_a_terminal()
    {
        // Arrange
        var source = await NewBucketAsync("a");
        var file = Path.Combine(_directory, "quiet.car");
        using var terminal = new StringWriter();
        var progress = CliProgressTests.TerminalInto(terminal);

        // Act
        var export = await RunAsync(["export", source, "-o", file, "--no-progress"], progress);
        var verify = await RunAsync(["verify", file, "--no-progress"], progress);
        var import = await RunAsync(["import", file, await NewBucketAsync(), "--no-progress"], progress);

        // Assert
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
        Assert.True(import.ExitCode == CairnCli.ExitSuccess, import.Stderr);
        Assert.Equal("", terminal.ToString());
    }
}
