using System.Globalization;
using System.Net;
using System.Text;
using Cairn.Core;
using Cairn.Mst;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// A bucket's tree made in the test from <see cref="MstTree"/>, <see cref="ObjectManifest"/> and
/// <see cref="BucketCommit"/>, and proof CARs over it laid out as the admin API sends them: the
/// commit, the path's nodes root first, the manifest when the key is present.
/// </summary>
internal sealed class ProofBuilder
{
    private static readonly DateTimeOffset Created = new(2026, 12, 2, 21, 0, 0, TimeSpan.Zero);

    public ProofBuilder(string bucket, IEnumerable<string> keys, long seq = 12)
    {
        Bucket = bucket;
        foreach (var key in keys)
        {
            Manifests[key] = Manifest(key);
        }
        Tree = MstTree.Create(Manifests.Select(static pair => KeyValuePair.Create(Encoding.UTF8.GetBytes(pair.Key), pair.Value.Cid)));
        Root = Tree.ComputeRoot();
        Commit = new BucketCommit(bucket, Root, Previous: null, seq, Created);
        CommitBlock = Commit.Encode();
        CommitCid = Cid.ForDagCbor(CommitBlock);
    }

    public string Bucket { get; }

    public Dictionary<string, CarBlock> Manifests { get; } = new(StringComparer.Ordinal);

    public MstTree Tree { get; }

    public Cid Root { get; }

    public BucketCommit Commit { get; }

    public byte[] CommitBlock { get; }

    public Cid CommitCid { get; }

    /// <summary>A manifest for <paramref name="key"/> with a small made-up body.</summary>
    public static CarBlock Manifest(string key, string versionId = "v1")
    {
        var chunk = Encoding.UTF8.GetBytes("body of " + key);
        return new ObjectManifest
        {
            Key = key,
            VersionId = versionId,
            Size = chunk.Length,
            ETag = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(chunk)),
            Created = Created,
            Modified = Created,
            Body = [new ManifestChunk(Cid.ForRaw(chunk), chunk.Length)],
        }.ToBlock();
    }

    /// <summary>The proof's blocks for <paramref name="key"/>: commit, nodes root first, then the manifest when present.</summary>
    public List<CarBlock> Blocks(string key)
    {
        var blocks = new List<CarBlock> { new(CommitCid, CommitBlock) };
        blocks.AddRange(Tree.CreateProof(Encoding.UTF8.GetBytes(key)).Nodes.Select(static node => new CarBlock(Cid.ForDagCbor(node), node)));
        if (Manifests.TryGetValue(key, out var manifest))
        {
            blocks.Add(manifest);
        }
        return blocks;
    }

    /// <summary>A CARv1 of <paramref name="blocks"/> rooted at <paramref name="root"/> (the commit by default).</summary>
    public async Task<byte[]> CarAsync(IEnumerable<CarBlock> blocks, Cid? root = null)
    {
        using var stream = new MemoryStream();
        var writer = new CarWriter(stream);
        await writer.WriteHeaderAsync([root ?? CommitCid], CancellationToken.None);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(block.Cid, block.Data, CancellationToken.None);
        }
        return stream.ToArray();
    }

    /// <summary>The admin API's 200 answer carrying <paramref name="car"/> and the x-cairn-* headers for <paramref name="key"/>.</summary>
    public HttpResponseMessage Answer(byte[] car, string key)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(car) };
        response.Content.Headers.ContentType = new("application/vnd.ipld.car");
        var present = Manifests.TryGetValue(key, out var manifest);
        response.Headers.Add("x-cairn-proof", present ? "present" : "absent");
        response.Headers.Add("x-cairn-commit", CommitCid.ToString());
        response.Headers.Add("x-cairn-root", Root.ToString());
        response.Headers.Add("x-cairn-seq", Commit.Seq.ToString(CultureInfo.InvariantCulture));
        if (present)
        {
            response.Headers.Add("x-cairn-manifest", manifest.Cid.ToString());
        }
        return response;
    }
}
