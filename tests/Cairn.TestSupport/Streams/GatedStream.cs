namespace Cairn.TestSupport;

/// <summary>
/// A request body that stops at a set offset until the test opens the gate: reads return the bytes
/// before <see cref="GateOffset"/>, then wait. <see cref="Reached"/> completes when a reader has
/// consumed everything before the gate, so a test can order two uploads that overlap in time
/// ("the first one started, stalls mid-body, a second one runs to the end, then the first finishes").
/// Seekable with a known length, as a client needs for Content-Length.
/// </summary>
public sealed class GatedStream(byte[] bytes, int gateOffset) : Stream
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;

    /// <summary>Where reads stop until <see cref="Open"/>.</summary>
    public int GateOffset { get; } = gateOffset;

    /// <summary>Completes when a read has found the gate closed at <see cref="GateOffset"/>.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Lets reads go past <see cref="GateOffset"/>.</summary>
    public void Open() => _open.TrySetResult();

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => bytes.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, bytes.Length);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (AtClosedGate())
        {
            await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return Copy(buffer.Span);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (AtClosedGate())
        {
            _open.Task.Wait();
        }
        return Copy(buffer);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => bytes.Length + offset,
    };

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private bool AtClosedGate()
    {
        if (_open.Task.IsCompleted || _position < GateOffset)
        {
            return false;
        }
        _reached.TrySetResult();
        return true;
    }

    /// <summary>Copies from the current position; while the gate is closed, no further than the gate.</summary>
    private int Copy(Span<byte> buffer)
    {
        var end = _open.Task.IsCompleted ? bytes.Length : Math.Min(bytes.Length, GateOffset);
        var count = (int)Math.Min(buffer.Length, Math.Max(0, end - _position));
        bytes.AsSpan((int)_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
