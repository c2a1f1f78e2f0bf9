using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>One in-process run of <see cref="CairnCli"/>: its exit code and what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The environment of a user who exported the test server's key pair.</summary>
    public static Dictionary<string, string> Credentials() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = CairnServer.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = CairnServer.SecretKey,
    };

    /// <summary>
    /// Runs <paramref name="args"/> with <paramref name="environment"/> (the test server's credentials by default), drawing
    /// progress with <paramref name="progress"/> when given (else as the real command decides: never, on these writers).
    /// </summary>
    public static async Task<CliRun> StartAsync(HttpMessageHandler? handler, string[] args, Dictionary<string, string>? environment = null,
        CliProgress? progress = null)
    {
        environment ??= Credentials();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = progress is null
            ? await CairnCli.RunAsync(args, stdout, stderr, handler, name => environment.GetValueOrDefault(name))
            : await CairnCli.RunAsync(args, stdout, stderr, handler, name => environment.GetValueOrDefault(name), progress);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
