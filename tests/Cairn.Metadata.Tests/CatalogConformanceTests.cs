using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// What every catalog role suite shares: a fresh catalog per test from <typeparamref name="TTarget"/>
/// (a provider, or a provider behind a decorator) with one bucket, and helpers that name chunks by a
/// word. Each role has its own abstract suite deriving from this (<c>BucketCatalogConformanceTests</c>,
/// <c>ObjectCatalogConformanceTests</c>, ...), and each target runs it through a one-line sealed class that hands it the target.
/// </summary>
public abstract class CatalogConformanceTests<TTarget>(TTarget target) : IAsyncLifetime
    where TTarget : ICatalogTarget
{
    protected const string Bucket = "photos";
    protected static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);
    protected static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    protected static readonly DateTimeOffset Deadline = Now + TimeSpan.FromHours(1);
    protected static readonly DateTimeOffset Forever = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Where this test's database lives; it opens the catalog over it.</summary>
    protected TTarget Target { get; } = target;

    protected MetadataCatalog Catalog { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Catalog = await Target.OpenAsync();
        await Catalog.Schema.MigrateAsync(Ct);
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now, "us-east-1"), Ct));
    }

    public async Task DisposeAsync()
    {
        await Catalog.DisposeAsync();
        await Target.DisposeAsync();
    }

    /// <summary>Closes the catalog and opens it again over the same database.</summary>
    protected async Task ReopenAsync()
    {
        await Catalog.DisposeAsync();
        Catalog = await Target.OpenAsync();
        await Catalog.Schema.MigrateAsync(Ct);
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
            reservations[i] = await Catalog.Chunks.ReserveChunkAsync(upload, chunks[i].Hash, chunks[i].Length, NewBlobName(chunks[i]), Deadline, Ct);
        }
        return (upload, reservations);
    }

    protected async Task<CommitOutcome> CommitAsync(Guid? upload, ObjectVersionRecord version, WritePrecondition? precondition = null,
        DateTimeOffset? at = null) =>
        await Catalog.Objects.CommitObjectAsync(new ObjectCommit(upload, version, precondition ?? WritePrecondition.None), at ?? Now, Grace, Ct);

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
        foreach (var info in await Catalog.Chunks.ListChunksAsync(Ct))
        {
            if (info.Hash == chunk.Hash)
            {
                return info;
            }
        }
        return null;
    }

    /// <summary>Every delete-queue entry, due or not.</summary>
    protected async Task<IReadOnlyList<DeleteQueueEntry>> QueueAsync() => await Catalog.DeleteQueue.GetDueDeletesAsync(Forever, 10_000, Ct);

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

    // Helpers: a multipart upload of key "big" unless said otherwise.

    protected async Task<string> CreateUploadAsync(string key = "big", DateTimeOffset? initiated = null, string? uploadId = null,
        string bucket = Bucket)
    {
        var id = uploadId ?? "upload-" + Guid.NewGuid().ToString("N");
        Assert.True(await Catalog.Multipart.CreateMultipartUploadAsync(
            new MultipartUploadRecord { UploadId = id, Bucket = bucket, Key = key, Initiated = initiated ?? Now }, Ct));
        return id;
    }

    protected static PartRecord Part(int number, string etag, params ChunkRef[] chunks) => new()
    {
        PartNumber = number,
        Size = chunks.Sum(static c => (long)c.Length),
        ETag = etag,
        LastModified = Now,
        Chunks = chunks,
    };

    /// <summary>A whole UploadPart: reserve the part's chunks, then commit it. Returns the reservations.</summary>
    protected async Task<ChunkReservation[]> UploadPartAsync(string uploadId, PartRecord part, DateTimeOffset? at = null)
    {
        var (reservation, reservations) = await ReserveAsync([.. part.Chunks]);
        Assert.Equal(PartCommitOutcome.Committed, await Catalog.Multipart.CommitPartAsync(uploadId, reservation, part, at ?? Now, Grace, Ct));
        return reservations;
    }

    /// <summary>The object CompleteMultipartUpload makes of <paramref name="parts"/>, as the engine builds it.</summary>
    protected static ObjectVersionRecord MultipartVersion(string key, params PartRecord[] parts) =>
        Version(key, $"mp-{parts.Length}", [.. parts.SelectMany(static p => p.Chunks)]) with
        {
            PartSizes = [.. parts.Select(static p => p.Size)],
            ChecksumType = "COMPOSITE",
            Checksums = new Dictionary<string, string> { ["CRC32"] = $"AAAAAA==-{parts.Length}" },
        };

    protected async Task<CompleteMultipartOutcome> CompleteAsync(string uploadId, PartRecord[] parts, WritePrecondition? precondition = null,
        DateTimeOffset? at = null, string key = "big") =>
        await Catalog.Objects.CompleteMultipartUploadAsync(uploadId, [.. parts.Select(static p => new CompletedPart(p.PartNumber, p.ETag))],
            MultipartVersion(key, parts), precondition ?? WritePrecondition.None, at ?? Now, Grace, Ct);

    protected async Task<long?> RefCountAsync(ChunkRef chunk) => (await FindChunkAsync(chunk))?.RefCount;

    /// <summary>Everything a multipart call may change, as text, to prove that a failed call changed nothing.</summary>
    protected async Task<string> SnapshotAsync(string uploadId, string key = "big")
    {
        var text = new StringBuilder();
        foreach (var chunk in await Catalog.Chunks.ListChunksAsync(Ct))
        {
            text.AppendLine(chunk.ToString());
        }
        foreach (var entry in await QueueAsync())
        {
            text.AppendLine(entry.ToString());
        }
        text.AppendLine((await Catalog.Multipart.GetMultipartUploadAsync(uploadId, Ct))?.UploadId ?? "no upload");
        foreach (var part in (await Catalog.Multipart.ListPartsAsync(uploadId, 0, 10_000, Ct)).Parts)
        {
            text.AppendLine($"{part.PartNumber} {part.ETag} {string.Join(',', part.Chunks)}");
        }
        var current = await Catalog.Objects.GetObjectAsync(Bucket, key, Ct);
        text.AppendLine(current is null ? "no object" : $"{current.ETag} {string.Join(',', current.Chunks)}");
        return text.ToString();
    }
}
