namespace Cairn.Storage.Tests;

public sealed class BlobBackendExtensionsTests
{
    private const int Timeout = 10_000;

    private static CancellationToken Ct => CancellationToken.None;

    [Fact(Timeout = Timeout)]
    public async Task DeleteAll_sends_batches_of_at_most_1000_names()
    {
        // Arrange
        var store = new InMemoryBlobBackend();
        var names = Enumerable.Range(0, 2_345).Select(i => $"d/{i:D5}").ToArray();
        foreach (var name in names)
        {
            await store.PutAsync(name, new byte[1], Ct);
        }
        var counting = new CountingBlobBackend(store);

        // Act
        var failures = await counting.DeleteAllAsync(names, Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Equal(0, store.Count);
        Assert.Equal(3, counting.Count(BlobOperation.DeleteMany));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteAll_of_nothing_sends_nothing()
    {
        // Arrange
        var counting = new CountingBlobBackend(new InMemoryBlobBackend());

        // Act
        var failures = await counting.DeleteAllAsync([], Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Equal(0, counting.Total);
    }

    [Fact(Timeout = Timeout)]
    public async Task ListEntries_returns_names_with_lengths_across_pages()
    {
        // Arrange
        var store = new InMemoryBlobBackend();
        for (var i = 0; i < 1_001; i++)
        {
            await store.PutAsync($"e/{i:D4}", new byte[i % 7], Ct);
        }

        // Act
        var entries = new List<BlobListEntry>();
        await foreach (var entry in store.ListEntriesAsync("e/", Ct))
        {
            entries.Add(entry);
        }

        // Assert
        Assert.Equal(1_001, entries.Count);
        Assert.All(entries, e => Assert.Equal(int.Parse(e.Name[2..], System.Globalization.CultureInfo.InvariantCulture) % 7, e.Length));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_backend_whose_cursor_does_not_advance_fails_the_listing_instead_of_looping()
    {
        // Arrange
        var stuck = new StuckCursorBackend(new InMemoryBlobBackend());

        // Act + Assert
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () =>
        {
            await foreach (var _ in stuck.ListAsync("", Ct))
            {
            }
        });
        Assert.False(ex.IsTransient);
    }

    /// <summary>Returns the same one-entry page with the same cursor forever.</summary>
    private sealed class StuckCursorBackend(IBlobBackend inner) : DelegatingBlobBackend(inner)
    {
        protected override ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
        {
            if (operation == BlobOperation.ListPage)
            {
                return ValueTask.FromResult((TResult)(object)new BlobListPage([new BlobListEntry("a", 1)], "a"));
            }
            return call(Inner, state, cancellationToken);
        }

        public override IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken) =>
            Inner.ListMultipartUploadsAsync(prefix, cancellationToken);
    }
}
