using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// A lifecycle transition's catalog half (<see cref="IObjectCatalog.MoveVersionToTierAsync"/> and
/// <see cref="IDeleteQueue.QueueBlobsAsync"/>), the same on every catalog: the move lands whole or
/// not at all, and every blob it wrote or replaced stays tracked by the delete queue.
/// </summary>
public abstract class TierMoveConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private const string Tier = "COLD";

    private static readonly DateTimeOffset ReservedUntil = Now + TimeSpan.FromHours(1);

    private static string TierBlob(ChunkRef chunk) => "tiers/cold/" + NewBlobName(chunk);

    /// <summary>Puts <paramref name="key"/> with the chunks, reserves a tier copy of each; returns the move that records them.</summary>
    private async Task<TierMove> PrepareMoveAsync(string key, params ChunkRef[] chunks)
    {
        var reservations = await PutAsync(key, chunks);
        var moves = chunks.Select((chunk, i) => new TierChunkMove(chunk.Hash, ChunkPlacement.Whole(reservations[i].BlobName!, chunk.Length), TierBlob(chunk)))
            .ToList();
        await Catalog.DeleteQueue.QueueBlobsAsync(moves.Select(static move => move.ToBlobName).ToList(), ReservedUntil, Ct);
        return new TierMove(Bucket, key, "null", "etag-" + key, Tier, moves);
    }

    /// <summary>What a refused move must leave as it was: chunk rows, the queue, the version's storage class.</summary>
    private async Task<(IReadOnlyList<ChunkInfo> Chunks, IReadOnlyList<DeleteQueueEntry> Queue, string? StorageClass)> StateAsync(string key) =>
        (await Catalog.Chunks.ListChunksAsync(Ct), await QueueAsync(), (await Catalog.Objects.GetObjectAsync(Bucket, key, Ct))?.StorageClass);

    private async Task AssertUnchangedAsync(string key, (IReadOnlyList<ChunkInfo> Chunks, IReadOnlyList<DeleteQueueEntry> Queue, string? StorageClass) before)
    {
        var after = await StateAsync(key);
        Assert.Equal(before.Chunks, after.Chunks);
        Assert.Equal(before.Queue, after.Queue);
        Assert.Equal(before.StorageClass, after.StorageClass);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_move_points_the_chunks_to_their_copies_queues_the_hot_blobs_and_names_the_tier()
    {
        // Arrange
        var (a, b) = (Chunk("a"), Chunk("b"));
        var move = await PrepareMoveAsync("cold", a, b);

        // Act
        var outcome = await Catalog.Objects.MoveVersionToTierAsync(move, Now, Grace, Ct);

        // Assert: rows point to the copies, stored as before; copies off the queue, hot blobs on it after the grace.
        Assert.Equal(TierMoveOutcome.Moved, outcome);
        foreach (var (chunk, chunkMove) in new[] { a, b }.Zip(move.Chunks))
        {
            Assert.Equal(new ChunkInfo(chunk.Hash, chunkMove.ToBlobName, chunk.Length, 1), await FindChunkAsync(chunk));
            Assert.Null(await FindQueuedAsync(chunkMove.ToBlobName));
            Assert.Equal(Now + Grace, (await FindQueuedAsync(chunkMove.From.BlobName))!.NotBefore);
        }
        Assert.Equal(Tier, (await Catalog.Objects.GetObjectAsync(Bucket, "cold", Ct))!.StorageClass);
        Assert.Equal(Tier, (await Catalog.Objects.GetObjectVersionAsync(Bucket, "cold", "null", Ct))!.StorageClass);
        Assert.Equal(Tier, (await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 10), Ct)).Objects.Single().StorageClass);
        Assert.Equal(Tier,
            (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions.Single().StorageClass);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_part_of_a_move_points_its_chunks_to_the_tier_and_leaves_the_class_to_the_last_part()
    {
        // Arrange
        var (a, b) = (Chunk("a"), Chunk("b"));
        var move = await PrepareMoveAsync("cold", a, b);

        // Act
        var first = await Catalog.Objects.MoveVersionToTierAsync(move with { Chunks = [move.Chunks[0]], Complete = false }, Now, Grace, Ct);
        var classBetween = (await Catalog.Objects.GetObjectAsync(Bucket, "cold", Ct))!.StorageClass;
        var last = await Catalog.Objects.MoveVersionToTierAsync(move with { Chunks = [move.Chunks[1]] }, Now, Grace, Ct);

        // Assert
        Assert.Equal(TierMoveOutcome.Moved, first);
        Assert.Null(classBetween);
        Assert.Equal(TierMoveOutcome.Moved, last);
        Assert.Equal(Tier, (await Catalog.Objects.GetObjectAsync(Bucket, "cold", Ct))!.StorageClass);
        Assert.Equal(move.Chunks[0].ToBlobName, (await FindChunkAsync(a))!.Value.BlobName);
        Assert.Equal(move.Chunks[1].ToBlobName, (await FindChunkAsync(b))!.Value.BlobName);
    }

    [Fact(Timeout = 10_000)]
    public async Task After_a_move_the_sweeper_deletes_the_hot_blob_and_a_delete_of_the_version_queues_the_copy()
    {
        // Arrange
        var chunk = Chunk("a");
        var move = await PrepareMoveAsync("cold", chunk);
        Assert.Equal(TierMoveOutcome.Moved, await Catalog.Objects.MoveVersionToTierAsync(move, Now, Grace, Ct));

        // Act
        var hot = await Catalog.DeleteQueue.PrepareDeleteAsync(move.Chunks[0].From.BlobName, Now + Grace, Forever, Ct);
        var copyBeforeDelete = await Catalog.DeleteQueue.PrepareDeleteAsync(move.Chunks[0].ToBlobName, Forever, Forever, Ct);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "cold", WritePrecondition.None, Now, Grace, Ct);

        // Assert: the hot blob owns no row any more; the copy is the chunk's blob from then on.
        Assert.Equal(SweepDecision.Delete, hot);
        Assert.Equal(SweepDecision.Gone, copyBeforeDelete);
        Assert.Equal(new ChunkInfo(chunk.Hash, move.Chunks[0].ToBlobName, chunk.Length, 0), await FindChunkAsync(chunk));
        Assert.Equal(Now + Grace, (await FindQueuedAsync(move.Chunks[0].ToBlobName))!.NotBefore);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_copy_that_no_move_claims_is_deleted_when_its_entry_falls_due()
    {
        // Arrange: a copy reserved, and the mover gone before recording it.
        var chunk = Chunk("a");
        var move = await PrepareMoveAsync("cold", chunk);

        // Act
        var early = await Catalog.DeleteQueue.PrepareDeleteAsync(move.Chunks[0].ToBlobName, Now, Forever, Ct);
        var due = await Catalog.DeleteQueue.PrepareDeleteAsync(move.Chunks[0].ToBlobName, ReservedUntil, Forever, Ct);

        // Assert: the copy goes; the hot chunk is untouched.
        Assert.Equal(SweepDecision.Later, early);
        Assert.Equal(SweepDecision.Delete, due);
        Assert.Equal(new ChunkInfo(chunk.Hash, move.Chunks[0].From.BlobName, chunk.Length, 1), await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_move_of_a_replaced_or_deleted_version_changes_nothing()
    {
        // Arrange
        var move = await PrepareMoveAsync("cold", Chunk("a"));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(null, InlineVersion("cold", "newer")));
        var other = await PrepareMoveAsync("gone", Chunk("b"));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "gone", WritePrecondition.None, Now, Grace, Ct);
        var before = await StateAsync("cold");
        var otherBefore = await StateAsync("gone");

        // Act
        var replaced = await Catalog.Objects.MoveVersionToTierAsync(move, Now, Grace, Ct);
        var deleted = await Catalog.Objects.MoveVersionToTierAsync(other, Now, Grace, Ct);

        // Assert
        Assert.Equal(TierMoveOutcome.VersionChanged, replaced);
        Assert.Equal(TierMoveOutcome.VersionChanged, deleted);
        await AssertUnchangedAsync("gone", otherBefore);
        await AssertUnchangedAsync("cold", before);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_move_whose_copy_is_not_reserved_or_about_to_fall_due_changes_nothing()
    {
        // Arrange: one copy never reserved; another reserved until 30 s from now (inside the margin).
        var (a, b) = (Chunk("a"), Chunk("b"));
        var reservations = await PutAsync("cold", a, b);
        var unreserved = new TierMove(Bucket, "cold", "null", "etag-cold", Tier,
            [new TierChunkMove(a.Hash, ChunkPlacement.Whole(reservations[0].BlobName!, a.Length), TierBlob(a))]);
        var late = new TierMove(Bucket, "cold", "null", "etag-cold", Tier,
            [new TierChunkMove(b.Hash, ChunkPlacement.Whole(reservations[1].BlobName!, b.Length), TierBlob(b))]);
        await Catalog.DeleteQueue.QueueBlobsAsync([late.Chunks[0].ToBlobName], Now.AddSeconds(30), Ct);
        var before = await StateAsync("cold");

        // Act
        var first = await Catalog.Objects.MoveVersionToTierAsync(unreserved, Now, Grace, Ct);
        var second = await Catalog.Objects.MoveVersionToTierAsync(late, Now, Grace, Ct);

        // Assert
        Assert.Equal(TierMoveOutcome.ReservationLost, first);
        Assert.Equal(TierMoveOutcome.ReservationLost, second);
        await AssertUnchangedAsync("cold", before);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_move_is_whole_a_chunk_moved_elsewhere_meanwhile_refuses_the_chunks_before_it_too()
    {
        // Arrange: the second chunk's row no longer where its bytes were read from.
        var (a, b) = (Chunk("a"), Chunk("b"));
        var move = await PrepareMoveAsync("cold", a, b);
        var stale = move with { Chunks = [move.Chunks[0], move.Chunks[1] with { From = ChunkPlacement.Whole("chunks/elsewhere", b.Length) }] };
        var before = await StateAsync("cold");

        // Act
        var outcome = await Catalog.Objects.MoveVersionToTierAsync(stale, Now, Grace, Ct);

        // Assert
        Assert.Equal(TierMoveOutcome.PlacementChanged, outcome);
        await AssertUnchangedAsync("cold", before);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_noncurrent_version_moves_by_id_and_a_version_keeps_its_tier_when_it_becomes_noncurrent()
    {
        // Arrange: versioning on; "doc" has an old and a current version.
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        var reservations = await PutAsync("doc", Chunk("old"));
        await PutAsync("doc", Chunk("new"));
        var versions = (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions;
        var (current, noncurrent) = (versions[0], versions[1]);
        var copy = TierBlob(Chunk("old"));
        await Catalog.DeleteQueue.QueueBlobsAsync([copy], ReservedUntil, Ct);
        var move = new TierMove(Bucket, "doc", noncurrent.VersionId, "etag-doc", Tier,
            [new TierChunkMove(Chunk("old").Hash, ChunkPlacement.Whole(reservations[0].BlobName!, 1000), copy)]);

        // Act: the noncurrent one moves; then the current one moves and a third version is put.
        var first = await Catalog.Objects.MoveVersionToTierAsync(move, Now, Grace, Ct);
        var second = await Catalog.Objects.MoveVersionToTierAsync(move with { VersionId = current.VersionId, Chunks = [] }, Now, Grace, Ct);
        await PutAsync("doc", Chunk("newest"));

        // Assert
        Assert.Equal(TierMoveOutcome.Moved, first);
        Assert.Equal(TierMoveOutcome.Moved, second);
        var listed = (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions;
        Assert.Equal([null, Tier, Tier], listed.Select(static v => v.StorageClass));
        Assert.Equal(Tier, (await Catalog.Objects.GetObjectVersionAsync(Bucket, "doc", noncurrent.VersionId, Ct))!.StorageClass);
        Assert.Null((await Catalog.Objects.GetObjectAsync(Bucket, "doc", Ct))!.StorageClass);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_new_version_of_a_moved_key_is_written_hot()
    {
        // Arrange
        var move = await PrepareMoveAsync("cold", Chunk("a"));
        Assert.Equal(TierMoveOutcome.Moved, await Catalog.Objects.MoveVersionToTierAsync(move, Now, Grace, Ct));

        // Act: the key is overwritten (the writer's record says COLD: the catalog does not keep it).
        await CommitAsync(null, InlineVersion("cold", "next") with { StorageClass = Tier });

        // Assert
        Assert.Null((await Catalog.Objects.GetObjectAsync(Bucket, "cold", Ct))!.StorageClass);
        Assert.Null((await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 10), Ct)).Objects.Single().StorageClass);
    }
}

public sealed class SqliteTierMoveTests() : TierMoveConformanceTests<SqliteTarget>(new SqliteTarget());

[Collection(PostgresCluster.Collection)]
public sealed class PostgresTierMoveTests(PostgresCluster cluster) : TierMoveConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
