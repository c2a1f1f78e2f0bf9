namespace Cairn.Server.Cli;

/// <summary>
/// A read-only view of a seekable stream (a file) that reports, after each read, how far into it
/// reading has got: bytes from where the stream stood when wrapped to the furthest point read. The
/// furthest point rather than a sum of reads, so that a reader going back over bytes it read (the
/// verifier's second pass reads blocks back by offset) does not push the count past the total.
/// </summary>
/// <remarks>The wrapped stream stays the caller's: disposing the view leaves it open.</remarks>
internal sealed class ProgressReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IProgress<long> _progress;
    private readonly long _start;
    private long _furthest;

    public ProgressReadStream(Stream inner, IProgress<long> progress)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(progress);
        if (!inner.CanRead || !inner.CanSeek)
        {
            throw new ArgumentException("Progress is told as a position: pass a readable, seekable stream (a file).", nameof(inner));
        }
        _inner = inner;
        _progress = progress;
        _start = inner.Position;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Advanced();
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Advanced();
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
        // Nothing is written through this view.
    }

    public override void SetLength(long value) => throw new NotSupportedException("The view is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The view is read-only.");

    private void Advanced()
    {
        var reached = _inner.Position - _start;
        if (reached > _furthest)
        {
            _furthest = reached;
            _progress.Report(reached);
        }
    }
}
