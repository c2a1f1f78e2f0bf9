using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Packs;
using Cairn.Engine.Workers;
using Cairn.Integration.Tests.Actions;
using Cairn.Server;
using Cairn.Storage;
using Cairn.Storage.S3;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Gateway;

/// <summary>
/// Cairn in gateway mode: metadata local, chunk bodies in a bucket of moto_server (an independent S3
/// implementation) on loopback, selected purely by configuration (the CAIRN_STORAGE / CAIRN_S3_*
/// settings, given here as their configuration keys).
/// </summary>
public sealed class GatewayModeTests : IClassFixture<MotoServer>
{
    private const int ChunkSize = 256 * 1024;
    private readonly MotoServer _moto;
    private readonly ITestOutputHelper _output;

    public GatewayModeTests(MotoServer moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
    }

    [Fact(Timeout = 60_000)]
    public async Task Objects_round_trip_and_their_chunks_live_upstream_under_the_prefix()
    {
        var (server, upstreamBucket) = await StartGatewayAsync();
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        var large = MultipartTestExtensions.RandomBytes(3 * ChunkSize + 1000, seed: 1);
        var small = MultipartTestExtensions.RandomBytes(100, seed: 2);

        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "large", InputStream = new MemoryStream(large) });
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "small", InputStream = new MemoryStream(small) });

        Assert.Equal(large, await server.Client.GetBytesAsync(bucket, "large"));
        Assert.Equal(small, await server.Client.GetBytesAsync(bucket, "small"));
        var upstreamKeys = await UpstreamKeysAsync(upstreamBucket);
        // Four chunks of the large body; the small one is inline in the catalog.
        Assert.Equal(4, upstreamKeys.Count);
        Assert.All(upstreamKeys, key => Assert.StartsWith("cairn/chunks/", key, StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    [Trait("Issue", "14")]
    public async Task Encrypted_bodies_reach_the_upstream_vendor_only_as_ciphertext()
    {
        var (server, upstreamBucket) = await StartGatewayAsync();
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        var marker = System.Text.Encoding.ASCII.GetBytes($"UPSTREAM-PLAINTEXT-{Guid.NewGuid():N}");
        byte[] WithMarker(int seed)
        {
            var body = MultipartTestExtensions.RandomBytes(2 * ChunkSize + 500, seed);
            marker.CopyTo(body, 10);
            marker.CopyTo(body, ChunkSize + 10);
            return body;
        }
        var sealedBody = WithMarker(31);
        var customerKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        await server.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "sse-s3",
            InputStream = new MemoryStream(sealedBody),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });
        await server.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "sse-c",
            InputStream = new MemoryStream(sealedBody),
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(customerKey),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(customerKey)),
        });

        Assert.Equal(sealedBody, await server.Client.GetBytesAsync(bucket, "sse-s3"));
        var upstream = await UpstreamBlobsAsync(upstreamBucket);
        Assert.Equal(6, upstream.Count); // three chunks each, none shared although the bodies are equal
        Assert.All(upstream, blob => Assert.True(blob.AsSpan().IndexOf(marker) < 0, "plaintext reached the upstream bucket"));

        // The same body stored as sent does reach it readable, so the check above would have seen plaintext.
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain", InputStream = new MemoryStream(WithMarker(32)) });
        Assert.Contains(await UpstreamBlobsAsync(upstreamBucket), blob => blob.AsSpan().IndexOf(marker) >= 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task Deleted_objects_are_swept_from_the_upstream_bucket()
    {
        var (server, upstreamBucket) = await StartGatewayAsync(["--Engine:GracePeriod=00:00:00"]);
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        for (var i = 0; i < 3; i++)
        {
            await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"k{i}", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(2 * ChunkSize, seed: 10 + i)) });
        }
        Assert.Equal(6, (await UpstreamKeysAsync(upstreamBucket)).Count);
        var counting = Counting(server);
        counting.Reset();

        await server.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [new KeyVersion { Key = "k0" }, new KeyVersion { Key = "k1" }, new KeyVersion { Key = "k2" }],
        });
        var deleted = await server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(CancellationToken.None);

        Assert.Equal(6, deleted);
        Assert.Empty(await UpstreamKeysAsync(upstreamBucket));
        // All six blobs went in one batched delete.
        Assert.Equal(1, counting.Count(BlobOperation.DeleteMany));
        Assert.Equal(0, counting.Count(BlobOperation.Delete));
    }

    [Fact(Timeout = 60_000)]
    public async Task Listing_and_head_cost_no_upstream_request()
    {
        var (server, _) = await StartGatewayAsync();
        await using var __ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        for (var i = 0; i < 20; i++)
        {
            await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"dir{i % 3}/k{i}", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(ChunkSize + i, seed: 20 + i)) });
        }
        var counting = Counting(server);
        counting.Reset();

        var listed = await server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        var delimited = await server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
        var head = await server.Client.GetObjectMetadataAsync(bucket, "dir0/k0");

        Assert.Equal(20, listed.KeyCount);
        Assert.Equal(3, delimited.CommonPrefixes.Count);
        Assert.Equal(ChunkSize, head.ContentLength);
        Assert.Equal(0, counting.Total);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_chunk_deleted_upstream_behind_Cairns_back_fails_the_GET_loudly()
    {
        var (server, upstreamBucket) = await StartGatewayAsync();
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(ChunkSize / 2, seed: 3)) });
        foreach (var key in await UpstreamKeysAsync(upstreamBucket))
        {
            await _moto.Client.DeleteObjectAsync(upstreamBucket, key);
        }

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => server.Client.GetBytesAsync(bucket, "k"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("InternalError", error.ErrorCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stopping_the_server_lets_go_of_the_upstream_client()
    {
        // Arrange
        var (server, _) = await StartGatewayAsync();
        var upstream = BlobStorage.Layers(server.Services.GetRequiredService<IBlobBackend>()).OfType<S3BlobBackend>().Single();
        Assert.Null(await upstream.GetLengthAsync("probe/absent", CancellationToken.None));

        // Act
        await server.DisposeAsync();

        // Assert
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await upstream.GetLengthAsync("probe/absent", CancellationToken.None));
    }

    [Theory]
    [InlineData("--Storage:Backend=tape", "must be filesystem, s3 or memory")]
    [InlineData("--Storage:Backend=s3", "Storage:S3:Bucket")]
    public void A_bad_storage_configuration_stops_the_server_at_build_with_the_reason(string setting, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServerHost.Build(["--urls", "http://127.0.0.1:0", "--data-dir",
            Path.Combine(Path.GetTempPath(), "cairn-tests", Guid.NewGuid().ToString("N")), setting]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unreachable_upstream_bucket_stops_the_server_at_startup()
    {
        var settings = GatewaySettings("no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CairnServer.StartAsync(settings));

        Assert.Contains("upstream bucket is not usable", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Ten_thousand_small_objects_cost_at_most_one_upstream_write_in_a_hundred_and_a_packed_get_is_one_ranged_read()
    {
        // Arrange: packs on, 16 KiB objects (above a 4 KiB inline threshold, below the pack threshold).
        var (server, upstreamBucket) = await StartGatewayAsync(["--Engine:PackThreshold=64KiB", "--Engine:PackTargetSize=32MiB", "--Engine:InlineThreshold=4KiB"]);
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        var counting = Counting(server);
        counting.Reset();
        const int Objects = 10_000;

        // Act: 10,000 PUTs, 16 at a time; then the last pack is sealed and shipped.
        await Parallel.ForEachAsync(Enumerable.Range(0, Objects), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await server.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = $"small/{i:D5}",
                InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(16 * 1024, seed: i)),
            }, ct));
        var packs = server.Services.GetRequiredService<PackWriter>();
        await packs.SealOpenPackAsync(CancellationToken.None);
        await packs.SealAndShipDueAsync(CancellationToken.None);

        // Assert: upstream writes (whole blobs, multipart begins, parts, completes) at most 1 % of the PUTs.
        BlobOperation[] writes = [BlobOperation.Put, BlobOperation.PutIfAbsent, BlobOperation.BeginMultipart, BlobOperation.UploadPart, BlobOperation.CompleteMultipart];
        var upstreamWrites = writes.Sum(counting.Count);
        _output.WriteLine($"{Objects} PUTs of 16 KiB: {upstreamWrites} upstream writes ({string.Join(", ", writes.Select(w => $"{w} {counting.Count(w)}"))}), " +
            $"{(await UpstreamKeysAsync(upstreamBucket)).Count} packs");
        Assert.InRange(upstreamWrites, 1, Objects / 100);
        Assert.All(await UpstreamKeysAsync(upstreamBucket), key => Assert.StartsWith("cairn/packs/", key, StringComparison.Ordinal));

        // A GET of a packed object reads one range of its pack, and every object reads back.
        counting.Reset();
        Assert.Equal(MultipartTestExtensions.RandomBytes(16 * 1024, seed: 4321), await server.Client.GetBytesAsync(bucket, "small/04321"));
        Assert.Equal(1, counting.Count(BlobOperation.Read));
        foreach (var i in new[] { 0, 1, 2500, 9998, 9999 })
        {
            Assert.Equal(MultipartTestExtensions.RandomBytes(16 * 1024, seed: i), await server.Client.GetBytesAsync(bucket, $"small/{i:D5}"));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task With_acknowledgement_after_upload_each_put_returns_with_its_pack_upstream_and_puts_share_uploads()
    {
        // Arrange: PUTs acknowledged once their pack is upstream, windows of 50 ms.
        var (server, upstreamBucket) = await StartGatewayAsync(
            ["--Engine:PackThreshold=64KiB", "--Engine:InlineThreshold=4KiB", "--Engine:PackAcknowledge=Upload", "--Engine:PackUploadWindow=00:00:00.050"]);
        await using var _ = server;
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        var counting = Counting(server);
        var packs = server.Services.GetRequiredService<PackWriter>();
        counting.Reset();
        const int Objects = 400;

        // Act: 400 PUTs of 16 KiB, 16 at a time; each checks, as it returns, that nothing of it is local only.
        var segmentBytesAtReturn = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Objects), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            await server.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = $"small/{i:D5}",
                InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(16 * 1024, seed: i)),
            }, ct);
            var metadata = server.Services.GetRequiredService<Cairn.Metadata.MetadataCatalog>();
            var version = await metadata.Objects.GetObjectAsync(bucket, $"small/{i:D5}", ct);
            var chunk = Assert.Single(version!.Chunks);
            var placement = (await metadata.Chunks.LocateChunksAsync([chunk.Hash], ct))[chunk.Hash];
            var pack = (await metadata.Packs.ListPacksAsync(ct)).Single(p => p.Id == placement.PackId);
            Assert.Equal(Cairn.Metadata.PackState.Stored, pack.State);
        });

        // Assert: every pack is upstream and the local segments are empty; PUTs shared uploads.
        var uploads = counting.Count(BlobOperation.Put) + counting.Count(BlobOperation.CompleteMultipart);
        _output.WriteLine($"{Objects} PUTs acknowledged after upload: {uploads} pack uploads, {(await UpstreamKeysAsync(upstreamBucket)).Count} packs");
        Assert.Equal(0, packs.LocalSegmentBytes);
        Assert.InRange(uploads, 1, Objects / 4);
        Assert.Equal(uploads, (await UpstreamKeysAsync(upstreamBucket)).Count);
        foreach (var i in new[] { 0, 199, 399 })
        {
            Assert.Equal(MultipartTestExtensions.RandomBytes(16 * 1024, seed: i), await server.Client.GetBytesAsync(bucket, $"small/{i:D5}"));
        }
    }

    private async Task<(CairnServer Server, string UpstreamBucket)> StartGatewayAsync(string[]? extra = null)
    {
        var upstreamBucket = await _moto.CreateBucketAsync();
        var server = await CairnServer.StartAsync([.. GatewaySettings(upstreamBucket), .. extra ?? []]);
        return (server, upstreamBucket);
    }

    private string[] GatewaySettings(string upstreamBucket) =>
    [
        "--Storage:Backend=s3",
        $"--Storage:S3:ServiceUrl={_moto.Endpoint}",
        $"--Storage:S3:Bucket={upstreamBucket}",
        "--Storage:S3:KeyPrefix=cairn/",
        "--Storage:S3:ForcePathStyle=true",
        $"--Storage:S3:AccessKey={MotoServer.AccessKey}",
        $"--Storage:S3:SecretKey={MotoServer.SecretKey}",
        $"--Engine:ChunkSize={ChunkSize}",
    ];

    private static CountingBlobBackend Counting(CairnServer server) =>
        BlobStorage.Layers(server.Services.GetRequiredService<IBlobBackend>()).OfType<CountingBlobBackend>().Single();

    private async Task<List<byte[]>> UpstreamBlobsAsync(string bucket)
    {
        var blobs = new List<byte[]>();
        foreach (var key in await UpstreamKeysAsync(bucket))
        {
            using var response = await _moto.Client.GetObjectAsync(bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            blobs.Add(buffer.ToArray());
        }
        return blobs;
    }

    private async Task<List<string>> UpstreamKeysAsync(string bucket)
    {
        var response = await _moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).Where(k => !k.Contains("/probe/", StringComparison.Ordinal)).ToList();
    }
}
