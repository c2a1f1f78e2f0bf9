namespace Cairn.Engine.Workers;

/// <summary>What a worker did in its last step.</summary>
public enum WorkerState
{
    /// <summary>Did work and has more: call again at once.</summary>
    Busy,
    /// <summary>Nothing to do now: wait for work or the interval.</summary>
    Idle,
    /// <summary>Finished for good.</summary>
    Done,
}

/// <summary>A background task run step by step by <see cref="WorkerHost"/> (garage's worker model).</summary>
public interface IWorker
{
    /// <summary>Name shown in status and logs.</summary>
    string Name { get; }

    /// <summary>Human-readable status of the last step.</summary>
    string Status { get; }

    /// <summary>Does one bounded step of work.</summary>
    Task<WorkerState> WorkAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the worker should run again after an Idle step.</summary>
    Task WaitForWorkAsync(CancellationToken cancellationToken);
}
