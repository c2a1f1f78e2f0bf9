using Amazon.S3.Model;
using Cairn.Engine;
using Cairn.Server;
using Cairn.Storage;
using Cairn.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Gateway;

/// <summary>
/// Cold tiers from configuration (issue 13, <c>Tiers:&lt;NAME&gt;:*</c>): the blob store the host
/// builds from them, the settings it refuses with the reason, and a tier bucket on moto_server.
/// </summary>
[Trait("Issue", "13")]
public sealed class TierConfigurationTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private static CancellationToken Ct => CancellationToken.None;

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "cairn-tests", Guid.NewGuid().ToString("N"));

    private string[] TierSettings(string name, string bucket, string prefix = "cold/") =>
    [
        $"--Tiers:{name}:Endpoint={moto.Endpoint}",
        $"--Tiers:{name}:Bucket={bucket}",
        $"--Tiers:{name}:Prefix={prefix}",
        $"--Tiers:{name}:PathStyle=true",
        $"--Tiers:{name}:AccessKey={MotoServer.AccessKey}",
        $"--Tiers:{name}:SecretKey={MotoServer.SecretKey}",
        $"--Tiers:{name}:StorageClass=STANDARD_IA",
    ];

    [Fact]
    public void Each_configured_tier_becomes_a_retried_counted_S3_store_behind_the_hot_one()
    {
        // Arrange
        var tiers = new Dictionary<string, TierOptions>
        {
            ["COLD"] = new() { Endpoint = "http://127.0.0.1:1", Bucket = "cold-bucket", Prefix = "c/", PathStyle = true },
            ["Deep_Archive"] = new() { Bucket = "archive-bucket" },
        };

        // Act
        var backend = BlobStorage.Create(new StorageOptions { Backend = "memory" }, tiers, NewDataDirectory(), fsyncDirectories: false);
        using var owner = new Disposer(backend);

        // Assert
        var tiered = Assert.IsType<TieredBlobBackend>(backend);
        Assert.IsType<InMemoryBlobBackend>(tiered.Hot);
        Assert.Equal(["COLD", "Deep_Archive"], tiered.Tiers.Keys.Order());
        var cold = Assert.IsType<RetryingBlobBackend>(tiered.Tiers["COLD"]);
        var counting = Assert.IsType<CountingBlobBackend>(cold.Inner);
        var store = Assert.IsType<S3BlobBackend>(counting.Inner);
        Assert.Equal(("cold-bucket", "c/"), (store.Bucket, store.KeyPrefix));
        Assert.Equal(2, BlobStorage.TierLayers(backend).OfType<S3BlobBackend>().Count());
        Assert.Empty(BlobStorage.Layers(backend).OfType<S3BlobBackend>());
    }

    [Fact]
    public async Task Without_tiers_a_name_under_tiers_is_refused_as_an_unknown_tier_never_taken_for_a_hot_blob()
    {
        // A catalog may still name tiers/cold/... after the tier left the settings: deleting it must
        // not count as done (the sweeper would forget a blob that still exists in the old tier).
        var backend = BlobStorage.Create(new StorageOptions { Backend = "memory" }, new Dictionary<string, TierOptions>(), NewDataDirectory(), false);

        var tiered = Assert.IsType<TieredBlobBackend>(backend);
        Assert.IsType<InMemoryBlobBackend>(tiered.Hot);
        Assert.Empty(BlobStorage.TierLayers(backend));
        var failures = await backend.DeleteManyAsync([TieredBlobBackend.NameIn("COLD", "chunks/ab/abcdef")], Ct);
        Assert.False(Assert.Single(failures).IsTransient);
    }

    public static TheoryData<string[], string> BadSettings => new()
    {
        { ["--Tiers:COLD:Endpoint=http://127.0.0.1:9100"], "Tiers:COLD:Bucket is required" },
        { ["--Tiers:STANDARD:Bucket=cold-bucket"], "Tiers:STANDARD: 'STANDARD' is not a valid tier name" },
        { ["--Tiers:reduced_redundancy:Bucket=cold-bucket"], "S3's hot storage classes" },
        { ["--Tiers:_cold:Bucket=cold-bucket"], "Tiers:_cold: '_cold' is not a valid tier name" },
        { ["--Tiers:cold.tier:Bucket=cold-bucket"], "starts with a letter or digit" },
        { ["--Tiers:cold_1:Bucket=cold-bucket", "--Tiers:COLD-1:Bucket=other-bucket"], "would share the blob names under tiers/cold-1/" },
        { ["--Tiers:COLD:Bucket=Not_A_Bucket"], "Tiers:COLD:Bucket 'Not_A_Bucket' is not a valid bucket name" },
        { ["--Tiers:COLD:Bucket=cold-bucket", "--Tiers:COLD:Endpoint=ftp://host"], "Tiers:COLD:Endpoint 'ftp://host' is not an http or https URL" },
        { ["--Tiers:COLD:Bucket=cold-bucket", "--Tiers:COLD:Prefix=a//b"], "Tiers:COLD:Prefix" },
        { ["--Tiers:COLD:Bucket=cold-bucket", "--Tiers:COLD:AccessKey=only-the-id"], "Tiers:COLD:AccessKey and SecretKey go together" },
        { ["--Tiers:COLD:Bucket=cold-bucket", "--Tiers:COLD:StorageClass=DEEP_ARCHIVE"], "Tiers:COLD:StorageClass DEEP_ARCHIVE keeps objects unreadable" },
        { ["--Tiers:A:Bucket=same", "--Tiers:B:Bucket=same", "--Tiers:B:Prefix=b/"], "Tiers:B shares bucket 'same' with Tiers:A" },
        { ["--Storage:Backend=s3", "--Storage:S3:Bucket=chunks", "--Storage:S3:KeyPrefix=cairn/", "--Tiers:COLD:Bucket=chunks", "--Tiers:COLD:Prefix=cairn/cold/"],
            "Tiers:COLD shares bucket 'chunks' with Storage:S3 under overlapping prefixes ('cairn/' and 'cairn/cold/')" },
        { ["--Tiers:COLD:Bucket=cold-bucket", "--Storage:Retry:MaxAttempts=0"], "Storage:Retry (used by the tiers too)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_tier_settings_stop_the_server_at_build_naming_the_setting(string[] settings, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServerHost.Build(["--urls", "http://127.0.0.1:0", "--data-dir", NewDataDirectory(), .. settings]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stores_in_one_bucket_under_prefixes_apart_are_accepted()
    {
        var backend = BlobStorage.Create(new StorageOptions { Backend = "memory" },
            new Dictionary<string, TierOptions> { ["A"] = new() { Bucket = "same", Prefix = "a/" }, ["B"] = new() { Bucket = "same", Prefix = "b/" } },
            NewDataDirectory(), fsyncDirectories: false);
        using var owner = new Disposer(backend);

        Assert.Equal(2, ((TieredBlobBackend)backend).Tiers.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_tier_that_cannot_be_reached_does_not_stop_the_server_and_the_engine_knows_its_name()
    {
        // Arrange: nothing listens on port 1.
        string[] settings = ["--Tiers:Cold_Store:Endpoint=http://127.0.0.1:1", "--Tiers:Cold_Store:Bucket=cold-bucket", "--Tiers:Cold_Store:PathStyle=true"];

        // Act
        await using var server = await CairnServer.StartAsync(settings);
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "hot" });

        // Assert
        Assert.Equal(["Cold_Store"], server.Services.GetRequiredService<EngineOptions>().Tiers);
        using var body = await server.Client.GetObjectAsync(bucket, "k");
        Assert.Equal("hot", await new StreamReader(body.ResponseStream).ReadToEndAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_blob_named_under_a_tier_lands_in_the_tier_bucket_with_its_class_and_the_hot_store_is_untouched()
    {
        // Arrange
        var tierBucket = await moto.CreateBucketAsync();
        await using var server = await CairnServer.StartAsync(TierSettings("COLD", tierBucket));
        var blobs = server.Services.GetRequiredService<IBlobBackend>();
        var name = TieredBlobBackend.NameIn("COLD", "chunks/ab/abcdef");

        // Act
        await blobs.PutAsync(name, new byte[] { 1, 2, 3 }, Ct);
        var length = await blobs.GetLengthAsync(name, Ct);

        // Assert
        Assert.Equal(3, length);
        var listed = await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = tierBucket });
        var key = Assert.Single(listed.S3Objects ?? []).Key;
        Assert.Equal("cold/chunks/ab/abcdef", key);
        var head = await moto.Client.GetObjectMetadataAsync(tierBucket, key);
        Assert.Equal("STANDARD_IA", head.StorageClass?.Value);
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "blobs", "tiers")));
        await blobs.DeleteAsync(name, Ct);
        Assert.Empty((await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = tierBucket })).S3Objects ?? []);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stopping_the_server_lets_go_of_each_tiers_client()
    {
        // Arrange
        var server = await CairnServer.StartAsync([.. TierSettings("COLD", await moto.CreateBucketAsync()), .. TierSettings("WARM", await moto.CreateBucketAsync())]);
        var tiers = BlobStorage.TierLayers(server.Services.GetRequiredService<IBlobBackend>()).OfType<S3BlobBackend>().ToList();
        Assert.Equal(2, tiers.Count);
        foreach (var tier in tiers)
        {
            Assert.Null(await tier.GetLengthAsync("probe/absent", Ct));
        }

        // Act
        await server.DisposeAsync();

        // Assert
        foreach (var tier in tiers)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await tier.GetLengthAsync("probe/absent", Ct));
        }
    }

    /// <summary>Lets go of the SDK clients a test built, as the host's owner does.</summary>
    private sealed class Disposer(IBlobBackend backend) : IDisposable
    {
        public void Dispose()
        {
            foreach (var layer in BlobStorage.Layers(backend).Concat(BlobStorage.TierLayers(backend)))
            {
                (layer as IDisposable)?.Dispose();
            }
        }
    }
}
