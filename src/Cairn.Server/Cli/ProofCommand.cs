using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn proof BUCKET KEY [--flush] [-o FILE]</c>: fetches a key's proof from
/// <c>GET /_cairn/buckets/{bucket}/proof?key=K[&amp;flush=true]</c> and checks it offline
/// (<see cref="ProofChecker"/>): exit 0 when it checks, 3 when it does not.
/// </summary>
internal static class ProofCommand
{
    public static Command Create(CliContext context)
    {
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket." };
        var key = new Argument<string>("KEY") { Description = "The object key." };
        var flush = new Option<bool>("--flush") { Description = "Fold the bucket's latest changes into its tree first." };
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Also write the proof (a CAR file) to FILE, whether or not it checks.",
            HelpName = "FILE",
        };
        var command = new Command("proof",
            "Prove that a key is in a bucket's latest tree commit (with its manifest), or that it is not, and check the proof offline.")
        {
            bucket,
            key,
            flush,
            output,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, parseResult, parseResult.GetRequiredValue(bucket),
            parseResult.GetRequiredValue(key), parseResult.GetValue(flush), parseResult.GetValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parseResult, string bucket, string key, bool flush, FileInfo? output,
        CancellationToken cancellationToken)
    {
        var connection = await context.ConnectAsync(parseResult).ConfigureAwait(false);
        if (connection is null)
        {
            return CairnCli.ExitUsage;
        }
        var (client, http) = connection.Value;
        AdminResponse response;
        using (http)
        {
            try
            {
                response = await client.GetAsync(
                    $"/_cairn/buckets/{AdminClient.Escape(bucket)}/proof?key={AdminClient.Escape(key)}{(flush ? "&flush=true" : "")}",
                    cancellationToken).ConfigureAwait(false);
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
        if (output is not null)
        {
            try
            {
                await File.WriteAllBytesAsync(output.FullName, response.Body, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Stderr.WriteLineAsync($"error: cannot write {output.FullName}: {ex.Message}").ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
        }

        var headers = new ProofHeaders(response.Header("x-cairn-proof"), response.Header("x-cairn-commit"), response.Header("x-cairn-root"),
            response.Header("x-cairn-seq"), response.Header("x-cairn-manifest"));
        using var car = new MemoryStream(response.Body, writable: false);
        var check = await ProofChecker.CheckAsync(car, bucket, key, headers, cancellationToken).ConfigureAwait(false);
        if (!check.Holds)
        {
            await context.Stderr.WriteLineAsync("proof does not check: " + check.Failure).ConfigureAwait(false);
            return CairnCli.ExitProofFailed;
        }
        await context.Stdout.WriteAsync(Format(check)).ConfigureAwait(false);
        return CairnCli.ExitSuccess;
    }

    private static string Format(ProofCheck check)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.Append(check.Present ? "present\n" : "absent\n");
        text.Append(culture, $"root: {check.Commit!.Data}\n");
        text.Append(culture, $"seq: {check.Commit.Seq}\n");
        text.Append(culture, $"commit: {check.CommitCid}\n");
        if (check.Manifest is { } manifest)
        {
            text.Append(culture, $"manifest: {check.ManifestCid}\n");
            text.Append(culture, $"version: {manifest.VersionId}\n");
            if (manifest.IsDeleteMarker)
            {
                // A marker has no body, so no size or ETag worth showing.
                text.Append("delete-marker: true\n");
            }
            else
            {
                text.Append(culture, $"size: {manifest.Size}\n");
                text.Append(culture, $"etag: \"{manifest.ETag}\"\n");
            }
        }
        return text.ToString();
    }
}
