using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>
/// Runs every registered <see cref="IWorker"/> until shutdown; a failing step is logged and retried after a pause.
/// Each step is counted in <see cref="EngineMetrics"/> (<c>cairn.worker.runs</c>) when one is given.
/// </summary>
public sealed partial class WorkerHost(IEnumerable<IWorker> workers, TimeProvider time, ILogger<WorkerHost> logger,
    EngineMetrics? metrics = null) : BackgroundService
{
    /// <summary>The workers, for status displays.</summary>
    public IReadOnlyList<IWorker> Workers { get; } = [.. workers];

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>(Workers.Count);
        foreach (var worker in Workers)
        {
            loops.Add(RunAsync(worker, stoppingToken));
        }
        return Task.WhenAll(loops);
    }

    private async Task RunAsync(IWorker worker, CancellationToken stoppingToken)
    {
        LogWorkerStarted(worker.Name);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var state = await worker.WorkAsync(stoppingToken).ConfigureAwait(false);
                metrics?.WorkerRan(worker.Name, state);
                if (state == WorkerState.Done)
                {
                    return;
                }
                if (state == WorkerState.Idle)
                {
                    await worker.WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
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
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Event ids 100-199 belong to workers; next free: 102.
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Worker {Worker} started")]
    private partial void LogWorkerStarted(string worker);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Worker {Worker} failed a step; retrying in 5 s")]
    private partial void LogWorkerFailed(Exception exception, string worker);
}
