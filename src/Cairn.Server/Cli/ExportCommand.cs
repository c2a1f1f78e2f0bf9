using System.CommandLine;
using System.Globalization;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn export BUCKET [--at SEQ] [--prefix P] -o FILE.car</c>: streams
/// <c>GET /_cairn/buckets/{bucket}/export[?seq=N][&amp;prefix=P]</c> (the bucket at its latest commit,
/// folded now, or at the commit recorded at N; with a prefix, the range proof of the keys starting
/// with it) into FILE, through a temporary file renamed only once the whole export arrived; shows
/// a bar of the bytes received on a terminal (<see cref="CliProgress"/>; the server sends no length ahead).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket." };
        var at = new Option<long?>("--at") { Description = "Export the commit recorded at this journal number instead of the latest.", HelpName = "SEQUENCE" };
        var prefix = new Option<string?>("--prefix")
        {
            Description = "Export only the keys starting with this prefix: a range proof against the bucket's same commit ('cairn verify --prefix' checks it).",
            HelpName = "PREFIX",
        };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The CAR file to write.", HelpName = "FILE", Required = true };
        var command = new Command("export",
            "Write a bucket's verifiable state (commit, tree, every version's manifest, every body block) as one CAR file; with --prefix, one key range's.")
        {
            bucket,
            at,
            prefix,
            output,
            context.NoProgress,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, parseResult, parseResult.GetRequiredValue(bucket),
            parseResult.GetValue(at), parseResult.GetValue(prefix), parseResult.GetRequiredValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parseResult, string bucket, long? at, string? prefix, FileInfo output,
        CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (at is { } seq)
        {
            query.Add("seq=" + seq.ToString(CultureInfo.InvariantCulture));
        }
        if (!string.IsNullOrEmpty(prefix))
        {
            query.Add("prefix=" + AdminClient.Escape(prefix));
        }
        var connection = await context.ConnectAsync(parseResult).ConfigureAwait(false);
        if (connection is null)
        {
            return CairnCli.ExitUsage;
        }
        var (client, http) = connection.Value;
        // An export streams as long as the bucket is large: no overall time limit.
        http.Timeout = Timeout.InfiniteTimeSpan;
        var partial = output.FullName + ".partial";
        AdminResponse response;
        using (http)
        {
            try
            {
                await using var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                response = await context.Progress(parseResult).RunAsync(async bars =>
                {
                    var received = bars.Add($"exporting {bucket}", totalBytes: null);
                    var answer = await client.DownloadAsync(
                        $"/_cairn/buckets/{AdminClient.Escape(bucket)}/export{(query.Count > 0 ? "?" + string.Join('&', query) : "")}",
                        file, received, cancellationToken).ConfigureAwait(false);
                    if (answer.IsSuccess)
                    {
                        received.Finish();
                    }
                    return answer;
                }).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                File.Delete(partial);
                return await context.FailAsync(ex.Message).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                File.Delete(partial);
                await context.Stderr.WriteLineAsync($"error: cannot write {output.FullName}: {ex.Message}").ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
        }
        if (!response.IsSuccess)
        {
            File.Delete(partial);
            return await context.FailAsync(response.Error()).ConfigureAwait(false);
        }
        File.Move(partial, output.FullName, overwrite: true);
        await context.Stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"file: {output.FullName}\nbytes: {new FileInfo(output.FullName).Length}\ncommit: {response.Header("x-cairn-commit")}\n"
            + $"root: {response.Header("x-cairn-root")}\nseq: {response.Header("x-cairn-seq")}\n"
            + $"{(string.IsNullOrEmpty(prefix) ? "" : "prefix: " + prefix + "\n")}")).ConfigureAwait(false);
        return CairnCli.ExitSuccess;
    }
}
