using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Cairn.Storage;

/// <summary>Blobs in a dictionary, for tests and throwaway servers. Same contract as every backend.</summary>
public sealed class InMemoryBlobBackend : IBlobBackend
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>An empty store; <paramref name="timeProvider"/> stamps multipart uploads.</summary>
    public InMemoryBlobBackend(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

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
    public ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(!_blobs.ContainsKey(name) && _blobs.TryAdd(name, data.ToArray()));
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
    public ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidDeleteBatch(names);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var name in names)
        {
            _blobs.TryRemove(name, out _);
        }
        return ValueTask.FromResult<IReadOnlyList<BlobDeleteFailure>>([]);
    }

    /// <inheritdoc />
    /// <remarks>Sorts every matching name per page: fine for tests, not for millions of blobs.</remarks>
    public ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidListPage(prefix, maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var matching = new List<KeyValuePair<string, byte[]>>();
        foreach (var blob in _blobs)
        {
            if (blob.Key.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(blob.Key, startAfter) > 0)
            {
                matching.Add(blob);
            }
        }
        matching.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var entries = new List<BlobListEntry>(Math.Min(maxCount, matching.Count));
        for (var i = 0; i < matching.Count && i < maxCount; i++)
        {
            entries.Add(new BlobListEntry(matching[i].Key, matching[i].Value.Length));
        }
        var next = matching.Count > maxCount ? entries[^1].Name : null;
        return ValueTask.FromResult(new BlobListPage(entries, next));
    }

    /// <inheritdoc />
    public ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        var uploadId = Guid.NewGuid().ToString("N");
        _uploads[uploadId] = new Upload(name, _timeProvider.GetUtcNow());
        return ValueTask.FromResult(uploadId);
    }

    /// <inheritdoc />
    public ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartNumber(partNumber);
        cancellationToken.ThrowIfCancellationRequested();
        var upload = OpenUpload(name, uploadId);
        var etag = Convert.ToHexStringLower(MD5.HashData(data.Span));
        upload.Parts[partNumber] = (etag, data.ToArray());
        return ValueTask.FromResult(new BlobPart(partNumber, etag));
    }

    /// <inheritdoc />
    public ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartList(parts);
        cancellationToken.ThrowIfCancellationRequested();
        var upload = OpenUpload(name, uploadId);
        var chosen = new byte[parts.Count][];
        long total = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            if (!upload.Parts.TryGetValue(parts[i].PartNumber, out var part)
                || !string.Equals(part.ETag, BlobArguments.ETagText(parts[i].ETag), StringComparison.OrdinalIgnoreCase))
            {
                throw BlobErrors.InvalidPart(name, parts[i].PartNumber);
            }
            if (i < parts.Count - 1 && part.Data.Length < BlobLimits.MinPartSize)
            {
                throw BlobErrors.PartTooSmall(name, parts[i].PartNumber, part.Data.Length);
            }
            chosen[i] = part.Data;
            total += part.Data.Length;
        }
        var blob = new byte[total];
        var offset = 0;
        foreach (var data in chosen)
        {
            data.CopyTo(blob, offset);
            offset += data.Length;
        }
        _blobs[name] = blob;
        _uploads.TryRemove(uploadId, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        cancellationToken.ThrowIfCancellationRequested();
        if (_uploads.TryGetValue(uploadId, out var upload) && upload.Name == name)
        {
            _uploads.TryRemove(uploadId, out _);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        var uploads = new List<BlobMultipartUpload>();
        foreach (var (uploadId, upload) in _uploads)
        {
            if (upload.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                uploads.Add(new BlobMultipartUpload(upload.Name, uploadId, upload.Initiated));
            }
        }
        uploads.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : a.Initiated.CompareTo(b.Initiated);
        });
        foreach (var upload in uploads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return upload;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private Upload OpenUpload(string name, string uploadId) =>
        _uploads.TryGetValue(uploadId, out var upload) && upload.Name == name ? upload : throw BlobErrors.NoSuchUpload(name, uploadId);

    private sealed class Upload(string name, DateTimeOffset initiated)
    {
        public string Name { get; } = name;

        public DateTimeOffset Initiated { get; } = initiated;

        public ConcurrentDictionary<int, (string ETag, byte[] Data)> Parts { get; } = new();
    }
}
