using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Trees;
using Cairn.Metadata;
using Cairn.Mst;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

// Retention and collection: which commits a collection keeps, that the segments and chunks they
// reach stay, and that every retained commit still exports and verifies.
public abstract partial class BucketTreeCommitterTests
{
    [Fact(Timeout = 120_000)]
    public async Task Collection_keeps_the_latest_commit_and_every_segment_it_reaches_and_queues_the_rest()
    {
        // Arrange: collect with every commit, keep only the latest; overwrites and deletes over ten commits
        // (unversioned, so replaced manifests leave the tree and whole segments die).
        _options.TreeCollectInterval = TimeSpan.Zero;
        var random = new Random(41);
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 40; i++)
            {
                var key = $"k/{random.Next(60):D2}";
                if (random.Next(5) == 0)
                {
                    await _objects.DeleteAsync(Bucket, key, Ct);
                }
                else
                {
                    await PutAsync(key, random.Next(3) == 0 ? 70_000 : random.Next(900), random.Next());
                }
            }
            await _committer.CommitAllAsync(Ct);
        }

        // Act: one more commit, collecting what the previous ones left.
        await PutAsync("last", 10, 1);
        var head = await _committer.CommitBucketAsync(Bucket, Ct);

        // Assert
        Assert.NotNull(head);
        Assert.Equal([head.Seq], (await _store.ListTreeCommitsAsync(Bucket, 100, Ct)).Select(static c => c.Seq));
        var reachable = await ReachableAsync(head);
        var recorded = await _store.ListTreeSegmentsAsync(Bucket, Ct);
        var held = new Dictionary<string, HashSet<Cid>>(StringComparer.Ordinal);
        foreach (var segment in recorded)
        {
            held[segment.Name] = [.. (await ReadSegmentAsync(segment.Name)).Keys];
        }
        // Every segment kept holds a block the head reaches, and every block it reaches is in a kept segment.
        Assert.All(held.Values, blocks => Assert.Contains(blocks, reachable.Contains));
        Assert.All(reachable, cid => Assert.Contains(held.Values, blocks => blocks.Contains(cid)));
        var queued = (await _store.GetDueDeletesAsync(_clock.GetUtcNow() + TimeSpan.FromDays(1), 10_000, Ct))
            .Select(static e => e.BlobName).Where(static name => name.StartsWith("trees/", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(queued);
        Assert.Empty(queued.Intersect(held.Keys));
        Assert.Equal((await SegmentsAsync()).ToHashSet(), held.Keys.Union(queued).ToHashSet());
        var (status, latest) = await _service.PrepareExportAsync(Bucket, seq: null, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);
        using var file = new MemoryStream();
        await _service.ExportAsync(latest, file, progress: null, Ct);
        file.Position = 0;
        Assert.True((await CarVerifier.VerifyAsync(file, Ct)).IsValid);
        Assert.Equal(await RebuildRootAsync(), head.Root);
    }

    [Fact(Timeout = 120_000)]
    public async Task Retention_keeps_the_newest_commit_of_each_span_the_ones_in_the_window_and_pinned_ones_and_their_exports_verify()
    {
        // Arrange: commits at journal numbers 5, 12, 18, 25 and 31; a span of 10 keeps 5, 18, 25 and 31.
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepEvery = 10;
        // Versioned, so every version an older commit names is still there to export.
        await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        var written = 0;
        var pin = Guid.NewGuid();
        foreach (var seq in new[] { 5, 12, 18, 25, 31 })
        {
            while (written < seq)
            {
                await PutAsync($"k{written++ % 7}", 20, written);
            }
            await _committer.CommitAllAsync(Ct);
            if (seq == 12)
            {
                // Act (1): pin 12, which the span rule alone would drop once 18 is committed.
                Assert.True(await _store.PinTreeCommitAsync(Bucket, 12, pin, _clock.GetUtcNow() + TimeSpan.FromHours(1), Ct));
            }
        }

        // Act (2)
        var withPin = (await _store.ListTreeCommitsAsync(Bucket, 100, Ct)).Select(static c => c.Seq).Order().ToList();
        await _store.UnpinTreeCommitAsync(pin, Ct);
        _options.TreeKeepEvery = 0;
        _options.TreeKeepWithin = TimeSpan.FromMinutes(5);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await PutAsync("k-late", 20, 99);
        await _committer.CommitAllAsync(Ct);
        var windowed = (await _store.ListTreeCommitsAsync(Bucket, 100, Ct)).Select(static c => c.Seq).ToList();

        // Assert
        Assert.Equal([5, 12, 18, 25, 31], withPin);
        Assert.Equal([32], windowed);
        Assert.False(await _store.PinTreeCommitAsync(Bucket, 12, Guid.NewGuid(), _clock.GetUtcNow() + TimeSpan.FromHours(1), Ct));
        var (status, head) = await _service.PrepareExportAsync(Bucket, 32, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);
        using var file = new MemoryStream();
        await _service.ExportAsync(head, file, progress: null, Ct);
        file.Position = 0;
        Assert.True((await CarVerifier.VerifyAsync(file, Ct)).IsValid);
    }

    [Fact(Timeout = 120_000)]
    public async Task Collections_keep_every_retained_commit_readable_when_the_same_blocks_are_written_again()
    {
        // Arrange: empty bodies put again with the same metadata while the clock stands still give
        // the same manifest, so a key deleted and put back, or a node whose keys come back, is
        // written again by a later fold: one block, stored in two segments. A collection must keep
        // the copy each retained tree reads (collections mark places, not CIDs).
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepEvery = 3;
        var random = new Random(23);
        var verified = 0;

        // Act
        for (var step = 0; step < 80; step++)
        {
            var key = $"r{random.Next(6)}";
            if (random.Next(5) < 3)
            {
                await PutAsync(key, 0, 7);
            }
            else
            {
                await _objects.DeleteAsync(Bucket, key, Ct);
            }
            await _committer.CommitBucketAsync(Bucket, Ct);

            // Assert: every commit kept so far still reads whole from its segments.
            foreach (var commit in await _store.ListTreeCommitsAsync(Bucket, 100, Ct))
            {
                var (status, head) = await _service.PrepareExportAsync(Bucket, commit.Seq, Ct);
                Assert.Equal(BucketTreeStatus.Found, status);
                using var file = new MemoryStream();
                await _service.ExportAsync(head, file, progress: null, Ct);
                file.Position = 0;
                var verification = await CarVerifier.VerifyAsync(file, Ct);
                Assert.True(verification.IsValid, $"step {step}: the export of commit {commit.Seq} does not verify");
                verified++;
            }
        }

        // Assert: the case arose (a block in two segments), and collections dropped segments.
        var copies = new Dictionary<Cid, int>();
        foreach (var name in await SegmentsAsync())
        {
            foreach (var cid in (await ReadSegmentAsync(name)).Keys.Where(static cid => cid.Codec == Cid.DagCborCodec))
            {
                copies[cid] = copies.GetValueOrDefault(cid) + 1;
            }
        }
        Assert.Contains(copies.Values, static count => count > 1);
        Assert.True((await SegmentsAsync()).Count > (await _store.ListTreeSegmentsAsync(Bucket, Ct)).Count, "no segment was collected");
        Assert.True(verified > 80);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_retained_older_commit_keeps_the_chunks_its_manifests_name_until_it_is_collected()
    {
        // Arrange: an unversioned key overwritten: the catalog releases the first body's chunks, but
        // the first commit, kept by the time window, still names them.
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepWithin = TimeSpan.FromHours(1);
        await PutAsync("big", 150_000, 1);
        var first = await _committer.CommitBucketAsync(Bucket, Ct);
        Assert.NotNull(first);
        var firstChunks = (await _store.GetObjectAsync(Bucket, "big", Ct))!.Chunks.Select(static c => c.Hash).ToHashSet();
        await PutAsync("big", 150_000, 2);
        await _committer.CommitBucketAsync(Bucket, Ct);
        var sweeper = new Workers.DeleteQueueSweeper(_store, _store, _blobs, new ChunkReadPins(), _options, _clock,
            NullLogger<Workers.DeleteQueueSweeper>.Instance);

        // Act (1): the overwritten body's grace period passes and the sweeper runs.
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        await sweeper.SweepAllDueAsync(Ct);

        // Assert (1): the first commit's chunks are all still there, held by its segment, and it exports whole.
        var chunks = (await _store.ListChunksAsync(Ct)).ToDictionary(static c => c.Hash);
        Assert.All(firstChunks, hash => Assert.True(chunks.TryGetValue(hash, out var chunk) && chunk.RefCount == 1, $"chunk {hash} is not held once"));
        var (status, head) = await _service.PrepareExportAsync(Bucket, first.Seq, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);
        using (var file = new MemoryStream())
        {
            await _service.ExportAsync(head, file, progress: null, Ct);
            file.Position = 0;
            Assert.True((await CarVerifier.VerifyAsync(file, Ct)).IsValid);
        }

        // Act (2): the window passes; the next commit's collection drops the first commit and its segment.
        _options.TreeKeepWithin = TimeSpan.Zero;
        _clock.Advance(TimeSpan.FromHours(2));
        await PutAsync("other", 10, 3);
        await _committer.CommitBucketAsync(Bucket, Ct);
        Assert.DoesNotContain(first.Seq, (await _store.ListTreeCommitsAsync(Bucket, 100, Ct)).Select(static c => c.Seq));
        _clock.Advance(_options.GracePeriod + TimeSpan.FromSeconds(1));
        await sweeper.SweepAllDueAsync(Ct);

        // Assert (2): released with the segment, the first body's chunks are gone.
        var left = (await _store.ListChunksAsync(Ct)).Select(static c => c.Hash).ToHashSet();
        Assert.Empty(firstChunks.Intersect(left));
    }

    [Fact(Timeout = 60_000)]
    public async Task Retained_older_commits_still_export_and_verify_after_collections()
    {
        // Arrange: keep every span of 4 journal numbers, collect with every commit; versioned, so
        // the versions older commits name are still there (a retained root keeps its tree and
        // manifests; bodies live as long as their versions).
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepEvery = 4;
        await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        for (var i = 1; i <= 16; i++)
        {
            await PutAsync($"key-{i % 5}", 30 + i, i);
            if (i % 2 == 0)
            {
                await _committer.CommitAllAsync(Ct);
            }
        }

        // Act
        var kept = await _store.ListTreeCommitsAsync(Bucket, 100, Ct);
        var results = new List<bool>();
        foreach (var commit in kept)
        {
            var (status, head) = await _service.PrepareExportAsync(Bucket, commit.Seq, Ct);
            Assert.Equal(BucketTreeStatus.Found, status);
            using var file = new MemoryStream();
            await _service.ExportAsync(head, file, progress: null, Ct);
            file.Position = 0;
            results.Add((await CarVerifier.VerifyAsync(file, Ct)).IsValid);
        }

        // Assert
        Assert.Equal([16, 12, 8, 4], kept.Select(static c => c.Seq));
        Assert.All(results, Assert.True);
    }

    /// <summary>Exports the commit recorded at <paramref name="seq"/> and verifies the file offline.</summary>
    private async Task<bool> ExportVerifiesAsync(long seq)
    {
        var (status, head) = await _service.PrepareExportAsync(Bucket, seq, Ct);
        Assert.Equal(BucketTreeStatus.Found, status);
        using var file = new MemoryStream();
        await _service.ExportAsync(head, file, progress: null, Ct);
        file.Position = 0;
        return (await CarVerifier.VerifyAsync(file, Ct)).IsValid;
    }

    [Fact(Timeout = 60_000)]
    public async Task Commits_export_the_inline_bodies_of_versions_removed_since_until_no_kept_commit_names_them()
    {
        // Arrange: inline bodies (the threshold is 1 KiB) in an unversioned bucket; the first commit
        // kept by the time window.
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepWithin = TimeSpan.FromHours(1);
        await PutAsync("overwritten", 100, 1);
        await PutAsync("deleted", 200, 2);
        await PutAsync("kept", 300, 3);
        var first = await _committer.CommitBucketAsync(Bucket, Ct);
        Assert.NotNull(first);

        // Act (1): both bodies removed for good; the first commit, still the latest, is exported.
        await PutAsync("overwritten", 110, 4);
        Assert.Equal(DeleteObjectOutcome.Deleted,
            (await _store.DeleteObjectAsync(Bucket, "deleted", WritePrecondition.None, _clock.GetUtcNow(), _options.GracePeriod, Ct)).Outcome);
        var latestVerifies = await ExportVerifiesAsync(first.Seq);

        // Act (2): a fold (collecting); the first commit, kept, is exported again.
        await _committer.CommitBucketAsync(Bucket, Ct);
        var keptVerifies = await ExportVerifiesAsync(first.Seq);
        var heldWhileKept = await _store.ListHeldBodiesAsync(Bucket, 0, long.MaxValue, Ct);

        // Act (3): the window passes; the next commit's collection drops the first commit.
        _options.TreeKeepWithin = TimeSpan.Zero;
        _clock.Advance(TimeSpan.FromHours(2));
        await PutAsync("other", 10, 5);
        await _committer.CommitBucketAsync(Bucket, Ct);

        // Assert: exported whole while a kept commit named the bodies; dropped once none does.
        Assert.True(latestVerifies);
        Assert.True(keptVerifies);
        Assert.Equal(2, heldWhileKept.Count);
        Assert.DoesNotContain(first.Seq, (await _store.ListTreeCommitsAsync(Bucket, 100, Ct)).Select(static c => c.Seq));
        Assert.Empty(await _store.ListHeldBodiesAsync(Bucket, 0, long.MaxValue, Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kept_commit_exports_a_noncurrent_inline_version_removed_by_id_since()
    {
        // Arrange: a versioned key with two inline versions, folded; then the older one removed by id.
        _options.TreeCollectInterval = TimeSpan.Zero;
        _options.TreeKeepEvery = 1; // every commit kept
        await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct);
        var older = await PutAsync("v", 100, 1);
        await PutAsync("v", 120, 2);
        var first = await _committer.CommitBucketAsync(Bucket, Ct);
        Assert.NotNull(first);
        Assert.Equal(DeleteObjectOutcome.Deleted, (await _store.DeleteObjectVersionAsync(Bucket, "v", older.Version.VersionId!, WritePrecondition.None, false,
            _clock.GetUtcNow(), _options.GracePeriod, Ct)).Outcome);

        // Act
        var second = await _committer.CommitBucketAsync(Bucket, Ct);
        var firstVerifies = await ExportVerifiesAsync(first.Seq);
        var secondVerifies = await ExportVerifiesAsync(second!.Seq);

        // Assert
        Assert.True(firstVerifies);
        Assert.True(secondVerifies);
        Assert.Single(await _store.ListHeldBodiesAsync(Bucket, 0, long.MaxValue, Ct));
    }
}
