namespace Cairn.Metadata.Tests;

/// <summary>
/// What coalescing adds beyond the role contracts (which <c>CatalogTargets.cs</c> runs with it on):
/// every request is answered by exactly one batch, and the batches are visible in the metrics.
/// </summary>
public sealed class CoalescedCatalogTests() : CatalogConformanceTests<SqliteTarget>(new SqliteTarget(coalesce: true))
{
    [Fact(Timeout = 30_000)]
    public async Task Each_lookup_and_create_is_counted_in_exactly_one_coalesced_batch_of_its_kind()
    {
        // Arrange
        const int Creates = 40;
        const int Lookups = 100;
        using var recorder = new MeasurementRecorder();
        Catalog.Provider!.Metrics = new MetadataMetrics(recorder);

        // Act: concurrent creates of new inline keys, then concurrent lookups of objects and buckets.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Creates).Select(i => Task.Run(() => CommitAsync(null, InlineVersion("key" + i)))));
        var found = await Task.WhenAll(Enumerable.Range(0, Lookups).Select(i => Task.Run(async () =>
            await Catalog.Objects.GetObjectAsync(Bucket, "key" + (i % Creates), Ct) is not null
            && await Catalog.Buckets.GetBucketAsync(Bucket, Ct) is not null)));

        // Assert
        Assert.All(outcomes, static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        Assert.All(found, Assert.True);
        Assert.Equal(Creates, recorder.Values("cairn.metadata.coalesced.batch_size", "kind=create").Sum());
        Assert.Equal(Lookups, recorder.Values("cairn.metadata.coalesced.batch_size", "kind=object_lookup").Sum());
        Assert.Equal(Lookups, recorder.Values("cairn.metadata.coalesced.batch_size", "kind=bucket_lookup").Sum());
    }
}
