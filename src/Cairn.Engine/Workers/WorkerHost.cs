using System.Collections.Concurrent;
using Cairn.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>
/// Runs every <see cref="IWorker"/> in its own loop: a step, then (when idle) a wait for more work.
/// Each worker is a singleton across the nodes sharing the catalog: a loop runs steps only while
/// this node holds the worker's lease (<see cref="ILeaseStore"/>, named after the worker), which it
/// renews every third of <see cref="EngineOptions.LeaseTime"/>, before each step and while it waits.
/// A node that does not hold the lease asks again at that pace, so when the holder dies (stops
/// renewing) another node takes the work over within the lease time. On shutdown a node gives its
/// leases up at once.
/// </summary>
/// <remarks>
/// A lease guards against doing the same work twice at once, not against losing data: every step
/// of the built-in workers is safe to run concurrently (each decision is one catalog transaction),
/// so a step that outlives its lease (a stalled node) costs only duplicated effort. Each step is
/// counted in <see cref="EngineMetrics"/> (<c>cairn.worker.runs</c>), and whether this node holds each
/// lease is its <c>cairn.worker.lease.held</c> gauge.
/// </remarks>
public sealed partial class WorkerHost(IEnumerable<IWorker> workers, ILeaseStore leases, EngineOptions options, TimeProvider time,
    ILogger<WorkerHost> logger, EngineMetrics? metrics = null) : BackgroundService
{
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, bool> _held = new(StringComparer.Ordinal);

    /// <summary>The workers this host runs.</summary>
    public IReadOnlyList<IWorker> Workers { get; } = [.. workers];

    /// <summary>Whether this node holds each worker's lease now (by worker name).</summary>
    public IReadOnlyDictionary<string, bool> LeasesHeld => _held;

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>(Workers.Count);
        foreach (var worker in Workers)
        {
            SetHeld(worker.Name, held: false);
            loops.Add(RunAsync(worker, stoppingToken));
        }
        return Task.WhenAll(loops);
    }

    private async Task RunAsync(IWorker worker, CancellationToken stoppingToken)
    {
        LogWorkerStarted(worker.Name, options.NodeId);
        var renewEvery = options.LeaseTime / 3;
        Lease? lease = null;
        Task? waiting = null;
        // A step runs beside the loop, which keeps renewing the lease while it runs: a long step
        // (a big sweep on a busy catalog) must not outlive the lease it started under.
        Task<WorkerState>? step = null;
        CancellationTokenSource? stepCancellation = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var renewed = await leases.TryAcquireAsync(worker.Name, options.NodeId, options.LeaseTime, stoppingToken).ConfigureAwait(false);
                    if (renewed is null)
                    {
                        if (lease is not null)
                        {
                            LogLeaseLost(worker.Name, options.NodeId);
                        }
                        lease = null;
                        waiting = null;
                        SetHeld(worker.Name, held: false);
                        // Another node holds the work now: a step still running here stops.
                        await StopStepAsync(step, stepCancellation).ConfigureAwait(false);
                        (step, stepCancellation) = (null, null);
                        await Task.Delay(renewEvery, time, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                    if (lease is null || lease.Generation != renewed.Generation)
                    {
                        LogLeaseAcquired(worker.Name, options.NodeId, renewed.Generation);
                    }
                    lease = renewed;
                    SetHeld(worker.Name, held: true);

                    if (step is null && (waiting is null || waiting.IsCompleted))
                    {
                        stepCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                        step = worker.WorkAsync(stepCancellation.Token);
                    }
                    // Wake for the renewal even when the step or the worker's own wait lasts longer than the lease.
                    await Task.WhenAny(step ?? waiting ?? Task.CompletedTask, Task.Delay(renewEvery, time, stoppingToken)).ConfigureAwait(false);
                    if (step is { IsCompleted: true } finished)
                    {
                        stepCancellation?.Dispose();
                        (step, stepCancellation) = (null, null);
                        var state = await finished.ConfigureAwait(false);
                        metrics?.WorkerRan(worker.Name, state);
                        if (state == WorkerState.Done)
                        {
                            return;
                        }
                        waiting = state == WorkerState.Idle ? worker.WaitForWorkAsync(stoppingToken) : null;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    metrics?.WorkerFailed(worker.Name);
                    LogWorkerFailed(ex, worker.Name);
                    // The worker rests before its next step, but the loop goes on renewing the lease
                    // meanwhile: a failing step must not hand the work to another node by accident.
                    waiting = Task.Delay(FailureDelay, time, stoppingToken);
                    await Task.WhenAny(waiting, Task.Delay(renewEvery, time, stoppingToken)).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await StopStepAsync(step, stepCancellation).ConfigureAwait(false);
            SetHeld(worker.Name, held: false);
            if (lease is not null)
            {
                await ReleaseAsync(lease).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Cancels a step in flight and waits for it to end (its outcome no longer matters).</summary>
    private static async Task StopStepAsync(Task<WorkerState>? step, CancellationTokenSource? cancellation)
    {
        if (step is null)
        {
            return;
        }
        try
        {
            await (cancellation?.CancelAsync() ?? Task.CompletedTask).ConfigureAwait(false);
            await step.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Cancelled or failed: every step is safe to abandon (each decision is its own transaction).
        }
        finally
        {
            cancellation?.Dispose();
        }
    }

    private void SetHeld(string worker, bool held)
    {
        _held[worker] = held;
        metrics?.LeaseHeld(worker, options.NodeId, held);
    }

    /// <summary>Gives a lease up on the way out, so another node need not wait out its time to live.</summary>
    private async Task ReleaseAsync(Lease lease)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.ReleaseAsync(lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease expires by itself; releasing only shortens the wait.
            LogLeaseReleaseFailed(ex, lease.Name);
        }
    }

    // Event ids 100-199 belong to workers; next free: 105.
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Worker {Worker} started on node {Node}")]
    private partial void LogWorkerStarted(string worker, string node);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Worker {Worker} failed a step; retrying in 5 s")]
    private partial void LogWorkerFailed(Exception exception, string worker);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Worker {Worker}: node {Node} holds the lease (generation {Generation})")]
    private partial void LogLeaseAcquired(string worker, string node, long generation);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Worker {Worker}: node {Node} lost the lease to another node")]
    private partial void LogLeaseLost(string worker, string node);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Could not release lease {Lease} on shutdown; it expires by itself")]
    private partial void LogLeaseReleaseFailed(Exception exception, string lease);
}
