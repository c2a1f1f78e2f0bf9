using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Inventory;

/// <summary>
/// Writes the buckets' inventory reports on their schedule (issue 13): daily or weekly in lifecycle
/// days (<see cref="EngineOptions.LifecycleDay"/>), the first at the day boundary after the
/// configuration was put, each next one the period after the day the last one was written. A report
/// lists the bucket as of one journal number (one fold snapshot), writes its data files to the
/// destination bucket, then the manifest (<c>manifest.json</c> and <c>manifest.checksum</c>, as S3
/// Inventory lays them out), and records it in the catalog with each row group's key range
/// (<see cref="IInventoryCatalog"/>). A report that fails (no destination bucket, say) is logged and
/// tried again after a while; its data files may stay in the destination, unreferenced by any manifest.
/// </summary>
public sealed partial class InventoryWorker(IBucketConfigurationCatalog configurations, IInventoryCatalog reports, IBucketTreeCatalog trees,
    ObjectService objects, EngineOptions options, TimeProvider time, ILogger<InventoryWorker> logger, EngineMetrics? metrics = null,
    IBucketCatalog? buckets = null) : IWorker
{
    private const int KeysPerRead = 1000;

    private readonly LifecycleCalendar _calendar = new(options.LifecycleDay);

    /// <summary>When a report that failed is tried again, by bucket and configuration id.</summary>
    private readonly Dictionary<(string Bucket, string Id), DateTimeOffset> _retryAfter = [];

    /// <inheritdoc />
    public string Name => "inventory";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var stored in await configurations.ListConfigurationsOfKindAsync(InventoryService.Kind, cancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            if (_retryAfter.TryGetValue((stored.Bucket, stored.Id), out var retry) && now < retry)
            {
                continue;
            }
            InventoryConfiguration configuration = null!;
            try
            {
                configuration = InventoryService.Decode(stored.Document);
                if (!configuration.Enabled)
                {
                    continue;
                }
                var last = (await reports.ListInventoryReportsAsync(stored.Bucket, stored.Id, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                if (now < NextReportAt(configuration, stored.UpdatedAt, last?.CreatedAt))
                {
                    continue;
                }
                // The caller who put the configuration was allowed to write into the destination as it was then; a
                // bucket of that name made since may be another identity's (issue 14).
                if (buckets is not null && await buckets.GetBucketAsync(configuration.DestinationBucket, cancellationToken).ConfigureAwait(false) is
                    { } destination && destination.CreatedAt > stored.UpdatedAt)
                {
                    throw new InvalidOperationException($"The inventory destination bucket '{configuration.DestinationBucket}' was made again after "
                        + "the configuration was put; put the configuration again to write there.");
                }
                if (await WriteReportAsync(stored.Bucket, configuration, now, cancellationToken).ConfigureAwait(false) is { } report)
                {
                    written++;
                    metrics?.InventoryReported(configuration.Format, report.ObjectCount, done: true);
                    LogReported(stored.Bucket, stored.Id, report.ObjectCount, report.DestinationBucket, report.ManifestKey);
                }
                _retryAfter.Remove((stored.Bucket, stored.Id));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                metrics?.InventoryReported(configuration?.Format ?? InventoryFormat.Csv, 0, done: false);
                LogReportFailed(ex, stored.Bucket, stored.Id);
                var wait = options.LifecycleDay < TimeSpan.FromMinutes(5) ? options.LifecycleDay : TimeSpan.FromMinutes(5);
                _retryAfter[(stored.Bucket, stored.Id)] = now + wait;
            }
        }
        Status = $"last run {time.GetUtcNow():O}: {written} reports written";
        return WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.LifecycleIdleWait, time, cancellationToken);

    /// <summary>
    /// When the next report of <paramref name="configuration"/> is due: the day boundary after the
    /// configuration was put when none was written yet, else the period after the start of the day
    /// the last one was written.
    /// </summary>
    public DateTimeOffset NextReportAt(InventoryConfiguration configuration, DateTimeOffset configuredAt, DateTimeOffset? lastReport) =>
        lastReport is { } last
            ? _calendar.StartOfDay(last) + (options.LifecycleDay * (configuration.Frequency == InventoryFrequency.Weekly ? 7 : 1))
            : _calendar.After(configuredAt, 0);

    /// <summary>Writes one report of <paramref name="bucket"/> now; null when the bucket is gone.</summary>
    public async Task<InventoryReport?> WriteReportAsync(string bucket, InventoryConfiguration configuration, DateTimeOffset createdAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var root = KeyPrefix(configuration.DestinationPrefix) + bucket + "/" + configuration.Id + "/";
        var writer = new InventoryReportWriter(configuration, bucket, root + "data/", options.InventoryRowsPerGroup, options.InventoryRowsPerFile,
            Path.GetTempPath());
        // Before the bucket is read, not after: a missing destination costs no listing.
        if (!(await objects.ListAsync(configuration.DestinationBucket, new ListObjectsQuery("", null, null, 0), cancellationToken).ConfigureAwait(false))
            .BucketExists)
        {
            throw new InvalidOperationException($"The inventory destination bucket '{configuration.DestinationBucket}' does not exist.");
        }
        long journalSeq;
        List<InventoryDataFile> files;
        // One consistent reading of the bucket, closed before anything is written.
        await using (var snapshot = await trees.OpenFoldSnapshotAsync(bucket, afterSeq: null, cancellationToken, forFold: false).ConfigureAwait(false))
        {
            if (snapshot is null)
            {
                return null;
            }
            journalSeq = snapshot.HeadSeq;
            files = await writer.WriteAsync(ReadRowsAsync(snapshot, configuration, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        try
        {
            foreach (var file in files)
            {
                await using var body = File.OpenRead(file.TempPath);
                await PutAsync(configuration.DestinationBucket, file.Key, body, Convert.FromHexString(file.Md5Hex), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var file in files)
            {
                File.Delete(file.TempPath);
            }
        }
        // The manifest last: its presence says the report is whole (as S3's).
        var folder = root + FolderName(createdAt) + "/";
        var manifest = Manifest(bucket, configuration, createdAt, writer.FileSchema, files);
        var manifestMd5 = MD5.HashData(manifest);
        await PutAsync(configuration.DestinationBucket, folder + "manifest.json", new MemoryStream(manifest), manifestMd5, cancellationToken)
            .ConfigureAwait(false);
        var checksum = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(manifestMd5));
        await PutAsync(configuration.DestinationBucket, folder + "manifest.checksum", new MemoryStream(checksum), MD5.HashData(checksum), cancellationToken)
            .ConfigureAwait(false);
        var report = new InventoryReport(bucket, configuration.Id, createdAt, journalSeq, configuration.DestinationBucket, folder + "manifest.json",
            InventoryFields.FormatName(configuration.Format), files.Sum(static file => file.Groups.Sum(static group => group.Rows)));
        var groups = files.SelectMany(static file => file.Groups.Select(group =>
            new InventoryReportGroup(file.Key, group.Index, group.FirstKey, group.LastKey, group.Rows))).ToList();
        return await reports.RecordInventoryReportAsync(report, groups, cancellationToken).ConfigureAwait(false) ? report : null;
    }

    /// <summary>The report's rows: each key's current version, or every version and delete marker, in key order.</summary>
    private static async IAsyncEnumerable<InventoryRow> ReadRowsAsync(ITreeFoldSnapshot snapshot, InventoryConfiguration configuration,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<string>(KeysPerRead);
        await foreach (var key in snapshot.ReadChangedKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            if (configuration.FilterPrefix is { } prefix && !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            batch.Add(key);
            if (batch.Count == KeysPerRead)
            {
                foreach (var row in await RowsOfAsync(snapshot, configuration, batch, cancellationToken).ConfigureAwait(false))
                {
                    yield return row;
                }
                batch.Clear();
            }
        }
        foreach (var row in await RowsOfAsync(snapshot, configuration, batch, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private static async Task<List<InventoryRow>> RowsOfAsync(ITreeFoldSnapshot snapshot, InventoryConfiguration configuration, List<string> keys,
        CancellationToken cancellationToken)
    {
        var rows = new List<InventoryRow>();
        if (keys.Count == 0)
        {
            return rows;
        }
        var versions = await snapshot.ReadVersionsAsync(keys, cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            var ofKey = versions[key];
            for (var i = 0; i < ofKey.Count; i++)
            {
                var version = ofKey[i];
                if (!configuration.AllVersions && (i > 0 || version.IsDeleteMarker))
                {
                    break;
                }
                rows.Add(new InventoryRow(key, version.VersionId, i == 0, version.IsDeleteMarker, version.Size, version.LastModified, version.ETag,
                    version.PartSizes.Count > 0, version.Lock, version.Checksums.Keys.Order(StringComparer.Ordinal).FirstOrDefault())
                {
                    StorageClass = version.StorageClass,
                });
            }
        }
        return rows;
    }

    /// <summary>
    /// Stores one report file with its MD5 as Content-MD5: checked on the way in, and what a
    /// destination with an Object Lock default retention requires of every write.
    /// </summary>
    private async Task PutAsync(string bucket, string key, Stream body, byte[] md5, CancellationToken cancellationToken)
    {
        var result = await objects.PutAsync(new PutObjectCommand
        {
            Bucket = bucket,
            Key = key,
            Body = body,
            DeclaredLength = body.Length,
            ContentMd5 = md5,
            Headers = new ContentHeaders { ContentType = key.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream" },
        }, cancellationToken).ConfigureAwait(false);
        if (result.Status != PutObjectStatus.Created)
        {
            throw new InvalidOperationException($"Writing inventory file {key} to bucket '{bucket}' failed: {result.Status}.");
        }
    }

    /// <summary>S3's manifest.json: the source, the destination's ARN, the creation time in milliseconds, the format, the schema and each file's key, size and MD5.</summary>
    private static byte[] Manifest(string bucket, InventoryConfiguration configuration, DateTimeOffset createdAt, string schema,
        List<InventoryDataFile> files)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("sourceBucket", bucket);
            json.WriteString("destinationBucket", "arn:aws:s3:::" + configuration.DestinationBucket);
            json.WriteString("version", "2016-11-30");
            json.WriteString("creationTimestamp", createdAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            json.WriteString("fileFormat", InventoryFields.FormatName(configuration.Format));
            json.WriteString("fileSchema", schema);
            json.WriteStartArray("files");
            foreach (var file in files)
            {
                json.WriteStartObject();
                json.WriteString("key", file.Key);
                json.WriteNumber("size", file.Size);
                json.WriteString("MD5checksum", file.Md5Hex);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The destination prefix as the start of a key: empty, or the prefix ending in one '/'.</summary>
    private static string KeyPrefix(string? prefix) => string.IsNullOrEmpty(prefix) ? "" : prefix.TrimEnd('/') + "/";

    /// <summary>
    /// A report's folder: S3's <c>YYYY-MM-DDTHH-MMZ</c>; with a lifecycle day under a minute (demos,
    /// tests), seconds and milliseconds too, or two reports would share a folder.
    /// </summary>
    private string FolderName(DateTimeOffset createdAt) =>
        createdAt.UtcDateTime.ToString(options.LifecycleDay < TimeSpan.FromMinutes(1) ? "yyyy-MM-dd'T'HH-mm-ss-fff'Z'" : "yyyy-MM-dd'T'HH-mm'Z'",
            CultureInfo.InvariantCulture);

    // Event ids 180-189 belong to this worker; next free: 182.
    [LoggerMessage(EventId = 180, Level = LogLevel.Information,
        Message = "Inventory: report of bucket {Bucket} ({Id}) with {Rows} rows written to {Destination}/{Manifest}")]
    private partial void LogReported(string bucket, string id, long rows, string destination, string manifest);

    [LoggerMessage(EventId = 181, Level = LogLevel.Warning, Message = "Inventory: the report of bucket {Bucket} ({Id}) failed; tried again later")]
    private partial void LogReportFailed(Exception exception, string bucket, string id);
}
