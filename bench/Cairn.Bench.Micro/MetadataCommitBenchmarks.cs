using System.Globalization;
using BenchmarkDotNet.Attributes;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Bench.Micro;

/// <summary>
/// <see cref="IObjectCatalog.CommitObjectAsync"/> of a new small inline object on the SQLite catalog
/// as shipped (file database, WAL, <c>synchronous=FULL</c>: every commit is durable). One commit at a
/// time gives the latency a PUT waits for; 16 at once (the time reported is still per commit) shows
/// what the store makes of concurrent writers (serialized fsyncs, or fewer when commits are grouped).
/// </summary>
public class MetadataCommitBenchmarks
{
    private const int ConcurrentCommits = 16;

    private readonly Task<CommitResult>[] _inFlight = new Task<CommitResult>[ConcurrentCommits];
    private SeededCatalog _catalog = null!;
    private long _nextKey;

    [Params(10_000)]
    public int Objects { get; set; }

    /// <summary>Synchronous on purpose: the in-process toolchain of --quick does not wait for an async GlobalSetup.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _catalog = await SeededCatalog.CreateAsync(Objects);
        if (await CommitNewObjectAsync() != CommitOutcome.Committed)
        {
            throw new InvalidOperationException("A commit in setup failed.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _catalog.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public ValueTask<CommitResult> CommitSmallObject_OneAtATime() => CommitNewObjectAsync();

    /// <summary>16 commits at once; with OperationsPerInvoke the reported time is per commit, comparable to the row above.</summary>
    [Benchmark(OperationsPerInvoke = ConcurrentCommits)]
    public async Task CommitSmallObject_16Concurrent()
    {
        // Each commit starts on its own thread-pool thread, as concurrent PUTs do in the server:
        // Microsoft.Data.Sqlite's async methods complete synchronously, so starting them in a loop on
        // one thread would run them one after another whatever the store does.
        for (var i = 0; i < ConcurrentCommits; i++)
        {
            _inFlight[i] = Task.Run(() => CommitNewObjectAsync().AsTask());
        }
        await Task.WhenAll(_inFlight);
    }

    private ValueTask<CommitResult> CommitNewObjectAsync()
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"uploads/2025/06/15/file-{Interlocked.Increment(ref _nextKey):D9}.bin");
        var now = DateTimeOffset.UtcNow;
        return _catalog.Store.CommitObjectAsync(
            new ObjectCommit(null, SeededCatalog.SmallObject(key, now), WritePrecondition.None), now, SeededCatalog.GracePeriod, CancellationToken.None);
    }
}
