namespace Cairn.Metadata.Tests;

/// <summary>
/// Inventory reports (issue 13): recorded with their row groups in one transaction, listed newest
/// first per bucket or per configuration, their groups picked by key range in UTF-8 byte order;
/// a report for a missing bucket records nothing; the rows go with the bucket.
/// </summary>
public abstract class InventoryCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static InventoryReport Report(string id, int minutes, long objects = 3, string bucket = Bucket) =>
        new(bucket, id, Now.AddMinutes(minutes), 40 + minutes, "reports", $"inv/{bucket}/{id}/{minutes}/manifest.json", "Parquet", objects);

    private static readonly InventoryReportGroup[] Groups =
    [
        new("inv/data/a.parquet", 0, "a", "f", 100),
        new("inv/data/a.parquet", 1, "g", "m", 100),
        new("inv/data/b.parquet", 0, "n", "z", 50),
        new("inv/data/b.parquet", 1, "zz", "\U0001F600 last", 7),
    ];

    [Fact(Timeout = 10_000)]
    public async Task A_report_and_its_groups_are_read_back_after_reopening()
    {
        var report = Report("daily", 0);
        Assert.True(await Catalog.Inventory.RecordInventoryReportAsync(report, Groups, Ct));

        await ReopenAsync();
        Assert.Equal([report], await Catalog.Inventory.ListInventoryReportsAsync(Bucket, null, 10, Ct));
        Assert.Equal(Groups, await Catalog.Inventory.ListInventoryReportGroupsAsync(Bucket, "daily", report.CreatedAt, null, null, Ct));
    }

    [Theory(Timeout = 10_000)]
    [InlineData("h", "k", new[] { 1 })] // inside one group
    [InlineData("f", "g", new[] { 0, 1 })] // the bounds are inclusive
    [InlineData("m\u0001", "mz", new int[0])] // between two groups
    [InlineData(null, "b", new[] { 0 })]
    [InlineData("z", null, new[] { 2, 3 })] // from the last key of one group on
    [InlineData("\uFFFD", null, new[] { 3 })] // above U+FFFF sorts last in UTF-8, as keys do
    public async Task Groups_are_picked_by_key_range(string? from, string? to, int[] expected)
    {
        var report = Report("daily", 0);
        Assert.True(await Catalog.Inventory.RecordInventoryReportAsync(report, Groups, Ct));

        var groups = await Catalog.Inventory.ListInventoryReportGroupsAsync(Bucket, "daily", report.CreatedAt, from, to, Ct);

        Assert.Equal(expected.Select(i => Groups[i]), groups);
    }

    [Fact(Timeout = 10_000)]
    public async Task Reports_are_listed_newest_first_per_bucket_or_configuration_up_to_the_limit()
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        var oldDaily = Report("daily", 0);
        var weekly = Report("weekly", 5);
        var newDaily = Report("daily", 10);
        foreach (var report in new[] { oldDaily, weekly, newDaily, Report("daily", 3, bucket: "other") })
        {
            Assert.True(await Catalog.Inventory.RecordInventoryReportAsync(report, [], Ct));
        }

        Assert.Equal([newDaily, weekly, oldDaily], await Catalog.Inventory.ListInventoryReportsAsync(Bucket, null, 10, Ct));
        Assert.Equal([newDaily, oldDaily], await Catalog.Inventory.ListInventoryReportsAsync(Bucket, "daily", 10, Ct));
        Assert.Equal([newDaily], await Catalog.Inventory.ListInventoryReportsAsync(Bucket, null, 1, Ct));
        Assert.Empty(await Catalog.Inventory.ListInventoryReportsAsync(Bucket, "none", 10, Ct));
        Assert.Empty(await Catalog.Inventory.ListInventoryReportGroupsAsync(Bucket, "daily", oldDaily.CreatedAt, null, null, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_report_of_a_missing_bucket_records_nothing_and_the_bucket_takes_its_reports_along()
    {
        Assert.False(await Catalog.Inventory.RecordInventoryReportAsync(Report("daily", 0, bucket: "absent"), Groups, Ct));
        Assert.Empty(await Catalog.Inventory.ListInventoryReportsAsync("absent", null, 10, Ct));

        var report = Report("daily", 0);
        Assert.True(await Catalog.Inventory.RecordInventoryReportAsync(report, Groups, Ct));
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddDays(1), "us-east-1"), Ct));

        Assert.Empty(await Catalog.Inventory.ListInventoryReportsAsync(Bucket, null, 10, Ct));
        Assert.Empty(await Catalog.Inventory.ListInventoryReportGroupsAsync(Bucket, "daily", report.CreatedAt, null, null, Ct));
    }
}
