using System.CommandLine;
using System.CommandLine.Help;

namespace Cairn.Server.Cli;

/// <summary>
/// The <c>cairn</c> command-line tools (issue 11): <c>cairn tree</c>, <c>cairn proof</c>,
/// <c>cairn export</c>, <c>cairn import</c>, <c>cairn lifecycle</c>, <c>cairn inventory</c> (issue 13), <c>cairn user</c> and <c>cairn key</c> (issue 14) talk to a running server's admin API, signing every request with SigV4;
/// <c>cairn verify</c> checks an export offline. <c>cairn</c> with no command, or with
/// only server options, serves (<see cref="ServerHost.RunAsync"/>); <see cref="IsCommand"/> tells which.
/// </summary>
/// <remarks>
/// Exit codes: <see cref="ExitSuccess"/>; <see cref="ExitServerError"/> when the server answers with an
/// error or cannot be reached; <see cref="ExitUsage"/> for a bad command line, missing credentials or
/// an unwritable output file; <see cref="ExitProofFailed"/> when a proof does not check.
/// </remarks>
public static class CairnCli
{
    /// <summary>The command did what it was asked.</summary>
    public const int ExitSuccess = 0;

    /// <summary>The server answered with an error (printed as <c>error: CODE: message</c>), or could not be reached.</summary>
    public const int ExitServerError = 1;

    /// <summary>The command line was wrong, the credentials are missing, or an output file could not be written.</summary>
    public const int ExitUsage = 2;

    /// <summary>A proof the server sent, or an export file, does not check (the reasons are printed).</summary>
    public const int ExitProofFailed = 3;

    /// <summary>
    /// True when <paramref name="args"/> ask for a tool rather than the server: the first argument is
    /// a word (a subcommand, or a mistyped one, which gets the tools' usage error) or a help or version switch.
    /// Server options start with '-' or '/' or have the form <c>key=value</c>; the configuration
    /// reader ignores bare words, so no server command line today starts with one.
    /// </summary>
    public static bool IsCommand(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return false;
        }
        var first = args[0];
        return first is "-h" or "-?" or "--help" or "--version"
            || (first.Length > 0 && char.IsAsciiLetter(first[0]) && !first.Contains('=', StringComparison.Ordinal));
    }

    /// <summary>
    /// Runs the tool <paramref name="args"/> name and returns its exit code. Credentials come from the
    /// process's environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION or AWS_DEFAULT_REGION).
    /// </summary>
    /// <param name="args">The command line, starting with the subcommand.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and refusals go.</param>
    /// <param name="handler">Sends the HTTP requests (tests); a new <see cref="SocketsHttpHandler"/> when null.</param>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null) =>
        RunAsync(args, stdout, stderr, handler, Environment.GetEnvironmentVariable);

    /// <summary>
    /// Same as <see cref="RunAsync(string[], TextWriter, TextWriter, HttpMessageHandler?)"/>, reading environment
    /// variables through <paramref name="environment"/> (tests run in one process and must not share variables).
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler,
        Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);
        return RunAsync(args, stdout, stderr, handler, environment, CliProgress.ForTerminal(stderr, environment));
    }

    /// <summary>
    /// Same as <see cref="RunAsync(string[], TextWriter, TextWriter, HttpMessageHandler?, Func{string, string?})"/>, drawing the
    /// long commands' progress with <paramref name="progress"/> (tests: a console that records what a terminal would show).
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler,
        Func<string, string?> environment, CliProgress progress)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(progress);
        var context = new CliContext(stdout, stderr, handler, environment, progress);
        var root = new RootCommand(
            "Cairn, an S3-compatible object store. Without a command, 'cairn' serves S3 "
            + "(options such as --urls, --data-dir, --access-key, --secret-key, --region). The commands below talk to a running "
            + "server's admin API, signing with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (region: AWS_REGION, else "
            + "AWS_DEFAULT_REGION, else us-east-1).")
        {
            TreeCommand.Create(context),
            ProofCommand.Create(context),
            ExportCommand.Create(context),
            ImportCommand.Create(context),
            VerifyCommand.Create(context),
            LifecycleCommand.Create(context),
            InventoryCommand.Create(context),
            RestoreCommand.Create(context),
            UserCommand.CreateUser(context),
            UserCommand.CreateKey(context),
            BucketCommand.CreateBucket(context),
            BucketCommand.CreatePolicy(context),
            BucketCommand.CreateUsage(context),
            ServerKeyCommand.Create(context),
        };
        root.Add(context.Endpoint);

        var parseResult = root.Parse(args is ["help", .. var rest] ? [.. rest, "--help"] : args);
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr };
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync("cairn: " + error.Message).ConfigureAwait(false);
            }
            await stderr.WriteLineAsync("Run 'cairn --help' or 'cairn COMMAND --help' for usage.").ConfigureAwait(false);
            return ExitUsage;
        }
        return await parseResult.InvokeAsync(configuration, CancellationToken.None).ConfigureAwait(false);
    }
}
