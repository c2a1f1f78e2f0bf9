using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Metadata.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

public sealed class EngineMetricsTests : IDisposable
{
    private readonly MeasurementRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task The_sweeper_refreshes_the_delete_queue_gauges_and_the_age_grows_between_sweeps()
    {
        // Arrange: a deleted object queues its four chunk blobs for after the grace period.
        await using var engine = await EngineHarness.CreateAsync();
        var metrics = new EngineMetrics(_recorder, engine.Clock);
        var sweeper = new DeleteQueueSweeper(engine.Metadata, engine.Metadata, engine.Flaky, engine.Pins, engine.Options, engine.Clock,
            NullLogger<DeleteQueueSweeper>.Instance, metrics);
        await engine.PutAsync("k", EngineHarness.RandomBytes(200 * 1024, seed: 1));
        await engine.Objects.DeleteAsync(EngineHarness.Bucket, "k", CancellationToken.None);

        // Act + Assert: nothing is reported before the first sweep.
        _recorder.Collect();
        Assert.Empty(_recorder.Values("cairn.delete_queue.depth"));

        // Act + Assert: within the grace period the four entries wait, none due.
        await sweeper.SweepAllDueAsync(CancellationToken.None);
        _recorder.Collect();
        Assert.Equal([4.0], _recorder.Values("cairn.delete_queue.depth"));
        Assert.Equal([0.0], _recorder.Values("cairn.delete_queue.oldest_due.age"));

        // Act + Assert: 30 s after they became due, with no sweep since, the gauge shows it.
        engine.Clock.Advance(engine.Options.GracePeriod + TimeSpan.FromSeconds(30));
        _recorder.Collect();
        Assert.Equal(30.0, _recorder.Values("cairn.delete_queue.oldest_due.age")[^1], precision: 3);

        // Act + Assert: the sweep deletes them and empties the queue.
        Assert.Equal(4, await sweeper.SweepAllDueAsync(CancellationToken.None));
        _recorder.Collect();
        Assert.Equal(0.0, _recorder.Values("cairn.delete_queue.depth")[^1]);
        Assert.Equal(0.0, _recorder.Values("cairn.delete_queue.oldest_due.age")[^1]);
        Assert.Equal(4.0, _recorder.Values("cairn.delete_queue.blobs_deleted").Sum());
    }

    [Fact(Timeout = 30_000)]
    public async Task The_worker_host_counts_each_step_by_worker_and_outcome()
    {
        // Arrange: one worker busy twice then done; one that throws.
        var metrics = new EngineMetrics(_recorder);
        IWorker[] workers = [new ScriptedWorker("scripted", WorkerState.Busy, WorkerState.Busy, WorkerState.Done), new FailingWorker()];
        await using var catalog = MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory }));
        await catalog.Schema.MigrateAsync(CancellationToken.None);
        using var host = new WorkerHost(workers, catalog.Leases, new EngineOptions { NodeId = "node-a" }, TimeProvider.System,
            NullLogger<WorkerHost>.Instance, metrics);

        // Act
        await host.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_recorder.Values("cairn.worker.runs", "worker=failing,outcome=failed").Count == 0
            || _recorder.Values("cairn.worker.runs", "worker=scripted,outcome=done").Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the workers did not run");
            await Task.Delay(10);
        }
        await host.StopAsync(CancellationToken.None);

        // Assert
        Assert.Equal(2, _recorder.Values("cairn.worker.runs", "worker=scripted,outcome=busy").Count);
        Assert.Single(_recorder.Values("cairn.worker.runs", "worker=scripted,outcome=done"));
        Assert.Single(_recorder.Values("cairn.worker.runs", "worker=failing,outcome=failed"));
    }

    [Fact]
    public void LeaseHeld_reports_one_series_per_worker_and_node_with_the_latest_value()
    {
        // Arrange
        var metrics = new EngineMetrics(_recorder);

        // Act
        metrics.LeaseHeld("delete-queue-sweeper", "node-a", held: true);
        metrics.LeaseHeld("delete-queue-sweeper", "node-b", held: true);
        metrics.LeaseHeld("delete-queue-sweeper", "node-b", held: false);
        _recorder.Collect();

        // Assert
        Assert.Equal([1.0], _recorder.Values("cairn.worker.lease.held", "worker=delete-queue-sweeper,node=node-a"));
        Assert.Equal([0.0], _recorder.Values("cairn.worker.lease.held", "worker=delete-queue-sweeper,node=node-b"));
    }

    [Fact]
    public void JournalPruned_adds_the_entries_deleted_and_nothing_for_an_empty_step()
    {
        // Arrange
        var metrics = new EngineMetrics(_recorder);

        // Act
        metrics.JournalPruned(0);
        metrics.JournalPruned(7);
        metrics.JournalPruned(5_000);

        // Assert
        Assert.Equal([7.0, 5_000.0], _recorder.Values("cairn.journal.pruned_entries"));
    }

    private sealed class ScriptedWorker(string name, params WorkerState[] states) : IWorker
    {
        private int _step;

        public string Name => name;

        public string Status => "scripted";

        public Task<WorkerState> WorkAsync(CancellationToken cancellationToken) => Task.FromResult(states[Math.Min(_step++, states.Length - 1)]);

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private sealed class FailingWorker : IWorker
    {
        public string Name => "failing";

        public string Status => "failing";

        public Task<WorkerState> WorkAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("broken");

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
