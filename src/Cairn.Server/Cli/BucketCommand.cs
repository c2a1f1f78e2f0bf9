using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn bucket list|create|delete</c>, <c>cairn policy get|put|delete</c> and <c>cairn usage</c>
/// (issue 14): an operator's view of the buckets with the root credentials. Listing and usage read the
/// admin API's <c>/_cairn/usage</c> (every bucket with its owner, objects and bytes); the rest are the
/// S3 calls themselves (CreateBucket, DeleteBucket, Get/Put/DeleteBucketPolicy), so the server
/// judges them exactly as it judges any client's.
/// </summary>
internal static class BucketCommand
{
    public static Command CreateBucket(CliContext context)
    {
        var command = new Command("bucket", "Buckets: list them with their owners and contents, create, delete.");
        var json = JsonOption();

        var list = new Command("list", "Every bucket with its owner, versioning, objects and bytes.") { json };
        list.SetAction((parse, cancellationToken) => context.GetAndPrintAsync(parse, "/_cairn/usage", parse.GetValue(json), FormatBuckets,
            "a usage report", cancellationToken));

        var createName = BucketArgument("The new bucket's name (S3's rules: 3 to 63 of a-z, 0-9, '.' and '-').");
        var create = new Command("create", "Create a bucket (owned by root).") { createName };
        create.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Put, "/" + AdminClient.Escape(parse.GetRequiredValue(createName)),
            json: false, _ => $"created bucket {parse.GetRequiredValue(createName)}\n", "an answer", cancellationToken));

        var deleteName = BucketArgument("The bucket to delete; it must be empty (S3: 409 BucketNotEmpty).");
        var delete = new Command("delete", "Delete an empty bucket.") { deleteName };
        delete.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Delete, "/" + AdminClient.Escape(parse.GetRequiredValue(deleteName)),
            json: false, _ => $"deleted bucket {parse.GetRequiredValue(deleteName)}\n", "an answer", cancellationToken));

        command.Add(list);
        command.Add(create);
        command.Add(delete);
        return command;
    }

    public static Command CreatePolicy(CliContext context)
    {
        var command = new Command("policy", "A bucket's policy: print it, put one from a file, delete it.");

        var getBucket = BucketArgument("The bucket whose policy to print.");
        var get = new Command("get", "Print the bucket's policy (JSON).") { getBucket };
        get.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Get, PolicyPath(parse.GetRequiredValue(getBucket)),
            json: true, _ => null, "a policy", cancellationToken));

        var putBucket = BucketArgument("The bucket to give the policy.");
        var file = new Argument<FileInfo>("FILE") { Description = "The policy document (JSON); '-' reads it from standard input." };
        var put = new Command("put", "Put the bucket's policy from a file (replacing any it has).") { putBucket, file };
        put.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            byte[] document;
            try
            {
                document = path.Name == "-" ? Encoding.UTF8.GetBytes(await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false))
                    : await File.ReadAllBytesAsync(path.FullName, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await context.Stderr.WriteLineAsync($"error: cannot read {path}: {ex.Message}").ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
            var bucket = parse.GetRequiredValue(putBucket);
            return await context.SendAndPrintAsync(parse, HttpMethod.Put, PolicyPath(bucket), document, json: false,
                _ => $"put the policy of {bucket}\n", "an answer", cancellationToken).ConfigureAwait(false);
        });

        var deleteBucket = BucketArgument("The bucket whose policy to delete.");
        var delete = new Command("delete", "Delete the bucket's policy.") { deleteBucket };
        delete.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Delete, PolicyPath(parse.GetRequiredValue(deleteBucket)),
            json: false, _ => $"deleted the policy of {parse.GetRequiredValue(deleteBucket)}\n", "an answer", cancellationToken));

        command.Add(get);
        command.Add(put);
        command.Add(delete);
        return command;
    }

    public static Command CreateUsage(CliContext context)
    {
        var json = JsonOption();
        var command = new Command("usage", "What the buckets hold: objects and bytes per bucket and in all, noncurrent versions apart.") { json };
        command.SetAction((parse, cancellationToken) => context.GetAndPrintAsync(parse, "/_cairn/usage", parse.GetValue(json), FormatUsage,
            "a usage report", cancellationToken));
        return command;
    }

    private static string PolicyPath(string bucket) => "/" + AdminClient.Escape(bucket) + "?policy=";

    private static Argument<string> BucketArgument(string description) => new("BUCKET") { Description = description };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the server's JSON as received." };

    /// <summary>One line per bucket: name, owner, versioning, objects, bytes.</summary>
    private static string? FormatBuckets(byte[] body) => CliContext.FormatJson(body, root =>
    {
        var text = new StringBuilder();
        foreach (var bucket in root.GetProperty("buckets").EnumerateArray())
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{bucket.GetProperty("name").GetString()}\t{bucket.GetProperty("owner").GetString() ?? "root"}\t{bucket.GetProperty("versioning").GetString()}\t" +
                $"{bucket.GetProperty("objects").GetInt64()} objects\t{Bytes(bucket.GetProperty("bytes").GetInt64())}\n");
        }
        return text.ToString();
    });

    /// <summary>A table of buckets and what they hold, and a total line.</summary>
    private static string? FormatUsage(byte[] body) => CliContext.FormatJson(body, root =>
    {
        var text = new StringBuilder();
        text.Append("bucket\tobjects\tbytes\tnoncurrent versions\tnoncurrent bytes\tdelete markers\n");
        foreach (var bucket in root.GetProperty("buckets").EnumerateArray())
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{bucket.GetProperty("name").GetString()}\t{bucket.GetProperty("objects").GetInt64()}\t{bucket.GetProperty("bytes").GetInt64()}\t" +
                $"{bucket.GetProperty("noncurrentVersions").GetInt64()}\t{bucket.GetProperty("noncurrentBytes").GetInt64()}\t" +
                $"{bucket.GetProperty("deleteMarkers").GetInt64()}\n");
        }
        text.Append(CultureInfo.InvariantCulture,
            $"total\t{root.GetProperty("objects").GetInt64()}\t{root.GetProperty("bytes").GetInt64()}\t{root.GetProperty("noncurrentVersions").GetInt64()}\t" +
            $"{root.GetProperty("noncurrentBytes").GetInt64()}\t\n");
        return text.ToString();
    });

    /// <summary>Bytes for people: B, KiB, MiB, GiB, TiB.</summary>
    private static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
