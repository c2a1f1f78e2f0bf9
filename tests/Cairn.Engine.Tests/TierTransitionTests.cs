using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Lifecycle;
using Cairn.Engine.Objects;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// Lifecycle transitions to a cold tier on a real catalog (SQLite, and PostgreSQL below), a manual
/// clock and in-memory stores (the hot one and the tier's, behind <see cref="TieredBlobBackend"/>):
/// bytes move and read back the same, the hot copies go only after the move is recorded, a copy
/// whose move never landed (a crash between the tier upload and the catalog write) is deleted and
/// nothing else, and a tier failing half its calls slows transitions without losing a byte.
/// </summary>
[Trait("Issue", "13")]
public abstract class TierTransitionTests : IAsyncLifetime
{
    private const string Bucket = "aging";
    private const string Tier = "COLD";
    private const int BodySize = 200 * 1024;
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>10:00 UTC: a day's rounding ends at the next midnight, 14 hours on.</summary>
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly EngineOptions _options = new()
    {
        ChunkSize = 64 * 1024,
        InlineThreshold = 1024,
        GracePeriod = TimeSpan.FromMinutes(5),
        Tiers = [Tier],
    };
    private readonly InMemoryBlobBackend _hot = new();
    private readonly InMemoryBlobBackend _tierStore = new();
    private FlakyBlobBackend _tier = null!;
    private SqlMetadataStore _store = null!;
    private ObjectService _objects = null!;
    private LifecycleService _configurations = null!;
    private LifecycleWorker _worker = null!;
    private DeleteQueueSweeper _sweeper = null!;
    private DeleteQueueSweeper _otherNodesSweeper = null!;

    protected abstract Task<SqlMetadataStore> OpenStoreAsync();

    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.MigrateAsync(Ct);
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(Bucket, _clock.GetUtcNow(), "us-east-1"), Ct));
        _tier = new FlakyBlobBackend(_tierStore, seed: 13);
        var blobs = new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { [Tier] = _tier });
        var pins = new ChunkReadPins();
        var chunks = new ChunkStore(blobs, _store, _options, _clock, pins);
        _objects = new ObjectService(_store, _store, chunks, _options, _clock);
        _configurations = new LifecycleService(_store, _store, _options, _clock);
        // Parts of 128 KiB: every 200 KiB object here moves in two parts (64 + 64 KiB, then 64 + 8 KiB).
        var mover = new TierMover(_store, _store, _store, blobs, chunks, _options, _clock, NullLogger<TierMover>.Instance, bytesPerPart: 128 * 1024);
        _worker = new LifecycleWorker(_store, _store, _store, _store, _store, _options, _clock, NullLogger<LifecycleWorker>.Instance, tiers: mover);
        _sweeper = new DeleteQueueSweeper(_store, _store, blobs, pins, _options, _clock, NullLogger<DeleteQueueSweeper>.Instance);
        // Another node's: it does not see this node's downloads in progress.
        _otherNodesSweeper = new DeleteQueueSweeper(_store, _store, blobs, new ChunkReadPins(), _options, _clock, NullLogger<DeleteQueueSweeper>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropStoreAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Versions_move_at_their_day_read_back_byte_exact_and_their_hot_blobs_go_after_the_grace_period()
    {
        // Arrange: two large objects under the rule's prefix, one outside it, one small enough to stay in the catalog.
        await PutConfigurationAsync(TransitionRule("cold", "old/", days: 1));
        var bodies = new Dictionary<string, byte[]>
        {
            ["old/a"] = await PutAsync("old/a"),
            ["old/b"] = await PutAsync("old/b"),
            ["new/c"] = await PutAsync("new/c"),
            ["old/tiny"] = await PutAsync("old/tiny", 100),
        };
        await StepAsync();
        var hotBefore = await ChunkBlobsAsync(_hot);

        // Act: the day before, then the day (00:00 on day 3).
        _clock.Advance(TimeSpan.FromHours(37));
        await StepAsync();
        var tierBeforeTheDay = await ChunkBlobsAsync(_tierStore);
        _clock.Advance(TimeSpan.FromHours(1));
        await StepAsync();

        // Assert: moved, listed and read as COLD and byte-exact; the others untouched.
        Assert.Empty(tierBeforeTheDay);
        Assert.Equal(Tier, await StorageClassAsync("old/a"));
        Assert.Equal(Tier, await StorageClassAsync("old/b"));
        Assert.Null(await StorageClassAsync("new/c"));
        Assert.Null(await StorageClassAsync("old/tiny"));
        Assert.Equal(8, (await ChunkBlobsAsync(_tierStore)).Count); // 4 chunks of 64 KiB each
        foreach (var (key, body) in bodies)
        {
            Assert.Equal(body, await ReadAsync(key));
        }
        Assert.Equal(hotBefore, await ChunkBlobsAsync(_hot)); // nothing hot deleted before the grace period

        // Act: past the grace period the sweeper deletes the moved chunks' hot blobs; reads go on.
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        await _sweeper.SweepAllDueAsync(Ct);

        // Assert
        Assert.Equal(4, (await ChunkBlobsAsync(_hot)).Count); // new/c's
        foreach (var (key, body) in bodies)
        {
            Assert.Equal(body, await ReadAsync(key));
        }
        await StepAsync(); // nothing more to move
        Assert.Equal(8, (await ChunkBlobsAsync(_tierStore)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Deleting_a_moved_object_deletes_its_bytes_from_the_tier()
    {
        // Arrange
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        await PutAsync("k");
        await StepAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        await StepAsync();
        Assert.Equal(4, (await ChunkBlobsAsync(_tierStore)).Count);

        // Act
        Assert.Equal(DeleteObjectStatus.Deleted, (await _objects.DeleteAsync(Bucket, "k", Ct)).Status);
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        await _sweeper.SweepAllDueAsync(Ct);

        // Assert
        Assert.Empty(await ChunkBlobsAsync(_tierStore));
        Assert.Empty(await ChunkBlobsAsync(_hot));
    }

    [Fact(Timeout = 60_000)]
    public async Task Noncurrent_versions_move_after_their_days_and_the_current_one_stays_hot()
    {
        // Arrange
        Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        await PutConfigurationAsync(new LifecycleRule
        {
            Id = "noncurrent-cold",
            Enabled = true,
            Filter = new LifecycleFilter(),
            NoncurrentTransitions = [new LifecycleNoncurrentTransition(1, null, Tier)],
        });
        var first = await PutAsync("doc");
        _clock.Advance(TimeSpan.FromHours(1));
        var second = await PutAsync("doc"); // 11:00 on day 1: the first is noncurrent from now
        await StepAsync();

        // Act: 00:00 on day 3.
        _clock.Advance(TimeSpan.FromHours(37));
        await StepAsync();

        // Assert
        var versions = (await _store.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions;
        Assert.Equal([null, Tier], versions.Select(static v => v.StorageClass));
        Assert.Equal(second, await ReadAsync("doc"));
        Assert.Equal(first, await ReadAsync("doc", versions[1].VersionId));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_crash_between_the_tier_upload_and_the_catalog_write_loses_nothing_and_leaves_nothing_untracked()
    {
        // Arrange: every tier PUT lands, then fails as a crash right after it would (the move is never recorded).
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        var body = await PutAsync("k");
        await StepAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        _tier.Inject(BlobOperation.Put, new BlobFault { FailureRate = 1, FailAfterInner = true });

        // Act
        await StepAsync();

        // Assert: the bytes are in the tier, but the version still reads from the hot store; each copy is queued.
        var orphans = await ChunkBlobsAsync(_tierStore);
        Assert.NotEmpty(orphans);
        Assert.Null(await StorageClassAsync("k"));
        Assert.Equal(body, await ReadAsync("k"));
        var queued = (await _store.GetDueDeletesAsync(DateTimeOffset.MaxValue, 1000, Ct)).Select(static e => e.BlobName).ToList();
        Assert.All(orphans, orphan => Assert.Contains(TieredBlobBackend.NameIn(Tier, orphan), queued));

        // Act: the copies' deadline passes (the sweeper deletes them); the tier recovers and the retry moves the version.
        _clock.Advance(TierMover.CopyDeadline + TimeSpan.FromSeconds(1));
        await _sweeper.SweepAllDueAsync(Ct);
        var afterSweep = await ChunkBlobsAsync(_tierStore);
        var hotAfterSweep = (await ChunkBlobsAsync(_hot)).Count;
        _tier.ClearAll();
        await StepAsync();

        // Assert
        Assert.Empty(afterSweep);
        Assert.Equal(4, hotAfterSweep);
        Assert.Equal(Tier, await StorageClassAsync("k"));
        Assert.Equal(body, await ReadAsync("k"));
        Assert.Equal(4, (await ChunkBlobsAsync(_tierStore)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_download_that_located_the_chunks_before_the_move_reads_them_from_the_tier_once_the_hot_blobs_are_gone()
    {
        // Arrange: a 2 MiB object (32 chunks); its download locates every chunk, writes the first and pauses.
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        var body = await PutAsync("big", 2 * 1024 * 1024);
        await StepAsync();
        var found = await _objects.GetAsync(Bucket, "big", ReadConditions.None, null, Ct);
        var output = new PausingStream();
        var download = Task.Run(() => _objects.WriteBodyAsync(found, output, Ct));
        await output.FirstWrite.Task;

        // Act: meanwhile the object moves and, past the grace period, another node sweeps the hot blobs.
        _clock.Advance(TimeSpan.FromDays(2));
        await StepAsync();
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        var swept = await _otherNodesSweeper.SweepAllDueAsync(Ct);
        output.Resume.SetResult();
        await download;

        // Assert
        Assert.Equal(Tier, await StorageClassAsync("big"));
        Assert.True(swept >= 16, $"the hot blobs should have been swept ({swept})");
        Assert.Equal(body, output.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_key_whose_transition_keeps_failing_waits_twice_as_long_each_time()
    {
        // Arrange: a tier that refuses every PUT.
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        await PutAsync("k");
        await StepAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        _tier.Inject(BlobOperation.Put, BlobFault.Always());

        // Act: a step every 5 minutes for 40 minutes.
        var tries = new List<long>();
        for (var minute = 0; minute <= 40; minute += 5)
        {
            await StepAsync();
            tries.Add(_tier.CallCount(BlobOperation.Put));
            _clock.Advance(TimeSpan.FromMinutes(5));
        }

        // Assert: tried at 0, 5, 15 and 35 minutes (waits of 5, 10, 20), and the version is still hot and whole.
        var triedAt = Enumerable.Range(0, tries.Count).Where(i => i == 0 ? tries[0] > 0 : tries[i] > tries[i - 1]).Select(static i => i * 5);
        Assert.Equal([0, 5, 15, 35], triedAt);
        Assert.Null(await StorageClassAsync("k"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_move_cut_off_after_its_first_part_keeps_that_part_and_the_retry_copies_only_the_rest()
    {
        // Arrange: the tier's third PUT (the second part's first) fails.
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        var body = await PutAsync("k");
        await StepAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        _tier.Inject(BlobOperation.Put, BlobFault.OnCall(3));

        // Act
        await StepAsync();
        var placedAfterFirstTry = (await _store.ListChunksAsync(Ct)).Count(static chunk => TieredBlobBackend.IsTierName(chunk.BlobName));
        var classAfterFirstTry = await StorageClassAsync("k");
        var readAfterFirstTry = await ReadAsync("k");
        _clock.Advance(TimeSpan.FromMinutes(5));
        await StepAsync();

        // Assert: two chunks moved by the first part, the class only once the last part landed, two more copies for the rest.
        Assert.Equal(2, placedAfterFirstTry);
        Assert.Null(classAfterFirstTry);
        Assert.Equal(body, readAfterFirstTry);
        Assert.Equal(Tier, await StorageClassAsync("k"));
        // 2 for the first part, the refused one and perhaps its partner, then the second part's 2 again.
        Assert.InRange(_tier.CallCount(BlobOperation.Put), 5, 6);
        Assert.Equal(body, await ReadAsync("k"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_tier_failing_half_its_calls_slows_transitions_but_every_version_moves_and_nothing_is_lost()
    {
        // Arrange: twelve objects; the tier fails half of its calls (no retry decorator: every failure reaches the worker).
        await PutConfigurationAsync(TransitionRule("cold", "", days: 1));
        var bodies = new Dictionary<string, byte[]>();
        for (var i = 0; i < 12; i++)
        {
            bodies[$"k{i:D2}"] = await PutAsync($"k{i:D2}");
        }
        await StepAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        _tier.Inject(BlobOperation.Put, BlobFault.Rate(0.5));
        _tier.Inject(BlobOperation.Read, BlobFault.Rate(0.5));

        // Act: steps a day apart (the longest a failing key waits), bounded, until every version is in
        // the tier. A part of two chunks lands once in four tries and stays, so 100 steps are plenty.
        var steps = 0;
        for (; steps < 100 && (await MovedCountAsync()) < bodies.Count; steps++)
        {
            await StepAsync();
            _clock.Advance(TimeSpan.FromDays(1));
            await _sweeper.SweepAllDueAsync(Ct);
        }

        // Assert: all moved, more than one step needed, every byte readable (reads of tier copies may fail: retried here as a client would).
        Assert.Equal(bodies.Count, await MovedCountAsync());
        Assert.True(steps > 1, "half the tier's calls failing should have made some transitions wait");
        Assert.True(_tier.FailureCount(BlobOperation.Put) > 0);
        _tier.ClearAll();
        foreach (var (key, body) in bodies)
        {
            Assert.Equal(body, await ReadAsync(key));
        }
        // Past every copy's deadline: what is left in the tier is exactly what the catalog points to.
        _clock.Advance(TierMover.CopyDeadline + TimeSpan.FromSeconds(1));
        await _sweeper.SweepAllDueAsync(Ct);
        var placed = (await _store.ListChunksAsync(Ct)).Select(static chunk => chunk.BlobName).Order(StringComparer.Ordinal).ToList();
        var inTier = (await ChunkBlobsAsync(_tierStore)).Select(static name => TieredBlobBackend.NameIn(Tier, name)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(placed, inTier);
        Assert.Empty(await ChunkBlobsAsync(_hot));
    }
    private async Task<int> MovedCountAsync() =>
        (await _store.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct)).Objects.Count(static o => o.StorageClass == Tier);

    private static LifecycleRule TransitionRule(string id, string prefix, int days) => new()
    {
        Id = id,
        Enabled = true,
        Filter = new LifecycleFilter { Prefix = prefix },
        Transitions = [new LifecycleTransition(days, null, Tier)],
    };

    private async Task PutConfigurationAsync(params LifecycleRule[] rules) =>
        Assert.Equal(LifecycleStatus.Done, await _configurations.PutAsync(Bucket, new LifecycleConfiguration(rules), Ct));

    private async Task StepAsync() => Assert.Equal(WorkerState.Idle, await _worker.WorkAsync(Ct));

    private async Task<byte[]> PutAsync(string key, int size = BodySize)
    {
        var body = RandomNumberGenerator.GetBytes(size);
        var result = await _objects.PutAsync(new PutObjectCommand { Bucket = Bucket, Key = key, Body = new MemoryStream(body), DeclaredLength = size }, Ct);
        Assert.Equal(PutObjectStatus.Created, result.Status);
        return body;
    }

    private async Task<byte[]> ReadAsync(string key, string? versionId = null)
    {
        var found = await _objects.GetAsync(Bucket, key, ReadConditions.None, null, Ct, versionId: versionId);
        Assert.Equal(GetObjectStatus.Found, found.Status);
        var output = new MemoryStream();
        await _objects.WriteBodyAsync(found, output, Ct);
        return output.ToArray();
    }

    private async Task<string?> StorageClassAsync(string key) => (await _store.GetObjectAsync(Bucket, key, Ct))?.StorageClass;

    private static async Task<List<string>> ChunkBlobsAsync(InMemoryBlobBackend store)
    {
        var names = new List<string>();
        await foreach (var name in store.ListAsync("chunks/", Ct))
        {
            names.Add(name);
        }
        return names;
    }
}

public sealed class SqliteTierTransitionTests : TierTransitionTests
{
    protected override Task<SqlMetadataStore> OpenStoreAsync() =>
        Task.FromResult<SqlMetadataStore>(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory }));

    protected override Task DropStoreAsync() => Task.CompletedTask;
}

[Collection(PostgresCluster.Collection)]
public sealed class PostgresTierTransitionTests(PostgresCluster cluster) : TierTransitionTests
{
    private string _connectionString = "";

    protected override async Task<SqlMetadataStore> OpenStoreAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString });
    }

    protected override Task DropStoreAsync() => cluster.DropDatabaseAsync(_connectionString);
}
