using Cairn.Engine.Packs;
using Cairn.Metadata;
using Cairn.Storage;
using Cairn.Engine.Objects;

namespace Cairn.Engine.Tests;

/// <summary>
/// Compaction (issue 12), through the engine over a real SQLite catalog: packs with dead chunks are
/// rewritten and swapped in under the verification aggregate, their blobs retired through the
/// delete queue; unchanged packs stay; a fault at any step loses nothing acknowledged, leaves
/// nothing untracked and deletes nothing still referenced.
/// </summary>
public sealed class PackCompactorTests
{
    private const int PackThreshold = 64 * 1024;
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact(Timeout = 120_000)]
    public async Task Packs_with_half_their_chunks_deleted_are_compacted_to_within_ten_percent_of_the_live_bytes()
    {
        // Arrange: 4,000 incompressible objects of 1-8 KiB in packs of about 1 MiB; half deleted at random.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 1024 * 1024);
        var bodies = await PutManyAsync(engine, 4000, seed: 1);
        await ShipAllAsync(engine);
        var random = new Random(2);
        foreach (var key in bodies.Keys.Where(_ => random.Next(2) == 0).ToList())
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            bodies.Remove(key);
        }
        var live = bodies.Values.Sum(static b => (long)b.Length);
        var before = await StoredBytesAsync(engine);
        Assert.True(before > 1.8 * live, $"before compaction {before} bytes stored for {live} live");

        // Act
        var report = await engine.Compactor.CompactAsync(Ct);
        await engine.SweepAfterGraceAsync();

        // Assert: every pack had about half its bytes dead, so all were rewritten; storage is close
        // to the live bytes (record headers and index entries are the rest); every object reads back.
        var after = await StoredBytesAsync(engine);
        Assert.True(report.PacksWritten > 0 && report.Refused == 0, report.ToString());
        Assert.True(after <= 1.10 * live, $"after compaction {after} bytes stored for {live} live ({report})");
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
        Assert.Empty(await engine.Compactor.Plan(engine));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unchanged_pack_is_never_rewritten_and_a_compacted_one_not_again()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 256 * 1024);
        var bodies = await PutManyAsync(engine, 300, seed: 3);
        await ShipAllAsync(engine);
        var blobs = await engine.BlobNamesAsync();

        var untouched = await engine.Compactor.CompactAsync(Ct);

        // Full packs with nothing dead: nothing written, nothing retired (a small last pack is alone).
        Assert.Equal(new CompactionReport(), untouched);
        Assert.Equal(blobs, await engine.BlobNamesAsync());

        // A few deletes below the threshold change nothing either; past it, one pass rewrites, the next does not.
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        var first = packs.MaxBy(static p => p.DataLength)!;
        var small = packs.Count(p => p.DataLength < engine.Options.PackTargetSize / 4);
        var inFirst = (await engine.Metadata.ListChunksAsync(Ct)).Where(c => c.Placement.PackId == first.Id).Select(static c => c.Hash).ToHashSet();
        var keysInFirst = new List<string>();
        foreach (var (key, body) in bodies)
        {
            if (inFirst.Contains(Cairn.Core.ContentHash.Compute(body)))
            {
                keysInFirst.Add(key);
            }
        }
        await engine.Objects.DeleteAsync(EngineHarness.Bucket, keysInFirst[0], Ct);
        bodies.Remove(keysInFirst[0]);
        Assert.Equal(new CompactionReport(), await engine.Compactor.CompactAsync(Ct));
        foreach (var key in keysInFirst.Skip(1).Take(keysInFirst.Count / 4))
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            bodies.Remove(key);
        }
        // The pack past the threshold is planned (with the small last pack, if there is one and it fits).
        var group = Assert.Single(await engine.Compactor.Plan(engine));
        Assert.Contains(group, p => p.Id == first.Id);
        Assert.True(group.Count <= 1 + small);
        var rewritten = await engine.Compactor.CompactAsync(Ct);
        Assert.Equal((1, group.Count), (rewritten.PacksWritten, rewritten.PacksRetired));
        Assert.Equal(new CompactionReport(), await engine.Compactor.CompactAsync(Ct));
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
    }

    [Fact(Timeout = 60_000)]
    public async Task Small_packs_are_merged_into_one_and_a_pack_nothing_needs_is_retired_without_a_copy()
    {
        // Arrange: five packs sealed by age, each far below a quarter of the target; one more whose only object goes.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var bodies = new Dictionary<string, byte[]>();
        for (var pack = 0; pack < 5; pack++)
        {
            foreach (var (key, body) in await PutManyAsync(engine, 10, seed: 10 + pack, prefix: $"p{pack}/"))
            {
                bodies[key] = body;
            }
            await ShipAllAsync(engine);
        }
        await engine.PutAsync("doomed", EngineHarness.RandomBytes(5000, seed: 99));
        await ShipAllAsync(engine);
        await engine.Objects.DeleteAsync(EngineHarness.Bucket, "doomed", Ct);

        // Act
        var report = await engine.Compactor.CompactAsync(Ct);

        // Assert: one pack written from five, six retired (five rewritten, one dead), nothing read from the dead one.
        Assert.Equal((1, 6, 0), (report.PacksWritten, report.PacksRetired, report.Refused));
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        Assert.Equal(1, packs.Count(static p => p.State == PackState.Stored));
        Assert.Equal(6, packs.Count(static p => p.State == PackState.Retired));
        Assert.Equal(50, packs.Single(static p => p.State == PackState.Stored).LiveChunks);
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
        Assert.Equal(new CompactionReport(), await engine.Compactor.CompactAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_compactors_started_at_once_on_the_same_packs_one_swaps_and_the_other_is_refused()
    {
        // Arrange: a pack with a third of its chunks dead; two compactors whose uploads of their
        // outputs wait for each other, so both have copied everything before either swaps.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 1024 * 1024);
        var bodies = await PutManyAsync(engine, 120, seed: 20);
        await ShipAllAsync(engine);
        await DeleteEveryAsync(engine, bodies, 3);
        var chunksBefore = (await engine.Metadata.ListChunksAsync(Ct)).Where(static c => c.RefCount > 0).Select(static c => c.Hash.ToString()).Order(StringComparer.Ordinal).ToList();
        using var bothCopied = new Barrier(2);
        var gated = new GatedBlobBackend(engine.Flaky, name => name.StartsWith("packs/", StringComparison.Ordinal) ? bothCopied : null);
        var first = new PackCompactor(engine.Metadata, gated, engine.Options, engine.Clock);
        var second = new PackCompactor(engine.Metadata, gated, engine.Options, engine.Clock);
        var group = Assert.Single(PackCompactor.Plan(await engine.Metadata.ListPacksAsync(Ct), engine.Options));

        // Act
        var results = await Task.WhenAll(
            Task.Run(() => first.CompactGroupAsync(group, Ct)),
            Task.Run(() => second.CompactGroupAsync(group, Ct)));

        // Assert: one swapped, the other's aggregate refused; each live chunk has one row, in the swapped output.
        Assert.Equal([PackSwapOutcome.Swapped, PackSwapOutcome.InputsChanged], results.Select(static r => r.Outcome).Order());
        var rows = await engine.Metadata.ListChunksAsync(Ct);
        Assert.Equal(chunksBefore, rows.Where(static c => c.RefCount > 0).Select(static c => c.Hash.ToString()).Order(StringComparer.Ordinal));
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        var stored = Assert.Single(packs, static p => p.State == PackState.Stored);
        Assert.All(rows, row => Assert.Equal(stored.Id, row.Placement.PackId));
        Assert.Equal(group.Count + 1, packs.Count(static p => p.State == PackState.Retired)); // the inputs and the refused output
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
    }

    [Fact(Timeout = 120_000)]
    public async Task Writers_and_readers_during_compaction_all_succeed_and_counts_and_bytes_are_exact()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 128 * 1024);
        var bodies = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>(await PutManyAsync(engine, 400, seed: 30));
        await ShipAllAsync(engine);
        foreach (var key in bodies.Keys.Where((_, i) => i % 2 == 0).ToList())
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            bodies.TryRemove(key, out _);
        }
        var stable = bodies.ToArray();

        // Act: compaction passes run while writers add and remove objects (some re-using deleted
        // bytes, so dead chunks come back to life) and readers read the objects that stay.
        using var stop = new CancellationTokenSource();
        var compactions = 0;
        var compacting = Task.Run(async () =>
        {
            for (var pass = 0; pass < 20 && !stop.IsCancellationRequested; pass++)
            {
                var report = await engine.Compactor.CompactAsync(Ct);
                compactions += report.PacksWritten;
                await engine.Packs.SealOpenPackAsync(Ct);
                await engine.Packs.SealAndShipDueAsync(Ct);
            }
        });
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var body = EngineHarness.RandomBytes(1100 + (i * 37 % 7000), seed: 30_000 + (i % 150)); // seeds repeat: dedup and revival
                await engine.PutAsync("new/" + i, body);
                bodies["new/" + i] = body;
                if (i % 3 == 0)
                {
                    await engine.Objects.DeleteAsync(EngineHarness.Bucket, "new/" + (i / 2), Ct);
                    bodies.TryRemove("new/" + (i / 2), out _);
                }
            }
        });
        var reading = Task.Run(async () =>
        {
            var reads = 0;
            while (!writing.IsCompleted || !compacting.IsCompleted)
            {
                var (key, body) = stable[reads++ % stable.Length];
                Assert.Equal(body, await engine.ReadAsync(key));
                if (reads > 20_000)
                {
                    break;
                }
            }
            return reads;
        });
        await writing;
        await stop.CancelAsync();
        await compacting;
        var reads = await reading;

        // Assert: every read returned its bytes; after a final pass and the sweep, every object
        // reads back and the chunk rows' counts are exactly the objects' references.
        Assert.True(reads > 0 && compactions > 0, $"{reads} reads, {compactions} packs compacted");
        await engine.Packs.SealOpenPackAsync(Ct);
        await engine.Packs.SealAndShipDueAsync(Ct);
        await engine.Compactor.CompactAsync(Ct);
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        var references = bodies.Values.GroupBy(static b => Cairn.Core.ContentHash.Compute(b).ToString())
            .Select(static g => (g.Key, (long)g.Count())).OrderBy(static r => r.Key, StringComparer.Ordinal);
        var rows = await engine.Metadata.ListChunksAsync(Ct);
        Assert.Equal(references, rows.Where(static c => c.RefCount > 0).Select(static c => (c.Hash.ToString(), c.RefCount)).OrderBy(static r => r.Item1, StringComparer.Ordinal));
        await AssertBlobsMatchPacksAsync(engine);
    }

    public static TheoryData<string> FaultPoints => ["read-input", "upload-output", "seal", "swap", "after-swap"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(FaultPoints))]
    public async Task A_compactor_that_dies_at_any_step_loses_nothing_and_the_next_pass_leaves_nothing_untracked(string faultPoint)
    {
        // Arrange: packs with dead chunks; a compactor whose catalog or blob store fails at one step,
        // and whose clean-up fails too (as if the process died there).
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 256 * 1024);
        var bodies = await PutManyAsync(engine, 120, seed: 40);
        await ShipAllAsync(engine);
        await DeleteEveryAsync(engine, bodies, 2);
        var faulty = new FaultyPackCatalog(engine.Metadata, faultPoint);
        var flaky = new FlakyBlobBackend(engine.Flaky);
        if (faultPoint == "read-input")
        {
            flaky.Inject(BlobOperation.Read, BlobFault.Always(isTransient: false));
        }
        if (faultPoint == "upload-output")
        {
            flaky.Inject(BlobOperation.Put, BlobFault.Always(isTransient: false));
        }
        var dying = new PackCompactor(faulty, flaky, engine.Options, engine.Clock);

        // Act: the step fails; nothing it did is visible to readers.
        await Assert.ThrowsAnyAsync<Exception>(() => dying.CompactAsync(Ct));
        await AssertReadBackAsync(engine, bodies);
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);

        // The next pass (a healthy compactor) abandons what the dead one left, and compacts.
        var report = await engine.Compactor.CompactAsync(Ct);
        await engine.SweepAfterGraceAsync();

        // Assert
        Assert.Equal(faultPoint == "after-swap" ? 0 : 1, report.OutputsAbandoned);
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        Assert.All(packs, static p => Assert.Equal(PackState.Stored, p.State));
        Assert.All(packs, p => Assert.True(p.DeadBytes(PackFormat.RecordHeaderSize) < engine.Options.CompactionDeadRatio * p.DataLength, $"{p}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Deletes_during_the_copy_refuse_the_first_swap_and_the_retry_swaps_what_is_still_needed()
    {
        // Arrange: a pack with half its chunks dead; between the copy and the swap, more objects go.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 1024 * 1024);
        var bodies = await PutManyAsync(engine, 60, seed: 70);
        await ShipAllAsync(engine);
        await DeleteEveryAsync(engine, bodies, 2);
        var doomed = bodies.Keys.Take(5).ToList();
        var catalog = new FaultyPackCatalog(engine.Metadata, "none", async () =>
        {
            foreach (var key in doomed)
            {
                await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            }
        });
        var compactor = new PackCompactor(catalog, engine.Flaky, engine.Options, engine.Clock);

        // Act
        var report = await compactor.CompactAsync(Ct);

        // Assert: swapped on the retry; the five released chunks are dead space in the output, and the rest reads back.
        Assert.Equal((1, 0), (report.PacksWritten, report.Refused));
        foreach (var key in doomed)
        {
            bodies.Remove(key);
        }
        var output = Assert.Single(await engine.Metadata.ListPacksAsync(Ct), static p => p.State == PackState.Stored);
        Assert.Equal(bodies.Count, output.LiveChunks);
        var rows = await engine.Metadata.ListChunksAsync(Ct);
        Assert.Equal(bodies.Count, rows.Count); // the released chunks' rows went with the swap
        Assert.All(rows, row => Assert.Equal(output.Id, row.Placement.PackId));
        Assert.True(output.DeadBytes(PackFormat.RecordHeaderSize) > 0, output.ToString());
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dead_chunk_used_again_during_the_copy_makes_the_compaction_give_up()
    {
        // Arrange: between the copy and the swap, a deleted (so not copied) body is written again.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold, packTargetSize: 1024 * 1024);
        var bodies = await PutManyAsync(engine, 60, seed: 80);
        await ShipAllAsync(engine);
        var (revivedKey, revivedBody) = bodies.First();
        await DeleteEveryAsync(engine, bodies, 2);
        var catalog = new FaultyPackCatalog(engine.Metadata, "none", () => engine.PutAsync("again", revivedBody));
        var compactor = new PackCompactor(catalog, engine.Flaky, engine.Options, engine.Clock);

        // Act
        var report = await compactor.CompactAsync(Ct);

        // Assert: refused, nothing moved; the output abandoned; everything reads back, the revived body too.
        Assert.Equal((0, 1), (report.PacksWritten, report.Refused));
        bodies["again"] = revivedBody;
        Assert.DoesNotContain(revivedKey, bodies.Keys);
        await engine.SweepAfterGraceAsync();
        await AssertReadBackAsync(engine, bodies);
        await AssertBlobsMatchPacksAsync(engine);
        Assert.Equal(1, (await engine.Compactor.CompactAsync(Ct)).PacksWritten);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_download_that_outlasts_the_grace_period_finds_a_chunk_moved_by_compaction()
    {
        // Arrange: an object of one large chunk (its own blob) and a small packed tail; the pack has dead chunks.
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold / 4, readAheadChunks: 0);
        var body = EngineHarness.RandomBytes((64 * 1024) + 3000, seed: 50);
        await engine.PutAsync("big", body);
        var others = await PutManyAsync(engine, 20, seed: 51);
        await ShipAllAsync(engine);
        foreach (var key in others.Keys.Take(15))
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
        }
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "big", ReadConditions.None, null, Ct);
        var output = new PausingStream();

        // Act: the download writes its first chunk and pauses; meanwhile the pack is compacted and
        // its old blob deleted after the grace period; then the download goes on.
        var download = Task.Run(() => engine.Objects.WriteBodyAsync(found, output, Ct));
        await output.FirstWrite.Task;
        Assert.Equal(1, (await engine.Compactor.CompactAsync(Ct)).PacksWritten);
        Assert.True(await engine.SweepAfterGraceAsync() >= 1);
        output.Resume.SetResult();
        await download;

        // Assert
        Assert.Equal(body, output.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pack_with_a_damaged_record_is_not_compacted_and_nothing_changes()
    {
        await using var engine = await EngineHarness.CreateAsync(packThreshold: PackThreshold);
        var bodies = await PutManyAsync(engine, 20, seed: 60);
        await ShipAllAsync(engine);
        foreach (var key in bodies.Keys.Take(10).ToList())
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            bodies.Remove(key);
        }
        var pack = Assert.Single(await engine.Metadata.ListPacksAsync(Ct));
        var live = (await engine.Metadata.ListChunksAsync(Ct)).First(static c => c.RefCount > 0);
        var bytes = new byte[pack.DataLength + 1024 * 1024];
        var length = await engine.Blobs.ReadAsync(pack.BlobName, 0, bytes, Ct);
        bytes[live.Placement.Offset + 3] ^= 0xFF;
        await engine.Blobs.PutAsync(pack.BlobName, bytes.AsMemory(0, length), Ct);

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => engine.Compactor.CompactAsync(Ct));

        Assert.Contains(live.Hash.ToString(), failure.Message, StringComparison.Ordinal);
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        Assert.Equal((PackState.Stored, PackState.Retired), (packs.Single(p => p.Id == pack.Id).State, packs.Single(p => p.Id != pack.Id).State));
        Assert.All(await engine.Metadata.ListChunksAsync(Ct), row => Assert.Equal(pack.Id, row.Placement.PackId));
    }

    private static async Task<Dictionary<string, byte[]>> PutManyAsync(EngineHarness engine, int count, int seed, string prefix = "o/")
    {
        var random = new Random(seed);
        var bodies = new Dictionary<string, byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var body = new byte[random.Next(1024 + 1, 8 * 1024)];
            random.NextBytes(body);
            var key = prefix + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            await engine.PutAsync(key, body);
            bodies[key] = body;
        }
        return bodies;
    }

    /// <summary>Deletes every <paramref name="nth"/> object of <paramref name="bodies"/> (the first included) and forgets it.</summary>
    private static async Task DeleteEveryAsync(EngineHarness engine, Dictionary<string, byte[]> bodies, int nth)
    {
        foreach (var key in bodies.Keys.Where((_, i) => i % nth == 0).ToList())
        {
            await engine.Objects.DeleteAsync(EngineHarness.Bucket, key, Ct);
            bodies.Remove(key);
        }
    }

    private static async Task ShipAllAsync(EngineHarness engine)
    {
        await engine.Packs.SealOpenPackAsync(Ct);
        await engine.Packs.SealAndShipDueAsync(Ct);
    }

    private static async Task<long> StoredBytesAsync(EngineHarness engine)
    {
        long total = 0;
        foreach (var name in await engine.BlobNamesAsync())
        {
            total += await engine.Blobs.GetLengthAsync(name, Ct) ?? 0;
        }
        return total;
    }

    private static async Task AssertReadBackAsync(EngineHarness engine, IEnumerable<KeyValuePair<string, byte[]>> bodies)
    {
        foreach (var (key, body) in bodies)
        {
            Assert.Equal(body, await engine.ReadAsync(key));
        }
    }

    /// <summary>Every blob is a pack's (one per pack row) or a chunk row's, and every row's blob exists: nothing untracked, nothing missing.</summary>
    private static async Task AssertBlobsMatchPacksAsync(EngineHarness engine)
    {
        Assert.Equal(0, await engine.Metadata.CountPendingDeletesAsync(Ct));
        var packs = await engine.Metadata.ListPacksAsync(Ct);
        var rows = await engine.Metadata.ListChunksAsync(Ct);
        var expected = packs.Select(static p => p.BlobName)
            .Concat(rows.Where(static c => c.Placement.PackId is null).Select(static c => c.BlobName))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await engine.BlobNamesAsync()).Order(StringComparer.Ordinal));
        Assert.All(rows.Where(static c => c.Placement.PackId is not null), row => Assert.Contains(packs, p => p.Id == row.Placement.PackId));
    }

    /// <summary>Blocks uploads of chosen blobs at a barrier, so that concurrent writers all reach that point before any goes on.</summary>
    private sealed class GatedBlobBackend(IBlobBackend inner, Func<string, Barrier?> gateFor) : DelegatingBlobBackend(inner)
    {
        protected override async ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
        {
            if (operation is BlobOperation.Put && gateFor(target) is { } gate)
            {
                await Task.Run(() => gate.SignalAndWait(TimeSpan.FromSeconds(20)), cancellationToken);
            }
            return await call(Inner, state, cancellationToken);
        }

        public override IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken) =>
            Inner.ListMultipartUploadsAsync(prefix, cancellationToken);
    }
    /// <summary>
    /// The catalog, failing at one step of a compaction ("seal", "swap" before it runs, "after-swap"
    /// once it committed) and at every abandon, as a compactor that died there would leave it.
    /// </summary>
    private sealed class FaultyPackCatalog(IPackCatalog inner, string faultPoint, Func<Task>? beforeFirstSwap = null) : IPackCatalog
    {
        private int _swaps;

        public ValueTask<bool> CreatePackAsync(string id, string blobName, string node, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.CreatePackAsync(id, blobName, node, now, cancellationToken);

        public ValueTask<bool> SealPackAsync(string id, long dataLength, DateTimeOffset now, CancellationToken cancellationToken) =>
            faultPoint == "seal" ? throw new IOException("injected: seal") : inner.SealPackAsync(id, dataLength, now, cancellationToken);

        public ValueTask<bool> MarkPackStoredAsync(string id, CancellationToken cancellationToken) => inner.MarkPackStoredAsync(id, cancellationToken);

        public ValueTask<bool> RetirePackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
            inner.RetirePackAsync(id, notBefore, cancellationToken);

        public ValueTask<IReadOnlyList<PackInfo>> ListPacksAsync(CancellationToken cancellationToken) => inner.ListPacksAsync(cancellationToken);

        public ValueTask<PackContents> ReadPackContentsAsync(string id, CancellationToken cancellationToken) =>
            inner.ReadPackContentsAsync(id, cancellationToken);

        public async ValueTask<PackSwapOutcome> SwapPackAsync(PackSwap swap, CancellationToken cancellationToken)
        {
            if (faultPoint == "swap")
            {
                throw new IOException("injected: swap");
            }
            if (Interlocked.Increment(ref _swaps) == 1 && beforeFirstSwap is not null)
            {
                await beforeFirstSwap();
            }
            var outcome = await inner.SwapPackAsync(swap, cancellationToken);
            return faultPoint == "after-swap" ? throw new IOException("injected: after the swap committed") : outcome;
        }

        public ValueTask<bool> AbandonPackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
            faultPoint == "none" ? inner.AbandonPackAsync(id, notBefore, cancellationToken)
                : throw new IOException("injected: the compactor died before it could clean up");
    }
}

internal static class PackCompactorTestExtensions
{
    /// <summary>What the compactor would rewrite now.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<PackInfo>>> Plan(this PackCompactor _, EngineHarness engine) =>
        PackCompactor.Plan(await engine.Metadata.ListPacksAsync(CancellationToken.None), engine.Options);
}
