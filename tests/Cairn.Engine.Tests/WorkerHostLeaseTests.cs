using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Metadata.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// Singleton workers across nodes: two worker hosts ("nodes") on one catalog file, each with a worker
/// of the same name. Leases expire by the database's clock, so these tests run on real time with a
/// one-second lease and bounded waits.
/// </summary>
public sealed class WorkerHostLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-leases-").FullName;
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task Only_one_node_runs_a_singleton_worker()
    {
        // Arrange: a lease long enough that a node starved of CPU on a busy machine still renews in time.
        var a = await StartNodeAsync("node-a", TimeSpan.FromSeconds(5));
        var b = await StartNodeAsync("node-b", TimeSpan.FromSeconds(5));

        // Act
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Assert: one node ran steps, the other none; each knows which.
        var runs = new[] { a.Worker.Steps, b.Worker.Steps };
        Assert.True(runs.Count(static steps => steps > 0) == 1, $"steps: {runs[0]} and {runs[1]}");
        Assert.Equal(a.Worker.Steps > 0, a.Host.LeasesHeld[CountingWorker.WorkerName]);
        Assert.Equal(b.Worker.Steps > 0, b.Host.LeasesHeld[CountingWorker.WorkerName]);
        var lease = Assert.Single((await a.Catalog.Leases.ListLeasesAsync(CancellationToken.None)).Leases);
        Assert.Equal(a.Worker.Steps > 0 ? "node-a" : "node-b", lease.Holder);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_dead_holders_work_is_taken_over_after_the_lease_time()
    {
        // Arrange: node-a holds the lease before node-b starts.
        var a = await StartNodeAsync("node-a");
        await WaitUntilAsync(() => a.Worker.Steps > 0);
        var b = await StartNodeAsync("node-b");
        await Task.Delay(LeaseTime);
        Assert.Equal(0, b.Worker.Steps);

        // Act: node-a dies: its catalog stops answering, so it can neither renew nor release.
        var diedAt = DateTime.UtcNow;
        a.Leases.Dead = true;
        var stepsAtDeath = a.Worker.Steps;
        await WaitUntilAsync(() => b.Worker.Steps > 0);
        var takenOverAfter = DateTime.UtcNow - diedAt;

        // Assert: within the lease time plus one renewal interval (and scheduling slack), and node-a did nothing more.
        Assert.True(takenOverAfter < LeaseTime + LeaseTime / 3 + TimeSpan.FromSeconds(2), $"taken over after {takenOverAfter}");
        Assert.InRange(a.Worker.Steps - stepsAtDeath, 0, 1);
        Assert.Equal("node-b", Assert.Single((await b.Catalog.Leases.ListLeasesAsync(CancellationToken.None)).Leases).Holder);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_node_that_stops_gives_its_lease_up_at_once()
    {
        // Arrange
        var a = await StartNodeAsync("node-a");
        await WaitUntilAsync(() => a.Worker.Steps > 0);
        var b = await StartNodeAsync("node-b");

        // Act
        await a.Host.StopAsync(CancellationToken.None);
        var stepsAtStop = a.Worker.Steps;
        await WaitUntilAsync(() => b.Worker.Steps > 0);

        // Assert
        Assert.Equal(stepsAtStop, a.Worker.Steps);
        Assert.False(a.Host.LeasesHeld[CountingWorker.WorkerName]);
        var lease = Assert.Single((await b.Catalog.Leases.ListLeasesAsync(CancellationToken.None)).Leases);
        Assert.Equal(("node-b", 2L), (lease.Holder, lease.Generation));
    }

    private async Task<Node> StartNodeAsync(string name, TimeSpan? leaseTime = null)
    {
        var catalog = MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(_directory, "catalog.db") }));
        _disposables.Add(catalog);
        await catalog.Schema.MigrateAsync(CancellationToken.None);
        var leases = new KillableLeaseStore(catalog.Leases);
        var worker = new CountingWorker();
        var host = new WorkerHost([worker], leases, new EngineOptions { NodeId = name, LeaseTime = leaseTime ?? LeaseTime }, TimeProvider.System,
            NullLogger<WorkerHost>.Instance);
        _disposables.Add(new StopOnDispose(host));
        await host.StartAsync(CancellationToken.None);
        return new Node(catalog, leases, worker, host);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 15 s");
            await Task.Delay(20);
        }
    }

    private sealed record Node(MetadataCatalog Catalog, KillableLeaseStore Leases, CountingWorker Worker, WorkerHost Host);

    /// <summary>A worker with work always waiting a moment away: one step every 50 ms.</summary>
    private sealed class CountingWorker : IWorker
    {
        public const string WorkerName = "counting";
        private int _steps;

        public int Steps => Volatile.Read(ref _steps);

        public string Name => WorkerName;

        public string Status => $"{Steps} steps";

        public Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _steps);
            return Task.FromResult(WorkerState.Idle);
        }

        public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(50, cancellationToken);
    }

    /// <summary>The node's view of the lease table; once dead, every call fails as if the node had lost its database.</summary>
    private sealed class KillableLeaseStore(ILeaseStore inner) : ILeaseStore
    {
        public volatile bool Dead;

        public ValueTask<Lease?> TryAcquireAsync(string name, string holder, TimeSpan timeToLive, CancellationToken cancellationToken) =>
            Dead ? throw new TimeoutException("node is dead") : inner.TryAcquireAsync(name, holder, timeToLive, cancellationToken);

        public ValueTask<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken) =>
            Dead ? throw new TimeoutException("node is dead") : inner.ReleaseAsync(lease, cancellationToken);

        public ValueTask<LeaseListing> ListLeasesAsync(CancellationToken cancellationToken) => inner.ListLeasesAsync(cancellationToken);
    }

    private sealed class StopOnDispose(WorkerHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}
