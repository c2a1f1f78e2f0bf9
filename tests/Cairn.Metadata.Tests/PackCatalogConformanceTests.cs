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

    [Fact(Timeout = 10_000)]
    public async Task A_swap_moves_the_needed_chunks_drops_the_dead_ones_and_retires_the_input()
    {
        // Arrange: a stored pack with a (referenced), b (dead) and c (dead, but pinned by an upload
        // that is about to reference it again); a sealed compaction output.
        var (a, b, c) = (Chunk("a", 100), Chunk("b", 200), Chunk("c", 300));
        var pinned = await StoredPackAsync(a, b, c);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k-b", WritePrecondition.None, Now, Grace, Ct);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k-c", WritePrecondition.None, Now, Grace, Ct);
        await Catalog.Chunks.ReserveChunkAsync(pinned, c.Hash, c.Length, "chunks/unused", Deadline, Ct);
        await SealedOutputAsync(Output, OutputBlob);

        // The contents: what must be copied, by offset.
        var contents = await Catalog.Packs.ReadPackContentsAsync(Pack, Ct);
        Assert.Equal(0, contents.Reservations);
        Assert.Equal([new PackedChunk(a.Hash, a.Length, Placed(a, 52)), new PackedChunk(c.Hash, c.Length, Placed(c, 456))], contents.Needed);

        // Act
        var outcome = await Catalog.Packs.SwapPackAsync(
            new PackSwap([Pack], Output, [Move(a, 52, 52), Move(c, 456, 204)], Now + Grace), Ct);

        // Assert: a and c point into the output, b's row is gone, the input is retired and queued.
        Assert.Equal(PackSwapOutcome.Swapped, outcome);
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 52, Output, OutputBlob), a.Length, 1), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(c.Hash, Placed(c, 204, Output, OutputBlob), c.Length, 0), await FindChunkAsync(c));
        Assert.DoesNotContain(await Catalog.Chunks.ListChunksAsync(Ct), chunk => chunk.Hash == b.Hash);
        var packs = await Catalog.Packs.ListPacksAsync(Ct);
        Assert.Equal([(Pack, PackState.Retired, (string?)null, 0L, 0L), (Output, PackState.Stored, null, 1L, 100L)],
            packs.Select(static p => (p.Id, p.State, p.Node, p.LiveChunks, p.LiveBytes)));
        var entry = Assert.Single(await QueueAsync());
        Assert.Equal((PackBlob, Now + Grace), (entry.BlobName, entry.NotBefore));

        // The pinned upload commits against the moved row; the input's blob then goes with its row.
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(pinned, Version("k-c2", "e", c)));
        Assert.Equal(new ChunkInfo(c.Hash, Placed(c, 204, Output, OutputBlob), c.Length, 1), await FindChunkAsync(c));
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(PackBlob, Forever, Forever, Ct));
        Assert.Equal([Output], (await Catalog.Packs.ListPacksAsync(Ct)).Select(static p => p.Id));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_second_swap_of_the_same_inputs_is_refused_by_the_aggregate_and_no_chunk_is_duplicated_or_lost()
    {
        // Arrange: two compactors copied the same pack into two outputs.
        var (a, b) = (Chunk("a", 100), Chunk("b", 200));
        await StoredPackAsync(a, b);
        await SealedOutputAsync(Output, OutputBlob);
        await SealedOutputAsync("p3", "packs/p3");
        var moves = new[] { Move(a, 52, 52), Move(b, 204, 204) };

        // Act
        var first = await Catalog.Packs.SwapPackAsync(new PackSwap([Pack], Output, moves, Now + Grace), Ct);
        var second = await Catalog.Packs.SwapPackAsync(new PackSwap([Pack], "p3", moves, Now + Grace), Ct);

        // Assert: one swapped, the other changed nothing; each chunk has one row, in the first output.
        Assert.Equal((PackSwapOutcome.Swapped, PackSwapOutcome.InputsChanged), (first, second));
        Assert.Equal([Placed(a, 52, Output, OutputBlob), Placed(b, 204, Output, OutputBlob)],
            (await Catalog.Chunks.ListChunksAsync(Ct)).OrderBy(static c => c.Placement.Offset).Select(static c => c.Placement));
        Assert.Equal(PackState.Sealed, (await Catalog.Packs.ListPacksAsync(Ct)).Single(static p => p.Id == "p3").State);
        Assert.Equal([PackBlob], (await QueueAsync()).Select(static e => e.BlobName));
        Assert.True(await Catalog.Packs.AbandonPackAsync("p3", Now, Ct));
        Assert.Equal([PackBlob, "packs/p3"], (await QueueAsync()).Select(static e => e.BlobName).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_swap_is_refused_when_a_reference_to_an_input_changed_since_the_copy()
    {
        // Arrange: a referenced, b dead; the compactor copied a only.
        var (a, b) = (Chunk("a", 100), Chunk("b", 200));
        await StoredPackAsync(a, b);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k-b", WritePrecondition.None, Now, Grace, Ct);
        await SealedOutputAsync(Output, OutputBlob);
        var swap = new PackSwap([Pack], Output, [Move(a, 52, 52)], Now + Grace);

        // Act: an upload uses b again before the swap.
        var again = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(again, b.Hash, b.Length, "chunks/unused", Deadline, Ct);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(again, Version("k-b2", "e", b)));
        var outcome = await Catalog.Packs.SwapPackAsync(swap, Ct);

        // Assert: refused, and nothing moved, dropped, stored or queued.
        Assert.Equal(PackSwapOutcome.InputsChanged, outcome);
        Assert.Equal(new ChunkInfo(a.Hash, Placed(a, 52), a.Length, 1), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, Placed(b, 204), b.Length, 1), await FindChunkAsync(b));
        Assert.Equal([PackState.Stored, PackState.Sealed], (await Catalog.Packs.ListPacksAsync(Ct)).Select(static p => p.State));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_swap_whose_aggregate_matches_by_chance_is_still_refused_when_a_needed_chunk_would_stay_behind()
    {
        // Arrange: a referenced and b dead, of equal length; the compactor copied a only.
        var (a, b) = (Chunk("a", 100), Chunk("b", 100));
        await StoredPackAsync(a, b);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k-b", WritePrecondition.None, Now, Grace, Ct);
        await SealedOutputAsync(Output, OutputBlob);

        // Act: b is pinned and a released: one needed chunk of 100 bytes, as before, but not a.
        await Catalog.Chunks.ReserveChunkAsync(Guid.NewGuid(), b.Hash, b.Length, "chunks/unused", Deadline, Ct);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "k-a", WritePrecondition.None, Now, Grace, Ct);
        var outcome = await Catalog.Packs.SwapPackAsync(new PackSwap([Pack], Output, [Move(a, 52, 52)], Now + Grace), Ct);

        // Assert
        Assert.Equal(PackSwapOutcome.InputsChanged, outcome);
        Assert.Equal(Placed(b, 204), (await FindChunkAsync(b))!.Value.Placement);
        Assert.Equal(Placed(a, 52), (await FindChunkAsync(a))!.Value.Placement);
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_swap_is_refused_while_an_upload_appends_to_an_input_and_needs_a_sealed_output()
    {
        var a = Chunk("a", 100);
        await StoredPackAsync(a);
        var swap = new PackSwap([Pack], Output, [Move(a, 52, 52)], Now + Grace);

        // An output not sealed yet, or not registered.
        Assert.Equal(PackSwapOutcome.OutputNotReady, await Catalog.Packs.SwapPackAsync(swap, Ct));
        Assert.True(await Catalog.Packs.CreatePackAsync(Output, OutputBlob, "(compaction)", Now, Ct));
        Assert.Equal(PackSwapOutcome.OutputNotReady, await Catalog.Packs.SwapPackAsync(swap, Ct));
        Assert.True(await Catalog.Packs.SealPackAsync(Output, 152, Now, Ct));

        // An upload's bytes appended to the input, not adopted yet.
        var writing = Guid.NewGuid();
        await Catalog.Chunks.ReserveChunkAsync(writing, Chunk("w", 10).Hash, 10, Placed(Chunk("w", 10), 500), Deadline, Ct);
        Assert.Equal(1, (await Catalog.Packs.ReadPackContentsAsync(Pack, Ct)).Reservations);
        Assert.Equal(PackSwapOutcome.InputsReserved, await Catalog.Packs.SwapPackAsync(swap, Ct));
        await Catalog.Chunks.AbortUploadAsync(writing, Now, Ct);
        Assert.Empty(await QueueAsync());

        // Then it swaps, once: the output is stored and a second swap finds it not ready.
        Assert.Equal(PackSwapOutcome.Swapped, await Catalog.Packs.SwapPackAsync(swap, Ct));
        Assert.Equal(PackSwapOutcome.OutputNotReady, await Catalog.Packs.SwapPackAsync(swap, Ct));
        Assert.False(await Catalog.Packs.AbandonPackAsync(Output, Now, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_abandoned_output_is_retired_and_queued_and_cannot_be_swapped_in()
    {
        var a = Chunk("a", 100);
        await StoredPackAsync(a);
        await SealedOutputAsync(Output, OutputBlob);

        Assert.False(await Catalog.Packs.AbandonPackAsync(Pack, Now, Ct)); // stored, with a referenced chunk
        Assert.False(await Catalog.Packs.AbandonPackAsync("absent", Now, Ct));
        Assert.True(await Catalog.Packs.AbandonPackAsync(Output, Now + Grace, Ct));
        Assert.False(await Catalog.Packs.AbandonPackAsync(Output, Now, Ct));

        Assert.Equal(PackSwapOutcome.OutputNotReady,
            await Catalog.Packs.SwapPackAsync(new PackSwap([Pack], Output, [Move(a, 52, 52)], Now + Grace), Ct));
        Assert.Equal(PackState.Retired, (await Catalog.Packs.ListPacksAsync(Ct)).Single(static p => p.Id == Output).State);
        var entry = Assert.Single(await QueueAsync());
        Assert.Equal((OutputBlob, Now + Grace), (entry.BlobName, entry.NotBefore));
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(OutputBlob, Forever, Forever, Ct));
        Assert.Equal([Pack], (await Catalog.Packs.ListPacksAsync(Ct)).Select(static p => p.Id));
        Assert.Equal(Placed(a, 52), (await FindChunkAsync(a))!.Value.Placement);
    }

    private const string Output = "p2";
    private const string OutputBlob = "packs/p2";

    /// <summary>
    /// A stored pack holding each chunk in a record of its own (52-byte header, then its bytes), each
    /// committed as object <c>k-</c> plus its name's first letter; returns an upload id to pin with.
    /// </summary>
    private async Task<Guid> StoredPackAsync(params ChunkRef[] chunks)
    {
        await OpenPackAsync();
        long offset = 0;
        foreach (var chunk in chunks)
        {
            offset += 52;
            var upload = await ReservePackedAsync((chunk, offset));
            Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("k-" + KeyOf(chunk, chunks), "e", chunk)));
            offset += chunk.Length;
        }
        Assert.True(await Catalog.Packs.SealPackAsync(Pack, offset, Now, Ct));
        Assert.True(await Catalog.Packs.MarkPackStoredAsync(Pack, Ct));
        return Guid.NewGuid();
    }

    private static string KeyOf(ChunkRef chunk, ChunkRef[] chunks) => ((char)('a' + Array.IndexOf(chunks, chunk))).ToString();

    private async Task SealedOutputAsync(string id, string blob)
    {
        Assert.True(await Catalog.Packs.CreatePackAsync(id, blob, "(compaction)", Now, Ct));
        Assert.True(await Catalog.Packs.SealPackAsync(id, 1000, Now, Ct));
    }

    private static PackMove Move(ChunkRef chunk, long from, long to) => new(chunk.Hash, Pack, from, to, chunk.Length);

    private async Task OpenPackAsync() => Assert.True(await Catalog.Packs.CreatePackAsync(Pack, PackBlob, "node-a", Now, Ct));

    private static ChunkPlacement Placed(ChunkRef chunk, long offset, string pack = Pack, string blob = PackBlob) =>
        new(blob, offset, chunk.Length, ChunkCodec.None, pack);

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
