using System.Net;
using Amazon.S3;
using Cairn.Integration.Tests.Cli;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// A server of its own for the access tests (issue 14): users made there never meet other tests'
/// buckets. <see cref="AddUserAsync"/> makes a user with <c>cairn user add</c>, as an operator would.
/// </summary>
public sealed class AccessFixture : IAsyncLifetime
{
    public CairnServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        // A short refresh interval: a key changed on the server counts on the next request anyway (same node).
        Server = await CairnServer.StartAsync(["--Engine:CredentialRefreshInterval=00:00:01"]);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Runs the <c>cairn</c> tool against this server with root's credentials, or with <paramref name="environment"/>.</summary>
    internal Task<CliRun> CairnAsync(string[] args, Dictionary<string, string>? environment = null) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", Server.Endpoint], environment);

    /// <summary>A new user (a unique name starting with <paramref name="prefix"/>) and the key pair <c>cairn user add</c> printed.</summary>
    internal async Task<(string Name, string AccessKey, string SecretKey)> AddUserAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var run = await CairnAsync(["user", "add", name]);
        Assert.True(run.ExitCode == CairnCli.ExitSuccess, run.Stderr);
        var (accessKey, secretKey) = KeyLines(run.Stdout);
        return (name, accessKey, secretKey);
    }

    /// <summary>
    /// Asserts <paramref name="call"/> fails with S3's <paramref name="status"/> and <paramref name="code"/>
    /// (the SDK throws subclasses for some codes) and returns the error.
    /// </summary>
    internal static async Task<AmazonS3Exception> RefusedAsync(Func<Task> call, HttpStatusCode status, string code)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(call);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        return error;
    }

    /// <summary>The key pair in the <c>access key: ...</c> and <c>secret key: ...</c> lines a command printed.</summary>
    internal static (string AccessKey, string SecretKey) KeyLines(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var accessKey = Assert.Single(lines, line => line.StartsWith("access key: ", StringComparison.Ordinal))["access key: ".Length..];
        var secretKey = Assert.Single(lines, line => line.StartsWith("secret key: ", StringComparison.Ordinal))["secret key: ".Length..];
        return (accessKey, secretKey);
    }
}

[CollectionDefinition(Name)]
public sealed class AccessCollection : ICollectionFixture<AccessFixture>
{
    public const string Name = "access";
}
