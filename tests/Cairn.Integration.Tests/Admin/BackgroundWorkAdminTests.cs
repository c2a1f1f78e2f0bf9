using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Admin;

/// <summary>
/// What the console's "Background work" and "Bucket root" panes read (issue 14): <c>GET /_cairn/work</c>, the
/// background work of every node as the catalog holds it, and <c>GET /_cairn/buckets/{bucket}/verify</c>, the
/// bucket's latest commit checked against what the blob store holds. Root credentials only, JSON answers.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "14")]
public sealed class BackgroundWorkAdminTests(ServerFixture fixture)
{
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    private Task<WireResponse> WorkAsync(string method = "GET", bool signed = true) =>
        AdminWire.SendPathAsync(fixture.Server.Endpoint, signed ? _signer : null, method, "/_cairn/work");

    private Task<WireResponse> BucketCallAsync(string bucket, string action, string query = "") =>
        AdminWire.SendAsync(fixture.Server.Endpoint, _signer, "GET", bucket, action, query);

    private async Task<string> NewBucketAsync()
    {
        var bucket = CairnServer.NewBucketName("work");
        await fixture.Server.Client.PutBucketAsync(bucket);
        return bucket;
    }

    private Task PutAsync(string bucket, string key, byte[] body) =>
        fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) });

    private static IEnumerable<string> Names(JsonElement array, string property) =>
        array.EnumerateArray().Select(item => item.GetProperty(property).GetString()!);

    [Fact(Timeout = 60_000)]
    public async Task Work_shows_the_workers_the_delete_queue_and_a_bucket_behind_until_its_tree_is_folded()
    {
        // Arrange: a server of its own (the shared one's many buckets would fill the list of those behind), with
        // no committer (Engine:TreeCommitter is off by default), so a bucket waits for a flush. An overwritten
        // chunk-backed body leaves a blob to delete.
        await using var server = await CairnServer.StartAsync();
        var bucket = CairnServer.NewBucketName("work");
        await server.Client.PutBucketAsync(bucket);
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(128 * 1024)) });
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(128 * 1024)) });
        Task<WireResponse> Work() => AdminWire.SendPathAsync(server.Endpoint, _signer, "GET", "/_cairn/work");

        // Act
        var before = AdminWire.Json(await Work());
        var folded = await AdminWire.SendAsync(server.Endpoint, _signer, "GET", bucket, "tree", "flush=true");
        var after = AdminWire.Json(await Work());

        // Assert
        Assert.Equal(200, folded.Status);
        Assert.Contains("delete-queue-sweeper", Names(before.GetProperty("workers"), "name"));
        Assert.Contains("lifecycle", Names(before.GetProperty("workers"), "name"));
        Assert.DoesNotContain("tree-committer", Names(before.GetProperty("workers"), "name"));
        Assert.NotEmpty(before.GetProperty("node").GetString()!);
        Assert.EndsWith("Z", before.GetProperty("now").GetString());
        Assert.True(before.GetProperty("deleteQueue").GetProperty("pending").GetInt32() >= 1, before.ToString());
        var lag = Assert.Single(before.GetProperty("treesBehind").EnumerateArray());
        Assert.Equal(bucket, lag.GetProperty("bucket").GetString());
        Assert.Equal(JsonValueKind.Null, lag.GetProperty("committedSeq").ValueKind);
        Assert.Equal(AdminWire.Json(folded).GetProperty("seq").GetInt64(), lag.GetProperty("journalSeq").GetInt64());
        Assert.False(before.GetProperty("moreTreesBehind").GetBoolean());
        Assert.Equal(0, after.GetProperty("treesBehind").GetArrayLength());
    }

    [Fact(Timeout = 60_000)]
    public async Task Work_lists_the_first_hundred_buckets_behind_by_name_and_says_when_there_are_more()
    {
        // A server of its own with 101 buckets no tree has folded yet.
        await using var server = await CairnServer.StartAsync();
        var names = Enumerable.Range(0, 101).Select(i => $"lag-{i:D3}-{Guid.NewGuid():N}"[..20]).ToList();
        foreach (var name in names)
        {
            await server.Client.PutBucketAsync(name);
        }
        Task<WireResponse> Work() => AdminWire.SendPathAsync(server.Endpoint, _signer, "GET", "/_cairn/work");

        var full = AdminWire.Json(await Work());
        await AdminWire.SendAsync(server.Endpoint, _signer, "GET", names[0], "tree", "flush=true");
        var oneFolded = AdminWire.Json(await Work());

        Assert.Equal(names.Order(StringComparer.Ordinal).Take(100), Names(full.GetProperty("treesBehind"), "bucket"));
        Assert.True(full.GetProperty("moreTreesBehind").GetBoolean());
        Assert.Equal(names.Skip(1).Order(StringComparer.Ordinal), Names(oneFolded.GetProperty("treesBehind"), "bucket"));
        Assert.False(oneFolded.GetProperty("moreTreesBehind").GetBoolean());
    }

    [Fact(Timeout = 60_000)]
    public async Task Work_says_which_workers_this_node_runs_as_the_leases_it_holds_say()
    {
        // The one node of the shared server takes every lease soon after it starts.
        var work = await Poll.UntilAsync(async () => AdminWire.Json(await WorkAsync()),
            read => read.GetProperty("workers").EnumerateArray()
                .Any(worker => worker.GetProperty("name").GetString() == "delete-queue-sweeper" && worker.GetProperty("heldHere").GetBoolean()),
            TimeSpan.FromSeconds(20));

        var node = work.GetProperty("node").GetString();
        var heldByNode = work.GetProperty("leases").EnumerateArray()
            .Where(lease => lease.GetProperty("held").GetBoolean() && lease.GetProperty("holder").GetString() == node)
            .Select(lease => lease.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("delete-queue-sweeper", heldByNode);
        foreach (var worker in work.GetProperty("workers").EnumerateArray())
        {
            var name = worker.GetProperty("name").GetString();
            Assert.True(heldByNode.Contains(name) == worker.GetProperty("heldHere").GetBoolean(), $"{name}: {work}");
            Assert.NotNull(worker.GetProperty("status").GetString());
        }
        Assert.All(work.GetProperty("leases").EnumerateArray(), lease => Assert.NotEmpty(lease.GetProperty("holder").GetString()!));
    }

    [Fact(Timeout = 60_000)]
    public async Task Work_is_refused_unsigned_and_answers_GET_only()
    {
        AdminWire.AssertError(await WorkAsync(signed: false), 403, "AccessDenied");
        AdminWire.AssertError(await WorkAsync(method: "POST"), 405, "MethodNotAllowed");
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_checks_the_stored_blocks_against_the_latest_root_and_reports_a_corrupt_chunk()
    {
        // Arrange: an inline body, a chunk-backed one and a non-ASCII key.
        var bucket = await NewBucketAsync();
        await PutAsync(bucket, "small", "tiny"u8.ToArray());
        await PutAsync(bucket, "big", RandomNumberGenerator.GetBytes(128 * 1024));
        await PutAsync(bucket, "ünï/key", "x"u8.ToArray());

        // Act
        var sound = await BucketCallAsync(bucket, "verify");
        var tree = AdminWire.Json(await BucketCallAsync(bucket, "tree"));
        await CorruptChunkAsync(bucket, "big");
        var corrupt = await BucketCallAsync(bucket, "verify");

        // Assert
        Assert.True(sound.Status == 200, sound.ToString());
        var verified = AdminWire.Json(sound);
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.Equal(tree.GetProperty("root").GetString(), verified.GetProperty("root").GetString());
        Assert.Equal(tree.GetProperty("seq").GetInt64(), verified.GetProperty("seq").GetInt64());
        Assert.Equal((3, 3), (verified.GetProperty("keys").GetInt32(), verified.GetProperty("manifests").GetInt32()));
        Assert.Equal(0, verified.GetProperty("errors").GetArrayLength());
        Assert.True(corrupt.Status == 200, corrupt.ToString());
        var found = AdminWire.Json(corrupt);
        Assert.False(found.GetProperty("valid").GetBoolean());
        Assert.Contains("corrupt", Assert.Single(found.GetProperty("errors").EnumerateArray()).GetString());
        AdminWire.AssertError(await BucketCallAsync("no-such-bucket-to-verify", "verify"), 404, "NoSuchBucket");
    }

    /// <summary>Flips the last byte of the one chunk file of <paramref name="key"/>'s body.</summary>
    private async Task CorruptChunkAsync(string bucket, string key)
    {
        var metadata = fixture.Server.Services.GetRequiredService<MetadataCatalog>();
        var version = await metadata.Objects.GetObjectAsync(bucket, key, CancellationToken.None);
        var chunk = Assert.Single(version!.Chunks);
        var located = await metadata.Chunks.LocateChunksAsync([chunk.Hash], CancellationToken.None);
        var path = Path.Combine(fixture.Server.DataDirectory, "blobs", located[chunk.Hash].BlobName);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
    }
}
