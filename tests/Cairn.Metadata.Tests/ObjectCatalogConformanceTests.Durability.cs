using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class ObjectCatalogConformanceTests<TTarget>
{
    [Fact(Timeout = 20_000)]
    public async Task Reopening_the_store_keeps_committed_data()
    {
        // Arrange
        var chunk = Chunk("a");
        var reservations = await PutAsync("k", chunk);
        var (upload, pending) = await ReserveAsync(Chunk("pending"));
        await PutAsync("gone", Chunk("gone"));
        await Catalog.Objects.DeleteObjectAsync(Bucket, "gone", WritePrecondition.None, Now, Grace, Ct);

        // Act
        await ReopenAsync();

        // Assert
        Assert.NotNull(await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
        Assert.Equal([chunk], (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.Chunks);
        Assert.Equal(new ChunkInfo(chunk.Hash, reservations[0].BlobName!, chunk.Length, 1), await FindChunkAsync(chunk));
        Assert.Single(await QueueAsync());
        var again = await Catalog.Chunks.ReserveChunkAsync(upload, Chunk("pending").Hash, 1, "other", Deadline, Ct);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, pending[0].BlobName), again);
    }

    [Fact(Timeout = 20_000)]
    public async Task MigrateAsync_twice_is_harmless()
    {
        // Arrange
        await PutInlineAsync("k");

        // Act
        await Catalog.Schema.MigrateAsync(Ct);
        await ReopenAsync();
        await Catalog.Schema.MigrateAsync(Ct);

        // Assert
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
        Assert.Single(await Catalog.Buckets.ListBucketsAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Eight_parallel_commits_with_distinct_keys_all_land()
    {
        // Arrange
        var shared = Chunk("shared");
        var sharedWrites = 0;

        // Act
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var own = Chunk("own" + i);
            var (upload, reservations) = await ReserveAsync(shared, own);
            if (reservations[0].Kind == ChunkReservationKind.MustWrite)
            {
                Interlocked.Increment(ref sharedWrites);
            }
            Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Version("key" + i, "e", shared, own)));
        })));

        // Assert
        var listing = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 100), Ct);
        Assert.Equal(Enumerable.Range(0, 8).Select(static i => "key" + i), listing.Objects.Select(static o => o.Key));
        Assert.Equal(8, (await FindChunkAsync(shared))!.Value.RefCount);
        Assert.Equal(9, (await Catalog.Chunks.ListChunksAsync(Ct)).Count);
        // Every upload that wrote the shared chunk but lost the race queued its own copy.
        Assert.InRange(sharedWrites, 1, 8);
        Assert.Equal(sharedWrites - 1, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_hundred_concurrent_commits_all_land_and_read_back()
    {
        // Arrange: half inline, half with a chunk of their own (a reservation, then the commit).
        const int Writes = 200;

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writes).Select(i => Task.Run(async () =>
        {
            if (i % 2 == 0)
            {
                return await CommitAsync(null, InlineVersion("key" + i.ToString("D3"), etag: "e" + i));
            }
            var chunk = Chunk("chunk" + i);
            var (upload, _) = await ReserveAsync(chunk);
            return await CommitAsync(upload, Version("key" + i.ToString("D3"), "e" + i, chunk));
        })));

        // Assert
        Assert.All(outcomes, static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        for (var i = 0; i < Writes; i++)
        {
            Assert.Equal("e" + i, (await Catalog.Objects.GetObjectAsync(Bucket, "key" + i.ToString("D3"), Ct))!.ETag);
        }
        var listing = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct);
        Assert.Equal(Writes, listing.Objects.Count);
        Assert.Equal(Writes / 2, (await Catalog.Chunks.ListChunksAsync(Ct)).Count);
        Assert.Equal(0, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_IfNoneMatch_creates_of_one_key_have_exactly_one_winner_per_key()
    {
        // Arrange: 8 keys, 16 writers each, all at once (creates of one key can share one batch).
        const int Keys = 8;
        const int WritersPerKey = 16;
        var ifNoneMatch = new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null);

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Keys * WritersPerKey).Select(i => Task.Run(() =>
            CommitAsync(null, InlineVersion("key" + (i % Keys), etag: "writer" + i), ifNoneMatch))));

        // Assert: per key one Committed, whose ETag the key holds; everyone else PreconditionFailed.
        for (var key = 0; key < Keys; key++)
        {
            var writers = Enumerable.Range(0, Keys * WritersPerKey).Where(i => i % Keys == key).ToList();
            var winners = writers.Where(i => outcomes[i] == CommitOutcome.Committed).ToList();
            Assert.Single(winners);
            Assert.All(writers.Except(winners), i => Assert.Equal(CommitOutcome.PreconditionFailed, outcomes[i]));
            Assert.Equal("writer" + winners[0], (await Catalog.Objects.GetObjectAsync(Bucket, "key" + key, Ct))!.ETag);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_unconditional_creates_of_one_key_all_commit_and_one_of_them_is_current()
    {
        // Arrange
        const int Writers = 32;

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(() =>
            CommitAsync(null, InlineVersion("same", etag: "writer" + i)))));

        // Assert
        Assert.All(outcomes, static outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        var current = await Catalog.Objects.GetObjectAsync(Bucket, "same", Ct);
        Assert.Contains(current!.ETag, Enumerable.Range(0, Writers).Select(static i => "writer" + i));
        var listing = await Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 100), Ct);
        Assert.Equal(["same"], listing.Objects.Select(static o => o.Key));
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_creates_mixing_new_keys_existing_keys_and_a_missing_bucket_each_get_their_own_outcome()
    {
        // Arrange: even keys exist; odd keys are new; every fourth write goes to a bucket that does not exist.
        const int Writes = 64;
        for (var i = 0; i < Writes; i += 2)
        {
            await CommitAsync(null, InlineVersion("key" + i, etag: "old" + i));
        }

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writes).Select(i => Task.Run(() =>
        {
            var version = InlineVersion("key" + i, etag: "new" + i);
            return CommitAsync(null, i % 4 == 3 ? version with { Bucket = "missing" } : version);
        })));

        // Assert
        for (var i = 0; i < Writes; i++)
        {
            var current = await Catalog.Objects.GetObjectAsync(Bucket, "key" + i, Ct);
            if (i % 4 == 3)
            {
                Assert.Equal(CommitOutcome.NoSuchBucket, outcomes[i]);
                Assert.Null(current);
            }
            else
            {
                Assert.Equal(CommitOutcome.Committed, outcomes[i]);
                Assert.Equal("new" + i, current!.ETag);
            }
        }
        Assert.Null(await Catalog.Buckets.GetBucketAsync("missing", Ct));
        Assert.Null(await Catalog.Objects.GetObjectAsync("missing", "key3", Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_lookups_each_read_their_own_row()
    {
        // Arrange
        const int Keys = 20;
        for (var i = 0; i < Keys; i++)
        {
            await CommitAsync(null, InlineVersion("key" + i, etag: "e" + i));
        }

        // Act: lookups of different keys at once, so connections and their commands are shared over time.
        var mismatches = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 200; n++)
            {
                var i = (worker * 7 + n) % Keys;
                var found = await Catalog.Objects.GetObjectAsync(Bucket, "key" + i, Ct);
                var bucket = await Catalog.Buckets.GetBucketAsync(Bucket, Ct);
                if (found?.ETag != "e" + i || bucket?.Name != Bucket || await Catalog.Objects.GetObjectAsync(Bucket, "absent", Ct) is not null)
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        })));

        // Assert
        Assert.Equal(0, mismatches);
    }
}
