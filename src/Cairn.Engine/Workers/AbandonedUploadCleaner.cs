using Cairn.Engine.Multipart;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>
/// Aborts multipart uploads older than <see cref="EngineOptions.AbandonedUploadAge"/>, so abandoned
/// parts release their space, and forgets completed uploads older than
/// <see cref="EngineOptions.CompletedUploadRetention"/>, so the catalog keeps only the completions a
/// retried Complete may still ask for.
/// </summary>
public sealed partial class AbandonedUploadCleaner(MultipartService multipart, EngineOptions options, TimeProvider time,
    ILogger<AbandonedUploadCleaner> logger) : IWorker
{
    private const int BatchSize = 100;

    /// <summary>Completions forgotten per step: one DELETE statement, no chunk references to release.</summary>
    private const int ForgetBatchSize = 1000;

    /// <inheritdoc />
    public string Name => "abandoned-upload-cleaner";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var aborted = await multipart.AbortAbandonedAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        var forgotten = await multipart.ForgetCompletedAsync(ForgetBatchSize, cancellationToken).ConfigureAwait(false);
        Status = $"last run {time.GetUtcNow():O}: {aborted} uploads aborted, {forgotten} completed uploads forgotten";
        if (aborted > 0)
        {
            LogAborted(aborted, options.AbandonedUploadAge);
        }
        if (forgotten > 0)
        {
            LogForgotten(forgotten, options.CompletedUploadRetention);
        }
        return aborted == BatchSize || forgotten == ForgetBatchSize ? WorkerState.Busy : WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) =>
        Task.Delay(Min(options.SweepInterval * 10, TimeSpan.FromMinutes(10)), time, cancellationToken);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // Event ids 120-129 belong to this worker; next free: 122.
    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Aborted {Count} multipart uploads older than {Age}")]
    private partial void LogAborted(int count, TimeSpan age);

    [LoggerMessage(EventId = 121, Level = LogLevel.Debug, Message = "Forgot {Count} multipart uploads completed more than {Retention} ago")]
    private partial void LogForgotten(int count, TimeSpan retention);
}
