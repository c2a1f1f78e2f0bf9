namespace Cairn.Storage.Tests;

public sealed class RetryingBlobBackendTests
{
    private const int Timeout = 10_000;

    private static CancellationToken Ct => CancellationToken.None;

    private static readonly BlobRetryOptions NoDelays = new() { MaxAttempts = 4, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };

    private readonly InMemoryBlobBackend _store = new();

    [Fact(Timeout = Timeout)]
    public async Task Transient_failures_are_retried_until_the_call_succeeds()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Put, BlobFault.FirstCalls(2));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        await retrying.PutAsync("a", new byte[5], Ct);

        // Assert
        Assert.Equal(5, await _store.GetLengthAsync("a", Ct));
        Assert.Equal(3, flaky.CallCount(BlobOperation.Put));
        Assert.Equal(3, retrying.Attempts(BlobOperation.Put));
        Assert.Equal(2, retrying.Retries(BlobOperation.Put));
        Assert.Equal(0, retrying.Exhausted(BlobOperation.Put));
    }

    [Fact(Timeout = Timeout)]
    public async Task Exhausted_retries_surface_the_transient_failure()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Read, BlobFault.Always(isTransient: true));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await retrying.ReadAsync("a", 0, new byte[1], Ct));

        // Assert
        Assert.True(ex.IsTransient);
        Assert.Equal(4, flaky.CallCount(BlobOperation.Read));
        Assert.Equal(3, retrying.Retries(BlobOperation.Read));
        Assert.Equal(1, retrying.Exhausted(BlobOperation.Read));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_non_transient_failure_surfaces_after_exactly_one_attempt()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.UploadPart, BlobFault.Always(isTransient: false));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);
        var uploadId = await retrying.BeginMultipartAsync("m", Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await retrying.UploadPartAsync("m", uploadId, 1, new byte[1], Ct));

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Equal(1, flaky.CallCount(BlobOperation.UploadPart));
        Assert.Equal(1, retrying.Attempts(BlobOperation.UploadPart));
        Assert.Equal(0, retrying.TotalRetries);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_missing_blob_and_a_bad_argument_surface_at_once()
    {
        // Arrange
        var retrying = new RetryingBlobBackend(_store, NoDelays);

        // Act + Assert
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await retrying.ReadAsync("missing", 0, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await retrying.PutAsync("../bad", new byte[1], Ct));
        Assert.Equal(1, retrying.Attempts(BlobOperation.Read));
        Assert.Equal(1, retrying.Attempts(BlobOperation.Put));
        Assert.Equal(0, retrying.TotalRetries);
    }

    [Fact(Timeout = Timeout)]
    public async Task Waits_are_full_jitter_below_the_doubling_ceiling_and_the_cap()
    {
        // Arrange
        var options = new BlobRetryOptions { MaxAttempts = 8, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) };
        var clock = new ManualTimeProvider();
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.GetLength, BlobFault.FirstCalls(7));
        var retrying = new RetryingBlobBackend(flaky, options, clock, new Random(3));
        var waits = new List<(int Attempt, TimeSpan Delay)>();
        retrying.OnRetry = (_, attempt, delay, _) => waits.Add((attempt, delay));

        // Act: let each wait pass on the fake clock as soon as it is registered.
        var call = retrying.GetLengthAsync("a", Ct).AsTask();
        for (var i = 0; i < 200 && !call.IsCompleted; i++)
        {
            clock.Advance(options.MaxDelay);
            await Task.Delay(5, Ct);
        }
        var length = await call;

        // Assert
        Assert.Null(length);
        Assert.Equal(7, waits.Count);
        foreach (var (attempt, delay) in waits)
        {
            var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            Assert.InRange(delay.TotalMilliseconds, 0, ceiling);
        }
        Assert.Contains(waits, w => w.Delay > TimeSpan.Zero);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_wait_does_not_end_before_the_clock_moves()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        var options = new BlobRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1) };
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Delete, BlobFault.FirstCalls(1));
        var retrying = new RetryingBlobBackend(flaky, options, clock, new Random(1));

        // Act
        var call = retrying.DeleteAsync("a", Ct).AsTask();
        for (var i = 0; i < 100 && clock.PendingTimers == 0; i++)
        {
            await Task.Delay(5, Ct);
        }
        await Task.Delay(20, Ct);
        var doneBeforeAdvance = call.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(1));
        await call;

        // Assert
        Assert.False(doneBeforeAdvance);
        Assert.Equal(2, flaky.CallCount(BlobOperation.Delete));
    }

    [Fact(Timeout = Timeout)]
    public async Task Cancelling_during_a_wait_ends_the_call_with_OperationCanceledException()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        var options = new BlobRetryOptions { MaxAttempts = 5, BaseDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(1) };
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Put, BlobFault.Always());
        var retrying = new RetryingBlobBackend(flaky, options, clock, new Random(1));
        using var cts = new CancellationTokenSource();

        // Act
        var call = retrying.PutAsync("a", new byte[1], cts.Token).AsTask();
        for (var i = 0; i < 100 && clock.PendingTimers == 0 && !call.IsCompleted; i++)
        {
            await Task.Delay(5, Ct);
        }
        await cts.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, flaky.CallCount(BlobOperation.Put));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_whose_lost_reply_hid_a_landed_create_reports_true()
    {
        // Arrange: the first attempt writes, then its reply is lost (a transient failure).
        var flaky = new FlakyBlobBackend(_store)
            .Inject(BlobOperation.PutIfAbsent, BlobFault.OnCall(1) with { FailAfterInner = true });
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        var created = await retrying.PutIfAbsentAsync("c", new byte[] { 1, 2, 3 }, Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(2, flaky.CallCount(BlobOperation.PutIfAbsent));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_retried_onto_someone_elses_blob_reports_false()
    {
        // Arrange: the first attempt fails before writing; meanwhile another writer creates the name.
        await _store.PutAsync("c", new byte[] { 9, 9, 9 }, Ct);
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.PutIfAbsent, BlobFault.OnCall(1));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        var created = await retrying.PutIfAbsentAsync("c", new byte[] { 1, 2, 3 }, Ct);

        // Assert
        Assert.False(created);
        Assert.Equal(new byte[] { 9, 9, 9 }, await ReadAsync("c", 3));
    }

    [Fact(Timeout = Timeout)]
    public async Task ListMultipartUploads_is_retried_when_it_fails_before_the_first_upload()
    {
        // Arrange
        await _store.BeginMultipartAsync("u/a", Ct);
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.ListMultipartUploads, BlobFault.FirstCalls(1));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        var names = new List<string>();
        await foreach (var upload in retrying.ListMultipartUploadsAsync("", Ct))
        {
            names.Add(upload.Name);
        }

        // Assert
        Assert.Equal(["u/a"], names);
        Assert.Equal(1, retrying.Retries(BlobOperation.ListMultipartUploads));
    }

    [Fact(Timeout = Timeout)]
    public async Task ListAsync_through_the_decorator_retries_each_page()
    {
        // Arrange
        await _store.PutAsync("x", new byte[1], Ct);
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.ListPage, BlobFault.FirstCalls(2));
        var retrying = new RetryingBlobBackend(flaky, NoDelays);

        // Act
        var names = new List<string>();
        await foreach (var name in retrying.ListAsync("", Ct))
        {
            names.Add(name);
        }

        // Assert
        Assert.Equal(["x"], names);
        Assert.Equal(2, retrying.Retries(BlobOperation.ListPage));
    }

    [Theory]
    [InlineData(0, 100, 1000)]
    [InlineData(101, 100, 1000)]
    [InlineData(3, -1, 1000)]
    [InlineData(3, 2000, 1000)]
    public void Out_of_range_options_are_rejected(int maxAttempts, int baseMs, int maxMs)
    {
        var options = new BlobRetryOptions
        {
            MaxAttempts = maxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(baseMs),
            MaxDelay = TimeSpan.FromMilliseconds(maxMs),
        };
        Assert.Throws<ArgumentException>(() => new RetryingBlobBackend(_store, options));
    }

    private async Task<byte[]> ReadAsync(string name, int length)
    {
        var buffer = new byte[length];
        Assert.Equal(length, await _store.ReadAsync(name, 0, buffer, Ct));
        return buffer;
    }
}
