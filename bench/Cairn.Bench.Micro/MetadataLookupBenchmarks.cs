using BenchmarkDotNet.Attributes;
using Cairn.Metadata;

namespace Cairn.Bench.Micro;

/// <summary>
/// <see cref="IObjectCatalog.GetObjectAsync"/> on the SQLite catalog (a file database on disk) for
/// random keys that exist: the one metadata read behind every GET and HEAD.
/// </summary>
public class MetadataLookupBenchmarks
{
    // A power of two, so the next key is an index mask rather than a modulo.
    private const int KeySequenceLength = 4096;

    private SeededCatalog _catalog = null!;
    private string[] _keySequence = null!;
    private int _next;

    [Params(10_000)]
    public int Objects { get; set; }

    /// <summary>Synchronous on purpose: the in-process toolchain of --quick does not wait for an async GlobalSetup.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _catalog = await SeededCatalog.CreateAsync(Objects);
        var random = new Random(42);
        _keySequence = new string[KeySequenceLength];
        for (var i = 0; i < _keySequence.Length; i++)
        {
            _keySequence[i] = SeededCatalog.KeyOf(random.Next(Objects));
        }
        if (await _catalog.Store.GetObjectAsync(SeededCatalog.Bucket, _keySequence[0], CancellationToken.None) is null)
        {
            throw new InvalidOperationException("A seeded key was not found.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _catalog.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public ValueTask<ObjectVersionRecord?> GetObjectOfRandomExistingKey()
    {
        var key = _keySequence[_next++ & (KeySequenceLength - 1)];
        return _catalog.Store.GetObjectAsync(SeededCatalog.Bucket, key, CancellationToken.None);
    }
}
