using System.Runtime.CompilerServices;
using Cairn.Storage;

namespace Cairn.TestSupport;

/// <summary>
/// Fault-injection decorator for tests (FASTER <c>SimulatedFlakyDevice</c>): wraps a backend and fails
/// or delays calls by the <see cref="BlobFault"/> rule set for each <see cref="BlobOperation"/>, and
/// counts calls and injected failures. Thread-safe; the random draws are seeded, so a single-threaded
/// test sees the same failures on every run.
/// </summary>
public sealed class FlakyBlobBackend : DelegatingBlobBackend
{
    private static readonly int OperationCount = Enum.GetValues<BlobOperation>().Length;

    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly RuleState?[] _rules = new RuleState?[OperationCount];
    private readonly long[] _calls = new long[OperationCount];
    private readonly long[] _failures = new long[OperationCount];

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="seed"/> fixes the random failure draws.</summary>
    public FlakyBlobBackend(IBlobBackend inner, int seed = 0, TimeProvider? timeProvider = null)
        : base(inner)
    {
        _random = new Random(seed);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

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
    /// <remarks>A failure is raised when enumeration starts, or after the last upload with <see cref="BlobFault.FailAfterInner"/>.</remarks>
    public override async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fault = await BeforeAsync(BlobOperation.ListMultipartUploads, prefix, cancellationToken).ConfigureAwait(false);
        await foreach (var upload in Inner.ListMultipartUploadsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return upload;
        }
        After(fault, BlobOperation.ListMultipartUploads, prefix);
    }

    /// <inheritdoc />
    protected override async ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
        Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var fault = await BeforeAsync(operation, target, cancellationToken).ConfigureAwait(false);
        var result = await call(Inner, state, cancellationToken).ConfigureAwait(false);
        After(fault, operation, target);
        return result;
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
        if (fault.FailOnCall == ordinal || ordinal <= fault.FailFirstCalls)
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
