using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Cli;
using Parquet;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// S3 Inventory through the AWS SDK (issue 13): configurations put, read back, listed and deleted,
/// with S3's errors for what is wrong and nothing stored; and, on a server whose lifecycle day lasts
/// two seconds, a Parquet report delivered to the destination bucket as S3 lays it out (manifest,
/// checksum, data files), its rows read back with Parquet.Net equal to the bucket's versions, and the
/// report with its row groups' key ranges answered by the admin API.
/// </summary>
[Trait("Issue", "13")]
public sealed class InventoryTests : IAsyncLifetime
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private CairnServer _server = null!;
    private AmazonS3Client _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await CairnServer.StartAsync(["--Engine:LifecycleDay=00:00:02", "--Engine:LifecycleInterval=00:00:00.2",
            "--Engine:InventoryRowsPerGroup=4"]);
        _s3 = _server.Client;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static InventoryConfiguration Parquet(string id, string destination, string? prefix = null) => new()
    {
        InventoryId = id,
        IsEnabled = true,
        Destination = new InventoryDestination
        {
            S3BucketDestination = new InventoryS3BucketDestination
            {
                BucketName = "arn:aws:s3:::" + destination,
                InventoryFormat = InventoryFormat.Parquet,
                Prefix = "inv",
            },
        },
        InventoryFilter = prefix is null ? null : new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate(prefix) },
        IncludedObjectVersions = InventoryIncludedObjectVersions.All,
        InventoryOptionalFields = [InventoryOptionalField.Size, InventoryOptionalField.ETag, InventoryOptionalField.LastModifiedDate],
        Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly },
    };

    [Fact(Timeout = 60_000)]
    public async Task Configurations_are_put_read_back_listed_and_deleted()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("inv");

        // Act
        await _s3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = bucket,
            InventoryId = "weekly",
            InventoryConfiguration = Parquet("weekly", "reports", prefix: "logs/"),
        });
        await _s3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = bucket,
            InventoryId = "another",
            InventoryConfiguration = Parquet("another", "reports"),
        });
        var read = (await _s3.GetBucketInventoryConfigurationAsync(new GetBucketInventoryConfigurationRequest { BucketName = bucket, InventoryId = "weekly" }))
            .InventoryConfiguration;
        var listed = await _s3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = bucket });
        await _s3.DeleteBucketInventoryConfigurationAsync(new DeleteBucketInventoryConfigurationRequest { BucketName = bucket, InventoryId = "another" });
        var afterDelete = await _s3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = bucket });

        // Assert
        Assert.Equal(("weekly", true, "arn:aws:s3:::reports", "Parquet", "inv"),
            (read.InventoryId, read.IsEnabled, read.Destination.S3BucketDestination.BucketName, read.Destination.S3BucketDestination.InventoryFormat.Value,
                read.Destination.S3BucketDestination.Prefix));
        Assert.Equal("logs/", ((InventoryPrefixPredicate)read.InventoryFilter.InventoryFilterPredicate).Prefix);
        Assert.Equal(["Size", "ETag", "LastModifiedDate"], read.InventoryOptionalFields.Select(static f => f.Value));
        Assert.Equal(("All", "Weekly"), (read.IncludedObjectVersions.Value, read.Schedule.Frequency.Value));
        Assert.Equal(["another", "weekly"], listed.InventoryConfigurationList.Select(static c => c.InventoryId));
        Assert.False(listed.IsTruncated);
        Assert.Equal(["weekly"], afterDelete.InventoryConfigurationList.Select(static c => c.InventoryId));
        // Checked on the wire: the SDK turns this 404 into an empty answer.
        var missing = await SendSignedAsync("GET", WireSigner.PathOf(bucket), "id=another&inventory");
        Assert.True(missing.Status == 404, missing.ToString());
        Assert.Equal("NoSuchConfiguration", XDocument.Parse(missing.BodyText).Root!.Element("Code")?.Value);
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.DeleteBucketInventoryConfigurationAsync(new DeleteBucketInventoryConfigurationRequest { BucketName = bucket, InventoryId = "another" }),
            HttpStatusCode.NotFound, "NoSuchConfiguration");
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = CairnServer.NewBucketName("none") }),
            HttpStatusCode.NotFound, "NoSuchBucket");
    }

    public static TheoryData<string, string, int, string> BadConfigurations() => new()
    {
        { "an id other than the query's", Document("other", "Parquet"), 400, "InvalidArgument" },
        { "not an ARN", Document("bad", "Parquet").Replace("arn:aws:s3:::reports", "reports", StringComparison.Ordinal), 400, "InvalidArgument" },
        { "an unknown format", Document("bad", "Avro"), 400, "MalformedXML" },
        { "ORC", Document("bad", "ORC"), 501, "NotImplemented" },
        { "an unknown field", Document("bad", "Parquet").Replace("<Field>Size</Field>", "<Field>Colour</Field>", StringComparison.Ordinal), 400, "MalformedXML" },
        { "not XML", "<InventoryConfiguration><Id>bad", 400, "MalformedXML" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadConfigurations))]
    public async Task A_bad_configuration_gets_S3s_error_and_nothing_is_stored(string fault, string document, int status, string code)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("inv");
        using var wire = new WireClient(_server.Endpoint);
        var body = Encoding.UTF8.GetBytes(document);
        var request = wire.Request("PUT", WireSigner.PathOf(bucket), "id=bad&inventory");
        request.Body = body;
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(body));
        new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region).SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(body));

        // Act
        var response = await wire.SendAsync(request);

        // Assert
        Assert.True(response.Status == status, $"{fault}: {response}");
        Assert.Equal(code, XDocument.Parse(response.BodyText).Root!.Element("Code")?.Value);
        var listed = await _s3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = bucket });
        Assert.Empty(listed.InventoryConfigurationList ?? []);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_parquet_report_arrives_on_schedule_and_lists_every_version_as_the_bucket_holds_them()
    {
        // Arrange: ten keys, one with two versions, one deleted.
        var source = await _s3.NewBucketAsync("src");
        var destination = await _s3.NewBucketAsync("dst");
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = source,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        foreach (var key in Enumerable.Range(0, 10).Select(static i => $"k{i}"))
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = key, ContentBody = "body of " + key });
        }
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "k3", ContentBody = "again" });
        await _s3.DeleteObjectAsync(source, "k5");
        var expected = (await _s3.ListVersionsAsync(source)).Versions
            .Select(static v => (v.Key, (string?)v.VersionId, v.IsLatest == true, v.IsDeleteMarker == true, v.IsDeleteMarker == true ? (long?)null : v.Size,
                v.IsDeleteMarker == true ? null : v.ETag.Trim('"')))
            .ToList();

        // Act
        await _s3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = source,
            InventoryId = "weekly",
            InventoryConfiguration = Parquet("weekly", destination),
        });
        var manifestKey = await PollAsync(async () => (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = destination, Prefix = "inv/" }))
            .S3Objects?.Select(static o => o.Key).FirstOrDefault(static k => k.EndsWith("/manifest.json", StringComparison.Ordinal)));

        // Assert: S3's layout, the manifest's checksum, and every file's size and MD5.
        Assert.NotNull(manifestKey);
        Assert.StartsWith($"inv/{source}/weekly/", manifestKey, StringComparison.Ordinal);
        var manifestBytes = await ReadAsync(destination, manifestKey);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(manifestBytes)),
            Encoding.ASCII.GetString(await ReadAsync(destination, manifestKey.Replace("manifest.json", "manifest.checksum", StringComparison.Ordinal))));
        var manifest = JsonDocument.Parse(manifestBytes).RootElement;
        Assert.Equal((source, "arn:aws:s3:::" + destination, "Parquet", "2016-11-30"),
            (manifest.GetProperty("sourceBucket").GetString(), manifest.GetProperty("destinationBucket").GetString(),
                manifest.GetProperty("fileFormat").GetString(), manifest.GetProperty("version").GetString()));
        var rows = new List<(string Key, string? VersionId, bool Latest, bool Marker, long? Size, string? ETag)>();
        var groups = 0;
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var bytes = await ReadAsync(destination, file.GetProperty("key").GetString()!);
            Assert.Equal(file.GetProperty("size").GetInt64(), bytes.Length);
            Assert.Equal(file.GetProperty("MD5checksum").GetString(), Convert.ToHexStringLower(MD5.HashData(bytes)));
            await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
            var fields = reader.Schema.GetDataFields();
            for (var g = 0; g < reader.RowGroupCount; g++, groups++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = (int)group.RowCount;
                var keys = new string?[count];
                var versions = new string?[count];
                var etags = new string?[count];
                var latest = new bool[count];
                var markers = new bool[count];
                var sizes = new long?[count];
                await group.ReadAsync(fields.Single(static f => f.Name == "key"), keys.AsMemory());
                await group.ReadAsync(fields.Single(static f => f.Name == "version_id"), versions.AsMemory());
                await group.ReadAsync(fields.Single(static f => f.Name == "e_tag"), etags.AsMemory());
                await group.ReadAsync<bool>(fields.Single(static f => f.Name == "is_latest"), latest.AsMemory());
                await group.ReadAsync<bool>(fields.Single(static f => f.Name == "is_delete_marker"), markers.AsMemory());
                await group.ReadAsync<long>(fields.Single(static f => f.Name == "size"), sizes.AsMemory());
                rows.AddRange(Enumerable.Range(0, count).Select(i => (keys[i]!, versions[i], latest[i], markers[i], sizes[i], etags[i])));
            }
        }
        Assert.Equal(expected, rows);
        Assert.Equal(3, groups); // 12 rows, 4 a group

        // The admin API answers the report and, for a key range, only the groups that may hold it.
        var all = await AdminAsync($"/_cairn/buckets/{source}/inventory");
        var report = Assert.Single(all.GetProperty("reports").EnumerateArray());
        Assert.Equal(("weekly", 12, "Parquet"), (report.GetProperty("id").GetString(), report.GetProperty("rows").GetInt32(), report.GetProperty("format").GetString()));
        Assert.Equal(3, report.GetProperty("groups").GetArrayLength());
        var ranged = await AdminAsync($"/_cairn/buckets/{source}/inventory?from=k6&to=k7");
        var picked = Assert.Single(Assert.Single(ranged.GetProperty("reports").EnumerateArray()).GetProperty("groups").EnumerateArray());
        Assert.Equal(("k6", "k9"), (picked.GetProperty("firstKey").GetString(), picked.GetProperty("lastKey").GetString()));
        var cli = await CliRun.StartAsync(handler: null, ["inventory", source, "--from", "k6", "--to", "k7", "--endpoint", _server.Endpoint]);
        Assert.Equal(0, cli.ExitCode);
        var lines = cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("weekly\t", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\t12 rows\t{destination}/{manifestKey}", lines[0], StringComparison.Ordinal);
        Assert.Contains("\tk6 .. k9\t4 rows", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 reports", lines[2]);
    }

    private static string Document(string id, string format) =>
        $"<InventoryConfiguration xmlns=\"{S3Namespace}\"><Destination><S3BucketDestination><Bucket>arn:aws:s3:::reports</Bucket><Format>{format}</Format>" +
        $"</S3BucketDestination></Destination><IsEnabled>true</IsEnabled><Id>{id}</Id><IncludedObjectVersions>Current</IncludedObjectVersions>" +
        "<OptionalFields><Field>Size</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>";

    private async Task<byte[]> ReadAsync(string bucket, string key)
    {
        using var response = await _s3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task<JsonElement> AdminAsync(string path)
    {
        var response = await SendSignedAsync("GET", path.Split('?')[0], path.Contains('?', StringComparison.Ordinal) ? path.Split('?')[1] : "");
        Assert.True(response.Status == 200, response.ToString());
        return JsonDocument.Parse(response.BodyText).RootElement.Clone();
    }

    private async Task<WireResponse> SendSignedAsync(string method, string path, string query)
    {
        using var wire = new WireClient(_server.Endpoint);
        var request = wire.Request(method, path, query);
        new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region).SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
        return await wire.SendAsync(request);
    }

    /// <summary>Reads until the value is not null, for at most 30 s.</summary>
    private static async Task<T?> PollAsync<T>(Func<Task<T?>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (value is not null || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(200);
        }
    }
}
