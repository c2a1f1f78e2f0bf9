using Cairn.Engine.Multipart;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Workers;

/// <summary>Aborts multipart uploads older than <see cref="EngineOptions.AbandonedUploadAge"/>, so abandoned parts release their space.</summary>
public sealed partial class AbandonedUploadCleaner(MultipartService multipart, EngineOptions options, TimeProvider time,
    ILogger<AbandonedUploadCleaner> logger) : IWorker
{
    private const int BatchSize = 100;

    /// <inheritdoc />
    public string Name => "abandoned-upload-cleaner";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var aborted = await multipart.AbortAbandonedAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        Status = $"last run {time.GetUtcNow():O}: {aborted} uploads aborted";
        if (aborted > 0)
        {
            LogAborted(aborted, options.AbandonedUploadAge);
        }
        return aborted == BatchSize ? WorkerState.Busy : WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) =>
        Task.Delay(Min(options.SweepInterval * 10, TimeSpan.FromMinutes(10)), time, cancellationToken);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // Event ids 120-129 belong to this worker; next free: 121.
    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Aborted {Count} multipart uploads older than {Age}")]
    private partial void LogAborted(int count, TimeSpan age);
}
