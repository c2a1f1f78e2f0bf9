namespace Cairn.TestSupport;

/// <summary>
/// A download's destination that holds the first write until the test resumes it: the test can
/// change things (compact, move to a tier, sweep) while a download that already located its chunks
/// waits, then let it go on.
/// </summary>
public sealed class PausingStream : MemoryStream
{
    /// <summary>Completes when the first write has arrived (and is held).</summary>
    public TaskCompletionSource FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by the test to let the held write, and every later one, go on.</summary>
    public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await base.WriteAsync(buffer, cancellationToken);
        if (FirstWrite.TrySetResult())
        {
            await Resume.Task.WaitAsync(cancellationToken);
        }
    }
}
