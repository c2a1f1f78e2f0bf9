namespace Cairn.Metadata.Tests;

/// <summary>
/// A bucket's configurations (issues 13 and 14): documents by kind and id, created and replaced by
/// one put, listed per bucket and per kind in id order, removed one by one or with their bucket;
/// a put to a bucket that does not exist writes nothing.
/// </summary>
public abstract class BucketConfigurationCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private const string Lifecycle = "lifecycle";
    private const string Inventory = "inventory";

    private static BucketConfiguration Configuration(string kind, string id, string document, string bucket = Bucket, int minutes = 0) =>
        new(bucket, kind, id, document, Now.AddMinutes(minutes));

    [Fact(Timeout = 10_000)]
    public async Task A_put_configuration_is_read_back_and_a_second_put_replaces_it()
    {
        var first = Configuration(Lifecycle, BucketConfiguration.Single, "<LifecycleConfiguration>one</LifecycleConfiguration>");
        var second = Configuration(Lifecycle, BucketConfiguration.Single, "<LifecycleConfiguration>two ü</LifecycleConfiguration>", minutes: 5);

        Assert.Null(await Catalog.Configurations.GetBucketConfigurationAsync(Bucket, Lifecycle, BucketConfiguration.Single, Ct));
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(first, Ct));
        Assert.Equal(first, await Catalog.Configurations.GetBucketConfigurationAsync(Bucket, Lifecycle, BucketConfiguration.Single, Ct));
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(second, Ct));

        await ReopenAsync();
        Assert.Equal(second, await Catalog.Configurations.GetBucketConfigurationAsync(Bucket, Lifecycle, BucketConfiguration.Single, Ct));
        Assert.Equal([second], await Catalog.Configurations.ListBucketConfigurationsAsync(Bucket, Lifecycle, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Kinds_ids_and_buckets_are_kept_apart_and_listed_in_order()
    {
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("archive", Now, "us-east-1"), Ct));
        var weekly = Configuration(Inventory, "weekly", "w");
        var daily = Configuration(Inventory, "daily", "d");
        var upper = Configuration(Inventory, "Zeta", "z"); // ordinal order: upper case first
        var rules = Configuration(Lifecycle, BucketConfiguration.Single, "r");
        var archiveDaily = Configuration(Inventory, "daily", "a", bucket: "archive");
        foreach (var configuration in new[] { weekly, daily, upper, rules, archiveDaily })
        {
            Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(configuration, Ct));
        }

        Assert.Equal([upper, daily, weekly], await Catalog.Configurations.ListBucketConfigurationsAsync(Bucket, Inventory, Ct));
        Assert.Equal([archiveDaily], await Catalog.Configurations.ListBucketConfigurationsAsync("archive", Inventory, Ct));
        Assert.Empty(await Catalog.Configurations.ListBucketConfigurationsAsync("archive", Lifecycle, Ct));
        Assert.Equal([archiveDaily, upper, daily, weekly], await Catalog.Configurations.ListConfigurationsOfKindAsync(Inventory, Ct));
        Assert.Equal([rules], await Catalog.Configurations.ListConfigurationsOfKindAsync(Lifecycle, Ct));
        Assert.Empty(await Catalog.Configurations.ListConfigurationsOfKindAsync("cors", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Delete_removes_one_configuration_and_says_whether_there_was_one()
    {
        var daily = Configuration(Inventory, "daily", "d");
        var weekly = Configuration(Inventory, "weekly", "w");
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(daily, Ct));
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(weekly, Ct));

        Assert.True(await Catalog.Configurations.DeleteBucketConfigurationAsync(Bucket, Inventory, "daily", Ct));
        Assert.False(await Catalog.Configurations.DeleteBucketConfigurationAsync(Bucket, Inventory, "daily", Ct));
        Assert.False(await Catalog.Configurations.DeleteBucketConfigurationAsync(Bucket, Lifecycle, BucketConfiguration.Single, Ct));
        Assert.False(await Catalog.Configurations.DeleteBucketConfigurationAsync("absent", Inventory, "weekly", Ct));

        Assert.Equal([weekly], await Catalog.Configurations.ListBucketConfigurationsAsync(Bucket, Inventory, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_put_to_a_missing_bucket_writes_nothing()
    {
        Assert.False(await Catalog.Configurations.PutBucketConfigurationAsync(Configuration(Lifecycle, BucketConfiguration.Single, "r", bucket: "absent"), Ct));

        Assert.Null(await Catalog.Configurations.GetBucketConfigurationAsync("absent", Lifecycle, BucketConfiguration.Single, Ct));
        Assert.Empty(await Catalog.Configurations.ListConfigurationsOfKindAsync(Lifecycle, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Deleting_the_bucket_removes_its_configurations_and_a_new_bucket_of_that_name_has_none()
    {
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(Configuration(Lifecycle, BucketConfiguration.Single, "r"), Ct));
        Assert.True(await Catalog.Configurations.PutBucketConfigurationAsync(Configuration(Inventory, "daily", "d"), Ct));

        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddDays(1), "us-east-1"), Ct));

        Assert.Null(await Catalog.Configurations.GetBucketConfigurationAsync(Bucket, Lifecycle, BucketConfiguration.Single, Ct));
        Assert.Empty(await Catalog.Configurations.ListBucketConfigurationsAsync(Bucket, Inventory, Ct));
        Assert.Empty(await Catalog.Configurations.ListConfigurationsOfKindAsync(Inventory, Ct));
    }
}
