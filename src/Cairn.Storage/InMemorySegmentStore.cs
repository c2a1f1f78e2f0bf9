using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Segments in memory, for tests. <see cref="Crash"/> keeps what a real crash would: each segment's
/// flushed bytes, plus (optionally) some of what was appended after the last flush.
/// </summary>
public sealed class InMemorySegmentStore : ISegmentStore
{
    private readonly ConcurrentDictionary<string, Segment> _segments = new(StringComparer.Ordinal);

    /// <summary>Fsyncs done so far, over all segments (tests check that concurrent writers share them).</summary>
    public int Flushes => _flushes;

    private int _flushes;

    /// <inheritdoc />
    public ValueTask<SegmentWriter> CreateAsync(string name, CancellationToken cancellationToken)
    {
        SegmentName.Validate(name);
        var segment = new Segment();
        if (!_segments.TryAdd(name, segment))
        {
            throw new IOException($"Segment {name} exists.");
        }
        return ValueTask.FromResult<SegmentWriter>(new MemorySegmentWriter(this, name, segment, 0));
    }

    /// <inheritdoc />
    public ValueTask<SegmentWriter> ResumeAsync(string name, long length, CancellationToken cancellationToken)
    {
        var segment = Find(name);
        lock (segment)
        {
            if (segment.Bytes.Length < length)
            {
                throw new InvalidOperationException($"Segment {name} is shorter than {length} bytes.");
            }
            segment.Bytes.SetLength(length);
            segment.Durable = length;
        }
        return ValueTask.FromResult<SegmentWriter>(new MemorySegmentWriter(this, name, segment, length));
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var segment = Find(name);
        lock (segment)
        {
            var available = (int)Math.Clamp(segment.Bytes.Length - offset, 0, buffer.Length);
            segment.Bytes.GetBuffer().AsSpan((int)offset, available).CopyTo(buffer.Span);
            return ValueTask.FromResult(available);
        }
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var segment = Find(name);
        lock (segment)
        {
            return ValueTask.FromResult<Stream>(new MemoryStream(segment.Bytes.ToArray(), writable: false));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var name in _segments.Keys.Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        SegmentName.Validate(name);
        _segments.TryRemove(name, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public long GetUsedBytes() => _segments.Values.Sum(static segment =>
    {
        lock (segment)
        {
            return segment.Bytes.Length;
        }
    });

    /// <summary>
    /// What a crash leaves: each segment cut to its flushed length plus up to
    /// <paramref name="unflushedKept"/> of the bytes appended after it (a torn tail). Writers opened
    /// before must not be used again.
    /// </summary>
    public void Crash(int unflushedKept = 0)
    {
        foreach (var segment in _segments.Values)
        {
            lock (segment)
            {
                segment.Bytes.SetLength(Math.Min(segment.Bytes.Length, segment.Durable + unflushedKept));
            }
        }
    }

    private Segment Find(string name)
    {
        SegmentName.Validate(name);
        return _segments.TryGetValue(name, out var segment) ? segment : throw new BlobNotFoundException(name);
    }

    private sealed class Segment
    {
        public MemoryStream Bytes { get; } = new();

        public long Durable { get; set; }
    }

    private sealed class MemorySegmentWriter(InMemorySegmentStore store, string name, Segment segment, long length) : SegmentWriter(name, length)
    {
        protected override ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            lock (segment)
            {
                segment.Bytes.Position = offset;
                segment.Bytes.Write(data.Span);
            }
            return ValueTask.CompletedTask;
        }

        protected override ValueTask SyncAsync()
        {
            Interlocked.Increment(ref store._flushes);
            lock (segment)
            {
                segment.Durable = segment.Bytes.Length;
            }
            return ValueTask.CompletedTask;
        }

        protected override ValueTask CloseAsync() => ValueTask.CompletedTask;
    }
}
