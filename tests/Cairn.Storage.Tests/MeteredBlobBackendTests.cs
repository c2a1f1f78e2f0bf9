namespace Cairn.Storage.Tests;

public sealed class MeteredBlobBackendTests : IDisposable
{
    private const int Timeout = 10_000;

    private static readonly BlobRetryOptions NoDelays = new() { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };

    private static CancellationToken Ct => CancellationToken.None;

    private readonly MeasurementRecorder _recorder = new();
    private readonly InMemoryBlobBackend _store = new();

    public void Dispose() => _recorder.Dispose();

    [Fact(Timeout = Timeout)]
    public async Task Calls_are_timed_by_operation_and_failures_counted_by_kind()
    {
        // Arrange: reads fail permanently once; deletes are transient until retries run out.
        var metrics = new StorageMetrics(_recorder);
        var flaky = new FlakyBlobBackend(_store)
            .Inject(BlobOperation.Read, BlobFault.OnCall(2, isTransient: false))
            .Inject(BlobOperation.Delete, BlobFault.Always());
        var metered = new MeteredBlobBackend(new RetryingBlobBackend(flaky, NoDelays), metrics);

        // Act
        await metered.PutAsync("a", new byte[3], Ct);
        await metered.ReadAsync("a", 0, new byte[3], Ct);
        await Assert.ThrowsAsync<BlobBackendException>(async () => await metered.ReadAsync("a", 0, new byte[3], Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await metered.ReadAsync("missing", 0, new byte[3], Ct));
        Assert.Null(await metered.GetLengthAsync("missing", Ct));
        await Assert.ThrowsAsync<BlobBackendException>(async () => await metered.DeleteAsync("a", Ct));
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await metered.GetLengthAsync("a", new CancellationToken(canceled: true)));

        // Assert: one duration per call (the retries inside are not calls of their own).
        Assert.Single(_recorder.Values("cairn.storage.blob.request.duration", "blob.operation=Put"));
        Assert.Equal(3, _recorder.Values("cairn.storage.blob.request.duration", "blob.operation=Read").Count);
        Assert.Single(_recorder.Values("cairn.storage.blob.request.duration", "blob.operation=Delete"));
        Assert.Equal(2, _recorder.Values("cairn.storage.blob.request.duration", "blob.operation=GetLength").Count);
        Assert.Equal([1.0], _recorder.Values("cairn.storage.blob.errors", "blob.operation=Read,error.type=permanent"));
        Assert.Equal([1.0], _recorder.Values("cairn.storage.blob.errors", "blob.operation=Read,error.type=not_found"));
        Assert.Equal([1.0], _recorder.Values("cairn.storage.blob.errors", "blob.operation=Delete,error.type=transient"));
        Assert.Equal(3, _recorder.Values("cairn.storage.blob.errors").Count); // a missing length and a cancellation are no errors
    }

    [Fact(Timeout = Timeout)]
    public async Task Retries_and_upstream_requests_are_read_from_the_decorators_when_scraped()
    {
        // Arrange: Retrying(Counting(Flaky)), as gateway mode stacks them.
        var metrics = new StorageMetrics(_recorder);
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Put, BlobFault.FirstCalls(2));
        var retrying = new RetryingBlobBackend(new CountingBlobBackend(flaky), NoDelays);
        var metered = new MeteredBlobBackend(retrying, metrics);
        metrics.Observe(metered);

        // Act
        await metered.PutAsync("a", new byte[3], Ct);
        await metered.GetLengthAsync("a", Ct);
        _recorder.Collect();

        // Assert
        Assert.Equal([2.0], _recorder.Values("cairn.storage.blob.retries", "blob.operation=Put"));
        Assert.Equal([3.0], _recorder.Values("cairn.storage.upstream.requests", "blob.operation=Put"));
        Assert.Equal([1.0], _recorder.Values("cairn.storage.upstream.requests", "blob.operation=GetLength"));
        Assert.Empty(_recorder.Values("cairn.storage.blob.retries", "blob.operation=GetLength"));
    }

    [Fact(Timeout = Timeout)]
    [Trait("Issue", "13")]
    public async Task With_cold_tiers_the_hot_stores_retries_and_upstream_requests_are_still_read()
    {
        // Arrange: the gateway's Retrying(Counting(Flaky)) as the hot store of a TieredBlobBackend.
        var metrics = new StorageMetrics(_recorder);
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Put, BlobFault.FirstCalls(1));
        var hot = new RetryingBlobBackend(new CountingBlobBackend(flaky), NoDelays);
        var cold = new RetryingBlobBackend(new CountingBlobBackend(new InMemoryBlobBackend()), NoDelays);
        var metered = new MeteredBlobBackend(new TieredBlobBackend(hot, new Dictionary<string, IBlobBackend> { ["COLD"] = cold }), metrics);
        metrics.Observe(metered);

        // Act
        await metered.PutAsync("a", new byte[3], Ct);
        await metered.PutAsync(TieredBlobBackend.NameIn("COLD", "a"), new byte[3], Ct);
        _recorder.Collect();

        // Assert: the hot store's counters; the tier's calls are timed above but not counted as upstream requests.
        Assert.Equal([1.0], _recorder.Values("cairn.storage.blob.retries", "blob.operation=Put"));
        Assert.Equal([2.0], _recorder.Values("cairn.storage.upstream.requests", "blob.operation=Put"));
        Assert.Equal(2, _recorder.Values("cairn.storage.blob.request.duration", "blob.operation=Put").Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_multipart_upload_listing_is_one_call()
    {
        // Arrange
        var metrics = new StorageMetrics(_recorder);
        var metered = new MeteredBlobBackend(_store, metrics);
        await metered.BeginMultipartAsync("m", Ct);

        // Act
        var uploads = new List<BlobMultipartUpload>();
        await foreach (var upload in metered.ListMultipartUploadsAsync("", Ct))
        {
            uploads.Add(upload);
        }

        // Assert
        Assert.Single(uploads);
        Assert.Single(_recorder.Values("cairn.storage.blob.request.duration", "blob.operation=ListMultipartUploads"));
        Assert.Empty(_recorder.Values("cairn.storage.blob.errors"));
    }
}
