using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The behaviour every <see cref="IMetadataStore"/> provider must show, as documented on the
/// interface. A provider's test class derives from this and says how to open its store; partial
/// files group the tests by aspect.
/// </summary>
public abstract partial class MetadataStoreConformanceTests : IAsyncLifetime
{
    protected const string Bucket = "photos";
    protected static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);
    protected static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    protected static readonly DateTimeOffset Deadline = Now + TimeSpan.FromHours(1);
    protected static readonly DateTimeOffset Forever = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    protected IMetadataStore Store { get; private set; } = null!;

    /// <summary>The SQL store behind <see cref="Store"/>, for tests that read its counters.</summary>
    protected virtual IMetadataStore SqlStore => Store;

    /// <summary>Opens the provider's store over this test's database (the same one each call).</summary>
    protected abstract ValueTask<IMetadataStore> OpenStoreAsync();

    /// <summary>Removes this test's database after the store is disposed.</summary>
    protected virtual ValueTask DeleteDatabaseAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        Store = await OpenStoreAsync();
        await Store.MigrateAsync(Ct);
        Assert.True(await Store.TryCreateBucketAsync(new BucketRecord(Bucket, Now, "us-east-1"), Ct));
    }

    public async Task DisposeAsync()
    {
        await DisposeStoreAsync();
        await DeleteDatabaseAsync();
    }

    /// <summary>Closes the store and opens it again over the same database.</summary>
    protected async Task ReopenAsync()
    {
        await DisposeStoreAsync();
        Store = await OpenStoreAsync();
        await Store.MigrateAsync(Ct);
    }

    private async Task DisposeStoreAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    // Helpers: chunks are named by a word; their address is the SHA-256 of the word.

    protected static ChunkRef Chunk(string name, int length = 1000) => new(ContentHash.Compute(Encoding.UTF8.GetBytes(name)), length);

    protected static ObjectVersionRecord Version(string key, string etag, params ChunkRef[] chunks) => new()
    {
        Bucket = Bucket,
        Key = key,
        Size = chunks.Sum(static c => (long)c.Length),
        ETag = etag,
        LastModified = Now,
        Chunks = chunks,
    };

    protected static ObjectVersionRecord InlineVersion(string key, string etag = "inline") => new()
    {
        Bucket = Bucket,
        Key = key,
        Size = 3,
        ETag = etag,
        LastModified = Now,
        InlineBody = [1, 2, 3],
    };

    protected static string NewBlobName(ChunkRef chunk) => $"chunks/{chunk.Hash}/{Guid.NewGuid():N}";

    /// <summary>Reserves the chunks for a new upload; returns the upload and what each reservation said.</summary>
    protected async Task<(Guid Upload, ChunkReservation[] Reservations)> ReserveAsync(params ChunkRef[] chunks)
    {
        var upload = Guid.NewGuid();
        var reservations = new ChunkReservation[chunks.Length];
        for (var i = 0; i < chunks.Length; i++)
        {
            reservations[i] = await Store.ReserveChunkAsync(upload, chunks[i].Hash, chunks[i].Length, NewBlobName(chunks[i]), Deadline, Ct);
        }
        return (upload, reservations);
    }

    protected Task<CommitOutcome> CommitAsync(Guid? upload, ObjectVersionRecord version, WritePrecondition? precondition = null,
        DateTimeOffset? at = null) =>
        Store.CommitObjectAsync(new ObjectCommit(upload, version, precondition ?? WritePrecondition.None), at ?? Now, Grace, Ct).AsTask();

    /// <summary>A whole single PUT: reserve every chunk, then commit. Returns the reservations.</summary>
    protected async Task<ChunkReservation[]> PutAsync(string key, params ChunkRef[] chunks)
    {
        var (upload, reservations) = await ReserveAsync(chunks);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version(key, "etag-" + key, chunks)));
        return reservations;
    }

    protected Task PutInlineAsync(string key) => CommitAsync(null, InlineVersion(key));

    protected async Task<ChunkInfo?> FindChunkAsync(ChunkRef chunk)
    {
        foreach (var info in await Store.ListChunksAsync(Ct))
        {
            if (info.Hash == chunk.Hash)
            {
                return info;
            }
        }
        return null;
    }

    /// <summary>Every delete-queue entry, due or not.</summary>
    protected async Task<IReadOnlyList<DeleteQueueEntry>> QueueAsync() => await Store.GetDueDeletesAsync(Forever, 10_000, Ct);

    protected async Task<DeleteQueueEntry?> FindQueuedAsync(string blobName)
    {
        foreach (var entry in await QueueAsync())
        {
            if (entry.BlobName == blobName)
            {
                return entry;
            }
        }
        return null;
    }
}
