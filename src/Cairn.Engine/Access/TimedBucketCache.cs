using System.Collections.Concurrent;

namespace Cairn.Engine.Access;

/// <summary>
/// What requests read of a bucket's configuration, kept in memory for <see cref="CacheTime"/>: a change
/// made on this node counts at once (<see cref="Invalidate"/> after the write), one made on another node
/// within that time. A read begun before a change made here is not cached (a change counter), so it
/// cannot put the old state back. Bucket policies, CORS rules and default encryption are read this way.
/// </summary>
public sealed class TimedBucketCache<T>(TimeProvider time)
{
    /// <summary>How long a bucket's value (or its absence) is kept.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(5);

    private const int MaxCachedBuckets = 10_000;

    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    private long _changes;

    /// <summary>The bucket's value from memory when read within <see cref="CacheTime"/>, else from <paramref name="load"/>.</summary>
    public async ValueTask<T> GetAsync(string bucket, Func<string, CancellationToken, ValueTask<T>> load, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(bucket, out var cached) && now - cached.ReadAt < CacheTime && now >= cached.ReadAt)
        {
            return cached.Value;
        }
        var changesBefore = Interlocked.Read(ref _changes);
        var value = await load(bucket, cancellationToken).ConfigureAwait(false);
        if (_cache.Count >= MaxCachedBuckets)
        {
            _cache.Clear();
        }
        _cache[bucket] = (value, now);
        if (Interlocked.Read(ref _changes) != changesBefore)
        {
            // A change made on this node while the read was out: the value read may predate it.
            _cache.TryRemove(bucket, out _);
        }
        return value;
    }

    /// <summary>Forgets the bucket's value; call after a write to it (a read between would cache the old value again).</summary>
    public void Invalidate(string bucket)
    {
        Interlocked.Increment(ref _changes);
        _cache.TryRemove(bucket, out _);
    }
}
