using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Inventory;
using Cairn.Engine.Objects;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;

namespace Cairn.Engine.Tests;

/// <summary>
/// The inventory worker on a real catalog (SQLite, and PostgreSQL below) and a manual clock: a report
/// comes at its day boundary and not before, once per period; its Parquet and CSV files, read back
/// with Parquet.Net and by hand, hold exactly the bucket's versions; the manifest names each file
/// with its size and MD5; the catalog's row-group key ranges match the files, and the row groups'
/// statistics let a reader skip groups outside a key range; a missing destination fails the report
/// and records nothing.
/// </summary>
[Trait("Issue", "13")]
public abstract class InventoryWorkerTests : IAsyncLifetime
{
    private const string Source = "photos";
    private const string Destination = "reports";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly EngineOptions _options = new()
    {
        ChunkSize = 64 * 1024,
        InlineThreshold = 1024,
        GracePeriod = TimeSpan.FromMinutes(5),
        InventoryRowsPerGroup = 3,
        InventoryRowsPerFile = 7,
    };
    private SqlMetadataStore _store = null!;
    private ObjectService _objects = null!;
    private InventoryService _configurations = null!;
    private InventoryWorker _worker = null!;

    protected abstract Task<SqlMetadataStore> OpenStoreAsync();

    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.MigrateAsync(Ct);
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(Source, _clock.GetUtcNow(), "us-east-1"), Ct));
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(Destination, _clock.GetUtcNow(), "us-east-1"), Ct));
        var chunks = new ChunkStore(new InMemoryBlobBackend(), _store, _options, _clock, new ChunkReadPins());
        _objects = new ObjectService(_store, _store, chunks, _options, _clock);
        _configurations = new InventoryService(_store, _store, _store, _clock);
        _worker = new InventoryWorker(_store, _store, _store, _objects, _options, _clock, NullLogger<InventoryWorker>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropStoreAsync();
    }

    private static InventoryConfiguration Configuration(InventoryFormat format, bool allVersions = true, string id = "daily",
        InventoryFrequency frequency = InventoryFrequency.Daily, string? filterPrefix = null, string destination = Destination) => new()
        {
            Id = id,
            Enabled = true,
            DestinationBucket = destination,
            DestinationPrefix = "inv",
            Format = format,
            FilterPrefix = filterPrefix,
            AllVersions = allVersions,
            OptionalFields = [InventoryField.ETag, InventoryField.Size, InventoryField.LastModifiedDate, InventoryField.ChecksumAlgorithm,
                InventoryField.ObjectLockLegalHoldStatus],
            Frequency = frequency,
        };

    [Fact(Timeout = 30_000)]
    public async Task A_daily_report_comes_at_the_day_boundary_once_a_day_and_a_weekly_one_every_seventh()
    {
        await PutAsync("a", "1");
        Assert.Equal(InventoryStatus.Done, await _configurations.PutAsync(Source, Configuration(InventoryFormat.Csv), Ct));
        Assert.Equal(InventoryStatus.Done, await _configurations.PutAsync(Source, Configuration(InventoryFormat.Csv, id: "weekly",
            frequency: InventoryFrequency.Weekly), Ct));

        await _worker.WorkAsync(Ct);
        Assert.Empty(await ReportsAsync(null));

        _clock.Advance(TimeSpan.FromHours(14)); // 00:00 on day 2
        await _worker.WorkAsync(Ct);
        await _worker.WorkAsync(Ct);
        Assert.Equal(["daily", "weekly"], (await ReportsAsync(null)).Select(static r => r.ConfigurationId).Order());

        _clock.Advance(TimeSpan.FromHours(23)); // 23:00 on day 2
        await _worker.WorkAsync(Ct);
        Assert.Single(await ReportsAsync("daily"));
        _clock.Advance(TimeSpan.FromHours(1)); // day 3
        await _worker.WorkAsync(Ct);
        Assert.Equal(2, (await ReportsAsync("daily")).Count);
        Assert.Single(await ReportsAsync("weekly"));

        _clock.Advance(TimeSpan.FromDays(5)); // day 8: six days after the first weekly
        await _worker.WorkAsync(Ct);
        Assert.Single(await ReportsAsync("weekly"));
        _clock.Advance(TimeSpan.FromDays(1)); // day 9: seven days after
        await _worker.WorkAsync(Ct);
        Assert.Equal(2, (await ReportsAsync("weekly")).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_parquet_report_of_every_version_equals_the_buckets_versions_and_its_groups_are_recorded_and_skippable()
    {
        // Arrange: 12 keys, one with three versions, one deleted (a marker over a version), one under a legal hold.
        Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync(Source, BucketVersioning.Enabled, Ct));
        foreach (var key in Enumerable.Range(0, 12).Select(static i => $"k{i:D2}"))
        {
            await PutAsync(key, "body of " + key);
        }
        await PutAsync("k03", "second");
        await PutAsync("k03", "third");
        await _objects.DeleteAsync(Source, "k05", Ct);
        var held = await PutAsync("k07", "held");
        Assert.Equal(PutLockOutcome.Updated, await _store.PutObjectLockAsync(Source, "k07", held, ObjectLockChange.OfLegalHold(true), _clock.GetUtcNow(), Ct));
        var expected = await VersionsAsync();

        // Act
        var report = await _worker.WriteReportAsync(Source, Configuration(InventoryFormat.Parquet), _clock.GetUtcNow(), Ct);

        // Assert: the manifest names every file with its size and MD5, and the files hold exactly the versions.
        Assert.NotNull(report);
        Assert.Equal(expected.Count, report.ObjectCount);
        var manifest = await ReadManifestAsync(report);
        Assert.Equal(("photos", "arn:aws:s3:::reports", "Parquet"),
            (manifest.GetProperty("sourceBucket").GetString(), manifest.GetProperty("destinationBucket").GetString(), manifest.GetProperty("fileFormat").GetString()));
        Assert.StartsWith("message s3.inventory { required binary bucket (STRING); required binary key (STRING); optional binary version_id (STRING); " +
            "required boolean is_latest; required boolean is_delete_marker; optional int64 size; required int64 last_modified_date (TIMESTAMP(MILLIS,true)); " +
            "optional binary e_tag (STRING); optional binary object_lock_legal_hold_status (STRING); optional binary checksum_algorithm (STRING);",
            manifest.GetProperty("fileSchema").GetString(), StringComparison.Ordinal);
        var rows = new List<(string Key, string? VersionId, bool Latest, bool Marker, long? Size, string? ETag, string? Hold)>();
        var groupsRead = new List<InventoryReportGroup>();
        var files = manifest.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(3, files.Count); // 16 rows, 7 a file
        foreach (var file in files)
        {
            var key = file.GetProperty("key").GetString()!;
            Assert.StartsWith("inv/photos/daily/data/", key, StringComparison.Ordinal);
            var bytes = await ReadObjectAsync(Destination, key);
            Assert.Equal(file.GetProperty("size").GetInt64(), bytes.Length);
            Assert.Equal(file.GetProperty("MD5checksum").GetString(), Convert.ToHexStringLower(MD5.HashData(bytes)));
            await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
            var fields = reader.Schema.GetDataFields();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = (int)group.RowCount;
                var keys = await ReadStringsAsync(group, fields, "key", count);
                var versions = await ReadStringsAsync(group, fields, "version_id", count);
                var etags = await ReadStringsAsync(group, fields, "e_tag", count);
                var holds = await ReadStringsAsync(group, fields, "object_lock_legal_hold_status", count);
                var latest = new bool[count];
                var markers = new bool[count];
                var sizes = new long?[count];
                await group.ReadAsync<bool>(fields.Single(static f => f.Name == "is_latest"), latest.AsMemory());
                await group.ReadAsync<bool>(fields.Single(static f => f.Name == "is_delete_marker"), markers.AsMemory());
                await group.ReadAsync<long>(fields.Single(static f => f.Name == "size"), sizes.AsMemory());
                for (var i = 0; i < count; i++)
                {
                    rows.Add((keys[i]!, versions[i], latest[i], markers[i], sizes[i], etags[i], holds[i]));
                }
                var statistics = group.GetStatistics(fields.Single(static f => f.Name == "key"));
                Assert.Equal((keys[0], keys[^1]), ((string?)statistics?.MinValue, (string?)statistics?.MaxValue));
                groupsRead.Add(new InventoryReportGroup(key, g, keys[0]!, keys[^1]!, count));
            }
        }
        Assert.Equal(expected.Select(static v => (v.Key, (string?)v.VersionId, v.IsLatest, v.IsDeleteMarker, v.IsDeleteMarker ? (long?)null : v.Size,
            v.IsDeleteMarker ? null : v.ETag)), rows.Select(static r => (r.Key, r.VersionId, r.Latest, r.Marker, r.Size, r.ETag)));
        Assert.Equal("ON", rows.Single(r => r.VersionId == held).Hold);
        Assert.Null(rows.Single(static r => r.Marker).Hold);
        Assert.All(rows.Where(r => !r.Marker && r.VersionId != held), static r => Assert.Equal("OFF", r.Hold));

        // The catalog's groups are the files' groups, and a key range picks the groups that hold it.
        var recorded = await _store.ListInventoryReportGroupsAsync(Source, "daily", report.CreatedAt, null, null, Ct);
        Assert.Equal(groupsRead.OrderBy(static g => g.FileKey, StringComparer.Ordinal).ThenBy(static g => g.RowGroup), recorded);
        var inRange = await _store.ListInventoryReportGroupsAsync(Source, "daily", report.CreatedAt, "k04", "k06", Ct);
        Assert.Equal(recorded.Where(static g => string.CompareOrdinal(g.LastKey, "k04") >= 0 && string.CompareOrdinal(g.FirstKey, "k06") <= 0), inRange);
        Assert.True(inRange.Count < recorded.Count);
        Assert.Equal(rows.Where(static r => string.CompareOrdinal(r.Key, "k04") >= 0 && string.CompareOrdinal(r.Key, "k06") <= 0).Sum(static _ => 1L),
            (await RowsOfGroupsAsync(inRange)).Count(static k => string.CompareOrdinal(k, "k04") >= 0 && string.CompareOrdinal(k, "k06") <= 0));
    }

    [Fact(Timeout = 30_000)]
    public async Task Row_group_statistics_are_the_groups_first_and_last_keys_even_where_utf16_and_utf8_orders_differ()
    {
        // U+FF21 sorts below U+1F5DD in UTF-8 (keys' order) but above it in UTF-16 (Parquet.Net's statistics).
        foreach (var key in new[] { "a", "zz/\uFF21", "zz/\U0001F5DD", "zz/\U0001F5DD/2" })
        {
            await PutAsync(key, key);
        }

        var report = await _worker.WriteReportAsync(Source, Configuration(InventoryFormat.Parquet, allVersions: false), _clock.GetUtcNow(), Ct);

        Assert.NotNull(report);
        var file = Assert.Single((await ReadManifestAsync(report)).GetProperty("files").EnumerateArray()).GetProperty("key").GetString()!;
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(await ReadObjectAsync(Destination, file)));
        var keyField = reader.Schema.GetDataFields().Single(static f => f.Name == "key");
        var groups = new List<string?[]>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var keys = await ReadStringsAsync(group, reader.Schema.GetDataFields(), "key", (int)group.RowCount);
            var statistics = group.GetStatistics(keyField);
            Assert.Equal((keys[0], keys[^1]), ((string?)statistics?.MinValue, (string?)statistics?.MaxValue));
            groups.Add(keys);
        }
        Assert.Equal([["a", "zz/\uFF21"], ["zz/\U0001F5DD", "zz/\U0001F5DD/2"]], groups);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_csv_report_of_current_versions_under_a_prefix_lists_them_gzipped_quoted_and_percent_encoded()
    {
        await PutAsync("logs/a b.txt", "one");
        await PutAsync("logs/é+ü", "two");
        await PutAsync("logs/gone", "three");
        await _objects.DeleteAsync(Source, "logs/gone", Ct);
        await PutAsync("other", "four");

        var report = await _worker.WriteReportAsync(Source, Configuration(InventoryFormat.Csv, allVersions: false, filterPrefix: "logs/"),
            _clock.GetUtcNow(), Ct);

        Assert.NotNull(report);
        var manifest = await ReadManifestAsync(report);
        Assert.Equal("Bucket, Key, Size, LastModifiedDate, ETag, ObjectLockLegalHoldStatus, ChecksumAlgorithm", manifest.GetProperty("fileSchema").GetString());
        var file = Assert.Single(manifest.GetProperty("files").EnumerateArray()).GetProperty("key").GetString()!;
        Assert.EndsWith(".csv.gz", file, StringComparison.Ordinal);
        using var gzip = new GZipStream(new MemoryStream(await ReadObjectAsync(Destination, file)), CompressionMode.Decompress);
        var lines = new StreamReader(gzip, Encoding.UTF8).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var a = await _store.GetObjectAsync(Source, "logs/a b.txt", Ct);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"\"photos\",\"logs%2Fa%20b.txt\",\"3\",\"{a!.LastModified.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\",\"{a.ETag}\",\"OFF\",\"\"", lines[0]);
        Assert.StartsWith("\"photos\",\"logs%2F%C3%A9%2B%C3%BC\",\"3\",", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, report.ObjectCount);
        var group = Assert.Single(await _store.ListInventoryReportGroupsAsync(Source, "daily", report.CreatedAt, null, null, Ct));
        Assert.Equal(("logs/a b.txt", "logs/é+ü", 2L), (group.FirstKey, group.LastKey, group.RowCount));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_report_to_a_missing_destination_fails_records_nothing_and_is_tried_again_later()
    {
        await PutAsync("a", "1");
        Assert.Equal(InventoryStatus.Done, await _configurations.PutAsync(Source, Configuration(InventoryFormat.Parquet, destination: "absent"), Ct));
        _clock.Advance(TimeSpan.FromDays(1));

        await _worker.WorkAsync(Ct);
        Assert.Empty(await ReportsAsync(null));

        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord("absent", _clock.GetUtcNow(), "us-east-1"), Ct));
        await _worker.WorkAsync(Ct); // still waiting out the retry delay
        Assert.Empty(await ReportsAsync(null));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _worker.WorkAsync(Ct);
        Assert.Equal("absent", Assert.Single(await ReportsAsync(null)).DestinationBucket);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_report_reaches_a_destination_whose_default_retention_requires_an_integrity_check_on_every_write()
    {
        await PutAsync("a", "1");
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord("locked", _clock.GetUtcNow(), "us-east-1")
        {
            ObjectLock = new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Governance, Days: 1, Years: null)),
        }, Ct));

        var report = await _worker.WriteReportAsync(Source, Configuration(InventoryFormat.Csv, destination: "locked"), _clock.GetUtcNow(), Ct);

        Assert.NotNull(report);
        Assert.Equal(1, report.ObjectCount);
        Assert.NotNull(await _store.GetObjectAsync("locked", report.ManifestKey, Ct));
    }

    private async Task<string> PutAsync(string key, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var result = await _objects.PutAsync(new PutObjectCommand { Bucket = Source, Key = key, Body = new MemoryStream(bytes), DeclaredLength = bytes.Length }, Ct);
        Assert.Equal(PutObjectStatus.Created, result.Status);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        return result.Version.VersionId;
    }

    private async Task<List<VersionSummary>> VersionsAsync()
    {
        var listing = await _store.ListObjectVersionsAsync(Source, new ListVersionsQuery("", null, null, null, 1000), Ct);
        return [.. listing.Versions];
    }

    private Task<IReadOnlyList<InventoryReport>> ReportsAsync(string? id) => _store.ListInventoryReportsAsync(Source, id, 100, Ct).AsTask();

    private async Task<byte[]> ReadObjectAsync(string bucket, string key)
    {
        var found = await _objects.GetAsync(bucket, key, ReadConditions.None, null, Ct);
        Assert.Equal(GetObjectStatus.Found, found.Status);
        var output = new MemoryStream();
        await _objects.WriteBodyAsync(found, output, Ct);
        return output.ToArray();
    }

    private async Task<JsonElement> ReadManifestAsync(InventoryReport report)
    {
        var manifest = await ReadObjectAsync(Destination == report.DestinationBucket ? Destination : report.DestinationBucket, report.ManifestKey);
        var checksum = Encoding.ASCII.GetString(await ReadObjectAsync(report.DestinationBucket, report.ManifestKey.Replace("manifest.json", "manifest.checksum",
            StringComparison.Ordinal)));
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(manifest)), checksum);
        return JsonDocument.Parse(manifest).RootElement.Clone();
    }

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader group, DataField[] fields, string name, int count)
    {
        var values = new string?[count];
        await group.ReadAsync(fields.Single(f => f.Name == name), values.AsMemory());
        return values;
    }

    /// <summary>The keys of the given row groups only, read from their files (a reader that skips the other groups).</summary>
    private async Task<List<string>> RowsOfGroupsAsync(IEnumerable<InventoryReportGroup> groups)
    {
        var keys = new List<string>();
        foreach (var byFile in groups.GroupBy(static g => g.FileKey))
        {
            await using var reader = await ParquetReader.CreateAsync(new MemoryStream(await ReadObjectAsync(Destination, byFile.Key)));
            var fields = reader.Schema.GetDataFields();
            foreach (var group in byFile)
            {
                using var rowGroup = reader.OpenRowGroupReader(group.RowGroup);
                keys.AddRange((await ReadStringsAsync(rowGroup, fields, "key", (int)rowGroup.RowCount))!);
            }
        }
        return keys;
    }
}

public sealed class SqliteInventoryWorkerTests : InventoryWorkerTests
{
    protected override Task<SqlMetadataStore> OpenStoreAsync() =>
        Task.FromResult<SqlMetadataStore>(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory }));

    protected override Task DropStoreAsync() => Task.CompletedTask;
}

[Collection(PostgresCluster.Collection)]
public sealed class PostgresInventoryWorkerTests(PostgresCluster cluster) : InventoryWorkerTests
{
    private string _connectionString = "";

    protected override async Task<SqlMetadataStore> OpenStoreAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString });
    }

    protected override Task DropStoreAsync() => cluster.DropDatabaseAsync(_connectionString);
}
