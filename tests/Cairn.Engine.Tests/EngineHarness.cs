using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Engine.Packs;
using Cairn.Engine.Workers;
using Cairn.Metadata.Sqlite;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>The engine over a real SQLite catalog (in memory), an in-memory blob store behind a fault injector, and a manual clock.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Bucket = "bucket";

    private EngineHarness(EngineOptions options)
    {
        Options = options;
        Metadata = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory });
        Flaky = new FlakyBlobBackend(Blobs, seed: 7);
        Packs = new PackWriter(Segments, Metadata, Flaky, options, Clock);
        Chunks = new ChunkStore(Flaky, Metadata, options, Clock, Pins, packs: Packs);
        Objects = new ObjectService(Metadata, Metadata, Chunks, options, Clock);
        Compactor = new PackCompactor(Metadata, Flaky, options, Clock);
        Sweeper = new DeleteQueueSweeper(Metadata, Metadata, Flaky, Pins, options, Clock, NullLogger<DeleteQueueSweeper>.Instance);
    }

    public EngineOptions Options { get; }
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public InMemoryBlobBackend Blobs { get; } = new();
    public FlakyBlobBackend Flaky { get; }
    public ChunkReadPins Pins { get; } = new();
    public InMemorySegmentStore Segments { get; } = new();
    public PackWriter Packs { get; }
    public PackCompactor Compactor { get; }
    public SqliteMetadataStore Metadata { get; }
    public ChunkStore Chunks { get; }
    public ObjectService Objects { get; }
    public DeleteQueueSweeper Sweeper { get; }

    public static async Task<EngineHarness> CreateAsync(int chunkSize = 64 * 1024, int inlineThreshold = 1024, int readAheadChunks = 2,
        int maxConcurrentChunkReads = 32, int writeBehindChunks = 4, int sharedWriteBuffers = 16, ChunkCompression compression = ChunkCompression.Zstd,
        int packThreshold = 0, long packTargetSize = 32L * 1024 * 1024, int packPartSize = 8 * 1024 * 1024,
        PackAcknowledgement packAcknowledge = PackAcknowledgement.Segment, long segmentStoreLimit = 1024L * 1024 * 1024)
    {
        var harness = new EngineHarness(new EngineOptions
        {
            ChunkSize = chunkSize,
            InlineThreshold = inlineThreshold,
            ReadAheadChunks = readAheadChunks,
            MaxConcurrentChunkReads = maxConcurrentChunkReads,
            WriteBehindChunks = writeBehindChunks,
            SharedWriteBuffers = sharedWriteBuffers,
            Compression = compression,
            PackThreshold = packThreshold,
            PackTargetSize = packTargetSize,
            PackPartSize = packPartSize,
            PackAcknowledge = packAcknowledge,
            SegmentStoreLimit = segmentStoreLimit,
            PackMaxAge = TimeSpan.FromSeconds(30),
            GracePeriod = TimeSpan.FromMinutes(5),
            ReservationTimeout = TimeSpan.FromHours(1),
        });
        await harness.Metadata.MigrateAsync(CancellationToken.None);
        await harness.Metadata.TryCreateBucketAsync(new BucketRecord(Bucket, harness.Clock.GetUtcNow(), "us-east-1"), CancellationToken.None);
        return harness;
    }

    public Task<PutObjectResult> PutAsync(string key, byte[] body, WritePrecondition? precondition = null) =>
        Objects.PutAsync(new PutObjectCommand
        {
            Bucket = Bucket,
            Key = key,
            Body = new MemoryStream(body),
            DeclaredLength = body.Length,
            Precondition = precondition ?? WritePrecondition.None,
        }, CancellationToken.None);

    public async Task<byte[]> ReadAsync(string key)
    {
        var found = await Objects.GetAsync(Bucket, key, ReadConditions.None, null, CancellationToken.None);
        Assert.Equal(GetObjectStatus.Found, found.Status);
        var output = new MemoryStream();
        await Objects.WriteBodyAsync(found, output, CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>Advances the clock past the grace period and sweeps everything due.</summary>
    public async Task<int> SweepAfterGraceAsync()
    {
        Clock.Advance(Options.GracePeriod + TimeSpan.FromSeconds(1));
        return await Sweeper.SweepAllDueAsync(CancellationToken.None);
    }

    public async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var name in Blobs.ListAsync("", CancellationToken.None))
        {
            names.Add(name);
        }
        return names;
    }

    /// <summary>Every blob in the store is the blob of a committed chunk row, and every chunk row's blob exists.</summary>
    public async Task AssertBlobsMatchCatalogAsync()
    {
        var chunks = await Metadata.ListChunksAsync(CancellationToken.None);
        var referenced = chunks.Where(c => c.RefCount > 0).Select(c => c.BlobName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var stored = await BlobNamesAsync();
        stored.Sort(StringComparer.Ordinal);
        Assert.Equal(referenced, stored);
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Packs.DisposeAsync();
        await Metadata.DisposeAsync();
    }
}
