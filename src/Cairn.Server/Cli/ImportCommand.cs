using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn import FILE.car BUCKET [--prefix P] [--replace]</c>: sends a bucket export to
/// <c>POST /_cairn/buckets/{bucket}/import</c>. The server verifies the whole file before anything
/// becomes visible, then brings the keys under the prefix in (with <c>--replace</c>, replacing every
/// key under it) in one transaction. An empty archive with <c>--replace</c> empties the prefix, and
/// the output says so in its own words. On a terminal, bars show the file hashed for the signature,
/// then sent, then the server's check until it answers (<see cref="CliProgress"/>).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The CAR file (a 'cairn export')." };
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket to import into (it must exist)." };
        var prefix = new Option<string>("--prefix") { Description = "Import only the archive's keys starting with this; with --replace, replace the bucket's keys starting with it.", HelpName = "PREFIX" };
        var replace = new Option<bool>("--replace") { Description = "Replace every key under the prefix in one step (readers see all old or all new keys)." };
        var command = new Command("import", "Bring a bucket export (CAR file) into a bucket, verified before anything becomes visible.")
        {
            file,
            bucket,
            prefix,
            replace,
            context.NoProgress,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, parseResult, parseResult.GetRequiredValue(file),
            parseResult.GetRequiredValue(bucket), parseResult.GetValue(prefix) ?? "", parseResult.GetValue(replace), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parseResult, FileInfo file, string bucket, string prefix, bool replace,
        CancellationToken cancellationToken)
    {
        FileStream car;
        try
        {
            car = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.Stderr.WriteLineAsync($"error: cannot read {file.FullName}: {ex.Message}").ConfigureAwait(false);
            return CairnCli.ExitUsage;
        }
        await using (car)
        {
            var connection = await context.ConnectAsync(parseResult).ConfigureAwait(false);
            if (connection is null)
            {
                return CairnCli.ExitUsage;
            }
            var (client, http) = connection.Value;
            // The server verifies the whole file before it answers: no overall time limit.
            http.Timeout = Timeout.InfiniteTimeSpan;
            AdminResponse response;
            using (http)
            {
                var query = "?prefix=" + AdminClient.Escape(prefix) + (replace ? "&replace=true" : "");
                try
                {
                    response = await context.Progress(parseResult).RunAsync(async bars =>
                    {
                        var hashing = bars.Add($"hashing {file.Name}", car.Length);
                        var sending = bars.Add($"sending {file.Name}", car.Length);
                        var checking = bars.AddStep($"server checks {file.Name}", after: sending);
                        var answer = await client.PostFileAsync($"/_cairn/buckets/{AdminClient.Escape(bucket)}/import{query}", car, hashing, sending,
                            cancellationToken).ConfigureAwait(false);
                        hashing.Finish();
                        sending.Finish();
                        checking.Finish();
                        return answer;
                    }).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    return await context.FailAsync(ex.Message).ConfigureAwait(false);
                }
            }
            if (!response.IsSuccess)
            {
                return await context.FailAsync(response.Error()).ConfigureAwait(false);
            }
            await context.Stdout.WriteAsync(Describe(response.Body, bucket, prefix, replace)).ConfigureAwait(false);
            return CairnCli.ExitSuccess;
        }
    }

    private static string Keys(int count) => count == 1 ? "1 key" : string.Create(CultureInfo.InvariantCulture, $"{count} keys");

    /// <summary>The server's answer as lines of <c>name: value</c>, with the first line saying what happened.</summary>
    private static string Describe(byte[] body, string bucket, string prefix, bool replace)
    {
        using var json = JsonDocument.Parse(body);
        var answer = json.RootElement;
        var imported = answer.GetProperty("keysImported").GetInt32();
        var removed = answer.GetProperty("keysRemoved").GetInt32();
        var where = prefix.Length == 0 ? $"bucket {bucket}" : $"prefix '{prefix}' of bucket {bucket}";
        var summary = (imported, replace) switch
        {
            (0, true) => $"emptied: the archive holds no keys under the prefix, so the {where} is now empty ({Keys(removed)} removed).",
            (0, false) => $"nothing imported: the archive holds no keys under the prefix; the {where} is unchanged.",
            (_, true) => $"replaced: the {where} now holds the archive's {Keys(imported)} ({Keys(removed)} replaced or removed).",
            _ => $"imported: {Keys(imported)} into the {where}.",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary}\nkeys: {imported}\nversions: {answer.GetProperty("versionsImported").GetInt32()}\nremoved: {removed}\n"
            + $"chunks: {answer.GetProperty("chunks").GetInt32()}\nchunk-bytes: {answer.GetProperty("chunkBytes").GetInt64()}\n"
            + $"source-bucket: {answer.GetProperty("sourceBucket").GetString()}\nsource-seq: {answer.GetProperty("sourceSeq").GetInt64()}\n"
            + $"source-commit: {answer.GetProperty("sourceCommit").GetString()}\nsource-root: {answer.GetProperty("sourceRoot").GetString()}\n");
    }
}
