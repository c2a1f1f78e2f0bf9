using Amazon.S3.Model;
using Amazon.S3;
using Cairn.Integration.Tests.Observability;

namespace Cairn.Integration.Tests.Cluster;

/// <summary>
/// The lifecycle and inventory workers on two nodes sharing one PostgreSQL catalog (issue 13), on a
/// two-second lifecycle day: each is a singleton under its lease, so every object a rule expires is
/// expired exactly once across the nodes (a configuration and objects written through either node),
/// and a daily inventory writes one report a day, not one per node.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Issue", "13")]
public sealed class ClusterLifecycleTests(PostgresCluster postgres, MotoServer moto)
{
    [Fact(Timeout = 120_000)]
    public async Task Two_nodes_expire_each_object_once_and_write_one_inventory_report_a_day()
    {
        // Arrange
        await using var cluster = await CairnCluster.StartAsync(postgres, moto, nodeCount: 2,
            "--Engine:LifecycleDay=00:00:02", "--Engine:LifecycleInterval=00:00:00.2");
        var bucket = CairnServer.NewBucketName("lcc");
        var reports = CairnServer.NewBucketName("lcr");
        await cluster.Client(0).PutBucketAsync(bucket);
        await cluster.Client(1).PutBucketAsync(reports);
        for (var i = 0; i < 20; i++)
        {
            await cluster.Client(i).PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"tmp/{i:D2}", ContentBody = "x" });
        }
        await cluster.Client(1).PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "keep", ContentBody = "k" });

        // Act
        await cluster.Client(1).PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "tmp", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "tmp/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 1 },
                    },
                ],
            },
        });
        await cluster.Client(0).PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = bucket,
            InventoryId = "daily",
            InventoryConfiguration = new InventoryConfiguration
            {
                InventoryId = "daily",
                IsEnabled = true,
                Destination = new InventoryDestination
                {
                    S3BucketDestination = new InventoryS3BucketDestination { BucketName = "arn:aws:s3:::" + reports, InventoryFormat = InventoryFormat.CSV },
                },
                IncludedObjectVersions = InventoryIncludedObjectVersions.Current,
                Schedule = new InventorySchedule { Frequency = InventoryFrequency.Daily },
            },
        });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<string> keys;
        do
        {
            await Task.Delay(200);
            keys = [.. (await cluster.Client(0).ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(static o => o.Key) ?? []];
        }
        while (keys.Count > 1 && DateTime.UtcNow < deadline);
        // Two more lifecycle days: enough for two daily reports, and for a second node to double any.
        await Task.Delay(TimeSpan.FromSeconds(4.5));

        // Assert: expired once each, across both nodes; one report per day boundary passed, not per node.
        Assert.Equal(["keep"], keys);
        using var http = new HttpClient();
        double expired = 0;
        double held = 0;
        foreach (var node in cluster.Nodes)
        {
            var metrics = await PrometheusScrape.ReadAsync(http, node.Endpoint);
            expired += metrics.Sum("cairn_lifecycle_actions_total", "action=expire_current", "outcome=done");
            held += metrics.Sum("cairn_worker_lease_held", "worker=lifecycle");
        }
        Assert.Equal(20, expired);
        Assert.Equal(1, held);
        // Report folders are named by their time (with milliseconds on a short day): one a day, never two.
        var written = ((await cluster.Client(1).ListObjectsV2Async(new ListObjectsV2Request { BucketName = reports })).S3Objects ?? [])
            .Where(static o => o.Key.EndsWith("/manifest.json", StringComparison.Ordinal))
            .Select(static o => DateTime.ParseExact(o.Key.Split('/')[^2], "yyyy-MM-dd'T'HH-mm-ss-fff'Z'", System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        Assert.True(written.Count >= 2, $"{written.Count} reports");
        Assert.All(written.Zip(written.Skip(1)), pair => Assert.True((pair.Second - pair.First).TotalSeconds >= 1.5, $"reports at {pair.First:O} and {pair.Second:O}"));
    }
}
