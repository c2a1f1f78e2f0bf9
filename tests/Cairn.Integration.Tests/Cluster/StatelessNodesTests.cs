using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Actions;
using Cairn.Engine;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Cluster;

/// <summary>
/// Three nodes on one PostgreSQL catalog and one upstream bucket behave as one S3 endpoint:
/// read-your-writes from any node, a multipart upload spread over the nodes, conditional writes
/// that race across nodes with exactly one winner.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StatelessNodesTests(PostgresCluster postgres, MotoServer moto)
{
    [Fact(Timeout = 120_000)]
    public async Task Every_write_is_seen_at_once_by_every_other_node()
    {
        // Arrange
        await using var cluster = await CairnCluster.StartAsync(postgres, moto, nodeCount: 3);
        var bucket = CairnServer.NewBucketName();
        await cluster.Client(0).PutBucketAsync(bucket);

        for (var i = 0; i < 12; i++)
        {
            // Act: each step on another node than the one before.
            var key = $"k{i}";
            var first = MultipartTestExtensions.RandomBytes(i % 2 == 0 ? 100 : 300_000, seed: i);
            var second = MultipartTestExtensions.RandomBytes(i % 2 == 0 ? 200 : 200_000, seed: 100 + i);
            await cluster.Client(i).PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(first) });
            var readBack = await cluster.Client(i + 1).GetBytesAsync(bucket, key);
            await cluster.Client(i + 1).PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(second) });
            var overwritten = await cluster.Client(i + 2).GetBytesAsync(bucket, key);
            var head = await cluster.Client(i + 2).GetObjectMetadataAsync(bucket, key);
            await cluster.Client(i + 2).DeleteObjectAsync(bucket, key);
            var afterDelete = await Assert.ThrowsAsync<AmazonS3Exception>(() => cluster.Client(i).GetObjectMetadataAsync(bucket, key));

            // Assert
            Assert.Equal(first, readBack);
            Assert.Equal(second, overwritten);
            Assert.Equal(second.Length, head.ContentLength);
            Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        }
        var listing = await cluster.Client(1).ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Empty(listing.S3Objects ?? []);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_multipart_upload_with_parts_on_two_nodes_completes_on_a_third()
    {
        // Arrange
        await using var cluster = await CairnCluster.StartAsync(postgres, moto, nodeCount: 3);
        var bucket = CairnServer.NewBucketName();
        await cluster.Client(0).PutBucketAsync(bucket);
        var part1 = MultipartTestExtensions.RandomBytes(5 * 1024 * 1024, seed: 1);
        var part2 = MultipartTestExtensions.RandomBytes(1234, seed: 2);

        // Act
        var uploadId = await cluster.Client(0).CreateUploadAsync(bucket, "big");
        var etag1 = (await cluster.Client(0).UploadPartBytesAsync(bucket, "big", uploadId, 1, part1)).ETag;
        var etag2 = (await cluster.Client(1).UploadPartBytesAsync(bucket, "big", uploadId, 2, part2)).ETag;
        var listed = await cluster.Client(2).ListPartSummariesAsync(bucket, "big", uploadId);
        var complete = await cluster.Client(2).CompleteAsync(bucket, "big", uploadId,
            [new PartETag(1, etag1), new PartETag(2, etag2)]);

        // Assert
        Assert.Equal(2, listed.Count);
        Assert.Equal(MultipartTestExtensions.MultipartETag(part1, part2), complete.ETag);
        Assert.Equal(MultipartTestExtensions.Concat(part1, part2), await cluster.Client(1).GetBytesAsync(bucket, "big"));
        Assert.Empty(await cluster.Client(0).ListUploadIdsAsync(bucket));
    }

    [Fact(Timeout = 120_000)]
    public async Task If_None_Match_creates_racing_on_three_nodes_have_exactly_one_winner_per_key()
    {
        // Arrange
        await using var cluster = await CairnCluster.StartAsync(postgres, moto, nodeCount: 3);
        var bucket = CairnServer.NewBucketName();
        await cluster.Client(0).PutBucketAsync(bucket);
        const int Keys = 4;
        const int Writers = 48;

        // Act: every writer tries to create every key first, through a node of its own.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var won = new List<(string Key, byte[] Body)>();
            for (var k = 0; k < Keys; k++)
            {
                var body = MultipartTestExtensions.RandomBytes(writer % 2 == 0 ? 64 : 20_000, seed: writer * 100 + k);
                try
                {
                    await cluster.Client(writer).PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = bucket,
                        Key = $"race-{k}",
                        InputStream = new MemoryStream(body),
                        IfNoneMatch = "*",
                    });
                    won.Add(($"race-{k}", body));
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    // Someone else created it first.
                }
            }
            return won;
        })));

        // Assert: one winner per key, and every node reads the winner's bytes.
        var winners = outcomes.SelectMany(static w => w).ToList();
        Assert.Equal(Keys, winners.Count);
        Assert.Equal(Keys, winners.Select(static w => w.Key).Distinct().Count());
        foreach (var (key, body) in winners)
        {
            for (var node = 0; node < cluster.Nodes.Count; node++)
            {
                Assert.Equal(body, await cluster.Client(node).GetBytesAsync(bucket, key));
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task On_PostgreSQL_no_node_caches_rows_and_each_node_holds_its_own_name()
    {
        // Arrange
        await using var cluster = await CairnCluster.StartAsync(postgres, moto, nodeCount: 2);

        // Assert: the row cache is off (other nodes' writes could not invalidate it).
        foreach (var node in cluster.Nodes)
        {
            var catalog = node.Services.GetRequiredService<MetadataCatalog>();
            Assert.IsNotType<CachingCatalog>(catalog.Objects);
            Assert.IsNotType<CachingCatalog>(catalog.Buckets);
        }
        Assert.Equal(["node-1", "node-2"], cluster.Nodes.Select(static n => n.Services.GetRequiredService<EngineOptions>().NodeId));
    }
}
