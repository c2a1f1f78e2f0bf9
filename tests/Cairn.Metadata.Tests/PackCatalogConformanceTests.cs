using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Packs in the catalog (issue 12): their states, chunk rows placed in them, and the delete path
/// through placement: a packed chunk at zero stays as dead space and never queues the pack's blob;
/// a pack's blob is queued only when nothing needs it, and the sweeper re-checks.
/// </summary>
public abstract class PackCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private const string Pack = "p1";
    private const string PackBlob = "packs/p1";

    [Fact(Timeout = 10_000)]
    public async Task A_pack_is_opened_sealed_and_stored_once_each()
    {
        Assert.True(await Catalog.Packs.CreatePackAsync(Pack, PackBlob, "node-a", Now, Ct));
        Assert.False(await Catalog.Packs.CreatePackAsync(Pack, "packs/other", "node-b", Now, Ct));
        Assert.False(await Catalog.Packs.CreatePackAsync("p2", PackBlob, "node-b", Now, Ct));
        Assert.False(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));
        Assert.Equal(new PackInfo(Pack, PackBlob, PackState.Open, "node-a", 0, 0, 0, Now, null), Assert.Single(await Catalog.Packs.ListPacksAsync(Ct)));

        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 4096, Now.AddSeconds(5), Ct));
        Assert.False(await Catalog.Packs.SealPackAsync(Pack, 1, Now.AddSeconds(6), Ct));
        Assert.False(await Catalog.Packs.SealPackAsync("absent", 1, Now, Ct));
        Assert.Equal(new PackInfo(Pack, PackBlob, PackState.Sealed, "node-a", 4096, 0, 0, Now, Now.AddSeconds(5)),
            Assert.Single(await Catalog.Packs.ListPacksAsync(Ct)));

        Assert.True(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));
        Assert.False(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));
        var stored = Assert.Single(await Catalog.Packs.ListPacksAsync(Ct));
        Assert.Equal(new PackInfo(Pack, PackBlob, PackState.Stored, null, 4096, 0, 0, Now, Now.AddSeconds(5)), stored);
        Assert.Equal(4096, stored.DeadBytes(0));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_packed_chunk_whose_last_reference_goes_stays_as_dead_space_and_queues_nothing_until_it_is_used_again()
    {
        // Arrange: two chunks appended to one pack by one upload, committed as one object.
        var (a, b) = (Chunk("a", 100), Chunk("b", 300));
        await OpenPackAsync();
        var upload = await ReservePackedAsync((a, 0), (b, 100));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("k", "e", a, b)));
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 400, Now, Ct));
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 0), a.Length, 1), await FindChunkAsync(a));
        Assert.Equal((2L, 400L, 0L), LiveAndDead(Assert.Single(await Catalog.Packs.ListPacksAsync(Ct))));

        // Act: the object goes.
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);

        // Assert: both rows stay at zero, nothing is queued, the bytes are dead.
        Assert.Empty(await QueueAsync());
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 0), a.Length, 0), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, Placed(b, 100), b.Length, 0), await FindChunkAsync(b));
        Assert.Equal((0L, 0L, 400L), LiveAndDead(Assert.Single(await Catalog.Packs.ListPacksAsync(Ct))));

        // Act: a new upload of a's bytes reuses the row at zero (a pin), and commits.
        var again = Guid.NewGuid();
        var reservation = await Catalog.Chunks.ReserveChunkAsync(again, a.Hash, a.Length, "chunks/unused", Deadline, Ct);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyStored, PackBlob), reservation);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(again, Version("k2", "e", a)));

        // Assert: a lives again where it was.
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 0), a.Length, 1), await FindChunkAsync(a));
        Assert.Equal((1L, 100L, 300L), LiveAndDead(Assert.Single(await Catalog.Packs.ListPacksAsync(Ct))));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task An_upload_that_ends_without_committing_what_it_appended_to_a_pack_queues_nothing()
    {
        // Arrange
        var (aborted, expired) = (Chunk("aborted", 50), Chunk("expired", 70));
        await OpenPackAsync();
        var first = await ReservePackedAsync((aborted, 0));
        var second = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(second, expired.Hash, expired.Length, Placed(expired, 50), Now.AddMinutes(1), Ct);

        // Act
        await Catalog.Chunks.AbortUploadAsync(first, Now, Ct);
        Assert.Equal(1, await Catalog.Chunks.ExpireUploadsAsync(Now.AddMinutes(2), Ct));
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 120, Now, Ct));

        // Assert: no chunk row, nothing queued (the pack's blob is not theirs), all 120 bytes dead.
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Empty(await QueueAsync());
        Assert.Equal((0L, 0L, 120L), LiveAndDead(Assert.Single(await Catalog.Packs.ListPacksAsync(Ct))));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_pack_is_retired_only_when_nothing_needs_it_and_the_sweeper_rechecks_before_it_deletes()
    {
        // Arrange: a stored pack holding a (referenced by k) and b (referenced by k2).
        var (a, b) = (Chunk("a", 100), Chunk("b", 300));
        await OpenPackAsync();
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(await ReservePackedAsync((a, 0)), Version("k", "e", a)));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(await ReservePackedAsync((b, 100)), Version("k2", "e", b)));
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 400, Now, Ct));
        Assert.False(await Catalog.Packs.RetirePackAsync(Pack, Now, Ct));
        Assert.True(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));

        // A referenced chunk keeps it.
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        Assert.False(await Catalog.Packs.RetirePackAsync(Pack, Now, Ct));
        Assert.Empty(await QueueAsync());

        // Nothing references it: queued, not before the given time.
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k2", WritePrecondition.None, Now, Grace, Ct);
        Assert.True(await Catalog.Packs.RetirePackAsync(Pack, Now + Grace, Ct));
        var entry = Assert.Single(await QueueAsync());
        Assert.Equal((PackBlob, (ContentHash?)null, Now + Grace), (entry.BlobName, entry.ChunkHash, entry.NotBefore));

        // A pin on one of its chunks postpones the delete; the upload's end lets it go.
        var pin = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(pin, b.Hash, b.Length, "chunks/unused", Deadline, Ct);
        Assert.Equal(SweepDecision.Later, await Catalog.DeleteQueue.PrepareDeleteAsync(PackBlob, Forever, Forever, Ct));
        Assert.Single(await Catalog.Packs.ListPacksAsync(Ct));
        await Catalog.Chunks.AbortUploadAsync(pin, Now, Ct);
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(PackBlob, Forever, Forever, Ct));

        // Assert: its chunk rows and its row went with the decision; the entry stays until the blob is gone.
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Empty(await Catalog.Packs.ListPacksAsync(Ct));
        Assert.Single(await QueueAsync());
        await Catalog.DeleteQueue.CompleteDeleteAsync(PackBlob, Ct);
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_retired_pack_whose_chunk_is_used_again_before_the_sweep_is_kept()
    {
        // Arrange: a stored pack whose only chunk lost its reference; the pack is queued.
        var a = Chunk("a", 100);
        await OpenPackAsync();
        var upload = await ReservePackedAsync((a, 0));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("k", "e", a)));
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 100, Now, Ct));
        Assert.True(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        Assert.True(await Catalog.Packs.RetirePackAsync(Pack, Now, Ct));

        // Act: the same bytes are written again and committed before the sweep.
        var again = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(again, a.Hash, a.Length, "chunks/unused", Deadline, Ct);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(again, Version("k", "e", a)));

        // Assert
        Assert.Equal(SweepDecision.Keep, await Catalog.DeleteQueue.PrepareDeleteAsync(PackBlob, Forever, Forever, Ct));
        Assert.Empty(await QueueAsync());
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 0), a.Length, 1), await FindChunkAsync(a));
        Assert.Equal((1L, 100L, 0L), LiveAndDead(Assert.Single(await Catalog.Packs.ListPacksAsync(Ct))));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_pack_that_an_upload_still_appends_to_is_not_retired()
    {
        await OpenPackAsync();
        var writing = await ReservePackedAsync((Chunk("w", 10), 0));
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, 10, Now, Ct));
        Assert.True(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));

        Assert.False(await Catalog.Packs.RetirePackAsync(Pack, Now, Ct));
        await Catalog.Chunks.AbortUploadAsync(writing, Now, Ct);
        Assert.True(await Catalog.Packs.RetirePackAsync(Pack, Now, Ct));
    }

    private async Task OpenPackAsync() => Assert.True(await Catalog.Packs.CreatePackAsync(Pack, PackBlob, "node-a", Now, Ct));

    private static ChunkPlacement Placed(ChunkRef chunk, long offset) => new(PackBlob, offset, chunk.Length, ChunkCodec.None, Pack);

    /// <summary>One upload reserving each chunk at its offset in the pack; returns the upload.</summary>
    private async Task<Guid> ReservePackedAsync(params (ChunkRef Chunk, long Offset)[] chunks)
    {
        var upload = Guid.NewGuid();
        foreach (var (chunk, offset) in chunks)
        {
            var reservation = await Catalog.Chunks.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, Placed(chunk, offset), Deadline, Ct);
            Assert.Equal(new ChunkReservation(ChunkReservationKind.MustWrite, PackBlob), reservation);
        }
        return upload;
    }

    private static (long LiveChunks, long LiveBytes, long DeadBytes) LiveAndDead(PackInfo pack) => (pack.LiveChunks, pack.LiveBytes, pack.DeadBytes(0));
}
