using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Actions;
using Cairn.Integration.Tests.Observability;

namespace Cairn.Integration.Tests.Gateway;

/// <summary>
/// Lifecycle transitions to a cold tier through the AWS SDK (issue 13), with moto_server, an
/// independent S3 implementation, as the tier and a lifecycle day of two seconds: a large object
/// moves (a small one stays, by S3's 128 KiB default), reads back byte-exact through Cairn, says
/// COLD in HEAD, listings and GetObjectAttributes, lies in the tier bucket, and its hot blobs are
/// swept; the configuration reads back with its transition.
/// </summary>
[Trait("Issue", "13")]
public sealed class ColdTierTransitionTests(MotoServer moto) : IClassFixture<MotoServer>, IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromSeconds(2);
    private CairnServer _server = null!;
    private string _tierBucket = "";

    public async Task InitializeAsync()
    {
        _tierBucket = await moto.CreateBucketAsync();
        _server = await CairnServer.StartAsync([
            "--Engine:LifecycleDay=00:00:02", "--Engine:LifecycleInterval=00:00:00.2",
            "--Engine:GracePeriod=00:00:00.5", "--Engine:SweepInterval=00:00:00.2",
            $"--Tiers:COLD:Endpoint={moto.Endpoint}", $"--Tiers:COLD:Bucket={_tierBucket}", "--Tiers:COLD:Prefix=cold/",
            "--Tiers:COLD:PathStyle=true", $"--Tiers:COLD:AccessKey={MotoServer.AccessKey}", $"--Tiers:COLD:SecretKey={MotoServer.SecretKey}",
        ]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 90_000)]
    public async Task A_large_object_moves_to_the_tier_reads_back_byte_exact_and_reports_its_class_a_small_one_stays()
    {
        // Arrange
        var s3 = _server.Client;
        var bucket = await s3.NewBucketAsync("tier");
        await PutTransitionToColdAsync(s3, bucket, "");
        var large = RandomNumberGenerator.GetBytes((9 * 1024 * 1024) + 17); // three chunks
        var small = RandomNumberGenerator.GetBytes(64 * 1024);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "large", InputStream = new MemoryStream(large) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "small", InputStream = new MemoryStream(small) });
        var configuration = await s3.GetLifecycleConfigurationAsync(bucket);

        // Act: a day, rounded up to the next day's start, then the worker's next look.
        var head = await Poll.UntilAsync(() => s3.GetObjectMetadataAsync(bucket, "large"), static h => h.StorageClass?.Value == "COLD", Day * 10);

        // Assert: the class everywhere S3 tells it; the bytes through Cairn; the copies in the tier bucket.
        Assert.Equal("COLD", Assert.Single(Assert.Single(configuration.Configuration.Rules).Transitions).StorageClass.Value);
        Assert.Equal("COLD", head.StorageClass?.Value);
        Assert.Null((await s3.GetObjectMetadataAsync(bucket, "small")).StorageClass?.Value);
        var listed = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects!.ToDictionary(o => o.Key, o => o.StorageClass.Value);
        Assert.Equal(new Dictionary<string, string> { ["large"] = "COLD", ["small"] = "STANDARD" }, listed);
        var attributes = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "large",
            ObjectAttributes = [ObjectAttributes.StorageClass],
        });
        Assert.Equal("COLD", attributes.StorageClass.Value);
        Assert.Equal(large, await ReadAsync(s3, bucket, "large"));
        Assert.Equal(small, await ReadAsync(s3, bucket, "small"));
        var inTier = (await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _tierBucket })).S3Objects ?? [];
        Assert.Equal(3, inTier.Count);
        Assert.All(inTier, o => Assert.StartsWith("cold/chunks/", o.Key, StringComparison.Ordinal));
        Assert.Equal(large.Length, inTier.Sum(static o => o.Size ?? 0));

        // The hot blobs go after the grace period (the small object's one chunk stays); the object still reads from the tier.
        var hot = await Poll.UntilAsync(() => Task.FromResult(HotChunkFiles()), static files => files == 1, Day * 5);
        Assert.Equal(1, hot);
        Assert.Equal(large, await ReadAsync(s3, bucket, "large"));
        using var http = new HttpClient();
        var metrics = await PrometheusScrape.ReadAsync(http, _server.Endpoint);
        Assert.Equal(1, metrics.Sum("cairn_lifecycle_actions_total", "action=transition_current", "outcome=done"));
        Assert.Equal(large.Length, metrics.Sum("cairn_tier_moved_bytes_total", "tier=COLD"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Deleting_a_moved_object_removes_its_bytes_from_the_tier_bucket()
    {
        // Arrange
        var s3 = _server.Client;
        var bucket = await s3.NewBucketAsync("tierdel");
        await PutTransitionToColdAsync(s3, bucket, "gone/");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "gone/k", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(300_000)) });
        await Poll.UntilAsync(() => s3.GetObjectMetadataAsync(bucket, "gone/k"), static h => h.StorageClass?.Value == "COLD", Day * 10);
        var before = await TierKeysAsync();

        // Act
        await s3.DeleteObjectAsync(bucket, "gone/k");
        var after = await Poll.UntilAsync(TierKeysAsync, keys => !keys.Intersect(before).Any(), Day * 5);

        // Assert
        Assert.NotEmpty(before);
        Assert.Empty(after.Intersect(before));
    }

    /// <summary>One rule: keys under <paramref name="prefix"/> move to COLD after a day.</summary>
    private static Task PutTransitionToColdAsync(IAmazonS3 s3, string bucket, string prefix) =>
        s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "to-cold", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = prefix } },
                        Transitions = [new LifecycleTransition { Days = 1, StorageClass = new S3StorageClass("COLD") }],
                    },
                ],
            },
        });

    private async Task<List<string>> TierKeysAsync() =>
        [.. ((await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _tierBucket })).S3Objects ?? []).Select(static o => o.Key)];

    private int HotChunkFiles()
    {
        var chunks = Path.Combine(_server.DataDirectory, "blobs", "chunks");
        return Directory.Exists(chunks) ? Directory.EnumerateFiles(chunks, "*", SearchOption.AllDirectories).Count() : 0;
    }

    private static async Task<byte[]> ReadAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
