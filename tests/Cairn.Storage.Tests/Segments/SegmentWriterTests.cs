namespace Cairn.Storage.Tests.Segments;

/// <summary>The group flush and the failure rule of <see cref="SegmentWriter"/>, on a writer whose fsync the test controls.</summary>
public sealed class SegmentWriterTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact(Timeout = 10_000)]
    public async Task Writers_that_ask_while_a_flush_runs_wait_for_it_and_one_more_covers_them_all()
    {
        await using var writer = new ControlledWriter();
        await writer.AppendAsync(new byte[10], ReadOnlyMemory<byte>.Empty, Ct);
        var first = writer.FlushAsync(10, Ct).AsTask();
        await writer.Started.WaitAsync(Ct);

        // Appended while the first flush runs: it covers only the first 10 bytes.
        var waiting = new List<Task>();
        for (var i = 0; i < 8; i++)
        {
            var offset = await writer.AppendAsync(new byte[5], ReadOnlyMemory<byte>.Empty, Ct);
            waiting.Add(writer.FlushAsync(offset + 5, Ct).AsTask());
        }
        writer.Release();
        await first;
        await writer.Started.WaitAsync(Ct);
        writer.Release();
        await Task.WhenAll(waiting);

        Assert.Equal(2, writer.Syncs);
        Assert.Equal(50, writer.DurableLength);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_failed_flush_fails_every_waiter_and_breaks_the_writer_for_good()
    {
        await using var writer = new ControlledWriter { FailSync = true };
        await writer.AppendAsync(new byte[10], ReadOnlyMemory<byte>.Empty, Ct);
        var flushes = Enumerable.Range(0, 3).Select(_ => writer.FlushAsync(10, Ct).AsTask()).ToList();
        await writer.Started.WaitAsync(Ct);
        writer.Release();

        foreach (var flush in flushes)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => flush);
        }
        writer.FailSync = false;
        await Assert.ThrowsAsync<IOException>(async () => await writer.AppendAsync(new byte[1], ReadOnlyMemory<byte>.Empty, Ct));
        await Assert.ThrowsAsync<IOException>(async () => await writer.FlushAsync(10, Ct));
        Assert.Equal(0, writer.DurableLength);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_flush_of_bytes_already_durable_returns_without_an_fsync()
    {
        await using var writer = new ControlledWriter { Blocking = false };
        await writer.AppendAsync(new byte[4], ReadOnlyMemory<byte>.Empty, Ct);
        await writer.FlushAsync(4, Ct);
        await writer.FlushAsync(4, Ct);
        await writer.FlushAsync(0, Ct);

        Assert.Equal(1, writer.Syncs);
    }

    private sealed class ControlledWriter() : SegmentWriter("test", 0)
    {
        private readonly SemaphoreSlim _releases = new(0);

        /// <summary>Released once as each sync begins.</summary>
        public SemaphoreSlim Started { get; } = new(0);

        public bool Blocking { get; init; } = true;

        public bool FailSync { get; set; }

        public int Syncs { get; private set; }

        /// <summary>Lets one waiting sync finish.</summary>
        public void Release() => _releases.Release();

        protected override ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        protected override async ValueTask SyncAsync()
        {
            Syncs++;
            Started.Release();
            if (Blocking)
            {
                await _releases.WaitAsync();
            }
            if (FailSync)
            {
                throw new IOException("fsync: EIO");
            }
        }

        protected override ValueTask CloseAsync() => ValueTask.CompletedTask;
    }
}
