namespace Cairn.Storage;

/// <summary>
/// Appends to one segment of an <see cref="ISegmentStore"/>. Appends are serialized and land in
/// order; they are durable only once a flush covers them. <see cref="FlushAsync"/> is a group
/// flush: callers that ask while one is running wait for it, and one more runs for all that it
/// did not cover, so concurrent writers share fsyncs instead of queueing one each.
/// </summary>
/// <remarks>
/// A failed flush breaks the writer: after a failed fsync the kernel may have dropped the dirty
/// pages it could not write (and report success to a later fsync), so nothing appended is trusted
/// any more and every later call throws. The pack writer seals what was durable before and moves on.
/// </remarks>
public abstract class SegmentWriter : IAsyncDisposable
{
    private readonly SemaphoreSlim _appending = new(1, 1);
    private readonly Lock _gate = new();
    private long _length;
    private long _durableLength;
    private Task? _flushing;
    private Exception? _broken;

    /// <summary>Starts a writer for segment <paramref name="name"/> whose first <paramref name="length"/> bytes are already durable.</summary>
    protected SegmentWriter(string name, long length)
    {
        Name = name;
        _length = length;
        _durableLength = length;
    }

    /// <summary>The segment's name in its store.</summary>
    public string Name { get; }

    /// <summary>Bytes appended so far (durable or not).</summary>
    public long Length
    {
        get
        {
            lock (_gate)
            {
                return _length;
            }
        }
    }

    /// <summary>Bytes a finished flush covers: these survive a crash.</summary>
    public long DurableLength
    {
        get
        {
            lock (_gate)
            {
                return _durableLength;
            }
        }
    }

    /// <summary>True once a write or flush failed: the writer takes nothing more (see the remarks).</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken is not null;
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="first"/> then <paramref name="second"/> (either may be empty) at the
    /// end, contiguously; returns the offset of the first byte. Not durable until a flush covers it.
    /// </summary>
    public async ValueTask<long> AppendAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await _appending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long offset;
            lock (_gate)
            {
                ThrowIfBroken();
                offset = _length;
            }
            try
            {
                await WriteAtAsync(offset, first, cancellationToken).ConfigureAwait(false);
                await WriteAtAsync(offset + first.Length, second, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Break(ex);
                throw;
            }
            catch (OperationCanceledException ex)
            {
                // A write cut short leaves bytes of unknown extent at the end: later appends would
                // land after a hole. The segment is done.
                Break(ex);
                throw;
            }
            lock (_gate)
            {
                _length = offset + first.Length + second.Length;
            }
            return offset;
        }
        finally
        {
            _appending.Release();
        }
    }

    /// <summary>Returns once the first <paramref name="upTo"/> bytes are durable, sharing a flush with concurrent callers.</summary>
    public async ValueTask FlushAsync(long upTo, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task flush;
            lock (_gate)
            {
                ThrowIfBroken();
                if (_durableLength >= upTo)
                {
                    return;
                }
                flush = _flushing ??= RunFlushAsync(_length);
            }
            await flush.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (the current end).</summary>
    protected abstract ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes every byte written so far durable (fsync).</summary>
    protected abstract ValueTask SyncAsync();

    /// <summary>Releases the segment's handle.</summary>
    protected abstract ValueTask CloseAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _appending.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task RunFlushAsync(long target)
    {
        // Off the caller's stack, so callers that arrive meanwhile find this flush and wait for it.
        await Task.Yield();
        try
        {
            await SyncAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _durableLength = Math.Max(_durableLength, target);
                _flushing = null;
            }
        }
        catch (Exception ex)
        {
            Break(ex);
            lock (_gate)
            {
                _flushing = null;
            }
            throw;
        }
    }

    private void Break(Exception cause)
    {
        lock (_gate)
        {
            _broken ??= cause;
        }
    }

    private void ThrowIfBroken()
    {
        if (_broken is { } cause)
        {
            throw new IOException($"Segment {Name} can no longer be written: an earlier write or flush failed.", cause);
        }
    }
}
