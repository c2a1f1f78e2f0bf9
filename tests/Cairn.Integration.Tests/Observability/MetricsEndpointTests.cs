using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Workers;
using Cairn.Integration.Tests.Actions;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Observability;

/// <summary>
/// <c>/_cairn/metrics</c> over HTTP: traffic of every kind moves the counters of every layer by the
/// expected amounts. A server of its own, so no other test's requests are counted (the exporter sees
/// only the meters of its own host, though meters of other servers in the run share the names).
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private CairnServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() =>
        // No grace before deletes; the background sweeper runs once at start and then only when the test sweeps.
        _server = await CairnServer.StartAsync(["--chunk-size", "256KiB", "--Engine:GracePeriod=00:00:00", "--Engine:SweepInterval=01:00:00"]);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Traffic_moves_the_counters_of_every_layer_by_the_expected_amounts()
    {
        // Arrange
        var s3 = _server.Client;
        var bucket = CairnServer.NewBucketName("metrics");
        await s3.PutBucketAsync(bucket);
        byte[][] bodies = [MultipartTestExtensions.RandomBytes(5, 1), MultipartTestExtensions.RandomBytes(1000, 2), MultipartTestExtensions.RandomBytes(600_000, 3)];
        var before = await PrometheusScrape.ReadAsync(_http, _server.Endpoint);

        // Act: three PUTs, a GET, a LIST, a GET of a missing key, a two-part multipart upload, a delete and a sweep.
        for (var i = 0; i < bodies.Length; i++)
        {
            await s3.PutBytesAsync(bucket, "k" + i, bodies[i]);
        }
        Assert.Equal(bodies[2], await s3.GetBytesAsync(bucket, "k2"));
        await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "missing"));
        var part1 = MultipartTestExtensions.RandomBytes(MultipartTestExtensions.MinPartSize, 4);
        var part2 = MultipartTestExtensions.RandomBytes(1000, 5);
        await s3.PutMultipartAsync(bucket, "multi", part1, part2);
        await s3.DeleteObjectAsync(bucket, "k2");
        var swept = await _server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(CancellationToken.None);
        var after = await PrometheusScrape.ReadAsync(_http, _server.Endpoint);

        // Assert: S3 requests by operation (the duration histogram's count), bytes, errors.
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        const string Requests = "s3_server_request_duration_seconds_count";
        Assert.Equal(3, Delta(Requests, "s3_operation=PutObject", "http_response_status_code=200"));
        Assert.Equal(2, Delta(Requests, "s3_operation=GetObject"));
        Assert.Equal(1, Delta(Requests, "s3_operation=GetObject", "http_response_status_code=404"));
        Assert.Equal(1, Delta(Requests, "s3_operation=ListObjectsV2"));
        Assert.Equal(2, Delta(Requests, "s3_operation=UploadPart"));
        Assert.Equal(1, Delta(Requests, "s3_operation=CompleteMultipartUpload"));
        Assert.Equal(1, Delta(Requests, "s3_operation=DeleteObject"));
        Assert.InRange(Delta("s3_server_request_body_size_bytes_total", "s3_operation=PutObject"), bodies.Sum(static b => b.Length), double.MaxValue);
        Assert.InRange(Delta("s3_server_request_body_size_bytes_total", "s3_operation=UploadPart"), part1.Length + part2.Length, double.MaxValue);
        Assert.InRange(Delta("s3_server_response_body_size_bytes_total", "s3_operation=GetObject"), bodies[2].Length, double.MaxValue);
        Assert.Equal(1, Delta("s3_server_errors_total", "error_code=NoSuchKey"));
        Assert.Equal(1, Delta("s3_server_errors_total"));

        // Assert: the catalog committed transactions, in groups.
        Assert.True(Delta("cairn_metadata_commit_duration_seconds_count") > 0, after.Text);
        Assert.True(Delta("cairn_metadata_commit_group_size_count") > 0, after.Text);
        Assert.True(Delta("cairn_metadata_write_duration_seconds_count") >= 10, after.Text);
        Assert.True(after.Has("cairn_metadata_commit_duration_seconds_bucket"), after.Text);

        // Assert: blob-store calls, the sweep and the workers.
        Assert.True(Delta("cairn_storage_blob_request_duration_seconds_count", "blob_operation=Put") >= 3, after.Text);
        Assert.Equal(0, Delta("cairn_storage_blob_errors_total"));
        Assert.True(swept >= 3, $"swept {swept}");
        Assert.Equal(swept, Delta("cairn_delete_queue_blobs_deleted_total"));
        Assert.True(after.Has("cairn_delete_queue_depth"), after.Text);
        Assert.Equal(0, after.Sum("cairn_delete_queue_depth"));
        Assert.True(after.Has("cairn_delete_queue_oldest_due_age_seconds"), after.Text);
        Assert.True(after.Sum("cairn_worker_runs_total", "worker=delete-queue-sweeper") >= 1, after.Text);

        // Assert: chunk bytes written (random bodies: stored as is; the two small ones stayed inline).
        var chunked = bodies[2].Length + part1.Length + part2.Length;
        Assert.Equal(chunked, Delta("cairn_chunks_written_bytes_total", "codec=none"));
        Assert.Equal(chunked, Delta("cairn_chunks_written_stored_bytes_total", "codec=none"));
        Assert.Equal(0, Delta("cairn_chunks_written_bytes_total", "codec=zstd"));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_pack_gauges_show_packs_by_state_their_live_and_dead_bytes_and_the_segment_store_and_compaction_counts_its_runs()
    {
        // Arrange: a server that packs small chunks; three objects of 8 KiB, one of them deleted.
        await using var server = await CairnServer.StartAsync(["--Engine:PackThreshold=64KiB", "--Engine:InlineThreshold=4KiB"]);
        var bucket = CairnServer.NewBucketName("packs");
        await server.Client.PutBucketAsync(bucket);
        for (var i = 0; i < 3; i++)
        {
            await server.Client.PutBytesAsync(bucket, "k" + i, MultipartTestExtensions.RandomBytes(8192, 40 + i));
        }
        var packs = server.Services.GetRequiredService<Cairn.Engine.Packs.PackWriter>();
        await PrometheusScrape.ReadAsync(_http, server.Endpoint);
        await packs.SealAndShipDueAsync(CancellationToken.None);
        var open = await PrometheusScrape.ReadAsync(_http, server.Endpoint);

        // Act: sealed and shipped, then one object deleted.
        await packs.SealOpenPackAsync(CancellationToken.None);
        await server.Client.DeleteObjectAsync(bucket, "k0");
        // The node's pack worker may take the pack first: count again until it is stored (bounded).
        PrometheusScrape shipped;
        var attempts = 0;
        do
        {
            await Task.Delay(attempts == 0 ? 0 : 100);
            await packs.SealAndShipDueAsync(CancellationToken.None);
            shipped = await PrometheusScrape.ReadAsync(_http, server.Endpoint);
        }
        while (shipped.Sum("cairn_packs", "state=stored") < 1 && ++attempts < 100);

        // Assert: before, one open pack holding the three records in the segment store; after, one
        // stored pack with two live chunks and one dead, and an empty segment store.
        Assert.Equal(1, open.Sum("cairn_packs", "state=open"));
        Assert.Equal(3 * (8192 + 52), open.Sum("cairn_segments_used_bytes"));
        Assert.Equal((0.0, 1.0), (shipped.Sum("cairn_packs", "state=open"), shipped.Sum("cairn_packs", "state=stored")));
        Assert.Equal(2 * 8192, shipped.Sum("cairn_packs_live_bytes"));
        Assert.Equal(8192 + 52, shipped.Sum("cairn_packs_dead_bytes"));
        Assert.Equal(0, shipped.Sum("cairn_segments_used_bytes"));

        // Act: a third of the pack is dead, past the threshold: it is compacted.
        var report = await server.Services.GetRequiredService<Cairn.Engine.Packs.PackCompactor>().CompactAsync(CancellationToken.None);
        await packs.SealAndShipDueAsync(CancellationToken.None);
        var compacted = await PrometheusScrape.ReadAsync(_http, server.Endpoint);

        // Assert: one run swapped two records into a new pack; the old one is retired (all of it dead until the sweep).
        Assert.Equal((1, 1), (report.PacksWritten, report.PacksRetired));
        Assert.Equal(1, compacted.Sum("cairn_compaction_runs_total", "outcome=swapped"));
        Assert.Equal(2 * (8192 + 52), compacted.Sum("cairn_compaction_rewritten_bytes_total"));
        Assert.Equal(1, compacted.Sum("cairn_compaction_packs_retired_total"));
        Assert.Equal((1.0, 1.0), (compacted.Sum("cairn_packs", "state=stored"), compacted.Sum("cairn_packs", "state=retired")));
        Assert.Equal(2 * 8192, compacted.Sum("cairn_packs_live_bytes"));
        Assert.Equal(3 * (8192 + 52), compacted.Sum("cairn_packs_dead_bytes"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Compressed_chunks_count_their_bytes_before_and_after_compression()
    {
        // Arrange: text that compresses, in two chunks of 256 KiB and 44 KiB.
        var bucket = CairnServer.NewBucketName("metrics");
        await _server.Client.PutBucketAsync(bucket);
        var line = System.Text.Encoding.ASCII.GetBytes("2026-12-03T18:00:00Z GET /bucket/key 200 4096 cairn\n");
        var body = Enumerable.Range(0, 300_000).Select(i => line[i % line.Length]).ToArray();
        var before = await PrometheusScrape.ReadAsync(_http, _server.Endpoint);

        // Act
        await _server.Client.PutBytesAsync(bucket, "log", body);
        var after = await PrometheusScrape.ReadAsync(_http, _server.Endpoint);

        // Assert
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(body.Length, Delta("cairn_chunks_written_bytes_total", "codec=zstd"));
        Assert.InRange(Delta("cairn_chunks_written_stored_bytes_total", "codec=zstd"), 1, body.Length / 10);
        Assert.Equal(body, await _server.Client.GetBytesAsync(bucket, "log"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Duration_histograms_have_second_based_buckets_from_half_a_millisecond_to_ten_seconds()
    {
        // Arrange
        await _server.Client.ListBucketsAsync();

        // Act
        var scrape = await PrometheusScrape.ReadAsync(_http, _server.Endpoint);

        // Assert
        string[] bounds = ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
        foreach (var bound in bounds)
        {
            Assert.Contains($"s3_server_request_duration_seconds_bucket{{otel_scope_name=\"Cairn.S3\",http_response_status_code=\"200\",s3_operation=\"ListBuckets\",le=\"{bound}\"}}",
                scrape.Text, StringComparison.Ordinal);
        }
        Assert.Equal(1, scrape.Sum("s3_server_request_duration_seconds_bucket", "s3_operation=ListBuckets", "le=+Inf"));
    }
}
