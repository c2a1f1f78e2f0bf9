using System.Threading.Channels;

namespace Cairn.Metadata;

/// <summary>
/// Runs concurrent requests of one kind as batches: each call waits in a queue, and a loop hands
/// every request waiting (up to <c>maxBatch</c>) to one call of the batch function, with at most
/// <c>maxInFlight</c> batches running at once. Against a database in another process this turns N
/// round trips (N statements, N wake-ups of N server backends) into one, which is what bounds the
/// rate of small requests there (see the store's <c>CoalesceLookupsAndCreates</c>).
/// </summary>
/// <remarks>
/// <para>No timer: when a slot is free and a request waits, a batch starts at once, so a lone
/// request pays one queue hop and no delay; requests that arrive while every slot is busy form
/// the next batch, so batches grow exactly when the database is the bottleneck.</para>
/// <para>A request joins only a batch that starts after the request was queued, never one that is
/// already running: a read queued after a write was acknowledged sees that write.</para>
/// <para>A caller that cancels while queued is dropped; once its batch has started it waits for the
/// outcome (a create that committed must not be reported as cancelled).</para>
/// </remarks>
internal sealed class Coalescer<TRequest, TResult> : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<TRequest>, ValueTask<TResult[]>> _runBatch;
    private readonly int _maxBatch;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxInFlight;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    /// <param name="runBatch">Answers a batch: one result per request, in the same order. An exception fails every request of the batch.</param>
    /// <param name="maxBatch">The most requests one batch carries.</param>
    /// <param name="maxInFlight">The most batches running at once.</param>
    public Coalescer(Func<IReadOnlyList<TRequest>, ValueTask<TResult[]>> runBatch, int maxBatch, int maxInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _runBatch = runBatch;
        _maxBatch = maxBatch;
        _maxInFlight = maxInFlight;
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>Queues <paramref name="request"/> for the next batch and returns its result.</summary>
    /// <exception cref="ObjectDisposedException">The coalescer is shutting down.</exception>
    public async ValueTask<TResult> RunAsync(TRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(request);
        await using var registration = pending.CancelWhileQueued(cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(Coalescer<TRequest, TResult>));
        }
        return await pending.Completion.ConfigureAwait(false);
    }

    /// <summary>Refuses new requests, runs the queued ones, and waits for every batch to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        for (var i = 0; i < _maxInFlight; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }
        _slots.Dispose();
    }

    private async Task RunLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // The slot is taken before the queue is drained: while every slot is busy, requests
            // keep arriving and the batch that gets the next slot carries them all.
            await _slots.WaitAsync().ConfigureAwait(false);
            var batch = new List<Pending>(Math.Min(_maxBatch, 64));
            while (batch.Count < _maxBatch && reader.TryRead(out var pending))
            {
                if (pending.TryStart())
                {
                    batch.Add(pending);
                }
            }
            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }
            _ = RunBatchAsync(batch);
        }
    }

    private async Task RunBatchAsync(List<Pending> batch)
    {
        try
        {
            var requests = new TRequest[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                requests[i] = batch[i].Request;
            }
            TResult[] results;
            try
            {
                results = await _runBatch(requests).ConfigureAwait(false);
                if (results.Length != batch.Count)
                {
                    throw new InvalidOperationException($"A batch of {batch.Count} requests returned {results.Length} results.");
                }
            }
            catch (Exception exception)
            {
                foreach (var pending in batch)
                {
                    pending.Fail(exception);
                }
                return;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Succeed(results[i]);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private sealed class Pending(TRequest request)
    {
        private const int Queued = 0;
        private const int Started = 1;
        private const int Cancelled = 2;

        // Continuations run on the thread pool, not inline on the batch: one caller's code never
        // delays the others' answers.
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _phase = Queued;

        public TRequest Request => request;

        public Task<TResult> Completion => _completion.Task;

        public bool TryStart() => Interlocked.CompareExchange(ref _phase, Started, Queued) == Queued;

        public CancellationTokenRegistration CancelWhileQueued(CancellationToken cancellationToken) =>
            cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var pending = (Pending)state!;
                if (Interlocked.CompareExchange(ref pending._phase, Cancelled, Queued) == Queued)
                {
                    pending._completion.TrySetCanceled(token);
                }
            }, this);

        public void Succeed(TResult result) => _completion.TrySetResult(result);

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
