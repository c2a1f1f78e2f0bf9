using Cairn.Core;
namespace Cairn.Metadata.Tests;

public abstract partial class ChunkCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    [Fact(Timeout = 10_000)]
    public async Task ReserveChunk_of_a_new_address_returns_MustWrite_with_the_candidate_blob()
    {
        var chunk = Chunk("a");
        var reservation = await Catalog.Chunks.ReserveChunkAsync(Guid.NewGuid(), chunk.Hash, chunk.Length, "blob-1", Deadline, Ct);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.MustWrite, "blob-1"), reservation);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_committed_chunk_keeps_the_placement_its_writer_reserved_and_a_later_writer_does_not_change_it()
    {
        // Arrange: a chunk its writer stored compressed at an offset inside a larger blob.
        var chunk = Chunk("placed");
        var placement = new ChunkPlacement("packs/p1", 4_000_000_000, 17, ChunkCodec.Zstd);
        var upload = Guid.NewGuid();
        Assert.Equal(new ChunkReservation(ChunkReservationKind.MustWrite, "packs/p1"),
            await Catalog.Chunks.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, placement, Deadline, Ct));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("k", "e", chunk)));

        // Act: another upload of the same bytes, which would have stored them elsewhere and as is.
        var second = Guid.NewGuid();
        var again = await Catalog.Chunks.ReserveChunkAsync(second, chunk.Hash, chunk.Length, ChunkPlacement.Whole("blob-other", chunk.Length),
            Deadline, Ct);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(second, Version("k2", "e", chunk)));

        // Assert
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyStored, "packs/p1"), again);
        Assert.Equal(new ChunkInfo(chunk.Hash, placement, chunk.Length, 2), await FindChunkAsync(chunk));
        var located = await Catalog.Chunks.LocateChunksAsync([chunk.Hash, Chunk("absent").Hash], Ct);
        Assert.Equal(placement, Assert.Single(located, pair => pair.Key == chunk.Hash).Value);
        Assert.Single(located);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReserveChunk_of_a_committed_address_returns_AlreadyStored_and_pins_the_chunk()
    {
        // Arrange
        var chunk = Chunk("a");
        var committed = await PutAsync("k", chunk);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);

        // Act
        var upload = Guid.NewGuid();
        var reservation = await Catalog.Chunks.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, "unused-candidate", Deadline, Ct);

        // Assert: the pin keeps the unreferenced chunk row until the upload commits or ends.
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyStored, committed[0].BlobName), reservation);
        Assert.Equal(SweepDecision.Later, await Catalog.DeleteQueue.PrepareDeleteAsync(committed[0].BlobName!, Forever, Forever, Ct));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("k2", "e", chunk)));
        Assert.Equal(1, (await FindChunkAsync(chunk))!.Value.RefCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReserveChunk_of_an_address_the_upload_reserved_returns_AlreadyReserved()
    {
        // Arrange
        var (fresh, stored) = (Chunk("fresh"), Chunk("stored"));
        var committed = await PutAsync("k", stored);
        var upload = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(upload, fresh.Hash, fresh.Length, "blob-fresh", Deadline, Ct);
        await Catalog.Chunks.ReserveChunkAsync(upload, stored.Hash, stored.Length, "blob-stored", Deadline, Ct);

        // Act
        var freshAgain = await Catalog.Chunks.ReserveChunkAsync(upload, fresh.Hash, fresh.Length, "blob-2", Deadline, Ct);
        var storedAgain = await Catalog.Chunks.ReserveChunkAsync(upload, stored.Hash, stored.Length, "blob-3", Deadline, Ct);

        // Assert
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, "blob-fresh"), freshAgain);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, committed[0].BlobName), storedAgain);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReserveChunk_extends_the_upload_deadline_and_never_shortens_it()
    {
        // Arrange
        var upload = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(upload, Chunk("a").Hash, 1, "blob-a", Now.AddMinutes(1), Ct);
        await Catalog.Chunks.ReserveChunkAsync(upload, Chunk("b").Hash, 1, "blob-b", Now.AddMinutes(10), Ct);
        await Catalog.Chunks.ReserveChunkAsync(upload, Chunk("c").Hash, 1, "blob-c", Now.AddMinutes(5), Ct);

        // Act
        var expiredEarly = await Catalog.Chunks.ExpireUploadsAsync(Now.AddMinutes(9), Ct);
        var expiredLate = await Catalog.Chunks.ExpireUploadsAsync(Now.AddMinutes(11), Ct);

        // Assert
        Assert.Equal((0, 1), (expiredEarly, expiredLate));
    }

    [Fact(Timeout = 10_000)]
    public async Task AbortUpload_queues_only_the_blobs_no_chunk_adopted_for_immediate_deletion()
    {
        // Arrange: the upload wrote one new chunk, lost a race on another, and pinned a third.
        var (fresh, raced, pinned) = (Chunk("fresh"), Chunk("raced"), Chunk("pinned"));
        var pinnedCommit = await PutAsync("pinned", pinned);
        var (upload, reservations) = await ReserveAsync(fresh, raced, pinned);
        var winner = await PutAsync("winner", raced);
        var later = Now.AddMinutes(3);

        // Act
        await Catalog.Chunks.AbortUploadAsync(upload, later, Ct);

        // Assert
        Assert.Equal(ChunkReservationKind.AlreadyStored, reservations[2].Kind);
        Assert.Equal(
            new[] { reservations[0].BlobName, reservations[1].BlobName }.Order(),
            (await QueueAsync()).Select(static e => e.BlobName).Order());
        Assert.All(await QueueAsync(), static e => Assert.Equal(Now.AddMinutes(3), e.NotBefore));
        Assert.Equal(winner[0].BlobName, (await FindChunkAsync(raced))!.Value.BlobName);
        Assert.Equal(pinnedCommit[0].BlobName, (await FindChunkAsync(pinned))!.Value.BlobName);
        Assert.Null(await FindChunkAsync(fresh));
        // The reservations are gone: the address is free to reserve again, and nothing pins it.
        var again = await Catalog.Chunks.ReserveChunkAsync(upload, fresh.Hash, fresh.Length, "blob-again", Deadline, Ct);
        Assert.Equal(ChunkReservationKind.MustWrite, again.Kind);
        Assert.Equal(0, await Catalog.Chunks.ExpireUploadsAsync(Now, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task AbortUpload_does_not_queue_a_blob_a_chunk_row_owns()
    {
        // Arrange: two uploads name the same blob; the first commits it as a chunk row.
        var chunk = Chunk("a");
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await Catalog.Chunks.ReserveChunkAsync(first, chunk.Hash, chunk.Length, "shared-blob", Deadline, Ct);
        await Catalog.Chunks.ReserveChunkAsync(second, chunk.Hash, chunk.Length, "shared-blob", Deadline, Ct);
        await CommitAsync(first, Version("k", "e", chunk));

        // Act
        await Catalog.Chunks.AbortUploadAsync(second, Now, Ct);

        // Assert
        Assert.Empty(await QueueAsync());
        Assert.Equal("shared-blob", (await FindChunkAsync(chunk))!.Value.BlobName);
    }

    [Fact(Timeout = 10_000)]
    public async Task AbortUpload_of_an_unknown_upload_changes_nothing()
    {
        await PutAsync("k", Chunk("a"));
        await Catalog.Chunks.AbortUploadAsync(Guid.NewGuid(), Now, Ct);
        Assert.Empty(await QueueAsync());
        Assert.Single(await Catalog.Chunks.ListChunksAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task ExpireUploads_aborts_only_uploads_past_their_deadline()
    {
        // Arrange
        var (early, late) = (Guid.NewGuid(), Guid.NewGuid());
        var (a, b) = (Chunk("a"), Chunk("b"));
        await Catalog.Chunks.ReserveChunkAsync(early, a.Hash, a.Length, "blob-early", Now.AddMinutes(1), Ct);
        await Catalog.Chunks.ReserveChunkAsync(late, b.Hash, b.Length, "blob-late", Now.AddMinutes(10), Ct);
        var sweepTime = Now.AddMinutes(5);

        // Act
        var expired = await Catalog.Chunks.ExpireUploadsAsync(sweepTime, Ct);

        // Assert
        Assert.Equal(1, expired);
        Assert.Equal(new DeleteQueueEntry("blob-early", a.Hash, sweepTime, 0, null), Assert.Single(await QueueAsync()));
        Assert.Equal(ChunkReservationKind.AlreadyReserved, (await Catalog.Chunks.ReserveChunkAsync(late, b.Hash, b.Length, "x", Now.AddMinutes(10), Ct)).Kind);
        Assert.Equal(ChunkReservationKind.MustWrite, (await Catalog.Chunks.ReserveChunkAsync(early, a.Hash, a.Length, "y", Now.AddMinutes(10), Ct)).Kind);
    }

    [Fact(Timeout = 10_000)]
    public async Task Commit_of_an_expired_upload_returns_ChunkMissing()
    {
        // Arrange
        var chunk = Chunk("a");
        var (upload, _) = await ReserveAsync(chunk);
        Assert.Equal(1, await Catalog.Chunks.ExpireUploadsAsync(Forever, Ct));

        // Act
        var outcome = await CommitAsync(upload, Version("k", "e", chunk));

        // Assert
        Assert.Equal(CommitOutcome.ChunkMissing, outcome);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
        Assert.Single(await QueueAsync());
    }
}
