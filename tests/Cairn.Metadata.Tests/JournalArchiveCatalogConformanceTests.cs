using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Journal archiving's state (<see cref="IJournalArchiveCatalog"/>), the same on every catalog: each
/// bucket's head and archived number and the oldest unarchived entry's commit time; the archived
/// number only moves forward, only for the bucket it was read from (not one created again under the
/// name), and goes with the bucket; the lineage is made once.
/// </summary>
public abstract class JournalArchiveCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private async Task<JournalArchiveState> StateAsync(string bucket = Bucket) =>
        (await Catalog.JournalArchive.ListJournalArchiveStatesAsync(Ct)).Single(s => s.Bucket == bucket);

    private async Task<DateTimeOffset> CreatedAtAsync() => (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.CreatedAt;

    [Fact(Timeout = 10_000)]
    public async Task States_say_how_far_each_journal_is_archived_and_the_number_only_moves_forward()
    {
        // Arrange: three entries.
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        await PutInlineAsync("a");
        await PutInlineAsync("b");
        await PutInlineAsync("c");
        var created = await CreatedAtAsync();

        // Act
        var initial = await StateAsync();
        var saved = await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, created, 2, Now, Ct);
        var afterTwo = await StateAsync();
        var backwards = await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, created, 1, Now, Ct);
        var beyondHead = await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, created, 4, Now, Ct);
        var afterAll = await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, created, 3, Now, Ct);

        // Assert
        Assert.Equal((3L, 0L), (initial.HeadSeq, initial.ArchivedSeq));
        Assert.InRange(initial.OldestUnarchivedAt!.Value, before, DateTimeOffset.UtcNow.AddMilliseconds(1));
        Assert.True(saved);
        Assert.Equal((3L, 2L, 1L), (afterTwo.HeadSeq, afterTwo.ArchivedSeq, afterTwo.Behind));
        Assert.True(backwards); // accepted, but the number stays
        Assert.False(beyondHead);
        Assert.True(afterAll);
        var final = await StateAsync();
        Assert.Equal((3L, 0L), (final.ArchivedSeq, final.Behind));
        Assert.Null(final.OldestUnarchivedAt);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_bucket_deleted_and_made_again_is_another_journal()
    {
        // Arrange: entries archived, then the bucket emptied, deleted and made again.
        await PutInlineAsync("a");
        var oldCreated = await CreatedAtAsync();
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, oldCreated, 1, Now, Ct));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "a", WritePrecondition.None, Now, Grace, Ct);
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddMinutes(1), "us-east-1"), Ct));
        await PutInlineAsync("b");

        // Act
        var state = await StateAsync();
        var withOldTime = await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, oldCreated, 1, Now, Ct);

        // Assert: the new journal starts unarchived; the old bucket's number is refused.
        Assert.Equal((1L, 0L), (state.HeadSeq, state.ArchivedSeq));
        Assert.False(withOldTime);
        Assert.Equal(0, (await StateAsync()).ArchivedSeq);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_snapshot_is_recorded_for_its_bucket_only_the_newest_kept_and_the_archived_number_left_alone()
    {
        // Arrange: three entries, two archived.
        await PutInlineAsync("a");
        await PutInlineAsync("b");
        await PutInlineAsync("c");
        var created = await CreatedAtAsync();
        Assert.True(await Catalog.JournalArchive.SaveJournalArchivedAsync(Bucket, created, 2, Now, Ct));

        // Act
        var initial = await StateAsync();
        var saved = await Catalog.JournalArchive.SaveJournalSnapshotAsync(Bucket, created, 3, Now, 3, Ct);
        var afterSnapshot = await StateAsync();
        var older = await Catalog.JournalArchive.SaveJournalSnapshotAsync(Bucket, created, 2, Now.AddMinutes(-1), 2, Ct);
        var beyondHead = await Catalog.JournalArchive.SaveJournalSnapshotAsync(Bucket, created, 4, Now.AddMinutes(1), 4, Ct);
        var otherBucketTime = await Catalog.JournalArchive.SaveJournalSnapshotAsync(Bucket, created.AddSeconds(1), 3, Now.AddMinutes(1), 3, Ct);
        var final = await StateAsync();

        // Assert
        Assert.Null(initial.Snapshot);
        Assert.True(saved);
        Assert.Equal(new JournalSnapshotState(3, Now, 3), afterSnapshot.Snapshot);
        Assert.Equal((2L, 1L), (afterSnapshot.ArchivedSeq, afterSnapshot.Behind)); // a snapshot is not a segment
        Assert.True(older); // accepted, but the newer one stays
        Assert.False(beyondHead);
        Assert.False(otherBucketTime);
        Assert.Equal(new JournalSnapshotState(3, Now, 3), final.Snapshot);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_snapshot_of_a_bucket_nothing_archived_yet_starts_its_row_at_zero()
    {
        await PutInlineAsync("a");
        var created = await CreatedAtAsync();

        Assert.True(await Catalog.JournalArchive.SaveJournalSnapshotAsync(Bucket, created, 1, Now, 1, Ct));

        var state = await StateAsync();
        Assert.Equal((1L, 0L), (state.HeadSeq, state.ArchivedSeq));
        Assert.Equal(new JournalSnapshotState(1, Now, 1), state.Snapshot);
        Assert.NotNull(state.OldestUnarchivedAt);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_lineage_is_made_by_the_first_caller_and_kept()
    {
        var first = await Catalog.JournalArchive.GetOrCreateArchiveLineageAsync("l1", Now, Ct);
        var second = await Catalog.JournalArchive.GetOrCreateArchiveLineageAsync("l2", Now, Ct);
        await ReopenAsync();
        var reopened = await Catalog.JournalArchive.GetOrCreateArchiveLineageAsync("l3", Now, Ct);

        Assert.Equal(["l1", "l1", "l1"], new[] { first, second, reopened });
    }
}

public sealed class SqliteJournalArchiveCatalogTests() : JournalArchiveCatalogConformanceTests<SqliteTarget>(new SqliteTarget());

[Collection(PostgresCluster.Collection)]
public sealed class PostgresJournalArchiveCatalogTests(PostgresCluster cluster)
    : JournalArchiveCatalogConformanceTests<PostgresTarget>(new PostgresTarget(cluster));
