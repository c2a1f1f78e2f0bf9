using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Tests;

/// <summary>
/// The GC properties of DESIGN invariants 4 and 5 on a fake clock: referenced chunks are never
/// deleted, unreferenced ones go only after the grace period, and failed or abandoned uploads
/// leave nothing behind.
/// </summary>
public sealed class ChunkLifecycleTests
{
    [Fact(Timeout = 30_000)]
    public async Task Identical_bodies_share_one_set_of_chunks()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(300 * 1024, seed: 1);

        await engine.PutAsync("a", body);
        await engine.PutAsync("b", body);

        Assert.Equal(5, (await engine.BlobNamesAsync()).Count);
        var chunks = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        Assert.All(chunks, chunk => Assert.Equal(2, chunk.RefCount));
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_one_of_two_identical_objects_keeps_the_other_readable_and_both_free_the_space_after_grace()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(200 * 1024, seed: 2);
        await engine.PutAsync("a", body);
        await engine.PutAsync("b", body);

        await engine.Objects.DeleteAsync(EngineHarness.Bucket, "a", CancellationToken.None);
        Assert.Equal(0, await engine.SweepAfterGraceAsync());
        Assert.Equal(body, await engine.ReadAsync("b"));

        await engine.Objects.DeleteAsync(EngineHarness.Bucket, "b", CancellationToken.None);
        Assert.Equal(0, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.NotEmpty(await engine.BlobNamesAsync());
        Assert.Equal(4, await engine.SweepAfterGraceAsync());
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Overwrite_keeps_the_old_chunks_for_the_grace_period_then_reclaims_them()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var first = EngineHarness.RandomBytes(100 * 1024, seed: 3);
        var second = EngineHarness.RandomBytes(100 * 1024, seed: 4);
        await engine.PutAsync("k", first);
        var oldBlobs = await engine.BlobNamesAsync();

        await engine.PutAsync("k", second);

        Assert.Equal(second, await engine.ReadAsync("k"));
        Assert.Equal(0, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Superset(oldBlobs.ToHashSet(), (await engine.BlobNamesAsync()).ToHashSet());
        Assert.Equal(oldBlobs.Count, await engine.SweepAfterGraceAsync());
        await engine.AssertBlobsMatchCatalogAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Small_bodies_stay_inline_and_write_no_blob()
    {
        await using var engine = await EngineHarness.CreateAsync(inlineThreshold: 1024);

        await engine.PutAsync("tiny", [1, 2, 3]);
        await engine.PutAsync("empty", []);

        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await engine.ReadAsync("tiny"));
        Assert.Empty(await engine.ReadAsync("empty"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_checksum_mismatch_commits_nothing_and_its_chunks_are_swept()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(150 * 1024, seed: 5);

        var result = await engine.Objects.PutAsync(new PutObjectCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = "bad",
            Body = new MemoryStream(body),
            Checksums = [ChecksumAlgorithm.Crc32],
            ExpectedChecksums = () => new Dictionary<ChecksumAlgorithm, string> { [ChecksumAlgorithm.Crc32] = "AAAAAA==" },
        }, CancellationToken.None);

        Assert.Equal(PutObjectStatus.ChecksumMismatch, result.Status);
        Assert.Equal(GetObjectStatus.NoSuchKey, (await engine.Objects.GetAsync(EngineHarness.Bucket, "bad", ReadConditions.None, null, CancellationToken.None)).Status);
        Assert.Equal(3, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Empty(await engine.BlobNamesAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_shorter_than_declared_is_IncompleteBody_and_leaves_nothing()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(100 * 1024, seed: 6);

        var result = await engine.Objects.PutAsync(new PutObjectCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = "short",
            Body = new MemoryStream(body),
            DeclaredLength = body.Length + 1,
        }, CancellationToken.None);

        Assert.Equal(PutObjectStatus.IncompleteBody, result.Status);
        await engine.Sweeper.SweepAllDueAsync(CancellationToken.None);
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Equal(0, await engine.Metadata.CountPendingDeletesAsync(CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_blob_store_failure_mid_upload_fails_the_put_and_leaves_nothing_after_the_sweep()
    {
        await using var engine = await EngineHarness.CreateAsync();
        engine.Flaky.Inject(BlobOperation.Put, BlobFault.OnCall(3) with { IsTransient = false });
        var body = EngineHarness.RandomBytes(300 * 1024, seed: 7);

        await Assert.ThrowsAsync<BlobBackendException>(() => engine.PutAsync("k", body));

        engine.Flaky.ClearAll();
        Assert.Equal(GetObjectStatus.NoSuchKey, (await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None)).Status);
        // Stores overlap (WriteBehindChunks), so besides the two writes before the failing one, stores
        // started after it may have written too; the upload waited for all of them before aborting.
        var written = (await engine.BlobNamesAsync()).Count;
        Assert.InRange(written, 2, engine.Options.WriteBehindChunks + 1);
        // Every reservation was queued: each written blob and the one whose write failed (deleting it is a no-op).
        Assert.Equal(written + 1, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Empty(await engine.BlobNamesAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task An_abandoned_upload_is_reclaimed_after_its_reservation_expires()
    {
        await using var engine = await EngineHarness.CreateAsync();
        // A writer that reserved and wrote a chunk, then died before commit or abort.
        var data = EngineHarness.RandomBytes(1000, seed: 8);
        var hash = ContentHash.Compute(data);
        var reservation = await engine.Metadata.ReserveChunkAsync(Guid.NewGuid(), hash, data.Length, ChunkPlacement.Whole("chunks/ab/orphan.0000000000000001", data.Length),
            engine.Clock.GetUtcNow() + engine.Options.ReservationTimeout, CancellationToken.None);
        await engine.Blobs.PutAsync(reservation.BlobName!, data, CancellationToken.None);

        Assert.Equal(0, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Single(await engine.BlobNamesAsync());

        engine.Clock.Advance(engine.Options.ReservationTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Empty(await engine.BlobNamesAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_writer_that_stalls_past_its_reservation_commits_nothing_and_fails_as_retryable()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(200 * 1024, seed: 13);
        // After the first two chunks the writer stalls longer than the reservation timeout, and the
        // sweeper reclaims what it reserved and wrote, as it would for a dead writer.
        var stalling = new StallingStream(body, stallAfter: 128 * 1024, async () =>
        {
            // The first two chunks are stored in the background: the stall starts once both are written.
            for (var wait = 0; (await engine.BlobNamesAsync()).Count < 2 && wait < 500; wait++)
            {
                await Task.Delay(10);
            }
            engine.Clock.Advance(engine.Options.ReservationTimeout + TimeSpan.FromSeconds(1));
            await engine.Sweeper.SweepAllDueAsync(CancellationToken.None);
        });

        await Assert.ThrowsAsync<TimeoutException>(() => engine.Objects.PutAsync(new PutObjectCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = "stalled",
            Body = stalling,
            DeclaredLength = body.Length,
        }, CancellationToken.None));

        Assert.Equal(GetObjectStatus.NoSuchKey, (await engine.Objects.GetAsync(EngineHarness.Bucket, "stalled", ReadConditions.None, null, CancellationToken.None)).Status);
        await engine.Sweeper.SweepAllDueAsync(CancellationToken.None);
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
    }

    /// <summary>Serves <paramref name="data"/>, running <paramref name="onStall"/> once when <paramref name="stallAfter"/> bytes have been read.</summary>
    private sealed class StallingStream(byte[] data, int stallAfter, Func<Task> onStall) : MemoryStream(data)
    {
        private bool _stalled;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_stalled && Position >= stallAfter)
            {
                _stalled = true;
                await onStall();
            }
            var limit = _stalled ? buffer.Length : (int)Math.Min(buffer.Length, stallAfter - Position);
            return await base.ReadAsync(buffer[..limit], cancellationToken);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task An_upload_that_pins_a_queued_chunk_keeps_it_alive()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(64 * 1024, seed: 9);
        await engine.PutAsync("a", body);
        await engine.Objects.DeleteAsync(EngineHarness.Bucket, "a", CancellationToken.None);

        // The chunk now waits in the delete queue; a new identical upload must resurrect it, not lose it.
        await engine.PutAsync("b", body);
        await engine.SweepAfterGraceAsync();

        Assert.Equal(body, await engine.ReadAsync("b"));
        await engine.AssertBlobsMatchCatalogAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_download_in_progress_keeps_its_chunks_past_the_grace_period()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var body = EngineHarness.RandomBytes(128 * 1024, seed: 14);
        await engine.PutAsync("k", body);
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None);
        var blobs = await engine.BlobNamesAsync();
        // A slow download: the key is overwritten, the grace period passes and the sweeper runs while it streams.
        var slow = new CallbackStream(async () =>
        {
            await engine.PutAsync("k", EngineHarness.RandomBytes(10, seed: 15));
            Assert.Equal(0, await engine.SweepAfterGraceAsync());
        });

        await engine.Objects.WriteBodyAsync(found, slow, CancellationToken.None);

        Assert.Equal(body, slow.ToArray());
        // The sweeper postponed the pinned chunks by one interval; after it they go.
        engine.Clock.Advance(engine.Options.SweepInterval + TimeSpan.FromSeconds(1));
        Assert.Equal(blobs.Count, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Empty(await engine.BlobNamesAsync());
    }

    /// <summary>Collects what is written, running <paramref name="onFirstWrite"/> once after the first write.</summary>
    private sealed class CallbackStream(Func<Task> onFirstWrite) : MemoryStream
    {
        private bool _called;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await base.WriteAsync(buffer, cancellationToken);
            if (!_called)
            {
                _called = true;
                await onFirstWrite();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_chunk_is_a_hard_error_not_a_short_body()
    {
        await using var engine = await EngineHarness.CreateAsync();
        await engine.PutAsync("k", EngineHarness.RandomBytes(200 * 1024, seed: 10));
        var victim = (await engine.BlobNamesAsync())[1];
        await engine.Blobs.DeleteAsync(victim, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ChunkIntegrityException>(() => engine.ReadAsync("k"));
        Assert.Equal(victim, error.BlobName);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_corrupt_chunk_is_detected_on_read()
    {
        await using var engine = await EngineHarness.CreateAsync();
        await engine.PutAsync("k", EngineHarness.RandomBytes(64 * 1024, seed: 11));
        var victim = (await engine.BlobNamesAsync())[0];
        var corrupt = EngineHarness.RandomBytes(64 * 1024, seed: 12);
        await engine.Blobs.PutAsync(victim, corrupt, CancellationToken.None);

        await Assert.ThrowsAsync<ChunkIntegrityException>(() => engine.ReadAsync("k"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_puts_overwrites_and_deletes_never_lose_a_committed_body_and_end_with_no_blobs()
    {
        await using var engine = await EngineHarness.CreateAsync(chunkSize: 64 * 1024, inlineThreshold: 512);
        var random = new Random(1234);
        // A few distinct chunk-sized blocks, so bodies share chunks often.
        var blocks = Enumerable.Range(0, 6).Select(i => EngineHarness.RandomBytes(64 * 1024, seed: 100 + i)).ToArray();
        var expected = new Dictionary<string, byte[]>();
        for (var step = 0; step < 150; step++)
        {
            var key = "k" + random.Next(12);
            var action = random.Next(10);
            if (action < 6)
            {
                var body = blocks[random.Next(blocks.Length)].Concat(blocks[random.Next(blocks.Length)])
                    .Take(random.Next(100, 128 * 1024)).ToArray();
                Assert.Equal(PutObjectStatus.Created, (await engine.PutAsync(key, body)).Status);
                expected[key] = body;
            }
            else if (action < 8)
            {
                await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, CancellationToken.None);
                expected.Remove(key);
            }
            else
            {
                engine.Clock.Advance(TimeSpan.FromMinutes(random.Next(0, 8)));
                await engine.Sweeper.SweepAllDueAsync(CancellationToken.None);
            }
            if (step % 25 == 0)
            {
                foreach (var (k, body) in expected)
                {
                    Assert.Equal(body, await engine.ReadAsync(k));
                }
            }
        }
        foreach (var (k, body) in expected)
        {
            Assert.Equal(body, await engine.ReadAsync(k));
        }
        await engine.SweepAfterGraceAsync();
        await engine.AssertBlobsMatchCatalogAsync();

        foreach (var key in expected.Keys.ToList())
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, CancellationToken.None);
        }
        await engine.SweepAfterGraceAsync();
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal(0, await engine.Metadata.CountPendingDeletesAsync(CancellationToken.None));
    }
}
