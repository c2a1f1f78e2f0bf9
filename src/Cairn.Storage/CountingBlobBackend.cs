using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Counts the calls made to the wrapped backend, by <see cref="BlobOperation"/>: placed directly
/// around an upstream store (inside <see cref="RetryingBlobBackend"/>, so each attempt counts) it
/// counts upstream requests, which is what "upstream requests per client operation" reports.
/// Thread-safe; failed calls count too.
/// </summary>
/// <remarks>
/// Every call is one upstream request except <see cref="ListMultipartUploadsAsync"/>, counted once
/// per enumeration though an upstream store may page.
/// </remarks>
public sealed class CountingBlobBackend(IBlobBackend inner) : DelegatingBlobBackend(inner)
{
    private static readonly BlobOperation[] Operations = Enum.GetValues<BlobOperation>();

    private readonly long[] _calls = new long[Operations.Length];

    /// <summary>Calls made to <paramref name="operation"/> since creation or the last <see cref="Reset"/>.</summary>
    public long Count(BlobOperation operation) => Interlocked.Read(ref _calls[(int)operation]);

    /// <summary>Calls of every operation together.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _calls.Length; i++)
            {
                total += Interlocked.Read(ref _calls[i]);
            }
            return total;
        }
    }

    /// <summary>The current counts of the operations called at least once.</summary>
    public IReadOnlyDictionary<BlobOperation, long> Snapshot()
    {
        var counts = new Dictionary<BlobOperation, long>();
        foreach (var operation in Operations)
        {
            var count = Count(operation);
            if (count > 0)
            {
                counts[operation] = count;
            }
        }
        return counts;
    }

    /// <summary>Sets every count back to zero.</summary>
    public void Reset()
    {
        for (var i = 0; i < _calls.Length; i++)
        {
            Interlocked.Exchange(ref _calls[i], 0);
        }
    }

    /// <inheritdoc />
    protected override ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        Interlocked.Increment(ref _calls[(int)operation]);
        return call(Inner, state, cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls[(int)BlobOperation.ListMultipartUploads]);
        await foreach (var upload in Inner.ListMultipartUploadsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return upload;
        }
    }
}
