using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// DESIGN invariants 1, 2 and 4 against a real server process: SIGKILL while concurrent PUTs are in
/// flight, restart on the same data directory, then every acknowledged object reads back
/// byte-exact, nothing else is listed but whole bodies of PUTs that were in flight, and once the
/// sweeper has run every blob on disk is referenced by the catalog and every referenced blob exists.
/// </summary>
[Trait("Category", "Crash")]
[Collection(DurabilityCollection.Name)]
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int MaxPutsPerWriter = 2_000;
    private const int MinAcknowledgedBeforeKill = 8;
    private static readonly TimeSpan UploadTime = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan MaxUploadTime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxCleanupWait = TimeSpan.FromSeconds(20);

    /// <summary>How long the files must stay clean (several compaction intervals of the pack test) before the server is stopped.</summary>
    private static readonly TimeSpan StableCleanFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// 64 KiB chunks so a kill lands mid-upload. Every process (the killed ones too) uses the short
    /// reservation timeout: an upload's deadline is stored when it reserves a chunk, so it is the
    /// killed process's setting that decides when the restarted sweeper may reclaim it.
    /// </summary>
    private static readonly string[] ServerArgs =
    [
        "--chunk-size", "64KiB",
        "--Engine:GracePeriod=00:00:01",
        "--Engine:SweepInterval=00:00:01",
        "--Engine:ReservationTimeout=00:00:02",
    ];

    [Fact(Timeout = 60_000)]
    public async Task Acknowledged_uploads_survive_SIGKILL_and_nothing_unacknowledged_or_orphaned_remains()
    {
        // Arrange
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(55));
        var cancellationToken = timeout.Token;
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var bucket = "crash-" + Guid.NewGuid().ToString("N")[..12];
        var ledger = new UploadLedger();

        // Act + Assert: kill twice mid-upload, checking recovery after each restart.
        var killsMidUpload = 0;
        await WithDataDirectoryAsync(async dataDirectory =>
        {
            for (var round = 1; round <= 2; round++)
            {
                await using var server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken);
                using var s3 = server.CreateClient();
                if (round == 1)
                {
                    await s3.PutBucketAsync(bucket, cancellationToken);
                }
                else
                {
                    await AssertRecoveredAsync(s3, bucket, ledger, cancellationToken);
                }
                var prefix = $"r{round}/";
                if (await WriteUntilKilledAsync(server, dataDirectory, s3, bucket, ledger, (writer, i, random) =>
                    ($"{prefix}w{writer}/{i:D4}", RandomBytes(random, random.Next(1024, 2 * 1024 * 1024 + 1))), seed + round, cancellationToken))
                {
                    killsMidUpload++;
                }
            }
            await AssertRestartRecoversAndSweepsCleanAsync(dataDirectory, ServerArgs, bucket, ledger, cancellationToken);
        });
        // Without this the test could pass without ever crashing in the middle of storing a body.
        Assert.True(killsMidUpload > 0, "no kill landed while a body was half stored");
    }

    [Fact(Timeout = 60_000)]
    public async Task Keys_overwritten_concurrently_read_back_as_one_whole_written_body_after_SIGKILL()
    {
        // Arrange: bodies built from a small pool of chunk-sized blocks, so versions share chunks and
        // overwrites move reference counts up and down (pins, releases, the delete queue), plus one
        // fresh block at a random place and a random tail, so every body is distinct (any mix of two
        // bodies is detectable) and an upload has a blob of its own on disk for most of its life.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(55));
        var cancellationToken = timeout.Token;
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var pool = new Random(seed);
        var blocks = Enumerable.Range(0, 24).Select(_ => RandomBytes(pool, 64 * 1024)).ToArray();
        string[] keys = ["k0", "k1", "k2", "k3", "k4", "k5"];
        var bucket = "overwrite-" + Guid.NewGuid().ToString("N")[..12];
        var ledger = new UploadLedger();
        (string Key, byte[] Body) Next(int writer, int i, Random random)
        {
            var count = random.Next(1, 17);
            var fresh = random.Next(count);
            using var body = new MemoryStream();
            for (var b = 0; b < count; b++)
            {
                body.Write(b == fresh ? RandomBytes(random, 64 * 1024) : blocks[random.Next(blocks.Length)]);
            }
            body.Write(RandomBytes(random, random.Next(1, 64 * 1024)));
            return (keys[random.Next(keys.Length)], body.ToArray());
        }

        // Act + Assert
        var killsMidUpload = 0;
        await WithDataDirectoryAsync(async dataDirectory =>
        {
            for (var round = 1; round <= 2; round++)
            {
                await using var server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, cancellationToken);
                using var s3 = server.CreateClient();
                if (round == 1)
                {
                    await s3.PutBucketAsync(bucket, cancellationToken);
                    var first = new Random(seed);
                    foreach (var key in keys)
                    {
                        var body = Next(0, 0, first).Body;
                        ledger.RecordSent(key, Sha256Hex(body));
                        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) },
                            cancellationToken);
                        ledger.RecordAcknowledged(key);
                    }
                }
                else
                {
                    await AssertRecoveredAsync(s3, bucket, ledger, cancellationToken);
                }
                if (await WriteUntilKilledAsync(server, dataDirectory, s3, bucket, ledger, Next, seed + round, cancellationToken))
                {
                    killsMidUpload++;
                }
            }
            await AssertRestartRecoversAndSweepsCleanAsync(dataDirectory, ServerArgs, bucket, ledger, cancellationToken);
        });
        // Without this the test could pass without ever crashing in the middle of storing a body.
        Assert.True(killsMidUpload > 0, "no kill landed while a body was half stored");
    }

    /// <summary>
    /// Small chunks in packs, with every pack step running all the time: packs seal and ship after
    /// 0.3 s, the compactor runs every 0.5 s, and overwrites of a few keys keep killing chunks, so
    /// the kills land during appends, seals, uploads, compactions and retirements alike. Bodies of
    /// 4-40 KiB: below 16 KiB (their one chunk) they are packed, above they are blobs of their own.
    /// </summary>
    [Fact(Timeout = 90_000)]
    public async Task Small_objects_in_packs_survive_SIGKILL_during_appends_seals_shipping_compaction_and_retirement()
    {
        // Arrange
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(85));
        var cancellationToken = timeout.Token;
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        string[] serverArgs =
        [
            .. ServerArgs,
            "--Engine:PackThreshold=16KiB", "--Engine:InlineThreshold=4KiB", "--Engine:PackTargetSize=256KiB", "--Engine:PackMaxAge=00:00:00.300",
            "--Engine:CompactionInterval=00:00:00.500",
        ];
        var keys = Enumerable.Range(0, 24).Select(static i => "k" + i).ToArray();
        var bucket = "packs-" + Guid.NewGuid().ToString("N")[..12];
        var ledger = new UploadLedger();

        // Act + Assert: three kills, checking recovery after each restart.
        var killsMidUpload = 0;
        var censuses = new List<PackCensus>();
        await WithDataDirectoryAsync(async dataDirectory =>
        {
            for (var round = 1; round <= 3; round++)
            {
                await using var server = await CairnProcess.StartAsync(dataDirectory, serverArgs, cancellationToken);
                using var s3 = server.CreateClient();
                if (round == 1)
                {
                    await s3.PutBucketAsync(bucket, cancellationToken);
                }
                else
                {
                    await AssertRecoveredAsync(s3, bucket, ledger, cancellationToken);
                }
                if (await WriteUntilKilledAsync(server, dataDirectory, s3, bucket, ledger, (writer, i, random) =>
                    (keys[random.Next(keys.Length)], RandomBytes(random, random.Next(4 * 1024 + 1, 40 * 1024))), seed + round, cancellationToken))
                {
                    killsMidUpload++;
                }
                var census = (await BlobInventory.ReadAsync(dataDirectory, cancellationToken)).Packs;
                output.WriteLine($"round {round} at the kill: {census}");
                censuses.Add(census);
            }
            await AssertRestartRecoversAndSweepsCleanAsync(dataDirectory, serverArgs, bucket, ledger, cancellationToken);
        });
        Assert.True(killsMidUpload > 0, "no kill landed while a body was half stored");
        // Some kill found a pack being appended to (a segment on disk), and packs had been stored by then.
        Assert.Contains(censuses, static c => c.Segments > 0);
        Assert.Contains(censuses, static c => c.Stored + c.Retired > 0);
    }

    /// <summary>
    /// Restarts on the data directory, checks the objects, waits (bounded) for the sweeper to reclaim
    /// what the killed uploads and the overwrites left, then stops the server and checks the catalog
    /// against the files once more with nothing running.
    /// </summary>
    private async Task AssertRestartRecoversAndSweepsCleanAsync(string dataDirectory, string[] serverArgs, string bucket, UploadLedger ledger,
        CancellationToken cancellationToken)
    {
        await using (var server = await CairnProcess.StartAsync(dataDirectory, serverArgs, cancellationToken))
        {
            using var s3 = server.CreateClient();
            await AssertRecoveredAsync(s3, bucket, ledger, cancellationToken);
            var waited = Stopwatch.StartNew();
            var inventory = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
            // Clean, and still clean a while later: a compaction that was copying its inputs when the
            // files first looked clean can swap and retire a pack after that (seen once in CI: the
            // check after the stop found a retired pack whose blob was queued for deletion).
            var cleanSince = inventory.IsClean ? waited.Elapsed : (TimeSpan?)null;
            while ((cleanSince is null || waited.Elapsed - cleanSince < StableCleanFor) && waited.Elapsed < MaxCleanupWait)
            {
                await Task.Delay(250, cancellationToken);
                inventory = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
                cleanSince = inventory.IsClean ? cleanSince ?? waited.Elapsed : null;
            }
            output.WriteLine($"catalog and blobs after {waited.Elapsed.TotalSeconds:F1} s: {inventory}");
            Assert.True(inventory.IsClean, $"After {MaxCleanupWait.TotalSeconds} s the sweeper had not reclaimed everything: {inventory}" +
                Environment.NewLine + server.RecentOutput);
            // The objects are still whole after the sweeps (nothing referenced was deleted).
            await AssertRecoveredAsync(s3, bucket, ledger, cancellationToken);
        }
        var stopped = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
        Assert.True(stopped.IsClean, stopped.ToString());
        Assert.NotEmpty(stopped.Referenced);
        // Every committed change has its journal entry, and every entry its change.
        await JournalReplay.AssertMatchesCatalogAsync(dataDirectory, bucket, cancellationToken);
    }

    /// <summary>
    /// Runs <see cref="Writers"/> concurrent writers until at least <see cref="UploadTime"/> has passed
    /// and <see cref="MinAcknowledgedBeforeKill"/> PUTs were acknowledged (at most <see cref="MaxUploadTime"/>),
    /// then SIGKILLs the server. Any PUT failing before the kill fails the test. Returns whether the
    /// kill left a half-stored body (a blob of an uncommitted upload, or a temp file) behind.
    /// </summary>
    private async Task<bool> WriteUntilKilledAsync(CairnProcess server, string dataDirectory, AmazonS3Client s3, string bucket, UploadLedger ledger,
        Func<int, int, Random, (string Key, byte[] Body)> next, int seed, CancellationToken cancellationToken)
    {
        var killed = false;
        var elapsed = Stopwatch.StartNew();
        var acknowledged = 0;
        var inFlightAtKill = 0;
        var busy = 0;
        var failures = new ConcurrentQueue<string>();
        async Task WriteAsync(int writer)
        {
            var random = new Random(seed * 31 + writer);
            for (var i = 0; i < MaxPutsPerWriter && !Volatile.Read(ref killed); i++)
            {
                var (key, body) = next(writer, i, random);
                ledger.RecordSent(key, Sha256Hex(body));
                Interlocked.Increment(ref busy);
                try
                {
                    var response = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) },
                        cancellationToken);
                    Assert.True((int)response.HttpStatusCode is >= 200 and < 300, $"PUT {key}: {response.HttpStatusCode}");
                    ledger.RecordAcknowledged(key);
                    Interlocked.Increment(ref acknowledged);
                }
                catch (Exception) when (Volatile.Read(ref killed))
                {
                    Interlocked.Increment(ref inFlightAtKill);
                    return;
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"PUT {key} ({body.Length} bytes) failed before the kill: {ex.GetType().Name}: {ex.Message}");
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref busy);
                }
            }
        }

        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(() => WriteAsync(writer), cancellationToken)).ToArray();
        while (elapsed.Elapsed < MaxUploadTime && failures.IsEmpty
            && (elapsed.Elapsed < UploadTime || Volatile.Read(ref acknowledged) < MinAcknowledgedBeforeKill))
        {
            await Task.Delay(50, cancellationToken);
        }
        // Then wait for a moment when every writer is inside a PUT and some body is half stored (a blob
        // on disk that no chunk row names yet), so the kill lands mid-upload, not between requests
        // (writers started together tend to finish together).
        while (elapsed.Elapsed < MaxUploadTime && failures.IsEmpty
            && (Volatile.Read(ref busy) < Writers || !(await BlobInventory.ReadAsync(dataDirectory, cancellationToken)).Unadopted.Any()))
        {
            await Task.Delay(10, cancellationToken);
        }
        Volatile.Write(ref killed, true);
        var killedAt = elapsed.Elapsed;
        await server.KillAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        // What the crash left for the restarted server to reclaim (for the log: how much the kill exercised).
        var left = await BlobInventory.ReadAsync(dataDirectory, cancellationToken);
        output.WriteLine($"killed after {killedAt.TotalSeconds:F2} s: {acknowledged} PUTs acknowledged, {inFlightAtKill} in flight; " +
            $"left {left.Unadopted.Count()} blobs of uncommitted uploads, {left.TempFiles.Count} temp files, {left.PendingDeletes} queued deletes");
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures) + Environment.NewLine + server.RecentOutput);
        Assert.True(acknowledged >= MinAcknowledgedBeforeKill, $"only {acknowledged} PUTs were acknowledged in {MaxUploadTime.TotalSeconds} s");
        return left.Unadopted.Any() || left.TempFiles.Count > 0;
    }

    /// <summary>
    /// The recovery check: every listed key holds, byte-exact, a body sent to it since it was last
    /// observed (an acknowledged one, or one whose PUT was in flight at the kill, never partial or
    /// mixed); every key with an acknowledged PUT is listed; an in-flight key that is not listed is
    /// not readable either. Then the ledger settles on what was observed.
    /// </summary>
    private static async Task AssertRecoveredAsync(AmazonS3Client s3, string bucket, UploadLedger ledger, CancellationToken cancellationToken)
    {
        var listed = await ListKeysAsync(s3, bucket, cancellationToken);
        var observed = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var key in listed)
        {
            var sha256 = await ReadSha256HexAsync(s3, bucket, key, cancellationToken);
            observed[key] = sha256;
            if (!ledger.MayHold(key, sha256))
            {
                problems.Add($"{key} is listed and reads back bytes (SHA-256 {sha256}) no PUT sent to it since it was last seen");
            }
        }
        foreach (var key in ledger.Keys)
        {
            if (listed.Contains(key))
            {
                continue;
            }
            if (ledger.MustExist(key))
            {
                problems.Add($"{key} was acknowledged but is not listed");
            }
            else if (await ExistsAsync(s3, bucket, key, cancellationToken))
            {
                problems.Add($"{key} (in flight at the kill) is not listed but can be read");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        ledger.Settle(observed);
    }

    private static async Task<HashSet<string>> ListKeysAsync(AmazonS3Client s3, string bucket, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? continuation = null;
        for (var page = 0; page < 1_000; page++)
        {
            var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = continuation },
                cancellationToken);
            foreach (var entry in response.S3Objects ?? [])
            {
                Assert.True(keys.Add(entry.Key), $"{entry.Key} listed twice");
            }
            if (response.IsTruncated != true)
            {
                return keys;
            }
            continuation = response.NextContinuationToken;
        }
        Assert.Fail("listing did not end after 1000 pages");
        return keys;
    }

    /// <summary>
    /// Reads the whole body and returns its SHA-256; the ETag and length served with it must describe
    /// these very bytes (metadata and body of one version, never a mix).
    /// </summary>
    private static async Task<string> ReadSha256HexAsync(AmazonS3Client s3, string bucket, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            md5.AppendData(buffer, 0, read);
            length += read;
        }
        Assert.Equal(response.ContentLength, length);
        Assert.Equal("\"" + Convert.ToHexStringLower(md5.GetHashAndReset()) + "\"", response.ETag);
        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    private static async Task<bool> ExistsAsync(AmazonS3Client s3, string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task WithDataDirectoryAsync(Func<string, Task> test)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cairn-tests", "crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await test(dataDirectory);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Sha256Hex(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
