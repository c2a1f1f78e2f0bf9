using System.Text.Json;
using Amazon.S3.Model;
using Cairn.Core;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Mst;

namespace Cairn.Integration.Tests.Admin;

/// <summary>
/// The admin API's verifiable-bucket calls over real HTTP (issue 11): a bucket's tree commit (folded on
/// request with flush), key proofs as CAR files that check offline against the commit alone, and
/// every refusal as a JSON error with its status.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "11")]
public sealed class BucketTreeAdminTests(ServerFixture fixture)
{
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    /// <summary>An admin call signed in the header form (by <paramref name="signer"/>, the root key by default), or not at all.</summary>
    private Task<WireResponse> GetAsync(string bucket, string action, string query = "", WireSigner? signer = null, string method = "GET",
        bool signed = true) =>
        AdminWire.SendAsync(fixture.Server.Endpoint, signed ? signer ?? _signer : null, method, bucket, action, query);

    private static JsonElement Json(WireResponse response) => AdminWire.Json(response);

    private static void AssertError(WireResponse response, int status, string code) => AdminWire.AssertError(response, status, code);

    private async Task<string> NewBucketAsync(params string[] keys)
    {
        var bucket = CairnServer.NewBucketName("tree");
        await fixture.Server.Client.PutBucketAsync(bucket);
        foreach (var key in keys)
        {
            await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "body of " + key });
        }
        return bucket;
    }

    [Fact(Timeout = 60_000)]
    public async Task Tree_with_flush_folds_the_journal_and_without_it_answers_the_last_commit()
    {
        // Arrange
        var bucket = await NewBucketAsync("a", "b/c", "é");

        // Act
        var notYet = await GetAsync(bucket, "tree");
        var flushed = await GetAsync(bucket, "tree", "flush=true");
        await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "d", ContentBody = "d" });
        var stale = await GetAsync(bucket, "tree");
        var fresh = await GetAsync(bucket, "tree", "flush=true");

        // Assert
        AssertError(notYet, 404, "NoTreeCommit");
        Assert.Equal(200, flushed.Status);
        var head = Json(flushed);
        Assert.Equal(bucket, head.GetProperty("bucket").GetString());
        Assert.Equal(3, head.GetProperty("seq").GetInt64());
        Assert.True(Cid.TryParse(head.GetProperty("commit").GetString(), out _));
        Assert.Equal(head.GetProperty("root").GetString(), Json(stale).GetProperty("root").GetString());
        Assert.Equal(4, Json(fresh).GetProperty("seq").GetInt64());
        Assert.NotEqual(head.GetProperty("root").GetString(), Json(fresh).GetProperty("root").GetString());
        Assert.EndsWith("Z", head.GetProperty("committedAt").GetString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("photos/2026/01/cat.jpg")]
    [InlineData("ünïcödé ключ 🗝")]
    [InlineData("a+b c&d=e")]
    public async Task A_proof_of_a_present_key_checks_offline_against_the_commit_and_carries_its_manifest(string key)
    {
        // Arrange
        var bucket = await NewBucketAsync("other-1", key, "other-2");
        var head = await fixture.Server.Client.GetObjectMetadataAsync(bucket, key);

        // Act
        var response = await GetAsync(bucket, "proof", "key=" + WireSigner.UriEncode(key, keepSlash: false) + "&flush=true");

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("application/vnd.ipld.car", response.Header("Content-Type"));
        Assert.Equal("present", response.Header("x-cairn-proof"));
        var (commit, proof, blocks) = await ReadProofAsync(response, key);
        Assert.Equal(response.Header("x-cairn-root"), commit.Data.ToString());
        Assert.Equal(3, commit.Seq);
        var checkedProof = proof.Verify(commit.Data);
        Assert.Equal(MstProofStatus.Present, checkedProof.Status);
        Assert.Equal(response.Header("x-cairn-manifest"), checkedProof.Value!.ToString());
        var manifest = ObjectManifest.Decode(blocks[checkedProof.Value]);
        Assert.Equal(key, manifest.Key);
        Assert.Equal(head.ETag.Trim('"'), manifest.ETag);
        Assert.Equal(head.ContentLength, manifest.Size);
        Assert.Equal(Cid.ForRaw(System.Text.Encoding.UTF8.GetBytes("body of " + key)), Assert.Single(manifest.Body).Cid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_proof_of_an_absent_key_shows_it_absent_and_a_tampered_proof_does_not_check()
    {
        // Arrange
        var bucket = await NewBucketAsync("a", "c", "e");

        // Act
        var response = await GetAsync(bucket, "proof", "key=b&flush=true");

        // Assert
        Assert.Equal(200, response.Status);
        Assert.Equal("absent", response.Header("x-cairn-proof"));
        Assert.Null(response.Header("x-cairn-manifest"));
        var (commit, proof, _) = await ReadProofAsync(response, "b");
        Assert.Equal(MstProofStatus.Absent, proof.Verify(commit.Data).Status);
        Assert.Equal(MstProofStatus.Invalid, proof.Verify(Cid.ForDagCbor(MstNode.EmptyTreeBlock)).Status);
    }

    private static async Task<(BucketCommit Commit, MstProof Proof, Dictionary<Cid, byte[]> Blocks)> ReadProofAsync(WireResponse response, string key)
    {
        var reader = await CarReader.OpenAsync(new MemoryStream(response.Body), CancellationToken.None);
        var root = Assert.Single(reader.Roots);
        Assert.Equal(response.Header("x-cairn-commit"), root.ToString());
        var blocks = new Dictionary<Cid, byte[]>();
        var nodes = new List<byte[]>();
        while (await reader.ReadBlockAsync(CancellationToken.None) is { } block)
        {
            blocks[block.Cid] = block.Data.ToArray();
            if (block.Cid != root)
            {
                nodes.Add(block.Data.ToArray());
            }
        }
        var commit = BucketCommit.Decode(blocks[root]);
        // The proof's blocks are the nodes; a manifest among them is ignored by the walk (never linked as a node).
        return (commit, new MstProof(System.Text.Encoding.UTF8.GetBytes(key), nodes), blocks);
    }

    [Fact(Timeout = 60_000)]
    public async Task Head_and_get_asked_for_it_name_the_versions_manifest_which_the_next_commit_puts_in_the_tree()
    {
        // Arrange: two versions of a key.
        var bucket = CairnServer.NewBucketName("tree");
        await fixture.Server.Client.PutBucketAsync(bucket);
        await fixture.Server.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Enabled },
        });
        var older = await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "one" });
        await fixture.Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "two" });

        // Act
        var latest = await ObjectRequestAsync("HEAD", bucket, "k", "", asked: true);
        var byId = await ObjectRequestAsync("GET", bucket, "k", "versionId=" + older.VersionId, asked: true);
        var notAsked = await ObjectRequestAsync("GET", bucket, "k", "", asked: false);
        var proof = await GetAsync(bucket, "proof", "key=k&flush=true");

        // Assert: the tree's value for the key is the latest's manifest, which links the older one's.
        Assert.Equal(200, latest.Status);
        Assert.Equal(200, byId.Status);
        Assert.Equal("one", byId.BodyText);
        Assert.Null(notAsked.Header("x-cairn-manifest-cid"));
        Assert.Equal(proof.Header("x-cairn-manifest"), latest.Header("x-cairn-manifest-cid"));
        var (_, _, blocks) = await ReadProofAsync(proof, "k");
        var manifest = ObjectManifest.Decode(blocks[Cid.Parse(latest.Header("x-cairn-manifest-cid")!)]);
        Assert.Equal(byId.Header("x-cairn-manifest-cid"), manifest.Previous?.ToString());
        Assert.NotNull(manifest.Previous);
    }

    private async Task<WireResponse> ObjectRequestAsync(string method, string bucket, string key, string query, bool asked)
    {
        using var wire = new WireClient(fixture.Server.Endpoint);
        var request = wire.Request(method, WireSigner.PathOf(bucket, key), query);
        if (asked)
        {
            request.Headers["x-cairn-manifest"] = "true";
        }
        _signer.SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
        return await wire.SendAsync(request);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_export_with_a_prefix_is_a_range_proof_against_the_buckets_commit()
    {
        // Arrange: 40 keys, half under a non-ASCII prefix
        var bucket = await NewBucketAsync([.. Enumerable.Range(0, 40).Select(static i => i % 2 == 0 ? $"ünï/{i:D2}" : $"other/{i:D2}")]);

        // Act
        var full = await GetAsync(bucket, "export");
        var range = await GetAsync(bucket, "export", "prefix=" + WireSigner.UriEncode("ünï/", keepSlash: false));
        var twice = await GetAsync(bucket, "export", "prefix=a&prefix=b");

        // Assert: the same commit; the range verifies offline with its prefix only, and the whole export with it too
        Assert.True(full.Status == 200, full.ToString());
        Assert.True(range.Status == 200, range.ToString());
        Assert.Equal("application/vnd.ipld.car", range.Header("Content-Type"));
        Assert.Equal(full.Header("x-cairn-commit"), range.Header("x-cairn-commit"));
        Assert.Equal(full.Header("x-cairn-root"), range.Header("x-cairn-root"));
        Assert.True(range.Body.Length < full.Body.Length);
        var verified = await CarVerifier.VerifyAsync(new MemoryStream(range.Body), "ünï/", CancellationToken.None);
        Assert.True(verified.IsValid, string.Join("\n", verified.Errors));
        Assert.Equal((full.Header("x-cairn-commit"), 20, 20), (verified.Commit?.ToString(), verified.Keys, verified.Manifests));
        Assert.False((await CarVerifier.VerifyAsync(new MemoryStream(range.Body), CancellationToken.None)).IsValid);
        var wholeInRange = await CarVerifier.VerifyAsync(new MemoryStream(full.Body), "ünï/", CancellationToken.None);
        Assert.True(wholeInRange.IsValid, string.Join("\n", wholeInRange.Errors));
        Assert.Equal((20, 40), (wholeInRange.Keys, wholeInRange.Manifests));
        AssertError(twice, 400, "InvalidArgument");
    }

    [Fact(Timeout = 60_000)]
    public async Task Refusals_are_json_errors_with_their_status()
    {
        // Arrange
        var bucket = await NewBucketAsync("a");
        var wrongSecret = new WireSigner(CairnServer.AccessKey, "not-the-secret-key-0123456789abcdefghij", CairnServer.Region);
        var unknownKey = new WireSigner("AKIDUNKNOWN000000000", CairnServer.SecretKey, CairnServer.Region);

        // Act + Assert
        AssertError(await GetAsync(bucket, "tree", signed: false), 403, "AccessDenied");
        AssertError(await GetAsync(bucket, "tree", signer: wrongSecret), 403, "SignatureDoesNotMatch");
        AssertError(await GetAsync(bucket, "tree", signer: unknownKey), 403, "InvalidAccessKeyId");
        AssertError(await GetAsync("no-such-bucket-here", "tree", "flush=true"), 404, "NoSuchBucket");
        AssertError(await GetAsync("Bad_Name", "tree"), 400, "InvalidBucketName");
        AssertError(await GetAsync(bucket, "proof", "flush=true"), 400, "InvalidArgument");
        AssertError(await GetAsync(bucket, "export-everything"), 404, "NoSuchAction");
        AssertError(await GetAsync(bucket, "tree", method: "DELETE"), 405, "MethodNotAllowed");
        // Nothing was folded by any of them.
        AssertError(await GetAsync(bucket, "tree"), 404, "NoTreeCommit");
    }
}
