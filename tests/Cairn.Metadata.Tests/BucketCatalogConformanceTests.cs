using Cairn.Core;
namespace Cairn.Metadata.Tests;

public abstract partial class BucketCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    [Fact(Timeout = 10_000)]
    public async Task TryCreateBucket_then_GetBucket_returns_the_bucket()
    {
        // Arrange
        var bucket = new BucketRecord("logs", Now, "eu-west-1");

        // Act
        var created = await Catalog.Buckets.TryCreateBucketAsync(bucket, Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(bucket, await Catalog.Buckets.GetBucketAsync("logs", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task TryCreateBucket_returns_false_when_the_name_exists_and_keeps_the_first()
    {
        // Act
        var created = await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(Bucket, Now.AddDays(1), "eu-west-1"), Ct);

        // Assert
        Assert.False(created);
        Assert.Equal(new BucketRecord(Bucket, Now, "us-east-1"), await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task PutBucketTags_replaces_the_tags_seen_by_GetBucket_and_ListBuckets_and_empty_removes_them()
    {
        // Arrange
        var name = "tagged-bucket";
        await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord(name, Now, "us-east-1"), Ct);

        // Act
        var put = await Catalog.Buckets.PutBucketTagsAsync(name, new Dictionary<string, string> { ["team"] = "storage", ["cost"] = "" }, Ct);
        var afterPut = await Catalog.Buckets.GetBucketAsync(name, Ct);
        var listed = (await Catalog.Buckets.ListBucketsAsync(Ct)).Single(b => b.Name == name);
        var removed = await Catalog.Buckets.PutBucketTagsAsync(name, new Dictionary<string, string>(), Ct);
        var afterRemove = await Catalog.Buckets.GetBucketAsync(name, Ct);

        // Assert
        Assert.True(put);
        Assert.Equal([new("cost", ""), new KeyValuePair<string, string>("team", "storage")], afterPut!.Tags.OrderBy(static p => p.Key));
        Assert.Equal(afterPut.Tags.OrderBy(static p => p.Key), listed.Tags.OrderBy(static p => p.Key));
        Assert.Equal((Now, "us-east-1"), (afterPut.CreatedAt, afterPut.Region));
        Assert.True(removed);
        Assert.Empty(afterRemove!.Tags);
    }

    [Fact(Timeout = 10_000)]
    public async Task PutBucketTags_on_a_missing_bucket_returns_false_and_creates_nothing()
    {
        // Act
        var put = await Catalog.Buckets.PutBucketTagsAsync("absent-bucket", new Dictionary<string, string> { ["a"] = "1" }, Ct);

        // Assert
        Assert.False(put);
        Assert.Null(await Catalog.Buckets.GetBucketAsync("absent-bucket", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetBucket_returns_null_for_a_missing_bucket()
    {
        Assert.Null(await Catalog.Buckets.GetBucketAsync("absent", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListBuckets_returns_every_bucket_by_name()
    {
        // Arrange
        await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("zebra", Now, "us-east-1"), Ct);
        await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("a-b", Now, "us-east-1"), Ct);
        await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("a.b", Now, "us-east-1"), Ct);

        // Act
        var buckets = await Catalog.Buckets.ListBucketsAsync(Ct);

        // Assert
        Assert.Equal(["a-b", "a.b", Bucket, "zebra"], buckets.Select(static b => b.Name));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteBucket_deletes_an_empty_bucket()
    {
        // Act
        var outcome = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteBucketOutcome.Deleted, outcome);
        Assert.Null(await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
        Assert.Empty(await Catalog.Buckets.ListBucketsAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteBucket_returns_NoSuchBucket_for_a_missing_bucket()
    {
        Assert.Equal(DeleteBucketOutcome.NoSuchBucket, await Catalog.Buckets.DeleteBucketAsync("absent", Now, Grace, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteBucket_returns_NotEmpty_while_an_object_exists()
    {
        // Arrange
        await PutInlineAsync("a");

        // Act
        var outcome = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteBucketOutcome.NotEmpty, outcome);
        Assert.NotNull(await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "a", WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListBucketUsage_counts_current_objects_noncurrent_versions_and_delete_markers_per_bucket()
    {
        // Arrange: photos versioned, with an overwritten key, a deleted one and a live one; an empty bucket beside it.
        await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("empty", Now, "us-east-1"), Ct);
        await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        await PutAsync("a", Chunk("a1", 100));
        await PutAsync("a", Chunk("a2", 250));
        await PutAsync("b", Chunk("b1", 40));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "b", WritePrecondition.None, Now, Grace, Ct);
        await PutInlineAsync("c");

        // Act
        var usage = await Catalog.Buckets.ListBucketUsageAsync(Ct);

        // Assert: current a (250) and c (3); noncurrent a (100) and b (40); b's delete marker.
        Assert.Equal([new BucketUsage("empty", 0, 0, 0, 0, 0), new BucketUsage(Bucket, 2, 253, 2, 140, 1)], usage);
    }
}
