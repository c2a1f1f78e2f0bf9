using System.Collections.Concurrent;

namespace Cairn.Metadata.Tests;

public sealed class CoalescerTests
{
    /// <summary>A batch function that records each batch and, while <see cref="Hold"/> is set, waits for it.</summary>
    private sealed class RecordingBatches
    {
        public ConcurrentQueue<int[]> Batches { get; } = new();

        public TaskCompletionSource? Hold { get; set; }

        private readonly ConcurrentDictionary<int, TaskCompletionSource> _started = new();
        private int _batchesStarted;

        public int FailBatchesContaining { get; init; } = -1;

        /// <summary>
        /// Completes when the batch numbered <paramref name="index"/> (from 0) has started (and, if
        /// held, is waiting), whether the caller asks before or after it starts.
        /// </summary>
        public Task BatchStarted(int index) => Signal(index).Task;

        private TaskCompletionSource Signal(int index) =>
            _started.GetOrAdd(index, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public async ValueTask<string[]> RunAsync(IReadOnlyList<int> requests)
        {
            Batches.Enqueue([.. requests]);
            Signal(Interlocked.Increment(ref _batchesStarted) - 1).TrySetResult();
            if (Hold is { } hold)
            {
                await hold.Task;
            }
            if (requests.Contains(FailBatchesContaining))
            {
                throw new InvalidOperationException("batch failed");
            }
            return [.. requests.Select(static r => "result" + r)];
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task A_lone_request_runs_at_once_in_a_batch_of_its_own()
    {
        // Arrange
        var batches = new RecordingBatches();
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);

        // Act
        var result = await coalescer.RunAsync(7, CancellationToken.None);

        // Assert
        Assert.Equal("result7", result);
        Assert.Equal([7], Assert.Single(batches.Batches));
    }

    [Fact(Timeout = 10_000)]
    public async Task Requests_queued_while_every_slot_is_busy_run_together_in_the_next_batch_and_never_join_a_running_one()
    {
        // Arrange: the first batch is held open.
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);
        var first = coalescer.RunAsync(0, CancellationToken.None).AsTask();
        await batches.BatchStarted(0);

        // Act
        var queued = Enumerable.Range(1, 10).Select(i => coalescer.RunAsync(i, CancellationToken.None).AsTask()).ToList();
        batches.Hold.SetResult();
        var results = await Task.WhenAll(queued);

        // Assert
        Assert.Equal("result0", await first);
        Assert.Equal(Enumerable.Range(1, 10).Select(static i => "result" + i), results);
        Assert.Equal([[0], [.. Enumerable.Range(1, 10)]], batches.Batches.ToArray());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_batch_carries_at_most_maxBatch_requests()
    {
        // Arrange
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 4, maxInFlight: 1);
        var first = coalescer.RunAsync(0, CancellationToken.None).AsTask();
        await batches.BatchStarted(0);

        // Act
        var queued = Enumerable.Range(1, 10).Select(i => coalescer.RunAsync(i, CancellationToken.None).AsTask()).ToList();
        batches.Hold.SetResult();
        await Task.WhenAll(queued.Append(first));

        // Assert
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10]], batches.Batches.ToArray());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_failed_batch_fails_each_of_its_requests_and_the_next_batch_still_runs()
    {
        // Arrange
        var batches = new RecordingBatches
        {
            Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            FailBatchesContaining = 2,
        };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);
        var first = coalescer.RunAsync(0, CancellationToken.None).AsTask();
        await batches.BatchStarted(0);
        var failing = new[] { coalescer.RunAsync(1, CancellationToken.None).AsTask(), coalescer.RunAsync(2, CancellationToken.None).AsTask() };

        // Act
        batches.Hold.SetResult();
        await first;
        var failures = await Task.WhenAll(failing.Select(static t => Assert.ThrowsAsync<InvalidOperationException>(() => t)));
        var after = await coalescer.RunAsync(3, CancellationToken.None);

        // Assert
        Assert.All(failures, static f => Assert.Equal("batch failed", f.Message));
        Assert.Equal("result3", after);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_request_cancelled_while_queued_is_dropped_and_never_runs()
    {
        // Arrange
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);
        var first = coalescer.RunAsync(0, CancellationToken.None).AsTask();
        await batches.BatchStarted(0);
        using var cancel = new CancellationTokenSource();
        var cancelled = coalescer.RunAsync(1, cancel.Token).AsTask();
        var kept = coalescer.RunAsync(2, CancellationToken.None).AsTask();

        // Act
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        batches.Hold.SetResult();
        await Task.WhenAll(first, kept);

        // Assert
        Assert.Equal([[0], [2]], batches.Batches.ToArray());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_request_cancelled_after_its_batch_started_still_gets_the_batch_outcome()
    {
        // Arrange
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);
        using var cancel = new CancellationTokenSource();
        var running = coalescer.RunAsync(5, cancel.Token).AsTask();
        await batches.BatchStarted(0);

        // Act
        await cancel.CancelAsync();
        batches.Hold.SetResult();

        // Assert
        Assert.Equal("result5", await running);
    }

    [Fact(Timeout = 10_000)]
    public async Task Batches_run_side_by_side_up_to_maxInFlight()
    {
        // Arrange: every batch is held, so each new request finds the earlier batches still running.
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 3);
        var requests = new List<Task<string>>();
        for (var i = 0; i < 3; i++)
        {
            requests.Add(coalescer.RunAsync(i, CancellationToken.None).AsTask());
            await batches.BatchStarted(i);
        }

        // Act: a fourth waits for a slot.
        requests.Add(coalescer.RunAsync(3, CancellationToken.None).AsTask());
        await Task.Delay(50);
        var runningBeforeRelease = batches.Batches.Count;
        batches.Hold.SetResult();
        await Task.WhenAll(requests);

        // Assert
        Assert.Equal(3, runningBeforeRelease);
        Assert.Equal([[0], [1], [2], [3]], batches.Batches.ToArray());
    }

    [Fact(Timeout = 10_000)]
    public async Task Dispose_runs_the_queued_requests_then_refuses_new_ones()
    {
        // Arrange
        var batches = new RecordingBatches { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var coalescer = new Coalescer<int, string>(batches.RunAsync, maxBatch: 64, maxInFlight: 1);
        var first = coalescer.RunAsync(0, CancellationToken.None).AsTask();
        await batches.BatchStarted(0);
        var queued = coalescer.RunAsync(1, CancellationToken.None).AsTask();

        // Act
        var disposing = coalescer.DisposeAsync().AsTask();
        batches.Hold.SetResult();
        await disposing;

        // Assert
        Assert.Equal("result0", await first);
        Assert.Equal("result1", await queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => coalescer.RunAsync(2, CancellationToken.None).AsTask());
    }
}
