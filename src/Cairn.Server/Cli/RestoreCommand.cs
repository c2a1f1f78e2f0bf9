using System.CommandLine;
using System.Globalization;
using Cairn.Engine.Archive;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn restore --data-dir DIR --set Archive:Bucket=B [--set KEY=VALUE ...] [--at TIME] [--seq BUCKET=N ...] [--lineage L]</c>
/// (issue 13): with the server stopped, rebuilds its catalog from the journal archive alone
/// (<see cref="ArchiveRestorer"/>), up to the newest entry, a moment, or a bucket's journal entry, and checks the chunk store
/// against it. The settings are the server's own keys (<c>Archive:*</c>, <c>Storage:*</c>,
/// <c>Tiers:*</c>, <c>Metadata:*</c>), given with <c>--set</c>; the embedded catalog file must not
/// exist (delete it first: a restore never writes over a catalog).
/// </summary>
/// <remarks>Exit codes: 0 restored whole; 3 restored without some keys (chunks missing from the chunk
/// store, or versions the archive has no contents for), listed; 1 the archive or the catalog failed;
/// 2 usage.</remarks>
internal static class RestoreCommand
{
    public static Command Create(CliContext context)
    {
        var dataDirectory = new Option<string>("--data-dir") { Description = "The server's data directory (chunk store and embedded catalog).", Required = true };
        var settings = new Option<string[]>("--set")
        {
            Description = "A server setting, KEY=VALUE (Archive:Endpoint, Archive:Bucket, Archive:Prefix, Archive:PathStyle, Archive:AccessKey, " +
                "Archive:SecretKey, Archive:Region, Storage:*, Tiers:*, Metadata:*); repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var at = new Option<string?>("--at") { Description = "Restore the state at this moment (ISO 8601, e.g. 2026-12-04T18:00:00Z); default: the newest entry." };
        var seq = new Option<string[]>("--seq")
        {
            Description = "Restore a bucket exactly as it was right after entry N of its journal, BUCKET=N; repeatable (other buckets: --at or the newest).",
            AllowMultipleArgumentsPerToken = false,
        };
        var lineage = new Option<string?>("--lineage") { Description = "The archive lineage to restore from; default: the newest." };
        var command = new Command("restore", "Rebuild the catalog from the journal archive (server stopped), to the newest entry or a moment.")
        {
            dataDirectory,
            settings,
            at,
            seq,
            lineage,
            context.NoProgress,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, context.Progress(parseResult),
            parseResult.GetRequiredValue(dataDirectory), parseResult.GetValue(settings) ?? [], parseResult.GetValue(at), parseResult.GetValue(seq) ?? [],
            parseResult.GetValue(lineage), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CliProgress progress, string dataDirectory, string[] sets, string? atText,
        string[] seqs, string? lineage, CancellationToken cancellationToken)
    {
        var toEntries = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in seqs)
        {
            var equals = text.LastIndexOf('=');
            if (equals <= 0 || !long.TryParse(text.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || !toEntries.TryAdd(text[..equals], number))
            {
                await context.Stderr.WriteLineAsync($"cairn restore: --seq takes BUCKET=N (a journal entry number, each bucket once), not '{text}'.")
                    .ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
        }
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                await context.Stderr.WriteLineAsync($"cairn restore: --set takes KEY=VALUE, not '{set}'.").ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
            pairs[set[..equals]] = set[(equals + 1)..];
        }
        DateTimeOffset? at = null;
        if (atText is not null)
        {
            if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment))
            {
                await context.Stderr.WriteLineAsync($"cairn restore: --at must be a time such as 2026-12-04T18:00:00Z, not '{atText}'.").ConfigureAwait(false);
                return CairnCli.ExitUsage;
            }
            at = moment;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(pairs).Build();
        var archiveSettings = configuration.GetSection("Archive").Get<TierOptions>();
        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        var tiers = configuration.GetSection("Tiers").Get<Dictionary<string, TierOptions>>() ?? [];
        var metadata = configuration.GetSection("Metadata").Get<MetadataOptions>() ?? new MetadataOptions();
        metadata.Provider = metadata.Provider.Trim().ToLowerInvariant();
        dataDirectory = Path.GetFullPath(dataDirectory);
        if (archiveSettings is null || string.IsNullOrWhiteSpace(archiveSettings.Bucket))
        {
            await context.Stderr.WriteLineAsync("cairn restore: the archive is required: --set Archive:Bucket=... (and Archive:Endpoint etc.).").ConfigureAwait(false);
            return CairnCli.ExitUsage;
        }
        if (metadata.Provider != MetadataOptions.PostgresProvider && File.Exists(MetadataProviders.SqlitePath(dataDirectory)))
        {
            await context.Stderr.WriteLineAsync($"cairn restore: {MetadataProviders.SqlitePath(dataDirectory)} exists; a restore builds a new catalog " +
                "(stop the server and move the old one away first).").ConfigureAwait(false);
            return CairnCli.ExitUsage;
        }
        try
        {
            using var archiveStore = new JournalArchiveStore(BlobStorage.CreateArchive(archiveSettings, storage.Retry));
            var chunkStore = BlobStorage.Create(storage, tiers, dataDirectory, fsyncDirectories: true);
            using var owner = new BlobStorage.Owner(chunkStore);
            metadata.CacheSize = "0"; // the restore writes through the roles; nothing to cache
            await using var catalog = MetadataProviders.Create(metadata, dataDirectory, journalRecords: true);
            await catalog.Schema.MigrateAsync(cancellationToken).ConfigureAwait(false);
            // Packs the node never shipped are shipped by the restore: the node's start deletes the
            // segments of packs its catalog does not wait for.
            var segments = new Cairn.Storage.FileSystemSegmentStore(ServerHost.SegmentsPath(dataDirectory));
            // The restorer tells nothing as it goes: on a terminal, a step shows that it works and for how long.
            var report = await progress.RunAsync(async bars =>
            {
                var restoring = bars.AddStep("restoring the catalog from the archive");
                var restored = await new ArchiveRestorer(archiveStore.Blobs, chunkStore, [.. tiers.Keys], catalog, TimeProvider.System, segments)
                    .RestoreAsync(lineage, at, cancellationToken, toEntries).ConfigureAwait(false);
                restoring.Finish();
                return restored;
            }).ConfigureAwait(false);
            await PrintAsync(context.Stdout, report).ConfigureAwait(false);
            return report.MissingChunks.Count == 0 && report.VersionsWithoutRecord.Count == 0 ? CairnCli.ExitSuccess : CairnCli.ExitProofFailed;
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or Cairn.Storage.BlobBackendException
            or System.Data.Common.DbException or IOException)
        {
            await context.Stderr.WriteLineAsync("cairn restore: " + ex.Message).ConfigureAwait(false);
            if (metadata.Provider != MetadataOptions.PostgresProvider && Directory.Exists(dataDirectory))
            {
                // A catalog built halfway must never be served: its queue may hold live chunks (reserved
                // for keys not imported yet). The embedded one goes; a PostgreSQL database is the operator's.
                foreach (var file in Directory.EnumerateFiles(dataDirectory, Path.GetFileName(MetadataProviders.SqlitePath(dataDirectory)) + "*"))
                {
                    File.Delete(file);
                }
                await context.Stderr.WriteLineAsync("cairn restore: the partial catalog was removed.").ConfigureAwait(false);
            }
            else
            {
                await context.Stderr.WriteLineAsync("cairn restore: drop the PostgreSQL database it was building before serving it.").ConfigureAwait(false);
            }
            return CairnCli.ExitServerError;
        }
    }

    private static async Task PrintAsync(TextWriter output, RestoreReport report)
    {
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"restored from lineage {report.Lineage} (bucket state of {report.StateAt:O}, changes up to {report.StandsAt?.ToString("O", CultureInfo.InvariantCulture) ?? "none"})\n" +
            $"buckets: {report.Buckets} ({report.SnapshotsUsed} from a snapshot)\nkeys: {report.Keys}\nversions: {report.Versions}\nchunks: {report.ChunksReferenced}\npacks: {report.Packs}\n" +
            $"local segments shipped: {report.SegmentsShipped.Count}\n" +
            $"unreferenced blobs queued for the sweeper (a day from now): {report.UnreferencedBlobs}\n" +
            $"new lineage: {report.NewLineage}"))
            .ConfigureAwait(false);
        foreach (var missing in report.MissingChunks)
        {
            await output.WriteLineAsync("missing chunk: " + missing).ConfigureAwait(false);
        }
        foreach (var pack in report.UnreadablePacks)
        {
            await output.WriteLineAsync("unreadable pack (left in place, not trusted): " + pack).ConfigureAwait(false);
        }
        foreach (var version in report.VersionsWithoutRecord)
        {
            await output.WriteLineAsync("no contents in the archive: " + version).ConfigureAwait(false);
        }
    }
}
