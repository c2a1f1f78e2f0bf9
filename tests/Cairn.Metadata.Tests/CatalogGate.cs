using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Forwards every call to the catalog; the next call of a chosen method waits, after the catalog
/// answered it, until released.
/// </summary>
public sealed class CatalogGate
{
    private (string Method, HeldCall Call)? _next;

    public HeldCall HoldNext(string method)
    {
        var call = new HeldCall();
        _next = (method, call);
        return call;
    }

    public IRowCatalog Wrap(SqlMetadataStore inner)
    {
        var proxy = DispatchProxy.Create<IRowCatalog, GateProxy>();
        ((GateProxy)(object)proxy).Init(inner, this);
        return proxy;
    }

    public HeldCall? Take(string method)
    {
        if (_next is { } next && next.Method == method)
        {
            _next = null;
            return next.Call;
        }
        return null;
    }
}

/// <summary>The roles the row cache wraps, as one interface a proxy can implement.</summary>
public interface IRowCatalog : IBucketCatalog, IObjectCatalog;

public sealed class HeldCall
{
    private readonly TaskCompletionSource _fetched = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Fetched => _fetched.Task;

    public async ValueTask<T> HoldAsync<T>(ValueTask<T> call)
    {
        var result = await call;
        _fetched.TrySetResult();
        await _released.Task;
        return result;
    }

    public void Release() => _released.TrySetResult();
}

public class GateProxy : DispatchProxy
{
    private object _inner = null!;
    private object _gate = null!;

    internal void Init(object inner, object gate) => (_inner, _gate) = (inner, gate);

    // A proxy hands every result back boxed; each ValueTask is still consumed exactly once.
#pragma warning disable CA2012
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod!.DeclaringType == typeof(IAsyncDisposable))
        {
            return _inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
        }
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
        return ((CatalogGate)_gate).Take(targetMethod.Name) switch
        {
            null => result,
            { } held when result is ValueTask<ObjectVersionRecord?> read => held.HoldAsync(read),
            { } held when result is ValueTask<CommitResult> commit => held.HoldAsync(commit),
            _ => throw new NotSupportedException($"holding {targetMethod.Name}"),
        };
    }
#pragma warning restore CA2012
}
