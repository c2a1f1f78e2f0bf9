using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// Content-addressed chunks end to end (DESIGN invariants 4 and 5): identical bodies are stored
/// once, a chunk stays while any object needs it, and unreferenced chunks leave the disk only after
/// the grace period. The clock is the system clock plus an offset the test moves past the grace
/// period, so "before" and "after" never depend on how fast the machine is; the sweeper is called
/// directly (its own interval is set far beyond the test).
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class DedupTests
{
    private const int ChunkSize = 1024 * 1024;
    private const int TwentyMegabytes = 20_000_000;
    private static readonly TimeSpan GracePeriod = TimeSpan.FromMinutes(1);

    [Fact(Timeout = 60_000)]
    public async Task Two_objects_with_the_same_20_MB_body_share_one_set_of_chunks_freed_only_after_the_grace_period()
    {
        // Arrange
        var clock = new OffsetTimeProvider();
        await using var server = await StartAsync(clock);
        var s3 = server.Client;
        var bucket = CairnServer.NewBucketName("dedup");
        await s3.PutBucketAsync(bucket);
        var body = RandomBytes(TwentyMegabytes, seed: 20);

        // Act
        await PutAsync(s3, bucket, "a", body);
        await PutAsync(s3, bucket, "b", body);

        // Assert: one set of chunks, 20 MB on disk, not 40.
        var stored = ChunkFiles(server);
        Assert.Equal(ChunkHashes(body), stored.Select(static file => file.Hash).ToHashSet());
        Assert.Equal(ChunkHashes(body).Count, stored.Count);
        Assert.Equal(body.Length, stored.Sum(static file => file.Length));

        // Deleting one keeps the other, even after the grace period has passed and the sweeper ran.
        await s3.DeleteObjectAsync(bucket, "a");
        Assert.Equal(0, await SweepAsync(server));
        clock.Advance(GracePeriod + TimeSpan.FromSeconds(1));
        Assert.Equal(0, await SweepAsync(server));
        Assert.Equal(stored, ChunkFiles(server));
        Assert.Equal(Sha256Hex(body), await ReadSha256HexAsync(s3, bucket, "b"));

        // Deleting both frees the space, but only once the grace period has passed.
        await s3.DeleteObjectAsync(bucket, "b");
        Assert.Equal(0, await SweepAsync(server));
        Assert.Equal(stored, ChunkFiles(server));
        clock.Advance(GracePeriod + TimeSpan.FromSeconds(1));
        Assert.Equal(stored.Count, await SweepAsync(server));
        Assert.Empty(Directory.EnumerateFiles(BlobsDirectory(server), "*", SearchOption.AllDirectories));
        var catalog = server.Services.GetRequiredService<MetadataCatalog>();
        Assert.Empty(await catalog.Chunks.ListChunksAsync(CancellationToken.None));
        Assert.Equal(0, await catalog.DeleteQueue.CountPendingDeletesAsync(CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Five_copies_of_a_20_MB_body_overwritten_with_new_content_leave_only_the_new_chunks_after_the_grace_period()
    {
        // Arrange
        var clock = new OffsetTimeProvider();
        await using var server = await StartAsync(clock);
        var s3 = server.Client;
        var bucket = CairnServer.NewBucketName("dedup");
        await s3.PutBucketAsync(bucket);
        var old = RandomBytes(TwentyMegabytes, seed: 21);
        var keys = Enumerable.Range(0, 5).Select(static i => $"copy-{i}").ToArray();
        foreach (var key in keys)
        {
            await PutAsync(s3, bucket, key, old);
        }
        var oldChunks = ChunkFiles(server);
        Assert.Equal(ChunkHashes(old).Count, oldChunks.Count);
        Assert.Equal(old.Length, oldChunks.Sum(static file => file.Length));
        var fresh = keys.Select(static (_, i) => RandomBytes(3_000_000 + i * 100_000, seed: 30 + i)).ToArray();

        // Act
        for (var i = 0; i < keys.Length; i++)
        {
            await PutAsync(s3, bucket, keys[i], fresh[i]);
        }

        // Assert: the old chunks wait out the grace period, then only the new content's chunks remain.
        var freshHashes = fresh.SelectMany(static body => ChunkHashes(body)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(0, await SweepAsync(server));
        Assert.Equal(ChunkHashes(old).Union(freshHashes).ToHashSet(), ChunkFiles(server).Select(static file => file.Hash).ToHashSet());
        clock.Advance(GracePeriod + TimeSpan.FromSeconds(1));
        Assert.Equal(oldChunks.Count, await SweepAsync(server));
        var remaining = ChunkFiles(server);
        Assert.Equal(freshHashes, remaining.Select(static file => file.Hash).ToHashSet());
        Assert.Equal(freshHashes.Count, remaining.Count);
        Assert.Equal(fresh.Sum(static body => (long)body.Length), remaining.Sum(static file => file.Length));
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(Sha256Hex(fresh[i]), await ReadSha256HexAsync(s3, bucket, keys[i]));
        }
    }

    private static Task<CairnServer> StartAsync(OffsetTimeProvider clock) =>
        CairnServer.StartAsync(
            ["--chunk-size", "1MiB", "--Engine:GracePeriod=00:01:00", "--Engine:SweepInterval=00:10:00"],
            services => services.AddSingleton<TimeProvider>(clock));

    private static Task<int> SweepAsync(CairnServer server) =>
        server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(CancellationToken.None);

    private static string BlobsDirectory(CairnServer server) => Path.Combine(server.DataDirectory, "blobs");

    /// <summary>Every file under blobs/ (temp files included), with the chunk address its name starts with.</summary>
    private static List<(string Name, string Hash, long Length)> ChunkFiles(CairnServer server)
    {
        var root = BlobsDirectory(server);
        return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => (Name: Path.GetRelativePath(root, path), Hash: Path.GetFileName(path).Split('.')[0], new FileInfo(path).Length))
            .OrderBy(static file => file.Name, StringComparer.Ordinal)];
    }

    /// <summary>The addresses of the fixed-size chunks a body is cut into.</summary>
    private static HashSet<string> ChunkHashes(byte[] body)
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        for (var offset = 0; offset < body.Length; offset += ChunkSize)
        {
            hashes.Add(Convert.ToHexStringLower(SHA256.HashData(body.AsSpan(offset, Math.Min(ChunkSize, body.Length - offset)))));
        }
        return hashes;
    }

    private static async Task PutAsync(AmazonS3Client s3, string bucket, string key, byte[] body) =>
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) });

    private static async Task<string> ReadSha256HexAsync(AmazonS3Client s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha256Hex(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
