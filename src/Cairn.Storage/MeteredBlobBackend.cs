using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Records every call into <see cref="StorageMetrics"/>: its duration by operation and, when it
/// fails, the kind of failure. Placed outermost (around the retry decorator) it sees the calls the
/// engine makes and their final outcomes; the retries themselves come from
/// <see cref="StorageMetrics.Observe"/>.
/// </summary>
public sealed class MeteredBlobBackend(IBlobBackend inner, StorageMetrics metrics) : DelegatingBlobBackend(inner)
{
    private readonly StorageMetrics _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));

    /// <inheritdoc />
    protected override async ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call(Inner, state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.CallFailed(operation, ex);
            throw;
        }
        finally
        {
            _metrics.CallCompleted(operation, started);
        }
    }

    /// <inheritdoc />
    /// <remarks>One call per enumeration, timed until it ends.</remarks>
    public override async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var enumerator = Inner.ListMultipartUploadsAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                BlobMultipartUpload upload;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                    upload = enumerator.Current;
                }
                catch (Exception ex)
                {
                    _metrics.CallFailed(BlobOperation.ListMultipartUploads, ex);
                    throw;
                }
                yield return upload;
            }
        }
        finally
        {
            _metrics.CallCompleted(BlobOperation.ListMultipartUploads, started);
        }
    }
}
