namespace Cairn.Storage.Tests;

public sealed class CountingBlobBackendTests
{
    private const int Timeout = 10_000;

    private static CancellationToken Ct => CancellationToken.None;

    [Fact(Timeout = Timeout)]
    public async Task Each_call_counts_once_under_its_operation_failed_ones_included()
    {
        // Arrange
        var counting = new CountingBlobBackend(new InMemoryBlobBackend());

        // Act
        await counting.PutAsync("a", new byte[1], Ct);
        await counting.PutAsync("b", new byte[1], Ct);
        await counting.GetLengthAsync("a", Ct);
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await counting.ReadAsync("missing", 0, new byte[1], Ct));
        await counting.DeleteManyAsync(["a", "b"], Ct);
        await foreach (var _ in counting.ListMultipartUploadsAsync("", Ct))
        {
        }

        // Assert
        Assert.Equal(new Dictionary<BlobOperation, long>
        {
            [BlobOperation.Put] = 2,
            [BlobOperation.GetLength] = 1,
            [BlobOperation.Read] = 1,
            [BlobOperation.DeleteMany] = 1,
            [BlobOperation.ListMultipartUploads] = 1,
        }, counting.Snapshot());
        Assert.Equal(6, counting.Total);
    }

    [Fact(Timeout = Timeout)]
    public async Task ListAsync_counts_one_request_per_page()
    {
        // Arrange: 2,500 names need three pages of 1,000.
        var store = new InMemoryBlobBackend();
        for (var i = 0; i < 2_500; i++)
        {
            await store.PutAsync($"n/{i:D5}", new byte[1], Ct);
        }
        var counting = new CountingBlobBackend(store);

        // Act
        var count = 0;
        await foreach (var _ in counting.ListAsync("n/", Ct))
        {
            count++;
        }

        // Assert
        Assert.Equal(2_500, count);
        Assert.Equal(3, counting.Count(BlobOperation.ListPage));
    }

    [Fact(Timeout = Timeout)]
    public async Task Reset_sets_every_count_to_zero()
    {
        // Arrange
        var counting = new CountingBlobBackend(new InMemoryBlobBackend());
        await counting.PutAsync("a", new byte[1], Ct);

        // Act
        counting.Reset();

        // Assert
        Assert.Equal(0, counting.Total);
        Assert.Empty(counting.Snapshot());
    }

    [Fact(Timeout = Timeout)]
    public async Task Inside_the_retry_decorator_every_attempt_is_a_counted_request()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(new InMemoryBlobBackend()).Inject(BlobOperation.Put, BlobFault.FirstCalls(2));
        var counting = new CountingBlobBackend(flaky);
        var retrying = new RetryingBlobBackend(counting, new BlobRetryOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        // Act
        await retrying.PutAsync("a", new byte[1], Ct);

        // Assert
        Assert.Equal(3, counting.Count(BlobOperation.Put));
    }
}
