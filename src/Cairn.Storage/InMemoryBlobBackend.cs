using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>Blobs in a dictionary, for tests and throwaway servers. Same contract as every backend.</summary>
public sealed class InMemoryBlobBackend : IBlobBackend
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);

    /// <summary>Number of blobs stored.</summary>
    public int Count => _blobs.Count;

    /// <inheritdoc />
    /// <remarks>Copies <paramref name="data"/>: the caller may reuse its buffer once this returns.</remarks>
    public ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        // Replacing the array reference is atomic: readers see the old array or the new one.
        _blobs[name] = data.ToArray();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_blobs.TryGetValue(name, out var blob))
        {
            throw new BlobNotFoundException(name);
        }
        if (offset >= blob.Length)
        {
            return ValueTask.FromResult(0);
        }
        var count = (int)Math.Min(buffer.Length, blob.Length - offset);
        blob.AsSpan((int)offset, count).CopyTo(buffer.Span);
        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    public ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<long?>(_blobs.TryGetValue(name, out var blob) ? blob.Length : null);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        _blobs.TryRemove(name, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        var names = new List<string>();
        foreach (var name in _blobs.Keys)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }
}
