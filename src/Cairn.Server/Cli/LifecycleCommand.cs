using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn lifecycle BUCKET [--at TIME] [--max N] [--json]</c>: the lifecycle's dry run, what would be
/// expired, removed or aborted by a time, from <c>GET /_cairn/buckets/{bucket}/lifecycle</c>. Changes nothing.
/// </summary>
internal static class LifecycleCommand
{
    public static Command Create(CliContext context)
    {
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket." };
        var at = new Option<string?>("--at") { Description = "The moment to look ahead to, ISO 8601 (default: now)." };
        var max = new Option<int?>("--max") { Description = "How many due keys to look at (default 1000)." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON as received." };
        var command = new Command("lifecycle",
            "Show what the bucket's lifecycle rules would expire, remove or abort by a moment (a dry run: nothing changes).")
        {
            bucket,
            at,
            max,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, parseResult, parseResult.GetRequiredValue(bucket),
            parseResult.GetValue(at), parseResult.GetValue(max), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(CliContext context, ParseResult parseResult, string bucket, string? at, int? max, bool json,
        CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (at is not null)
        {
            query.Add("at=" + AdminClient.Escape(at));
        }
        if (max is { } keys)
        {
            query.Add("max=" + keys.ToString(CultureInfo.InvariantCulture));
        }
        return context.GetAndPrintAsync(parseResult,
            $"/_cairn/buckets/{AdminClient.Escape(bucket)}/lifecycle{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", json, Format,
            "a lifecycle preview", cancellationToken);
    }

    /// <summary>One line per action and per upload (tab-separated: what, due, rule, key, version or upload id), then a count; null when malformed.</summary>
    private static string? Format(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("complete", out var complete) || complete.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
                || !root.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("uploads", out var uploads) || uploads.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var text = new StringBuilder();
            foreach (var action in actions.EnumerateArray())
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{action.GetProperty("action").GetString()}\t{action.GetProperty("due").GetString()}\t{action.GetProperty("rule").GetString()}\t" +
                    $"{action.GetProperty("key").GetString()}\t{action.GetProperty("versionId").GetString()}\n");
            }
            foreach (var upload in uploads.EnumerateArray())
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"abort-upload\t{upload.GetProperty("due").GetString()}\t{upload.GetProperty("rule").GetString()}\t" +
                    $"{upload.GetProperty("key").GetString()}\t{upload.GetProperty("uploadId").GetString()}\n");
            }
            text.Append(CultureInfo.InvariantCulture,
                $"{actions.GetArrayLength()} versions and {uploads.GetArrayLength()} uploads due by {at.GetString()}{(complete.GetBoolean() ? "" : " (more keys are due than were looked at; raise --max)")}\n");
            return text.ToString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
