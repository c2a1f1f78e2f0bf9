using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Cli;
using Cairn.Metadata.Sqlite;
using Cairn.Mst;
using Cairn.Server.Cli;
using Cairn.Storage;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// An import (issue 11) killed with SIGKILL while it runs, at random moments of its life (the
/// archive arriving and being verified, its body blocks being stored as chunks, the committer folding
/// the import's journal batch): after each restart on the same data directory the prefix holds
/// exactly the old keys or exactly the archive's (every body whole), the other prefix is untouched,
/// the journal holds the whole import or none of it, the restarted committer folds on to the journal
/// head by itself, and the tree exported there verifies and lists what the bucket lists. Once the
/// reservation timeout has passed, the sweeper has removed every blob a killed import wrote, and no
/// killed import left its scratch copy of the archive in the temporary directory.
/// </summary>
[Trait("Category", "Crash")]
[Trait("Issue", "11")]
[Collection(DurabilityCollection.Name)]
public sealed class ImportCrashTests(ITestOutputHelper output)
{
    private const string Prefix = "p/";
    private const string OtherPrefix = "q/";
    private const int KillRounds = 3;
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan MaxImportWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxCommitterWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxCleanupWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// 64 KiB chunks, so the archive has hundreds of body blocks and storing them takes a while. The
    /// committer folds every 20 ms. Every process (the killed ones too) uses the short reservation
    /// timeout: the killed process's setting is what the stored deadline of its import's chunks says.
    /// </summary>
    private static readonly string[] ServerArgs =
    [
        "--chunk-size", "64KiB",
        "--Engine:TreeCommitter=true",
        "--Engine:TreeCommitInterval=00:00:00.020",
        "--Engine:GracePeriod=00:00:01",
        "--Engine:SweepInterval=00:00:01",
        "--Engine:ReservationTimeout=00:00:03",
    ];

    [Fact(Timeout = 90_000)]
    public async Task An_import_killed_at_random_moments_leaves_the_prefix_wholly_old_or_wholly_new_and_the_tree_at_the_journal_head()
    {
        // Arrange
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(85));
        var cancellationToken = timeout.Token;
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var total = Stopwatch.StartNew();
        var (oldPlan, newPlan, shared) = Plans(random);
        var bucket = "import-crash-" + Guid.NewGuid().ToString("N")[..8];
        var killsMidStore = 0;
        var rounds = new List<string>(); // each kill round's outcome, for the message when none landed mid-store
        await WithDirectoryAsync("import-crash-src-", async sourceDirectory => await WithDirectoryAsync("import-crash-", async dataDirectory =>
        {
            var car = Path.Combine(sourceDirectory, "new.car");
            var freshChunks = await ExportNewSetAsync(sourceDirectory, newPlan, car, cancellationToken) - shared;
            output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: archive of {newPlan.Writes.Count} keys, {newPlan.WriteCount} versions, " +
                $"{new FileInfo(car).Length / 1024} KiB, about {freshChunks} chunks the target does not hold");

            // The child's temporary files (the import's scratch copy of the archive) go under the data directory, where the test sees them.
            var scratch = Path.Combine(dataDirectory, "tmp");
            Directory.CreateDirectory(scratch);
            var environment = new Dictionary<string, string> { ["TMPDIR"] = scratch };
            var state = new BucketState(oldPlan.WriteCount, oldPlan.CountUnder(Prefix), oldPlan.Listed(Prefix));
            var unadopted = new HashSet<string>(StringComparer.Ordinal);
            // Null while no server runs (after a kill, before the restart).
            CairnProcess? server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken, environment);
            try
            {
                using (var s3 = server.CreateClient())
                {
                    await s3.PutBucketAsync(bucket, cancellationToken);
                    await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
                    {
                        BucketName = bucket,
                        VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
                    }, cancellationToken);
                    await WriteAsync(s3, bucket, oldPlan, cancellationToken);
                }
                // The committer is at the journal head before the first import.
                await AssertTreeAtJournalHeadAsync(server, dataDirectory, bucket, state.Head, cancellationToken);
                output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: target holds {oldPlan.Writes.Count} keys, journal head {state.Head}");

                // Act + Assert: kill the import at a random moment of each round, restart, check.
                for (var round = 1; round <= KillRounds; round++)
                {
                    var kill = await ImportUntilKilledAsync(server, dataDirectory, car, bucket, round, freshChunks, random, cancellationToken);
                    await server.DisposeAsync();
                    server = null;
                    var atKill = await ReadAtKillAsync(dataDirectory, bucket, cancellationToken);
                    unadopted.UnionWith(atKill.Unadopted);
                    var committed = state.Settle(atKill.JournalHead, newPlan.CountUnder(Prefix), newPlan.Listed(Prefix));
                    if (!committed && atKill.Unadopted.Count > 0)
                    {
                        killsMidStore++;
                    }
                    var outcome = $"round {round}: {kill}; import {(committed ? "committed" : "not committed")}, " +
                        $"journal head {atKill.JournalHead}, tree at {atKill.TreeSeq} ({atKill.FoldsCutShort} folds cut short), " +
                        $"{atKill.Unadopted.Count} unadopted chunk blobs, " +
                        $"{atKill.TempFiles} temp files, {ScratchCopies(scratch).Count} scratch copies of the archive";
                    rounds.Add(outcome);
                    output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: {outcome}");

                    server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken, environment);
                    await AssertBucketAsync(server, dataDirectory, bucket, state, oldPlan, cancellationToken);
                    output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: round {round}: after the restart the prefix is wholly " +
                        $"{(state.IsNew ? "new" : "old")} and the committer resumed to {state.Head}");
                }

                // One import that runs to its end, then a kill within 100 ms: as the committer folds the import's journal batch, or about then.
                var done = await RunCliAsync(server.Endpoint, "import", car, bucket, "--prefix", Prefix, "--replace");
                await Task.Delay(random.Next(0, 100), cancellationToken);
                await server.DisposeAsync();
                server = null;
                Assert.True(done.ExitCode == CairnCli.ExitSuccess, done.Stderr);
                Assert.Contains($"keys: {newPlan.Listed(Prefix).Count + 1}\n", done.Stdout, StringComparison.Ordinal); // and the key whose latest is a delete marker
                var final = await ReadAtKillAsync(dataDirectory, bucket, cancellationToken);
                Assert.True(state.Settle(final.JournalHead, newPlan.CountUnder(Prefix), newPlan.Listed(Prefix)), "the completed import is not in the journal");
                output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: completed import killed with the journal head at {final.JournalHead} " +
                    $"and the tree at {final.TreeSeq} ({final.FoldsCutShort} folds cut short)");

                server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken, environment);
                await AssertBucketAsync(server, dataDirectory, bucket, state, oldPlan, cancellationToken);
                Assert.True(state.IsNew);

                // Every blob a killed import wrote, and nothing adopted, is swept once its reservation expired.
                var waited = Stopwatch.StartNew();
                var inventory = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
                while (!IsChunkStoreClean(inventory, unadopted) && waited.Elapsed < MaxCleanupWait)
                {
                    await Task.Delay(250, cancellationToken);
                    inventory = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
                }
                output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: chunk store after {waited.Elapsed.TotalSeconds:F1} s: {ChunkSummary(inventory, unadopted)}");
                Assert.True(IsChunkStoreClean(inventory, unadopted),
                    $"After {MaxCleanupWait.TotalSeconds} s the sweeper had not reclaimed the killed imports' blobs: {ChunkSummary(inventory, unadopted)}" +
                    Environment.NewLine + server.RecentOutput);
                await AssertObjectsAsync(server, bucket, state, oldPlan, cancellationToken);
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
            // Every committed change has its journal entry, and every entry its change.
            await JournalReplay.AssertMatchesCatalogAsync(dataDirectory, bucket, cancellationToken);
            Assert.True(ScratchCopies(scratch).Count == 0, $"killed imports left their scratch copies of the archive: {string.Join(", ", ScratchCopies(scratch))}");
        }));
        output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s in all");
        // Without this the test could pass without ever crashing while an import stored its chunks.
        Assert.True(killsMidStore > 0, "no kill landed while an import was storing its chunks:" + Environment.NewLine + string.Join(Environment.NewLine, rounds));
    }

    /// <summary>
    /// The target's old writes (p/ keys, a few with older versions, a delete marker, one multi-MiB
    /// body, and q/ keys) and the archive's (p/ keys overlapping half the old ones with other bodies,
    /// older versions, a delete marker, multi-MiB bodies and the same multi-MiB body under the same
    /// key). Returns the number of chunks the shared body has, which the import finds stored.
    /// </summary>
    private static (BucketPlan Old, BucketPlan New, int SharedChunks) Plans(Random random)
    {
        var shared = RandomBytes(random, 1536 * 1024);
        var old = new BucketPlan();
        for (var i = 0; i < 200; i++)
        {
            if (i < 5)
            {
                old.Put($"p/k{i:D4}", RandomBytes(random, random.Next(5 * 1024, 24 * 1024)));
            }
            old.Put($"p/k{i:D4}", RandomBytes(random, random.Next(5 * 1024, 24 * 1024)));
        }
        old.Put("p/big-shared", shared);
        old.Delete("p/k0199");
        for (var i = 0; i < 20; i++)
        {
            old.Put($"q/k{i:D2}", RandomBytes(random, random.Next(1, 24 * 1024)));
        }

        var fresh = new BucketPlan();
        for (var i = 100; i < 400; i++)
        {
            if (i < 105)
            {
                fresh.Put($"p/k{i:D4}", RandomBytes(random, random.Next(5 * 1024, 40 * 1024)));
            }
            fresh.Put($"p/k{i:D4}", RandomBytes(random, random.Next(5 * 1024, 40 * 1024)));
        }
        for (var i = 0; i < 10; i++)
        {
            fresh.Put($"p/big-{i:D2}", RandomBytes(random, random.Next(1024 * 1024, 5 * 512 * 1024)));
        }
        fresh.Put("p/big-shared", shared);
        fresh.Delete("p/k0399");
        return (old, fresh, shared.Length / ChunkSize);
    }

    /// <summary>
    /// Writes the archive's keys into a bucket of a server of its own (so the target holds none of
    /// its chunks) and exports it to <paramref name="car"/>. Returns the chunks that server stored.
    /// </summary>
    private static async Task<int> ExportNewSetAsync(string sourceDirectory, BucketPlan plan, string car, CancellationToken cancellationToken)
    {
        await using var source = await CairnProcess.StartAsync(sourceDirectory, ["--chunk-size", "64KiB"], cancellationToken);
        var bucket = "import-source";
        using var s3 = source.CreateClient();
        await s3.PutBucketAsync(bucket, cancellationToken);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        }, cancellationToken);
        await WriteAsync(s3, bucket, plan, cancellationToken);
        var export = await RunCliAsync(source.Endpoint, "export", bucket, "-o", car);
        Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
        return ChunkBlobs(sourceDirectory).Count;
    }

    /// <summary>Every key's writes in order (keys in parallel): a PUT, or a DELETE that leaves a delete marker.</summary>
    private static Task WriteAsync(IAmazonS3 s3, string bucket, BucketPlan plan, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(plan.Writes, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (writes, token) =>
            {
                foreach (var body in writes.Value)
                {
                    if (body is null)
                    {
                        await s3.DeleteObjectAsync(bucket, writes.Key, token);
                    }
                    else
                    {
                        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = writes.Key, InputStream = new MemoryStream(body) },
                            token);
                    }
                }
            });

    /// <summary>
    /// Starts the import of <paramref name="car"/> with replace, waits for this round's moment and
    /// SIGKILLs the server: round 1 a random delay from the start (the archive arriving or being
    /// verified, or the first chunks), later rounds once a random share of the archive's chunks is on
    /// disk (the first half, then the second). An import that ends first is killed as soon as it
    /// answered, while the committer folds its batch. Describes the moment.
    /// </summary>
    private static async Task<string> ImportUntilKilledAsync(CairnProcess server, string dataDirectory, string car, string bucket, int round,
        int freshChunks, Random random, CancellationToken cancellationToken)
    {
        // Blobs counted by name: the sweeper may be deleting an earlier killed import's blobs meanwhile.
        var before = ChunkBlobs(dataDirectory).ToHashSet(StringComparer.Ordinal);
        var delay = TimeSpan.FromMilliseconds(random.Next(50, 600));
        var share = round == 2 ? 0.05 + random.NextDouble() * 0.4 : 0.5 + random.NextDouble() * 0.45;
        var target = Math.Max(1, (int)(freshChunks * share));
        var elapsed = Stopwatch.StartNew();
        var import = Task.Run(() => RunCliAsync(server.Endpoint, "import", car, bucket, "--prefix", Prefix, "--replace"), cancellationToken);
        var written = 0;
        while (!import.IsCompleted && elapsed.Elapsed < MaxImportWait)
        {
            written = ChunkBlobs(dataDirectory).Count(blob => !before.Contains(blob));
            if (round == 1 ? elapsed.Elapsed >= delay : written >= target)
            {
                break;
            }
            await Task.Delay(20, cancellationToken);
        }
        var killedAt = elapsed.Elapsed;
        var answered = import.IsCompleted;
        await server.KillAsync();
        var run = await import.WaitAsync(MaxImportWait, cancellationToken);
        var aim = round == 1 ? $"{delay.TotalMilliseconds:F0} ms in" : $"at {target} of ~{freshChunks} chunks";
        return $"aimed {aim}, killed after {killedAt.TotalMilliseconds:F0} ms with {written} new chunk blobs on disk, " +
            (answered ? $"after the import answered (exit {run.ExitCode})" : $"the import then failed (exit {run.ExitCode}: {run.Stderr.Trim()})");
    }

    /// <summary>What a killed server left, read from its files: the journal head (its numbers checked to run 1..N), the tree's, and the blobs no chunk row names.</summary>
    private static async Task<AtKill> ReadAtKillAsync(string dataDirectory, string bucket, CancellationToken cancellationToken)
    {
        long head;
        long? tree;
        await using (var catalog = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(dataDirectory, "metadata.db") }))
        {
            var journal = await catalog.ReadJournalAsync(bucket, 0, int.MaxValue, cancellationToken);
            Assert.Equal(Enumerable.Range(1, journal.Count).Select(static n => (long)n), journal.Select(static e => e.Seq));
            head = journal.Count;
            tree = (await catalog.GetTreeHeadAsync(bucket, cancellationToken))?.Seq;
        }
        var inventory = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
        // Segments are named after the journal number they fold to: one past the recorded tree is a fold the kill cut short
        // (a segment the kill caught while the blob store was still writing it is a temporary file, named otherwise).
        var segments = Path.Combine(dataDirectory, "blobs", "trees", bucket);
        var cutShort = Directory.Exists(segments)
            ? Directory.EnumerateFiles(segments, "*.car")
                .Count(file => long.Parse(Path.GetFileName(file)[..20], CultureInfo.InvariantCulture) > (tree ?? 0))
            : 0;
        return new AtKill(head, tree, cutShort, [.. inventory.Unadopted.Where(IsChunk)], inventory.TempFiles.Count);
    }

    private sealed record AtKill(long JournalHead, long? TreeSeq, int FoldsCutShort, IReadOnlyList<string> Unadopted, int TempFiles);

    /// <summary>
    /// The checks after a restart: the objects (p/ wholly old or wholly new, as the journal says; q/
    /// untouched; every body whole), the committer folding on to the journal head by itself, a flush
    /// reporting the head, and the tree exported there verifying and holding the bucket's keys.
    /// </summary>
    private async Task AssertBucketAsync(CairnProcess server, string dataDirectory, string bucket, BucketState state, BucketPlan oldPlan,
        CancellationToken cancellationToken)
    {
        await AssertObjectsAsync(server, bucket, state, oldPlan, cancellationToken);
        await AssertTreeAtJournalHeadAsync(server, dataDirectory, bucket, state.Head, cancellationToken);
    }

    private static async Task AssertObjectsAsync(CairnProcess server, string bucket, BucketState state, BucketPlan oldPlan,
        CancellationToken cancellationToken)
    {
        using var s3 = server.CreateClient();
        await AssertListedAsync(s3, bucket, Prefix, state.Listed, cancellationToken);
        await AssertListedAsync(s3, bucket, OtherPrefix, oldPlan.Listed(OtherPrefix), cancellationToken);
    }

    /// <summary>
    /// The keys under <paramref name="prefix"/> with their ETags are exactly <paramref name="expected"/>'s,
    /// and every one reads back whole (so none of the chunks it names is missing).
    /// </summary>
    private static async Task AssertListedAsync(IAmazonS3 s3, string bucket, string prefix, IReadOnlyDictionary<string, Digest> expected,
        CancellationToken cancellationToken)
    {
        var listed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var page = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                listed.Add(entry.Key, entry.ETag);
            }
            if (page.IsTruncated != true)
            {
                break;
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        var missing = expected.Keys.Where(key => !listed.ContainsKey(key)).ToList();
        var extra = listed.Keys.Where(key => !expected.ContainsKey(key)).ToList();
        var changed = listed.Where(entry => expected.TryGetValue(entry.Key, out var digest) && digest.ETag != entry.Value).Select(static e => e.Key).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && changed.Count == 0,
            $"{prefix} is neither wholly old nor wholly new: missing [{string.Join(", ", missing.Take(10))}] ({missing.Count}), " +
            $"extra [{string.Join(", ", extra.Take(10))}] ({extra.Count}), other ETags [{string.Join(", ", changed.Take(10))}] ({changed.Count})");
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (entry, token) => Assert.Equal(entry.Value.Sha256, await ReadSha256HexAsync(s3, bucket, entry.Key, token)));
    }

    /// <summary>
    /// The committer, by itself, reaches the journal head <paramref name="head"/> (and never passes it);
    /// a flush reports it; the tree exported there verifies, offline and with <c>cairn verify</c>,
    /// and holds exactly the keys and versions the bucket lists.
    /// </summary>
    private static async Task AssertTreeAtJournalHeadAsync(CairnProcess server, string dataDirectory, string bucket, long head,
        CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        long? seq = null;
        while (waited.Elapsed < MaxCommitterWait)
        {
            seq = await TreeSeqAsync(server.Endpoint, bucket, flush: false);
            Assert.True(seq is null || seq <= head, $"the tree is at {seq}, past the journal head {head}");
            if (seq == head)
            {
                break;
            }
            await Task.Delay(20, cancellationToken);
        }
        Assert.True(seq == head, $"after {MaxCommitterWait.TotalSeconds} s the committer's tree was at {seq}, not at the journal head {head}");
        Assert.Equal(head, await TreeSeqAsync(server.Endpoint, bucket, flush: true));

        var file = Path.Combine(dataDirectory, "export.car");
        try
        {
            var export = await RunCliAsync(server.Endpoint, "export", bucket, "-o", file);
            Assert.True(export.ExitCode == CairnCli.ExitSuccess, export.Stderr);
            var verify = await CliRun.StartAsync(handler: null, ["verify", file]);
            Assert.True(verify.ExitCode == CairnCli.ExitSuccess, verify.Stderr);
            Assert.Contains($"seq: {head}\n", verify.Stdout, StringComparison.Ordinal);

            var treeKeys = new List<string>();
            CarVerification verified;
            await using (var stream = File.OpenRead(file))
            {
                var archive = await CarArchive.OpenAsync(stream, cancellationToken);
                verified = await archive.VerifyAsync(cancellationToken);
                Assert.True(verified.IsValid, string.Join(Environment.NewLine, verified.Errors));
                await foreach (var (key, _) in MstTree.Open(verified.Root!).EnumerateAsync(archive, cancellationToken))
                {
                    treeKeys.Add(Encoding.UTF8.GetString(key));
                }
            }
            using var s3 = server.CreateClient();
            var (keys, versions) = await ListVersionsAsync(s3, bucket, cancellationToken);
            Assert.Equal(head, verified.Seq);
            Assert.Equal(keys, treeKeys);
            Assert.Equal(versions, verified.Manifests);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The seq of the bucket's tree (null before its first commit); with <paramref name="flush"/>, folded up to now first.</summary>
    private static async Task<long?> TreeSeqAsync(string endpoint, string bucket, bool flush)
    {
        var run = await RunCliAsync(endpoint, flush ? ["tree", bucket, "--flush"] : ["tree", bucket]);
        var line = run.Stdout.Split('\n').FirstOrDefault(static l => l.StartsWith("seq: ", StringComparison.Ordinal));
        if (line is null)
        {
            Assert.False(flush, $"tree --flush failed: {run.Stderr}");
            return null;
        }
        return long.Parse(line["seq: ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Every key with a version (delete markers included), in order, and the number of versions.</summary>
    private static async Task<(List<string> Keys, int Versions)> ListVersionsAsync(IAmazonS3 s3, string bucket, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var versions = 0;
        var request = new ListVersionsRequest { BucketName = bucket };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request, cancellationToken);
            foreach (var version in page.Versions ?? [])
            {
                if (keys.Count == 0 || keys[^1] != version.Key)
                {
                    keys.Add(version.Key);
                }
                versions++;
            }
            if (page.IsTruncated != true)
            {
                return (keys, versions);
            }
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    /// <summary>Reads the whole body; the ETag and length served with it describe these very bytes. Returns its SHA-256.</summary>
    private static async Task<string> ReadSha256HexAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        Assert.Equal(response.ContentLength, bytes.Length);
        Assert.Equal(ETagOf(bytes), response.ETag);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Chunk blobs only: tree segments are reclaimed by their own (hour-long) reservations, not checked here.</summary>
    private static bool IsChunk(string blob) => blob.StartsWith("chunks/", StringComparison.Ordinal);

    /// <summary>No chunk blob without a referencing row (the killed imports' above all), none missing, no temp file, no zero-count row.</summary>
    private static bool IsChunkStoreClean(BlobInventory inventory, IReadOnlySet<string> killedImportBlobs) =>
        !inventory.Orphans.Any(IsChunk) && !inventory.Missing.Any() && inventory.TempFiles.Count == 0 && inventory.UnreferencedRows.Count == 0
        && !killedImportBlobs.Overlaps(inventory.OnDisk);

    private static string ChunkSummary(BlobInventory inventory, IReadOnlySet<string> killedImportBlobs)
    {
        var left = killedImportBlobs.Where(inventory.OnDisk.Contains).ToList();
        return $"{killedImportBlobs.Count} blobs written by killed imports, {left.Count} still on disk [{string.Join(", ", left.Take(5))}]; " +
            $"chunk orphans [{string.Join(", ", inventory.Orphans.Where(IsChunk).Take(5))}]; {inventory}";
    }

    /// <summary>The importer's scratch copies of archives in the child's temporary directory (the runtime's own files there are not counted).</summary>
    private static List<string> ScratchCopies(string directory) =>
        [.. Directory.EnumerateFiles(directory, "cairn-import-*").Select(static file => Path.GetFileName(file))];

    /// <summary>The names of the chunk blobs on disk (whole ones: temp files of blobs being written are left out).</summary>
    private static List<string> ChunkBlobs(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, "blobs", "chunks");
        try
        {
            return [.. Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(Path.GetFileName)
                .Where(static name => !name!.StartsWith(BlobName.TempPrefix, StringComparison.Ordinal))
                .Select(static name => name!)];
        }
        catch (DirectoryNotFoundException)
        {
            return []; // none yet, or a fan-out directory went while it was listed: look again next time
        }
    }

    private static Task<CliRun> RunCliAsync(string endpoint, params string[] args) =>
        CliRun.StartAsync(handler: null, [.. args, "--endpoint", endpoint]);

    private static async Task WithDirectoryAsync(string name, Func<string, Task> test)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cairn-tests", name + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await test(directory);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a dying process: the temp folder is cleaned later.
            }
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string ETagOf(byte[] body) => "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"";

    /// <summary>A body as listed (ETag) and as read (SHA-256).</summary>
    private sealed record Digest(string ETag, string Sha256);

    /// <summary>A bucket's writes, key by key in order; a null body is a DELETE (a delete marker, the bucket being versioned).</summary>
    private sealed class BucketPlan
    {
        public Dictionary<string, List<byte[]?>> Writes { get; } = new(StringComparer.Ordinal);

        /// <summary>Journal entries the writes make: one per version (PUT or delete marker).</summary>
        public int WriteCount => Writes.Values.Sum(static writes => writes.Count);

        public void Put(string key, byte[] body) => For(key).Add(body);

        public void Delete(string key) => For(key).Add(null);

        public int CountUnder(string prefix) => Writes.Where(w => w.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(static w => w.Value.Count);

        /// <summary>What ListObjects shows under <paramref name="prefix"/>: the keys whose latest write is a PUT, with its body's digest.</summary>
        public Dictionary<string, Digest> Listed(string prefix) => Writes
            .Where(w => w.Key.StartsWith(prefix, StringComparison.Ordinal) && w.Value[^1] is not null)
            .ToDictionary(static w => w.Key, static w => new Digest(ETagOf(w.Value[^1]!), Convert.ToHexStringLower(SHA256.HashData(w.Value[^1]!))),
                StringComparer.Ordinal);

        private List<byte[]?> For(string key)
        {
            if (!Writes.TryGetValue(key, out var writes))
            {
                Writes[key] = writes = [];
            }
            return writes;
        }
    }

    /// <summary>
    /// What the target bucket must hold: its journal head (every write one entry; an import adds one
    /// removal per version under the prefix and one entry per version imported), the versions under
    /// the prefix, and the prefix's listing.
    /// </summary>
    private sealed class BucketState(long head, int versionsUnderPrefix, IReadOnlyDictionary<string, Digest> listed)
    {
        public long Head { get; private set; } = head;

        public int VersionsUnderPrefix { get; private set; } = versionsUnderPrefix;

        public IReadOnlyDictionary<string, Digest> Listed { get; private set; } = listed;

        public bool IsNew { get; private set; }

        /// <summary>
        /// Takes the journal head a killed import left: the same head (nothing of the import), or the
        /// head plus the whole import (then the prefix holds the archive's keys). Anything else fails.
        /// Returns whether the import committed.
        /// </summary>
        public bool Settle(long journalHead, int importedVersions, IReadOnlyDictionary<string, Digest> imported)
        {
            var whole = Head + VersionsUnderPrefix + importedVersions;
            Assert.True(journalHead == Head || journalHead == whole,
                $"the journal head is {journalHead}: neither {Head} (no import) nor {whole} (the whole import)");
            if (journalHead == Head)
            {
                return false;
            }
            Head = whole;
            VersionsUnderPrefix = importedVersions;
            Listed = imported;
            IsNew = true;
            return true;
        }
    }
}
