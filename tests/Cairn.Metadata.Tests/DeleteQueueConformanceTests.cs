using Cairn.Core;
namespace Cairn.Metadata.Tests;

public abstract partial class DeleteQueueConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    /// <summary>Commits a chunked object and deletes it: its chunk row stays at zero, its blob queued.</summary>
    private async Task<string> ReleasedChunkBlobAsync(ChunkRef chunk, string key = "released")
    {
        var reservations = await PutAsync(key, chunk);
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, key, WritePrecondition.None, Now, Grace, Ct));
        return reservations[0].BlobName!;
    }

    [Fact(Timeout = 10_000)]
    public async Task GetDueDeletes_returns_due_entries_oldest_first_up_to_max()
    {
        // Arrange: blobs queued at three times (each upload aborted at its own time).
        foreach (var (name, minutes) in new[] { ("b", 2), ("a", 1), ("c", 3), ("d", 30) })
        {
            var upload = Guid.NewGuid();
            await Catalog.Chunks.ReserveChunkAsync(upload, Chunk(name).Hash, 1, "blob-" + name, Deadline, Ct);
            await Catalog.Chunks.AbortUploadAsync(upload, Now.AddMinutes(minutes), Ct);
        }

        // Act
        var due = await Catalog.DeleteQueue.GetDueDeletesAsync(Now.AddMinutes(3), 2, Ct);
        var all = await Catalog.DeleteQueue.GetDueDeletesAsync(Now.AddMinutes(3), 100, Ct);

        // Assert
        Assert.Equal(["blob-a", "blob-b"], due.Select(static e => e.BlobName));
        Assert.Equal(["blob-a", "blob-b", "blob-c"], all.Select(static e => e.BlobName));
        Assert.Equal(4, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(Now, 100, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetDeleteQueueStats_counts_every_entry_and_finds_the_earliest_NotBefore()
    {
        // Arrange: empty first, then blobs queued at three times, one of them not due yet.
        var empty = await Catalog.DeleteQueue.GetDeleteQueueStatsAsync(Ct);
        foreach (var (name, minutes) in new[] { ("b", 2), ("a", 1), ("d", 30) })
        {
            var upload = Guid.NewGuid();
            await Catalog.Chunks.ReserveChunkAsync(upload, Chunk(name).Hash, 1, "blob-" + name, Deadline, Ct);
            await Catalog.Chunks.AbortUploadAsync(upload, Now.AddMinutes(minutes), Ct);
        }

        // Act
        var stats = await Catalog.DeleteQueue.GetDeleteQueueStatsAsync(Ct);

        // Assert
        Assert.Equal(new DeleteQueueStats(0, null), empty);
        Assert.Equal(TimeSpan.Zero, empty.OldestDueAge(Now));
        Assert.Equal(new DeleteQueueStats(3, Now.AddMinutes(1)), stats);
        Assert.Equal(TimeSpan.FromMinutes(4), stats.OldestDueAge(Now.AddMinutes(5)));
        Assert.Equal(TimeSpan.Zero, stats.OldestDueAge(Now));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Gone_for_a_missing_entry()
    {
        Assert.Equal(SweepDecision.Gone, await Catalog.DeleteQueue.PrepareDeleteAsync("never-queued", Forever, Forever, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Keep_and_removes_the_entry_when_the_chunk_is_referenced_again()
    {
        // Arrange
        var chunk = Chunk("a");
        var blob = await ReleasedChunkBlobAsync(chunk);
        await CommitAsync(null, Version("again", "e", chunk));

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Forever, Forever, Ct);

        // Assert
        Assert.Equal(SweepDecision.Keep, decision);
        Assert.Empty(await QueueAsync());
        Assert.Equal(new ChunkInfo(chunk.Hash, blob, chunk.Length, 1), await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Later_and_postpones_while_an_upload_pins_the_chunk()
    {
        // Arrange
        var chunk = Chunk("a");
        var blob = await ReleasedChunkBlobAsync(chunk);
        await ReserveAsync(chunk);
        var sweepTime = Now + Grace;
        var retryAt = sweepTime.AddMinutes(1);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, sweepTime, retryAt, Ct);

        // Assert
        Assert.Equal(SweepDecision.Later, decision);
        Assert.Equal(retryAt, (await FindQueuedAsync(blob))!.NotBefore);
        Assert.NotNull(await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Delete_and_removes_the_chunk_row_of_an_unreferenced_chunk()
    {
        // Arrange
        var chunk = Chunk("a");
        var blob = await ReleasedChunkBlobAsync(chunk);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Now + Grace, Forever, Ct);

        // Assert: the row is gone, the entry waits for CompleteDelete.
        Assert.Equal(SweepDecision.Delete, decision);
        Assert.Null(await FindChunkAsync(chunk));
        Assert.NotNull(await FindQueuedAsync(blob));
        await Catalog.DeleteQueue.CompleteDeleteAsync(blob, Ct);
        Assert.Equal(0, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
        Assert.Equal(SweepDecision.Gone, await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Forever, Forever, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_after_a_crash_before_CompleteDelete_returns_Delete_again()
    {
        // Arrange
        var blob = await ReleasedChunkBlobAsync(Chunk("a"));
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Forever, Forever, Ct));

        // Act: the sweeper died before deleting the blob; the next one finds the entry.
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Forever, Forever, Ct);

        // Assert
        Assert.Equal(SweepDecision.Delete, decision);
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_keeps_a_newer_blob_of_the_same_content()
    {
        // Arrange: the old blob's row was deleted, then the content was uploaded again as a new blob.
        var chunk = Chunk("a");
        var oldBlob = await ReleasedChunkBlobAsync(chunk);
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(oldBlob, Forever, Forever, Ct));
        var fresh = await PutAsync("again", chunk);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(oldBlob, Forever, Forever, Ct);

        // Assert
        Assert.Equal(ChunkReservationKind.MustWrite, fresh[0].Kind);
        Assert.Equal(SweepDecision.Delete, decision);
        Assert.Equal(new ChunkInfo(chunk.Hash, fresh[0].BlobName!, chunk.Length, 1), await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Delete_for_an_aborted_blob_no_chunk_owns()
    {
        // Arrange
        var (upload, reservations) = await ReserveAsync(Chunk("a"));
        await Catalog.Chunks.AbortUploadAsync(upload, Now, Ct);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(reservations[0].BlobName!, Now, Forever, Ct);

        // Assert
        Assert.Equal(SweepDecision.Delete, decision);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Later_while_a_live_upload_holds_the_blob()
    {
        // Arrange: two uploads name the same blob; one is aborted, the other still writes it.
        var (aborted, live) = (Guid.NewGuid(), Guid.NewGuid());
        await Catalog.Chunks.ReserveChunkAsync(aborted, Chunk("a").Hash, 1, "blob-x", Deadline, Ct);
        await Catalog.Chunks.ReserveChunkAsync(live, Chunk("a").Hash, 1, "blob-x", Deadline, Ct);
        await Catalog.Chunks.AbortUploadAsync(aborted, Now, Ct);
        var retryAt = Now.AddMinutes(1);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync("blob-x", Now, retryAt, Ct);

        // Assert
        Assert.Equal(SweepDecision.Later, decision);
        Assert.Equal(retryAt, (await FindQueuedAsync("blob-x"))!.NotBefore);
    }

    [Fact(Timeout = 10_000)]
    public async Task PrepareDelete_returns_Later_for_an_entry_that_is_not_due()
    {
        // Arrange: the chunk was released again after the sweeper listed it, restarting the grace period.
        var chunk = Chunk("a");
        var blob = await ReleasedChunkBlobAsync(chunk);
        await CommitAsync(null, Version("again", "e", chunk));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "again", WritePrecondition.None, Now.AddMinutes(5), Grace, Ct);

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(blob, Now + Grace, Forever, Ct);

        // Assert
        Assert.Equal(SweepDecision.Later, decision);
        Assert.Equal(Now.AddMinutes(5) + Grace, (await FindQueuedAsync(blob))!.NotBefore);
        Assert.NotNull(await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task RecordDeleteFailure_counts_the_attempt_keeps_the_error_and_postpones()
    {
        // Arrange
        var chunk = Chunk("a");
        var blob = await ReleasedChunkBlobAsync(chunk);
        var retryAt = Now.AddHours(2);

        // Act
        await Catalog.DeleteQueue.RecordDeleteFailureAsync(blob, "timeout", Now.AddHours(1), Ct);
        await Catalog.DeleteQueue.RecordDeleteFailureAsync(blob, "503 SlowDown", retryAt, Ct);

        // Assert
        Assert.Equal(new DeleteQueueEntry(blob, chunk.Hash, retryAt, 2, "503 SlowDown"), await FindQueuedAsync(blob));
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(retryAt.AddMilliseconds(-1), 10, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteDelete_of_a_missing_entry_changes_nothing()
    {
        var blob = await ReleasedChunkBlobAsync(Chunk("a"));
        await Catalog.DeleteQueue.CompleteDeleteAsync("other", Ct);
        Assert.NotNull(await FindQueuedAsync(blob));
    }
}
