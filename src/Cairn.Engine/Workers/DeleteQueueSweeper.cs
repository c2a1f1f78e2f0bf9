using Cairn.Engine.Chunks;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>
/// Reclaims space: aborts uploads whose reservations expired (crashed or abandoned writers), then
/// deletes due blobs from the delete queue after the catalog re-checks that nothing needs them
/// (invariants 4 and 5). The queue entry is removed only after the blob is gone, so a crash in
/// between retries the delete. After each sweep it refreshes the delete-queue gauges of
/// <see cref="EngineMetrics"/>, when one is given and read, so that reading them never waits on SQL.
/// </summary>
public sealed partial class DeleteQueueSweeper(IDeleteQueue deleteQueue, IChunkCatalog chunkCatalog, IBlobBackend blobs, ChunkReadPins pins, EngineOptions options,
    TimeProvider time, ILogger<DeleteQueueSweeper> logger, EngineMetrics? metrics = null) : IWorker
{
    private const int BatchSize = 256;

    /// <inheritdoc />
    public string Name => "delete-queue-sweeper";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>Blobs deleted since start.</summary>
    public long BlobsDeleted { get; private set; }

    /// <summary>Sweeps until nothing is due; returns the number of blobs deleted. Used by tests and the admin endpoint.</summary>
    public async Task<int> SweepAllDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var (deleted, state) = await SweepBatchAsync(cancellationToken).ConfigureAwait(false);
            total += deleted;
            if (state == WorkerState.Idle)
            {
                return total;
            }
        }
    }

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken) =>
        (await SweepBatchAsync(cancellationToken).ConfigureAwait(false)).State;

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.SweepInterval, time, cancellationToken);

    private async Task<(int Deleted, WorkerState State)> SweepBatchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = await chunkCatalog.ExpireUploadsAsync(now, cancellationToken).ConfigureAwait(false);
        if (expired > 0)
        {
            LogUploadsExpired(expired);
        }
        var due = await deleteQueue.GetDueDeletesAsync(now, BatchSize, cancellationToken).ConfigureAwait(false);
        var confirmed = new List<DeleteQueueEntry>(due.Count);
        foreach (var entry in due)
        {
            if (await ConfirmAsync(entry, now, cancellationToken).ConfigureAwait(false))
            {
                confirmed.Add(entry);
            }
        }
        var deleted = await DeleteConfirmedAsync(confirmed, now, cancellationToken).ConfigureAwait(false);
        BlobsDeleted += deleted;
        if (metrics is not null)
        {
            metrics.BlobsDeleted(deleted);
            if (metrics.DeleteQueueGaugesEnabled)
            {
                metrics.DeleteQueueObserved(await deleteQueue.GetDeleteQueueStatsAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        Status = $"last sweep {now:O}: {due.Count} due, {deleted} deleted, {expired} uploads expired";
        return (deleted, due.Count == BatchSize ? WorkerState.Busy : WorkerState.Idle);
    }

    /// <summary>True when the catalog confirms the blob may go now (no pin, no reference, no reservation).</summary>
    private async Task<bool> ConfirmAsync(DeleteQueueEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entry.ChunkHash is { } hash && pins.IsPinned(hash))
        {
            // A download in this process is still streaming the chunk; look again next sweep.
            await deleteQueue.RecordDeleteFailureAsync(entry.BlobName, "a download in progress holds the chunk", now + options.SweepInterval,
                cancellationToken).ConfigureAwait(false);
            return false;
        }
        var decision = await deleteQueue.PrepareDeleteAsync(entry.BlobName, now, now + options.SweepInterval, cancellationToken).ConfigureAwait(false);
        return decision == SweepDecision.Delete;
    }

    /// <summary>
    /// Deletes the confirmed blobs in batches (one DeleteObjects per 1,000 names on an S3 upstream),
    /// then completes each queue entry whose blob is gone; a name the store could not delete stays
    /// queued with a backoff. A queue entry is removed only after its blob is gone.
    /// </summary>
    private async Task<int> DeleteConfirmedAsync(List<DeleteQueueEntry> confirmed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (confirmed.Count == 0)
        {
            return 0;
        }
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var failure in await blobs.DeleteAllAsync(confirmed.Select(entry => entry.BlobName), cancellationToken).ConfigureAwait(false))
            {
                failures[failure.Name] = failure.Reason;
            }
        }
        catch (BlobBackendException ex)
        {
            LogBatchDeleteFailed(ex, confirmed.Count);
            foreach (var entry in confirmed)
            {
                failures[entry.BlobName] = ex.Message;
            }
        }
        var deleted = 0;
        foreach (var entry in confirmed)
        {
            if (failures.TryGetValue(entry.BlobName, out var reason))
            {
                var retryAt = now + Backoff(entry.Attempts);
                LogDeleteFailed(entry.BlobName, reason, retryAt);
                await deleteQueue.RecordDeleteFailureAsync(entry.BlobName, reason, retryAt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await deleteQueue.CompleteDeleteAsync(entry.BlobName, cancellationToken).ConfigureAwait(false);
            deleted++;
        }
        return deleted;
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, Math.Min(attempts, 10))));

    // Event ids 110-119 belong to the sweeper; next free: 113.
    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Reclaimed {Count} expired uploads")]
    private partial void LogUploadsExpired(int count);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Deleting blob {BlobName} failed ({Reason}); retrying at {RetryAt}")]
    private partial void LogDeleteFailed(string blobName, string reason, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Deleting a batch of {Count} blobs failed")]
    private partial void LogBatchDeleteFailed(Exception exception, int count);
}
