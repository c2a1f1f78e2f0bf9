using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// The object-row conformance suite over the SQLite catalog behind <see cref="CachingCatalog"/>
/// (every read that follows a write must see it; the bucket and multipart suites run through it too,
/// see CatalogTargets.cs), plus what the cache itself promises: hot rows come from memory, a read
/// that overlaps a write is never kept, memory stays within its bound.
/// </summary>
public sealed class CachingCatalogTests() : ObjectCatalogConformanceTests<CachedSqliteTarget>(new CachedSqliteTarget())
{
    private CachingCatalog Cache => Target.Cache;

    [Fact(Timeout = 10_000)]
    public async Task A_second_read_of_an_unchanged_object_is_answered_from_memory()
    {
        // Arrange
        await PutInlineAsync("k");
        var first = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var hits = Cache.Hits;

        // Act
        var second = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Assert
        Assert.Equal(hits + 1, Cache.Hits);
        Assert.Same(first, second);
    }

    [Fact(Timeout = 10_000)]
    public async Task Overwrite_delete_and_complete_through_the_cache_are_seen_by_the_next_read()
    {
        // Arrange: the row is cached.
        await CommitAsync(null, InlineVersion("k", "one"));
        Assert.Equal("one", (await ReadTwiceAsync("k"))!.ETag);

        // Act / Assert: overwrite.
        await CommitAsync(null, InlineVersion("k", "two"));
        Assert.Equal("two", (await ReadTwiceAsync("k"))!.ETag);

        // Act / Assert: multipart complete onto the same key.
        var uploadId = await CreateUploadAsync("k");
        var part = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, part);
        Assert.Equal(CompleteMultipartOutcome.Completed, await CompleteAsync(uploadId, [part], key: "k"));
        Assert.Equal("mp-1", (await ReadTwiceAsync("k"))!.ETag);

        // Act / Assert: delete.
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct));
        Assert.Null(await ReadTwiceAsync("k"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_read_that_overlaps_a_write_is_served_once_and_never_kept()
    {
        // Arrange: a reader fetches the old row and is held before it returns.
        await CommitAsync(null, InlineVersion("k", "old"));
        var held = Target.Gate.HoldNext(nameof(IObjectCatalog.GetObjectAsync));
        var reading = Catalog.Objects.GetObjectAsync(Bucket, "k", Ct).AsTask();
        await held.Fetched;

        // Act: a write commits while that read is in flight, then the read finishes.
        await CommitAsync(null, InlineVersion("k", "new"));
        held.Release();
        var overlapping = await reading;

        // Assert: the overlapping read may say "old" (it began first), but nothing after the write does.
        Assert.Equal("old", overlapping!.ETag);
        Assert.Equal("new", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
        Assert.Equal("new", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_cached_row_is_not_served_while_a_write_to_its_key_is_in_flight()
    {
        // Arrange: "old" is cached; a write of "new" has committed in the catalog but not yet returned.
        await CommitAsync(null, InlineVersion("k", "old"));
        await ReadTwiceAsync("k");
        var held = Target.Gate.HoldNext(nameof(IObjectCatalog.CommitObjectAsync));
        var writing = CommitAsync(null, InlineVersion("k", "new"));
        await held.Fetched;
        var hits = Cache.Hits;

        // Act
        var during = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var againDuring = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        held.Release();
        await writing;

        // Assert: the reads went to the catalog, and nothing they fetched was kept past the write.
        Assert.Equal("new", during!.ETag);
        Assert.Equal("new", againDuring!.ETag);
        Assert.Equal(hits, Cache.Hits);
        Assert.Equal("new", (await ReadTwiceAsync("k"))!.ETag);
    }

    [Fact(Timeout = 10_000)]
    public async Task Deleting_and_recreating_a_bucket_is_seen_by_the_next_lookup()
    {
        // Arrange
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        Assert.Equal("us-east-1", (await Catalog.Buckets.GetBucketAsync("other", Ct))!.Region);
        Assert.Equal("us-east-1", (await Catalog.Buckets.GetBucketAsync("other", Ct))!.Region);

        // Act / Assert
        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync("other", Now, Grace, Ct));
        Assert.Null(await Catalog.Buckets.GetBucketAsync("other", Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "eu-west-1"), Ct));
        Assert.Equal("eu-west-1", (await Catalog.Buckets.GetBucketAsync("other", Ct))!.Region);
        Assert.Equal("eu-west-1", (await Catalog.Buckets.GetBucketAsync("other", Ct))!.Region);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cached_rows_stay_within_the_capacity()
    {
        // Arrange: 600 rows of about 2.3 KB each, more than the 1 MiB capacity holds.
        for (var i = 0; i < 600; i++)
        {
            await CommitAsync(null, InlineVersion($"k{i:D4}") with { InlineBody = new byte[2048] });
        }

        // Act
        for (var i = 0; i < 600; i++)
        {
            await Catalog.Objects.GetObjectAsync(Bucket, $"k{i:D4}", Ct);
        }

        // Assert: bounded, yet still holding a useful share.
        Assert.InRange(Cache.CachedBytes, 1, 1 << 20);
        Assert.InRange(Cache.CachedRows, 100, 600);
        var hits = Cache.Hits;
        for (var i = 0; i < 600; i++)
        {
            Assert.Equal($"k{i:D4}", (await Catalog.Objects.GetObjectAsync(Bucket, $"k{i:D4}", Ct))!.Key);
        }
        Assert.True(Cache.Hits > hits, "no row was served from memory after the fill");
    }

    [Fact(Timeout = 10_000)]
    public async Task With_no_capacity_nothing_is_served_from_memory()
    {
        // Arrange
        var uncached = new CachingCatalog(Catalog.Buckets, Catalog.Objects, capacityBytes: 0);
        await PutInlineAsync("k");

        // Act
        await uncached.GetObjectAsync(Bucket, "k", Ct);
        await uncached.GetObjectAsync(Bucket, "k", Ct);
        await uncached.GetBucketAsync(Bucket, Ct);
        await uncached.GetBucketAsync(Bucket, Ct);

        // Assert
        Assert.Equal(0, uncached.Hits);
        Assert.Equal(4, uncached.Misses);
    }

    [Fact(Timeout = 60_000)]
    public async Task Under_concurrent_reads_every_write_is_seen_once_it_returns_and_reads_never_go_back()
    {
        // Arrange: one writer per key (so "the latest value" is known), readers hammering the same keys.
        const int Keys = 8;
        const int WritesPerKey = 60;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var writersDone = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        for (var k = 0; k < Keys; k++)
        {
            await CommitAsync(null, InlineVersion($"key{k}", "0"));
        }

        async Task WriteAsync(int k)
        {
            for (var i = 1; i <= WritesPerKey; i++)
            {
                await CommitAsync(null, InlineVersion($"key{k}", i.ToString()));
                // Twice: the second read is normally answered from memory, so hits happen whatever the scheduling.
                for (var read = 0; read < 2; read++)
                {
                    var seen = int.Parse((await Catalog.Objects.GetObjectAsync(Bucket, $"key{k}", Ct))!.ETag);
                    if (seen != i)
                    {
                        failures.Enqueue($"key{k}: wrote {i}, then read {seen}");
                    }
                }
            }
            Interlocked.Increment(ref writersDone);
        }

        async Task ReadAsync(int seed)
        {
            var random = new Random(seed);
            var lastSeen = new int[Keys];
            while (Volatile.Read(ref writersDone) < Keys && !stop.IsCancellationRequested)
            {
                var k = random.Next(Keys);
                var seen = int.Parse((await Catalog.Objects.GetObjectAsync(Bucket, $"key{k}", Ct))!.ETag);
                if (seen < lastSeen[k])
                {
                    failures.Enqueue($"key{k}: read {seen} after {lastSeen[k]}");
                }
                lastSeen[k] = seen;
            }
        }

        // Act
        var tasks = Enumerable.Range(0, Keys).Select(k => Task.Run(() => WriteAsync(k)))
            .Concat(Enumerable.Range(0, 4).Select(seed => Task.Run(() => ReadAsync(seed))));
        await Task.WhenAll(tasks);

        // Assert
        Assert.Equal(Keys, writersDone);
        Assert.Empty(failures);
        Assert.True(Cache.Hits > 0, "the readers never hit the cache, so the race was not exercised");
    }

    private async Task<ObjectVersionRecord?> ReadTwiceAsync(string key)
    {
        var first = await Catalog.Objects.GetObjectAsync(Bucket, key, Ct);
        var second = await Catalog.Objects.GetObjectAsync(Bucket, key, Ct);
        Assert.Equal(first, second);
        return second;
    }
}
