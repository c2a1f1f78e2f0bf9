using System.Buffers;
using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Retries calls that fail with a transient <see cref="BlobBackendException"/> (throttling, 5xx,
/// timeouts, connection resets: each backend decides what is transient), with exponential backoff
/// and full jitter: before retry <c>n</c> it waits a uniformly random time between zero and
/// <c>min(MaxDelay, BaseDelay * 2^(n-1))</c> (the AWS Architecture Blog's "Exponential Backoff And
/// Jitter"). Anything else surfaces at once: <see cref="BlobNotFoundException"/>, non-transient
/// failures, bad arguments, and the caller's cancellation, which also ends a wait.
/// </summary>
/// <remarks>
/// <para>
/// A hand-written loop rather than Polly: the policy is this one loop, and the counters tests need
/// come free (docs/dependencies.md).
/// </para>
/// <para>
/// Every call is safe to repeat except where noted: a put replaces, a delete is idempotent, a part
/// upload replaces its part. A retried <see cref="IBlobBackend.BeginMultipartAsync"/> may leave an upload behind
/// that the first attempt created; it is listed by <see cref="ListMultipartUploadsAsync"/> for the
/// cleaner. A retried <see cref="IBlobBackend.CompleteMultipartAsync"/> whose first attempt landed fails with
/// "no such upload" although the blob is whole: callers treat a failed write as possibly written,
/// as they must anyway. <see cref="PutIfAbsentAsync"/> is handled below.
/// </para>
/// </remarks>
public sealed class RetryingBlobBackend : DelegatingBlobBackend
{
    private static readonly int OperationCount = Enum.GetValues<BlobOperation>().Length;

    private readonly BlobRetryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly long[] _attempts = new long[OperationCount];
    private readonly long[] _retries = new long[OperationCount];
    private readonly long[] _exhausted = new long[OperationCount];

    /// <summary>
    /// Wraps <paramref name="inner"/>. <paramref name="timeProvider"/> runs the waits (a fake clock in
    /// tests); <paramref name="random"/> draws the jitter (seed it for repeatable tests).
    /// </summary>
    public RetryingBlobBackend(IBlobBackend inner, BlobRetryOptions? options = null, TimeProvider? timeProvider = null, Random? random = null)
        : base(inner)
    {
        _options = options ?? new BlobRetryOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _random = random ?? new Random();
    }

    /// <summary>Called before each wait with the operation, the attempt that failed (1-based), the wait and the failure; for logs and metrics.</summary>
    public Action<BlobOperation, int, TimeSpan, BlobBackendException>? OnRetry { get; set; }

    /// <summary>Attempts made at <paramref name="operation"/>, first tries and retries.</summary>
    public long Attempts(BlobOperation operation) => Interlocked.Read(ref _attempts[(int)operation]);

    /// <summary>Retries made at <paramref name="operation"/> (attempts after a transient failure).</summary>
    public long Retries(BlobOperation operation) => Interlocked.Read(ref _retries[(int)operation]);

    /// <summary>Calls of <paramref name="operation"/> that failed transiently on their last allowed attempt.</summary>
    public long Exhausted(BlobOperation operation) => Interlocked.Read(ref _exhausted[(int)operation]);

    /// <summary>Retries of every operation together.</summary>
    public long TotalRetries => Sum(_retries);

    /// <inheritdoc />
    protected override async ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _attempts[(int)operation]);
            try
            {
                return await call(Inner, state, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobBackendException ex) when (ex.IsTransient)
            {
                await BeforeRetryAsync(operation, attempt, ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A transient failure can hide a create that landed (the reply was lost). When a later attempt
    /// then finds the name taken, the blob is read back: if it holds exactly <paramref name="data"/>,
    /// the earlier attempt of this call created it and the answer is true. (Another writer storing
    /// the same bytes in between is indistinguishable, and for the caller the outcome is the same.)
    /// </remarks>
    public override async ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var ambiguous = false;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _attempts[(int)BlobOperation.PutIfAbsent]);
            try
            {
                var created = await Inner.PutIfAbsentAsync(name, data, cancellationToken).ConfigureAwait(false);
                return created || (ambiguous && await HoldsExactlyAsync(name, data, cancellationToken).ConfigureAwait(false));
            }
            catch (BlobBackendException ex) when (ex.IsTransient)
            {
                ambiguous = true;
                await BeforeRetryAsync(BlobOperation.PutIfAbsent, attempt, ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Retries only until the first upload is read: once uploads were handed out, a failure surfaces.</remarks>
    public override async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<BlobMultipartUpload> enumerator;
        bool hasCurrent;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _attempts[(int)BlobOperation.ListMultipartUploads]);
            enumerator = Inner.ListMultipartUploadsAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                hasCurrent = await enumerator.MoveNextAsync().ConfigureAwait(false);
                break;
            }
            catch (BlobBackendException ex) when (ex.IsTransient)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
                await BeforeRetryAsync(BlobOperation.ListMultipartUploads, attempt, ex, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        try
        {
            while (hasCurrent)
            {
                yield return enumerator.Current;
                hasCurrent = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rethrows <paramref name="failure"/> when <paramref name="attempt"/> was the last allowed or the
    /// caller cancelled; otherwise counts the retry and waits the jittered delay.
    /// </summary>
    private async ValueTask BeforeRetryAsync(BlobOperation operation, int attempt, BlobBackendException failure, CancellationToken cancellationToken)
    {
        if (attempt >= _options.MaxAttempts)
        {
            Interlocked.Increment(ref _exhausted[(int)operation]);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _retries[(int)operation]);
        var delay = NextDelay(attempt);
        OnRetry?.Invoke(operation, attempt, delay, failure);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Full jitter: uniform in [0, min(MaxDelay, BaseDelay * 2^(attempt-1))].</summary>
    private TimeSpan NextDelay(int attempt)
    {
        var ceiling = _options.BaseDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30));
        var cap = Math.Min(_options.MaxDelay.Ticks, ceiling);
        double draw;
        lock (_randomLock)
        {
            draw = _random.NextDouble();
        }
        return TimeSpan.FromTicks((long)(cap * draw));
    }

    private async ValueTask<bool> HoldsExactlyAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (await GetLengthAsync(name, cancellationToken).ConfigureAwait(false) != data.Length)
        {
            return false;
        }
        // One byte more than expected: a blob that grew meanwhile reads long and does not match.
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length + 1);
        try
        {
            var read = 0;
            while (read <= data.Length)
            {
                var count = await ReadAsync(name, read, buffer.AsMemory(read, data.Length + 1 - read), cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }
                read += count;
            }
            return read == data.Length && buffer.AsSpan(0, read).SequenceEqual(data.Span);
        }
        catch (BlobNotFoundException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (var i = 0; i < counters.Length; i++)
        {
            total += Interlocked.Read(ref counters[i]);
        }
        return total;
    }
}
