using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn inventory BUCKET [--id ID] [--from KEY] [--to KEY] [--json]</c>: the bucket's inventory
/// reports, newest first, with the data files' row groups that may hold keys in the range, from
/// <c>GET /_cairn/buckets/{bucket}/inventory</c>.
/// </summary>
internal static class InventoryCommand
{
    public static Command Create(CliContext context)
    {
        var bucket = new Argument<string>("BUCKET") { Description = "The source bucket." };
        var id = new Option<string?>("--id") { Description = "Only the reports of this inventory configuration." };
        var from = new Option<string?>("--from") { Description = "Only row groups that may hold keys from this one on." };
        var to = new Option<string?>("--to") { Description = "Only row groups that may hold keys up to this one." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON as received." };
        var command = new Command("inventory",
            "List a bucket's inventory reports and, for a key range, the data files and row groups that hold it.")
        {
            bucket,
            id,
            from,
            to,
            json,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var query = new List<string>();
            foreach (var (name, value) in new[] { ("id", parseResult.GetValue(id)), ("from", parseResult.GetValue(from)), ("to", parseResult.GetValue(to)) })
            {
                if (value is not null)
                {
                    query.Add(name + "=" + AdminClient.Escape(value));
                }
            }
            return context.GetAndPrintAsync(parseResult,
                $"/_cairn/buckets/{AdminClient.Escape(parseResult.GetRequiredValue(bucket))}/inventory{(query.Count > 0 ? "?" + string.Join('&', query) : "")}",
                parseResult.GetValue(json), Format, "a list of inventory reports", cancellationToken);
        });
        return command;
    }

    /// <summary>A line per report (id, time, format, rows, manifest), then a tab-indented line per row group; null when malformed.</summary>
    private static string? Format(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("reports", out var reports) || reports.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var text = new StringBuilder();
            foreach (var report in reports.EnumerateArray())
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{report.GetProperty("id").GetString()}\t{report.GetProperty("createdAt").GetString()}\t{report.GetProperty("format").GetString()}\t" +
                    $"{report.GetProperty("rows").GetInt64()} rows\t{report.GetProperty("destination").GetString()}/{report.GetProperty("manifest").GetString()}\n");
                foreach (var group in report.GetProperty("groups").EnumerateArray())
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $"\t{group.GetProperty("file").GetString()}#{group.GetProperty("group").GetInt32()}\t{group.GetProperty("firstKey").GetString()}" +
                        $" .. {group.GetProperty("lastKey").GetString()}\t{group.GetProperty("rows").GetInt64()} rows\n");
                }
            }
            text.Append(CultureInfo.InvariantCulture, $"{reports.GetArrayLength()} reports\n");
            return text.ToString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
