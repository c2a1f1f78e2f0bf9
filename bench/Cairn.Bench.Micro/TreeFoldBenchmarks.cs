using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Cairn.Core;
using Cairn.Engine;
using Cairn.Engine.Trees;
using Cairn.Metadata;
using Cairn.Metadata.Sqlite;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Bench.Micro;

/// <summary>
/// One fold of the tree committer (issue 11) as <c>bench/trees.sh</c> makes it: the journal entries of
/// <see cref="NewKeys"/> new 4 KiB objects, written as the server writes a PUT's (body inline with its
/// hash, no headers, metadata or checksums), folded into a bucket of <see cref="Objects"/> folded keys.
/// Sequential keys follow those already there (cairn-bench's: a fold changes the tree's right edge);
/// random keys land all over the tree, so a fold loads and rewrites many more nodes. The time reported is per journal entry, the fold's CPU cost
/// without the machine's other load; the allocations are what the fold leaves to the GC. The catalog
/// is SQLite in tmpfs where there is one (the fold's fsyncs are not what is measured) and the segments
/// go to memory.
/// </summary>
[InvocationCount(1)]
public class TreeFoldBenchmarks
{
    private const string Bucket = "fold";

    /// <summary>Journal entries one fold takes in: about a second of 4 KiB PUTs at c64 on this machine.</summary>
    public const int NewKeys = 10_000;

    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(4096);
    private static readonly string BodyETag = Convert.ToHexStringLower(MD5.HashData(Body));
    private static readonly ContentHash BodyHash = ContentHash.Compute(Body);

    private string _directory = null!;
    private SqliteMetadataStore _store = null!;
    private BucketTreeCommitter _committer = null!;
    private int _nextKey;

    [Params(100_000)]
    public int Objects { get; set; }

    [Params(KeyOrder.Sequential, KeyOrder.Random)]
    public KeyOrder Keys { get; set; }

    public enum KeyOrder
    {
        Sequential,
        Random,
    }

    /// <summary>Synchronous on purpose: the in-process toolchain of --quick does not wait for an async GlobalSetup.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        const string Tmpfs = "/dev/shm";
        _directory = Path.Combine(OperatingSystem.IsLinux() && Directory.Exists(Tmpfs) ? Tmpfs : Path.GetTempPath(),
            "cairn-bench-fold-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(_directory, "catalog.db") });
        await _store.MigrateAsync(CancellationToken.None);
        await _store.TryCreateBucketAsync(new BucketRecord(Bucket, DateTimeOffset.UtcNow, "us-east-1"), CancellationToken.None);
        _committer = new BucketTreeCommitter(_store, new InMemoryBlobBackend(), new EngineOptions(), TimeProvider.System,
            NullLogger<BucketTreeCommitter>.Instance);
        await PutAsync(Objects);
        if (await _committer.CommitBucketAsync(Bucket, CancellationToken.None) is null)
        {
            throw new InvalidOperationException("The first fold recorded nothing.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup]
    public void WriteNewKeys() => PutAsync(NewKeys).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = NewKeys)]
    public async Task FoldNewKeys()
    {
        if (await _committer.CommitBucketAsync(Bucket, CancellationToken.None) is null)
        {
            throw new InvalidOperationException("The fold recorded nothing.");
        }
    }

    /// <summary>The <paramref name="index"/>th key written: cairn-bench's names, or the same behind a hash of the index (any order).</summary>
    private string KeyOf(int index) => Keys == KeyOrder.Sequential
        ? "put/5a0c697f/k" + index.ToString("D7", CultureInfo.InvariantCulture)
        : "put/5a0c697f/" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(index)).AsSpan(0, 8));

    /// <summary>Commits <paramref name="count"/> new objects, 64 at a time as PUTs at c64 do (the store groups their commits).</summary>
    private async Task PutAsync(int count)
    {
        var first = _nextKey;
        _nextKey += count;
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (index, cancellationToken) =>
        {
            var now = DateTimeOffset.UtcNow;
            var version = new ObjectVersionRecord
            {
                Bucket = Bucket,
                Key = KeyOf(index),
                Size = Body.Length,
                ETag = BodyETag,
                LastModified = now,
                InlineBody = Body,
                InlineBodyHash = BodyHash,
            };
            var result = await _store.CommitObjectAsync(new ObjectCommit(null, version, WritePrecondition.None), now, TimeSpan.FromHours(1),
                cancellationToken);
            if (result.Outcome != CommitOutcome.Committed)
            {
                throw new InvalidOperationException($"Writing object {index} failed: {result.Outcome}.");
            }
        });
    }
}
