namespace Cairn.Storage;

/// <summary>
/// Base of the decorators (retries, counting, fault injection): every call of <see cref="IBlobBackend"/>
/// goes through one <see cref="InvokeAsync"/>, so a decorator writes its policy once instead of
/// once per operation.
/// </summary>
public abstract class DelegatingBlobBackend : IBlobBackend
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected DelegatingBlobBackend(IBlobBackend inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped backend.</summary>
    public IBlobBackend Inner { get; }

    /// <summary>
    /// Runs one call of <paramref name="operation"/> against <see cref="Inner"/>. <paramref name="target"/>
    /// names what it acts on (a blob name, a prefix, a batch size), for messages.
    /// </summary>
    protected abstract ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        InvokeVoidAsync(BlobOperation.Put, name, (name, data), static (inner, s, ct) => inner.PutAsync(s.name, s.data, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.PutIfAbsent, name, (name, data), static (inner, s, ct) => inner.PutIfAbsentAsync(s.name, s.data, ct),
            cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.Read, name, (name, offset, buffer), static (inner, s, ct) => inner.ReadAsync(s.name, s.offset, s.buffer, ct),
            cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.GetLength, name, name, static (inner, n, ct) => inner.GetLengthAsync(n, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteAsync(string name, CancellationToken cancellationToken) =>
        InvokeVoidAsync(BlobOperation.Delete, name, name, static (inner, n, ct) => inner.DeleteAsync(n, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.DeleteMany, $"{names?.Count ?? 0} names", names!, static (inner, n, ct) => inner.DeleteManyAsync(n, ct),
            cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.ListPage, prefix, (prefix, startAfter, maxCount),
            static (inner, s, ct) => inner.ListPageAsync(s.prefix, s.startAfter, s.maxCount, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.BeginMultipart, name, name, static (inner, n, ct) => inner.BeginMultipartAsync(n, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken) =>
        InvokeAsync(BlobOperation.UploadPart, name, (name, uploadId, partNumber, data),
            static (inner, s, ct) => inner.UploadPartAsync(s.name, s.uploadId, s.partNumber, s.data, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken) =>
        InvokeVoidAsync(BlobOperation.CompleteMultipart, name, (name, uploadId, parts),
            static (inner, s, ct) => inner.CompleteMultipartAsync(s.name, s.uploadId, s.parts, ct), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken) =>
        InvokeVoidAsync(BlobOperation.AbortMultipart, name, (name, uploadId),
            static (inner, s, ct) => inner.AbortMultipartAsync(s.name, s.uploadId, ct), cancellationToken);

    private async ValueTask InvokeVoidAsync<TState>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        await InvokeAsync(operation, target, (state, call), static async (inner, s, ct) =>
        {
            await s.call(inner, s.state, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
}
