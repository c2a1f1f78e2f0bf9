using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Fault-injection decorator for tests (FASTER <c>SimulatedFlakyDevice</c>): wraps a backend and fails
/// or delays calls by the <see cref="BlobFault"/> rule set for each <see cref="BlobOperation"/>, and
/// counts calls and injected failures. Thread-safe; the random draws are seeded, so a single-threaded
/// test sees the same failures on every run.
/// </summary>
public sealed class FlakyBlobBackend : IBlobBackend
{
    private static readonly int OperationCount = Enum.GetValues<BlobOperation>().Length;

    private readonly IBlobBackend _inner;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly RuleState?[] _rules = new RuleState?[OperationCount];
    private readonly long[] _calls = new long[OperationCount];
    private readonly long[] _failures = new long[OperationCount];

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="seed"/> fixes the random failure draws.</summary>
    public FlakyBlobBackend(IBlobBackend inner, int seed = 0, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _random = new Random(seed);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The wrapped backend, for checking what really landed.</summary>
    public IBlobBackend Inner => _inner;

    /// <summary>Sets (replacing any previous) the rule for <paramref name="operation"/>; its call ordinal starts at zero.</summary>
    public FlakyBlobBackend Inject(BlobOperation operation, BlobFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        Volatile.Write(ref _rules[(int)operation], new RuleState(fault));
        return this;
    }

    /// <summary>Removes the rule for <paramref name="operation"/>.</summary>
    public FlakyBlobBackend Clear(BlobOperation operation)
    {
        Volatile.Write(ref _rules[(int)operation], null);
        return this;
    }

    /// <summary>Removes every rule.</summary>
    public FlakyBlobBackend ClearAll()
    {
        for (var i = 0; i < OperationCount; i++)
        {
            Volatile.Write(ref _rules[i], null);
        }
        return this;
    }

    /// <summary>Calls made to <paramref name="operation"/>, failed ones included.</summary>
    public long CallCount(BlobOperation operation) => Interlocked.Read(ref _calls[(int)operation]);

    /// <summary>Failures injected into <paramref name="operation"/>.</summary>
    public long FailureCount(BlobOperation operation) => Interlocked.Read(ref _failures[(int)operation]);

    /// <inheritdoc />
    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.Put, name, cancellationToken).ConfigureAwait(false);
        await _inner.PutAsync(name, data, cancellationToken).ConfigureAwait(false);
        After(fault, BlobOperation.Put, name);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.Read, name, cancellationToken).ConfigureAwait(false);
        var read = await _inner.ReadAsync(name, offset, buffer, cancellationToken).ConfigureAwait(false);
        After(fault, BlobOperation.Read, name);
        return read;
    }

    /// <inheritdoc />
    public async ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.GetLength, name, cancellationToken).ConfigureAwait(false);
        var length = await _inner.GetLengthAsync(name, cancellationToken).ConfigureAwait(false);
        After(fault, BlobOperation.GetLength, name);
        return length;
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.Delete, name, cancellationToken).ConfigureAwait(false);
        await _inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        After(fault, BlobOperation.Delete, name);
    }

    /// <inheritdoc />
    /// <remarks>A failure is raised when enumeration starts, or after the last name with <see cref="BlobFault.FailAfterInner"/>.</remarks>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.List, prefix, cancellationToken).ConfigureAwait(false);
        await foreach (var name in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
        After(fault, BlobOperation.List, prefix);
    }

    /// <summary>Counts the call, waits the delay, and throws now or returns the rule that must fail after the inner call.</summary>
    private async ValueTask<BlobFault?> BeforeAsync(BlobOperation operation, string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls[(int)operation]);
        var rule = Volatile.Read(ref _rules[(int)operation]);
        if (rule is null)
        {
            return null;
        }
        var fault = rule.Fault;
        var ordinal = Interlocked.Increment(ref rule.Calls);
        if (fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        if (!ShouldFail(fault, ordinal))
        {
            return null;
        }
        if (fault.FailAfterInner)
        {
            return fault;
        }
        throw Injected(fault, operation, name);
    }

    private void After(BlobFault? fault, BlobOperation operation, string name)
    {
        if (fault is not null)
        {
            throw Injected(fault, operation, name);
        }
    }

    private bool ShouldFail(BlobFault fault, long ordinal)
    {
        if (fault.FailOnCall == ordinal)
        {
            return true;
        }
        if (fault.FailureRate <= 0)
        {
            return false;
        }
        lock (_randomLock)
        {
            return _random.NextDouble() < fault.FailureRate;
        }
    }

    private BlobBackendException Injected(BlobFault fault, BlobOperation operation, string name)
    {
        Interlocked.Increment(ref _failures[(int)operation]);
        return new BlobBackendException($"Injected {operation} failure for '{name}'.", fault.IsTransient);
    }

    private sealed class RuleState(BlobFault fault)
    {
        public readonly BlobFault Fault = fault;
        public long Calls;
    }
}
