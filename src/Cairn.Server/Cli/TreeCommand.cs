using System.CommandLine;
using System.Globalization;
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

    private static Task<int> RunAsync(CliContext context, ParseResult parseResult, string bucket, bool flush, bool json,
        CancellationToken cancellationToken) =>
        context.GetAndPrintAsync(parseResult, $"/_cairn/buckets/{AdminClient.Escape(bucket)}/tree{(flush ? "?flush=true" : "")}", json, Format,
            "a tree commit", cancellationToken);

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
