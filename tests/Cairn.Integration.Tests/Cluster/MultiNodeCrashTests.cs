using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Actions;
using Cairn.Integration.Tests.Durability;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Cluster;

/// <summary>
/// Three node processes on one PostgreSQL catalog and one upstream bucket; 64 writers race
/// If-None-Match PUTs on the same keys through all three while one node (the holder of every
/// worker lease) is SIGKILLed mid-run. Exactly one acknowledged winner per key, every acknowledged
/// object byte-exact on the surviving nodes, the dead node's leases taken over within the lease
/// time, and after the sweep nothing untracked upstream or in the catalog.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MultiNodeCrashTests(PostgresCluster postgres, MotoServer moto, ITestOutputHelper output)
{
    private const int Writers = 64;
    private const int Keys = 32;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(6);
    private const string Sweeper = "delete-queue-sweeper";

    [Fact(Timeout = 300_000)]
    public async Task Racing_creates_survive_a_node_killed_mid_run_with_one_winner_per_key_and_nothing_orphaned()
    {
        // Arrange: node-3 starts first, so it holds every worker lease when it dies.
        var database = await postgres.CreateDatabaseAsync();
        var upstreamBucket = await moto.CreateBucketAsync();
        await using var catalog = MetadataCatalog.Over(new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = database }));
        var nodes = new CairnProcess[3];
        try
        {
            nodes[2] = await StartNodeAsync(database, upstreamBucket, "node-3");
            await WaitForAsync(async () => await HolderAsync(catalog, Sweeper) == "node-3", TimeSpan.FromSeconds(30), "node-3 never took the sweeper lease");
            nodes[0] = await StartNodeAsync(database, upstreamBucket, "node-1");
            nodes[1] = await StartNodeAsync(database, upstreamBucket, "node-2");
            var clients = nodes.Select(static node => node.CreateClient()).ToArray();
            var bucket = CairnServer.NewBucketName();
            await clients[0].PutBucketAsync(bucket);

            // Act: 64 writers, each creating every key in an order of its own through node (writer % 3);
            // node-3 is killed once a third of the attempts are answered.
            var attempts = new ConcurrentBag<Attempt>();
            var overwrites = new ConcurrentDictionary<int, List<Attempt>>();
            var answered = 0;
            var killed = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
            var killer = Task.Run(async () =>
            {
                while (Volatile.Read(ref answered) < Writers * Keys / 3)
                {
                    await Task.Delay(5);
                }
                var holder = await HolderAsync(catalog, Sweeper);
                await nodes[2].KillAsync();
                killed.SetResult(DateTime.UtcNow);
                return holder;
            });
            // Watches, from the kill on, for a survivor to hold the sweeper's lease.
            var takeover = Task.Run(async () =>
            {
                var killedAt = await killed.Task;
                await WaitForAsync(async () => await HolderAsync(catalog, Sweeper) is "node-1" or "node-2", TimeSpan.FromSeconds(60),
                    "no survivor took the sweeper lease");
                return DateTime.UtcNow - killedAt;
            });
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                var random = new Random(writer);
                foreach (var k in Enumerable.Range(0, Keys).OrderBy(_ => random.Next()))
                {
                    var body = MultipartTestExtensions.RandomBytes(writer % 2 == 0 ? 100 : 20_000, seed: writer * 1000 + k);
                    var outcome = await TryPutAsync(clients[writer % 3], bucket, $"race-{k}", body, ifNoneMatch: true);
                    attempts.Add(new Attempt($"race-{k}", writer % 3, body, outcome));
                    Interlocked.Increment(ref answered);
                    if (writer % 2 == 1)
                    {
                        // Between creates, an odd writer overwrites a key of its own with a chunked body, so
                        // the killed node dies with chunk writes in flight and versions being replaced.
                        var own = MultipartTestExtensions.RandomBytes(300_000, seed: -(writer * 1000 + k));
                        var ownOutcome = await TryPutAsync(clients[writer % 3], bucket, $"own-{writer}", own, ifNoneMatch: false);
                        overwrites.GetOrAdd(writer, static _ => []).Add(new Attempt($"own-{writer}", writer % 3, own, ownOutcome));
                    }
                }
            })));
            Assert.Equal("node-3", await killer);

            // Assert: at most one acknowledged winner per key; exactly one where every attempt was answered.
            foreach (var key in attempts.GroupBy(static a => a.Key))
            {
                var won = key.Where(static a => a.Outcome == Outcome.Created).ToList();
                Assert.True(won.Count <= 1, $"{key.Key}: {won.Count} acknowledged creates");
                if (key.All(static a => a.Outcome != Outcome.Unknown))
                {
                    Assert.Single(won);
                }
                // Every acknowledged object reads back byte-exact from both surviving nodes; a key with
                // no acknowledged winner holds nothing, or the body of an attempt that got no answer.
                for (var node = 0; node < 2; node++)
                {
                    var stored = await TryGetAsync(clients[node], bucket, key.Key);
                    if (won.Count == 1)
                    {
                        Assert.Equal(won[0].Body, stored);
                    }
                    else if (stored is not null)
                    {
                        Assert.Contains(key, a => a.Outcome == Outcome.Unknown && a.Body.AsSpan().SequenceEqual(stored));
                    }
                }
            }
            Assert.Contains(attempts, static a => a.Node == 2 && a.Outcome == Outcome.Unknown);

            // Overwritten keys hold one whole written body: the last one when it was acknowledged.
            foreach (var (writer, sequence) in overwrites)
            {
                var stored = await TryGetAsync(clients[0], bucket, $"own-{writer}");
                if (sequence[^1].Outcome == Outcome.Created)
                {
                    Assert.Equal(sequence[^1].Body, stored);
                }
                else if (stored is not null)
                {
                    Assert.Contains(sequence, a => a.Outcome != Outcome.Refused && a.Body.AsSpan().SequenceEqual(stored));
                }
            }

            // The dead node's lease goes to a survivor within the lease time (plus one renewal interval and slack).
            var takenOverAfter = await takeover;
            output.WriteLine($"{attempts.Count(static a => a.Outcome == Outcome.Created)} created, " +
                $"{attempts.Count(static a => a.Outcome == Outcome.Refused)} refused, {attempts.Count(static a => a.Outcome == Outcome.Unknown)} unanswered; " +
                $"lease taken over {takenOverAfter.TotalSeconds:F1} s after the kill; before the sweep: {await UntrackedAsync(catalog, upstreamBucket) ?? "clean"}");
            Assert.True(takenOverAfter <= LeaseTime + LeaseTime / 3 + TimeSpan.FromSeconds(3), $"taken over after {takenOverAfter}");

            // After the sweep (the dead node's reservations expire, its unadopted blobs are queued and
            // deleted), the upstream holds exactly the blobs of referenced chunk rows and the queue is empty.
            string? difference = null;
            await WaitForAsync(async () =>
            {
                difference = await UntrackedAsync(catalog, upstreamBucket);
                return difference is null;
            }, TimeSpan.FromSeconds(60), () => $"not swept clean: {difference}");
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }
            await catalog.DisposeAsync();
            await postgres.DropDatabaseAsync(database);
        }
    }

    private Task<CairnProcess> StartNodeAsync(string database, string upstreamBucket, string nodeId) =>
        CairnProcess.StartAsync(Path.Combine(Path.GetTempPath(), "cairn-tests", "cluster-" + Guid.NewGuid().ToString("N")),
        [
            .. CairnCluster.NodeSettings(database, moto, upstreamBucket, nodeId),
            $"--Engine:LeaseTime={LeaseTime}",
            "--Engine:GracePeriod=00:00:00",
            "--Engine:SweepInterval=00:00:01",
            "--Engine:ReservationTimeout=00:00:05",
        ], CancellationToken.None);

    private static async Task<Outcome> TryPutAsync(AmazonS3Client client, string bucket, string key, byte[] body, bool ifNoneMatch)
    {
        try
        {
            await client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(body),
                IfNoneMatch = ifNoneMatch ? "*" : null,
            });
            return Outcome.Created;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return Outcome.Refused;
        }
        catch (Exception ex) when (ex is AmazonS3Exception or HttpRequestException or IOException or TaskCanceledException
            or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException)
        {
            // No answer (the node died under it) or a 5xx: the write may or may not have landed.
            return Outcome.Unknown;
        }
    }

    private static async Task<byte[]?> TryGetAsync(AmazonS3Client client, string bucket, string key)
    {
        try
        {
            return await client.GetBytesAsync(bucket, key);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<string?> HolderAsync(MetadataCatalog catalog, string lease)
    {
        var listing = await catalog.Leases.ListLeasesAsync(CancellationToken.None);
        return listing.Leases.FirstOrDefault(l => l.Name == lease && l.ExpiresAt > listing.DatabaseNow)?.Holder;
    }

    /// <summary>Null when upstream blobs = blobs of referenced chunk rows and the delete queue is empty; else what differs.</summary>
    private async Task<string?> UntrackedAsync(MetadataCatalog catalog, string upstreamBucket)
    {
        var upstream = new HashSet<string>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = upstreamBucket, Prefix = "cluster/chunks/" };
        ListObjectsV2Response page;
        do
        {
            page = await moto.Client.ListObjectsV2Async(request);
            foreach (var entry in page.S3Objects ?? [])
            {
                upstream.Add(entry.Key["cluster/".Length..]);
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        var rows = await catalog.Chunks.ListChunksAsync(CancellationToken.None);
        var referenced = rows.Where(static r => r.RefCount > 0).Select(static r => r.BlobName).ToHashSet(StringComparer.Ordinal);
        var queued = await catalog.DeleteQueue.CountPendingDeletesAsync(CancellationToken.None);
        var orphans = upstream.Except(referenced).ToList();
        var missing = referenced.Except(upstream).ToList();
        var unreferencedRows = rows.Count(static r => r.RefCount <= 0);
        return orphans.Count == 0 && missing.Count == 0 && queued == 0 && unreferencedRows == 0
            ? null
            : $"{orphans.Count} orphan blobs upstream, {missing.Count} referenced blobs missing, {queued} queued deletes, {unreferencedRows} zero-count rows";
    }

    private static Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure) =>
        WaitForAsync(condition, timeout, () => failure);

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, failure());
            await Task.Delay(100);
        }
    }

    private enum Outcome
    {
        Created,
        Refused,
        Unknown,
    }

    private sealed record Attempt(string Key, int Node, byte[] Body, Outcome Outcome);
}
