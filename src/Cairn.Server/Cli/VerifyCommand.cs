using System.CommandLine;
using System.Globalization;
using Cairn.Mst;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn verify FILE.car [--prefix P]</c>: checks an export offline, without a server
/// (<see cref="CarVerifier"/>): every block against its CID, the tree re-derived from its leaves,
/// every manifest and its chunks, nothing unreachable; with a prefix, as the range export of the keys
/// starting with it (the nodes the range needs, each checked on its own, and the range's manifests).
/// Exit 0 when it holds, 3 with each problem on stderr when it does not. On a terminal, a bar follows
/// the verifier's first, sequential read of the file (every block hashed), then its check of the tree
/// and manifests (<see cref="CliProgress"/>).
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The CAR file written by 'cairn export'." };
        var prefix = new Option<string?>("--prefix")
        {
            Description = "Check the file as the export of the keys starting with this prefix ('cairn export --prefix').",
            HelpName = "PREFIX",
        };
        var command = new Command("verify", "Check an exported bucket (a CAR file) offline: blocks, tree, manifests and chunks.")
        {
            file,
            prefix,
            context.NoProgress,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, context.Progress(parseResult), parseResult.GetRequiredValue(file),
            parseResult.GetValue(prefix), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CliProgress progress, FileInfo file, string? prefix, CancellationToken cancellationToken)
    {
        CarVerification result;
        try
        {
            await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            result = await progress.RunAsync(async bars =>
            {
                var reading = bars.Add($"reading {file.Name}", stream.CanSeek ? stream.Length : null);
                var checking = bars.AddStep("checking tree and manifests", after: reading);
                // A pipe is left to the verifier, which refuses it for what it is.
                await using Stream tracked = stream.CanSeek ? new ProgressReadStream(stream, reading) : stream;
                var verification = await CarVerifier.VerifyAsync(tracked, prefix, cancellationToken).ConfigureAwait(false);
                reading.Finish();
                checking.Finish();
                return verification;
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.Stderr.WriteLineAsync($"error: cannot read {file.FullName}: {ex.Message}").ConfigureAwait(false);
            return CairnCli.ExitUsage;
        }
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                await context.Stderr.WriteLineAsync("error: " + error).ConfigureAwait(false);
            }
            await context.Stderr.WriteLineAsync($"{file.Name} does not verify ({result.Errors.Count} problems).").ConfigureAwait(false);
            return CairnCli.ExitProofFailed;
        }
        await context.Stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"ok\nbucket: {result.Bucket}\nseq: {result.Seq}\ncommit: {result.Commit}\nroot: {result.Root}\n"
            + $"{(result.Prefix is null ? "" : "prefix: " + result.Prefix + "\n")}keys: {result.Keys}\n"
            + $"manifests: {result.Manifests}\nchunks: {result.Chunks}\nbytes: {result.Bytes}\n")).ConfigureAwait(false);
        return CairnCli.ExitSuccess;
    }
}
