using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn tree BUCKET [--flush] [--json]</c>: the bucket's latest tree commit, from
/// <c>GET /_cairn/buckets/{bucket}/tree[?flush=true]</c>.
/// </summary>
internal static class TreeCommand
{
    public static Command Create(CliContext context)
    {
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket." };
        var flush = new Option<bool>("--flush") { Description = "Fold the bucket's latest changes into its tree first." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON as received." };
        var command = new Command("tree", "Show a bucket's latest tree commit: its journal number, commit and root CIDs, and time.")
        {
            bucket,
            flush,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, parseResult, parseResult.GetRequiredValue(bucket),
            parseResult.GetValue(flush), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parseResult, string bucket, bool flush, bool json,
        CancellationToken cancellationToken)
    {
        var connection = await context.ConnectAsync(parseResult).ConfigureAwait(false);
        if (connection is null)
        {
            return CairnCli.ExitUsage;
        }
        var (client, http) = connection.Value;
        using (http)
        {
            AdminResponse response;
            try
            {
                response = await client.GetAsync($"/_cairn/buckets/{AdminClient.Escape(bucket)}/tree{(flush ? "?flush=true" : "")}",
                    cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return await context.FailAsync(ex.Message).ConfigureAwait(false);
            }
            if (!response.IsSuccess)
            {
                return await context.FailAsync(response.Error()).ConfigureAwait(false);
            }
            if (json)
            {
                var text = Encoding.UTF8.GetString(response.Body);
                await context.Stdout.WriteAsync(text.EndsWith('\n') ? text : text + "\n").ConfigureAwait(false);
                return CairnCli.ExitSuccess;
            }
            var lines = Format(response.Body);
            if (lines is null)
            {
                return await context.FailAsync("the server's answer is not a tree commit: " + Encoding.UTF8.GetString(response.Body)).ConfigureAwait(false);
            }
            await context.Stdout.WriteAsync(lines).ConfigureAwait(false);
            return CairnCli.ExitSuccess;
        }
    }

    /// <summary>The <c>name: value</c> lines of a tree answer, or null when it lacks a field.</summary>
    private static string? Format(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("bucket", out var bucket) || bucket.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var seqNumber)
                || !root.TryGetProperty("commit", out var commit) || commit.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("root", out var tree) || tree.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("committedAt", out var committedAt) || committedAt.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"bucket: {bucket.GetString()}\nseq: {seqNumber}\ncommit: {commit.GetString()}\nroot: {tree.GetString()}\ncommitted: {committedAt.GetString()}\n");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
