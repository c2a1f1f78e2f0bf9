using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Workers;
using Cairn.Integration.Tests.Actions;
using Cairn.Storage;
using Cairn.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Gateway;

/// <summary>
/// Gateway mode with faults between the retry decorator and the upstream (moto_server):
/// <c>Retrying(Flaky(Counting(S3BlobBackend)))</c>. Transient failures are retried away; when retries
/// run out the client gets 503 SlowDown, a permanent failure 500 InternalError, and either way nothing
/// is half-written and nothing stays untracked upstream after the sweep. Also the upstream request
/// count of each kind of client operation.
/// </summary>
public sealed class GatewayFaultTests : IClassFixture<MotoServer>
{
    private const int ChunkSize = 256 * 1024;
    private readonly MotoServer _moto;

    public GatewayFaultTests(MotoServer moto) => _moto = moto;

    [Fact(Timeout = 120_000)]
    public async Task With_a_third_of_upstream_calls_failing_transiently_and_reads_delayed_every_upload_and_download_succeeds_through_retries()
    {
        await using var gateway = await StartAsync(flaky => flaky
            .Inject(BlobOperation.Put, BlobFault.Rate(0.33))
            .Inject(BlobOperation.Read, BlobFault.Rate(0.33) with { Delay = TimeSpan.FromMilliseconds(3) }));
        var bodies = Enumerable.Range(0, 8).Select(i => MultipartTestExtensions.RandomBytes(3 * ChunkSize + i, seed: 100 + i)).ToList();

        for (var i = 0; i < bodies.Count; i++)
        {
            await gateway.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = gateway.Bucket, Key = $"k{i}", InputStream = new MemoryStream(bodies[i]) });
        }
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(bodies[i], await gateway.Server.Client.GetBytesAsync(gateway.Bucket, $"k{i}"));
        }

        Assert.True(gateway.Retrying.Retries(BlobOperation.Put) > 0);
        Assert.True(gateway.Retrying.Retries(BlobOperation.Read) > 0);
        Assert.Equal(0, gateway.Retrying.Exhausted(BlobOperation.Put) + gateway.Retrying.Exhausted(BlobOperation.Read));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(true, HttpStatusCode.ServiceUnavailable, "SlowDown")]
    [InlineData(false, HttpStatusCode.InternalServerError, "InternalError")]
    public async Task An_upstream_that_keeps_failing_gets_the_client_an_error_and_leaves_nothing_behind(bool transient, HttpStatusCode status, string code)
    {
        // The third chunk write and every one after it fail: two chunks of the upload reach the upstream first.
        await using var gateway = await StartAsync(_ => { }, failPutsAfter: 2, failTransiently: transient);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => gateway.Server.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = gateway.Bucket,
            Key = "k",
            InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(6 * ChunkSize, seed: 7)),
        }));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Empty((await gateway.Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = gateway.Bucket })).S3Objects ?? []);
        gateway.Breaker.Repair();
        await gateway.Server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(CancellationToken.None);
        Assert.Empty(await UpstreamKeysAsync(gateway.UpstreamBucket));
    }

    [Fact(Timeout = 300_000)]
    public async Task Upstream_requests_per_client_operation()
    {
        await using var gateway = await StartAsync(_ => { }, chunkSize: 4 * 1024 * 1024);
        var client = gateway.Server.Client;
        var counting = gateway.Counting;

        // 10,000 PUTs of 4 KiB: inline in the catalog (Engine:InlineThreshold), no upstream request.
        counting.Reset();
        await ForEachAsync(10_000, i => client.PutObjectAsync(new PutObjectRequest { BucketName = gateway.Bucket, Key = $"small/{i:D5}", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(4096, seed: i)) }));
        Assert.Equal(0, counting.Total);

        // 200 PUTs of 5 KiB, all different: one chunk each, one upstream PUT each.
        await ForEachAsync(200, i => client.PutObjectAsync(new PutObjectRequest { BucketName = gateway.Bucket, Key = $"chunked/{i:D5}", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(5 * 1024, seed: 10_000 + i)) }));
        Assert.Equal(200, counting.Count(BlobOperation.Put));
        Assert.Equal(200, counting.Total);

        // The same 200 bodies again under other keys: deduplicated, no upstream request.
        counting.Reset();
        await ForEachAsync(200, i => client.PutObjectAsync(new PutObjectRequest { BucketName = gateway.Bucket, Key = $"copy/{i:D5}", InputStream = new MemoryStream(MultipartTestExtensions.RandomBytes(5 * 1024, seed: 10_000 + i)) }));
        Assert.Equal(0, counting.Total);

        // A 100 MiB object: 25 chunks of 4 MiB, 25 upstream PUTs; reading it back, 25 ranged GETs.
        var large = MultipartTestExtensions.RandomBytes(100 * 1024 * 1024, seed: 3);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = gateway.Bucket, Key = "large", InputStream = new MemoryStream(large) });
        Assert.Equal(25, counting.Count(BlobOperation.Put));
        counting.Reset();
        Assert.Equal(large, await client.GetBytesAsync(gateway.Bucket, "large"));
        Assert.Equal(25, counting.Count(BlobOperation.Read));
        Assert.Equal(25, counting.Total);

        // LIST of all 10,401 keys (eleven pages) and a HEAD: the catalog answers, the upstream is not asked.
        counting.Reset();
        string? token = null;
        var listed = 0;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = gateway.Bucket, ContinuationToken = token });
            listed += page.KeyCount ?? 0;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await client.GetObjectMetadataAsync(gateway.Bucket, "large");
        Assert.Equal(10_401, listed);
        Assert.Equal(0, counting.Total);
    }

    private async Task<Gateway> StartAsync(Action<FlakyBlobBackend> configureFaults, int? failPutsAfter = null, bool failTransiently = true,
        int chunkSize = ChunkSize)
    {
        var upstreamBucket = await _moto.CreateBucketAsync();
        var counting = new CountingBlobBackend(new S3BlobBackend(new S3BlobBackendOptions
        {
            ServiceUrl = _moto.Endpoint,
            Bucket = upstreamBucket,
            KeyPrefix = "cairn/",
            ForcePathStyle = true,
            AccessKey = MotoServer.AccessKey,
            SecretKey = MotoServer.SecretKey,
        }));
        var breaker = new PutBreaker(counting, failPutsAfter ?? int.MaxValue, failTransiently);
        var flaky = new FlakyBlobBackend(breaker, seed: 11);
        var retrying = new RetryingBlobBackend(flaky, new BlobRetryOptions
        {
            MaxAttempts = 8,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(10),
        });
        // 4 KiB inline threshold: the request counts below are of bodies just above it.
        var server = await CairnServer.StartAsync([$"--Engine:ChunkSize={chunkSize}", "--Engine:GracePeriod=00:00:00", "--Engine:InlineThreshold=4KiB"],
            services => services.AddSingleton<IBlobBackend>(retrying));
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        configureFaults(flaky);
        return new Gateway(server, bucket, upstreamBucket, counting, breaker, retrying);
    }

    private async Task<List<string>> UpstreamKeysAsync(string bucket)
    {
        var response = await _moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }

    private static async Task ForEachAsync(int count, Func<int, Task> action)
    {
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await action(i);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private sealed record Gateway(CairnServer Server, string Bucket, string UpstreamBucket, CountingBlobBackend Counting, PutBreaker Breaker,
        RetryingBlobBackend Retrying) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    /// <summary>Lets the first <c>successfulPuts</c> blob writes through, then fails every write until repaired.</summary>
    private sealed class PutBreaker(IBlobBackend inner, int successfulPuts, bool transient) : DelegatingBlobBackend(inner)
    {
        private int _puts;
        private volatile bool _repaired;

        public void Repair() => _repaired = true;

        protected override ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
        {
            if (operation == BlobOperation.Put && !_repaired && Interlocked.Increment(ref _puts) > successfulPuts)
            {
                throw new BlobBackendException($"upstream refused {target} (test)", transient);
            }
            return call(Inner, state, cancellationToken);
        }

        public override IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken) =>
            Inner.ListMultipartUploadsAsync(prefix, cancellationToken);
    }
}
