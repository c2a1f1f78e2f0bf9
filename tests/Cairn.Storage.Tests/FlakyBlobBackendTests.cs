namespace Cairn.Storage.Tests;

public sealed class FlakyBlobBackendTests
{
    private const int Timeout = 10_000;

    private static CancellationToken Ct => CancellationToken.None;

    private readonly InMemoryBlobBackend _inner = new();

    [Fact(Timeout = Timeout)]
    public async Task Without_rules_every_call_reaches_the_inner_backend_and_is_counted()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner);

        // Act
        await flaky.PutAsync("a", new byte[3], Ct);
        await flaky.PutIfAbsentAsync("b", new byte[3], Ct);
        await flaky.ReadAsync("a", 0, new byte[3], Ct);
        await flaky.GetLengthAsync("a", Ct);
        await flaky.ListPageAsync("", null, 10, Ct);
        await flaky.DeleteAsync("a", Ct);
        await flaky.DeleteManyAsync(["b"], Ct);
        var uploadId = await flaky.BeginMultipartAsync("m", Ct);
        var part = await flaky.UploadPartAsync("m", uploadId, 1, new byte[1], Ct);
        await flaky.CompleteMultipartAsync("m", uploadId, [part], Ct);
        await flaky.AbortMultipartAsync("m", uploadId, Ct);
        await foreach (var _ in flaky.ListMultipartUploadsAsync("", Ct))
        {
        }
        await flaky.DeleteAsync("m", Ct);

        // Assert
        foreach (var operation in Enum.GetValues<BlobOperation>())
        {
            Assert.Equal(operation == BlobOperation.Delete ? 2 : 1, flaky.CallCount(operation));
            Assert.Equal(0, flaky.FailureCount(operation));
        }
        Assert.Equal(0, _inner.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task OnCall_fails_only_the_Nth_put_with_a_transient_error_and_nothing_lands()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.Put, BlobFault.OnCall(3));

        // Act
        var outcomes = new List<bool>();
        for (var i = 1; i <= 5; i++)
        {
            try
            {
                await flaky.PutAsync($"blob-{i}", new byte[1], Ct);
                outcomes.Add(true);
            }
            catch (BlobBackendException ex)
            {
                Assert.True(ex.IsTransient);
                outcomes.Add(false);
            }
        }

        // Assert
        Assert.Equal([true, true, false, true, true], outcomes);
        Assert.Null(await _inner.GetLengthAsync("blob-3", Ct));
        Assert.Equal(5, flaky.CallCount(BlobOperation.Put));
        Assert.Equal(1, flaky.FailureCount(BlobOperation.Put));
    }

    [Fact(Timeout = Timeout)]
    public async Task FailAfterInner_lands_the_write_but_reports_a_failure()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner)
            .Inject(BlobOperation.Put, BlobFault.OnCall(1, isTransient: false) with { FailAfterInner = true });

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await flaky.PutAsync("orphan", new byte[7], Ct));

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Equal(7, await _inner.GetLengthAsync("orphan", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_failure_rate_with_the_same_seed_fails_the_same_calls()
    {
        // Arrange
        static async Task<List<int>> FailedCallsAsync(int seed)
        {
            var flaky = new FlakyBlobBackend(new InMemoryBlobBackend(), seed).Inject(BlobOperation.GetLength, BlobFault.Rate(0.3));
            var failed = new List<int>();
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    await flaky.GetLengthAsync("x", Ct);
                }
                catch (BlobBackendException)
                {
                    failed.Add(i);
                }
            }
            return failed;
        }

        // Act
        var first = await FailedCallsAsync(seed: 42);
        var second = await FailedCallsAsync(seed: 42);

        // Assert
        Assert.Equal(first, second);
        Assert.InRange(first.Count, 30, 90);
    }

    [Fact(Timeout = Timeout)]
    public async Task Rules_apply_only_to_their_operation_and_Clear_removes_them()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.Read, BlobFault.Always());
        await flaky.PutAsync("a", new byte[2], Ct);

        // Act + Assert
        await Assert.ThrowsAsync<BlobBackendException>(async () => await flaky.ReadAsync("a", 0, new byte[2], Ct));
        Assert.Equal(2, await flaky.GetLengthAsync("a", Ct));
        flaky.Clear(BlobOperation.Read);
        Assert.Equal(2, await flaky.ReadAsync("a", 0, new byte[2], Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task List_failures_surface_when_enumeration_starts()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.ListPage, BlobFault.Always());
        await _inner.PutAsync("a", new byte[1], Ct);

        // Act + Assert
        await Assert.ThrowsAsync<BlobBackendException>(async () =>
        {
            await foreach (var _ in flaky.ListAsync("", Ct))
            {
            }
        });
        Assert.Equal(1, flaky.FailureCount(BlobOperation.ListPage));
    }

    [Fact(Timeout = Timeout)]
    public async Task Slow_delays_each_call_on_the_injected_clock()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        var flaky = new FlakyBlobBackend(_inner, timeProvider: clock).Inject(BlobOperation.Delete, BlobFault.Slow(TimeSpan.FromSeconds(5)));

        // Act
        var delete = flaky.DeleteAsync("a", Ct).AsTask();
        await Task.Delay(50, Ct);
        var completedBeforeAdvance = delete.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(5));
        await delete;

        // Assert
        Assert.False(completedBeforeAdvance);
        Assert.Equal(1, flaky.CallCount(BlobOperation.Delete));
    }

    [Fact(Timeout = Timeout)]
    public async Task Concurrent_calls_are_all_counted()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.Put, BlobFault.Rate(0.5));
        var failures = 0;

        // Act
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), async (i, ct) =>
        {
            try
            {
                await flaky.PutAsync($"p/{i}", new byte[1], ct);
            }
            catch (BlobBackendException)
            {
                Interlocked.Increment(ref failures);
            }
        });

        // Assert
        Assert.Equal(400, flaky.CallCount(BlobOperation.Put));
        Assert.Equal(failures, flaky.FailureCount(BlobOperation.Put));
        Assert.Equal(400 - failures, _inner.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task FirstCalls_fails_that_many_calls_and_then_lets_calls_through()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.GetLength, BlobFault.FirstCalls(2));

        // Act
        var outcomes = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            try
            {
                await flaky.GetLengthAsync("x", Ct);
                outcomes.Add(true);
            }
            catch (BlobBackendException)
            {
                outcomes.Add(false);
            }
        }

        // Assert
        Assert.Equal([false, false, true, true], outcomes);
    }

    [Fact(Timeout = Timeout)]
    public async Task Multipart_calls_are_faulted_and_counted_like_the_others()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_inner).Inject(BlobOperation.UploadPart, BlobFault.OnCall(1, isTransient: false));
        var uploadId = await flaky.BeginMultipartAsync("m", Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await flaky.UploadPartAsync("m", uploadId, 1, new byte[3], Ct));
        var part = await flaky.UploadPartAsync("m", uploadId, 1, new byte[3], Ct);
        await flaky.CompleteMultipartAsync("m", uploadId, [part], Ct);

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Equal(2, flaky.CallCount(BlobOperation.UploadPart));
        Assert.Equal(1, flaky.FailureCount(BlobOperation.UploadPart));
        Assert.Equal(3, await _inner.GetLengthAsync("m", Ct));
    }

    [Fact]
    public void Fault_factories_reject_out_of_range_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BlobFault.FirstCalls(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlobFault.OnCall(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlobFault.Rate(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlobFault.Rate(double.NaN));
    }
}
