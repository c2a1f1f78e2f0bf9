namespace Cairn.Metadata.Tests;

/// <summary>
/// The lifecycle worker's state (issue 13): due times set, moved and cleared per key with progress
/// in one transaction, listed earliest first across buckets or for one, counted; forgotten per
/// bucket and with the bucket; a save to a missing bucket writes nothing.
/// </summary>
public abstract class LifecycleCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private const string Other = "other";

    private static LifecycleDue Due(string key, int minutes, string bucket = Bucket) => new(bucket, key, Now.AddMinutes(minutes));

    [Fact(Timeout = 10_000)]
    public async Task Due_times_and_progress_are_saved_together_and_read_back_after_reopening()
    {
        var progress = new LifecycleProgress(Bucket, Now.AddDays(-1), 42);
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("b", 5), Due("a ü/x", 10), Due("c", 60)], progress, Ct));

        await ReopenAsync();
        Assert.Equal([progress], await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));
        Assert.Equal([Due("b", 5), Due("a ü/x", 10)], await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddMinutes(10), 100, Ct));
        Assert.Equal(2, await Catalog.Lifecycle.CountLifecycleDueAsync(Now.AddMinutes(10), Ct));
        Assert.Equal(3, await Catalog.Lifecycle.CountLifecycleDueAsync(Now.AddHours(1), Ct));
        Assert.Equal(0, await Catalog.Lifecycle.CountLifecycleDueAsync(Now, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_later_save_moves_or_clears_a_keys_due_time_and_keeps_progress_unless_given()
    {
        var progress = new LifecycleProgress(Bucket, Now, 7);
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("a", 5), Due("b", 6), Due("c", 7)], progress, Ct));

        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("a", 30), new LifecycleDue(Bucket, "b", null), new LifecycleDue(Bucket, "zz", null)],
            null, Ct));

        Assert.Equal([Due("c", 7), Due("a", 30)], await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddDays(1), 100, Ct));
        Assert.Equal([progress], await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));

        var moved = progress with { JournalSeq = 9, ConfiguredAt = Now.AddMinutes(1) };
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [], moved, Ct));
        Assert.Equal([moved], await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Due_keys_are_listed_earliest_first_across_buckets_up_to_the_limit_or_for_one_bucket()
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Other, Now, "us-east-1"), Ct));
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("late", 20), Due("early", 1), Due("tie", 10)], null, Ct));
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Other, [Due("tie", 10, Other), Due("middle", 5, Other)], null, Ct));

        // Ties by bucket name ("other" before "photos"), then key.
        Assert.Equal([Due("early", 1), Due("middle", 5, Other), Due("tie", 10, Other), Due("tie", 10), Due("late", 20)],
            await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddHours(1), 100, Ct));
        Assert.Equal([Due("early", 1), Due("middle", 5, Other)], await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddHours(1), 2, Ct));
        Assert.Equal([Due("middle", 5, Other), Due("tie", 10, Other)],
            await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddHours(1), 100, Ct, bucket: Other));
        Assert.Empty(await Catalog.Lifecycle.ListLifecycleDueAsync(Now, 100, Ct));
        Assert.Empty(await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddHours(1), 0, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Forgetting_a_bucket_drops_only_its_rows()
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Other, Now, "us-east-1"), Ct));
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("a", 1)], new LifecycleProgress(Bucket, Now, 3), Ct));
        var kept = new LifecycleProgress(Other, Now, 4);
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Other, [Due("b", 2, Other)], kept, Ct));

        await Catalog.Lifecycle.ForgetLifecycleAsync(Bucket, Ct);
        await Catalog.Lifecycle.ForgetLifecycleAsync("absent", Ct);

        Assert.Equal([kept], await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));
        Assert.Equal([Due("b", 2, Other)], await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddDays(1), 100, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_save_to_a_missing_bucket_writes_nothing_and_a_save_of_another_buckets_rows_is_refused()
    {
        Assert.False(await Catalog.Lifecycle.SaveLifecycleAsync("absent", [Due("a", 1, "absent")], new LifecycleProgress("absent", Now, 1), Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("a", 1, Other)], null, Ct));

        Assert.Empty(await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));
        Assert.Empty(await Catalog.Lifecycle.ListLifecycleDueAsync(Now.AddDays(1), 100, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Deleting_the_bucket_removes_its_lifecycle_rows()
    {
        Assert.True(await Catalog.Lifecycle.SaveLifecycleAsync(Bucket, [Due("a", 1)], new LifecycleProgress(Bucket, Now, 3), Ct));

        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddDays(1), "us-east-1"), Ct));

        Assert.Empty(await Catalog.Lifecycle.ListLifecycleProgressAsync(Ct));
        Assert.Equal(0, await Catalog.Lifecycle.CountLifecycleDueAsync(Now.AddYears(1), Ct));
    }
}
