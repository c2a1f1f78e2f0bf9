using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// What versions cost on disk: every version keeps its chunks, and removing versions by id gives
/// their space back once the grace period has passed and the sweeper ran, down to what the
/// remaining version holds; a chunk two versions share stays while either does.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class VersionSpaceTests
{
    private const int Versions = 1_000;
    private const int BodySize = 8_192;

    [Fact(Timeout = 300_000)]
    public async Task A_thousand_versions_of_one_key_removed_by_id_but_the_latest_leave_one_versions_chunks_after_the_sweep()
    {
        // Arrange: 1,000 versions with distinct bodies above the inline threshold, one chunk each.
        var clock = new OffsetTimeProvider();
        await using var server = await CairnServer.StartAsync(
            ["--Engine:GracePeriod=00:01:00", "--Engine:SweepInterval=00:10:00", "--Engine:InlineThreshold=4KiB"],
            services => services.AddSingleton<TimeProvider>(clock));
        var s3 = server.Client;
        var bucket = CairnServer.NewBucketName("versions");
        await s3.PutBucketAsync(bucket);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        var ids = new List<string>(Versions);
        for (var i = 0; i < Versions; i++)
        {
            var body = new byte[BodySize];
            new Random(i).NextBytes(body);
            ids.Add((await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(body) })).VersionId);
        }
        var allVersions = BlobBytes(server);

        // Act: remove every version but the latest by id (DeleteObjects takes 1,000 keys a request).
        var deleted = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = ids.Take(Versions - 1).Select(static id => new KeyVersion { Key = "k", VersionId = id }).ToList(),
        });
        var beforeGrace = await SweepAsync(server);
        clock.Advance(TimeSpan.FromMinutes(2));
        var swept = await SweepAsync(server);

        // Assert
        Assert.Equal(Versions - 1, deleted.DeletedObjects.Count);
        Assert.Equal((long)Versions * BodySize, allVersions);
        Assert.Equal(0, beforeGrace);
        Assert.Equal(Versions - 1, swept);
        Assert.Equal(BodySize, BlobBytes(server));
        var listed = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        Assert.Equal([ids[^1]], listed.Versions.Select(static v => v.VersionId));
        using var latest = await s3.GetObjectAsync(bucket, "k");
        Assert.Equal(BodySize, latest.ContentLength);
    }

    private static Task<int> SweepAsync(CairnServer server) =>
        server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(CancellationToken.None);

    /// <summary>The bytes of every file under blobs/ (chunk blobs; temporary files would count too).</summary>
    private static long BlobBytes(CairnServer server) =>
        Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "blobs"), "*", SearchOption.AllDirectories)
            .Sum(static path => new FileInfo(path).Length);
}
