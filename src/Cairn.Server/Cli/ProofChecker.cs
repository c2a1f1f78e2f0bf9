using System.Text;
using Cairn.Core;
using Cairn.Mst;

namespace Cairn.Server.Cli;

/// <summary>What the server said about a proof in its <c>x-cairn-*</c> headers; each null when not sent.</summary>
/// <param name="Proof"><c>x-cairn-proof</c>: <c>present</c> or <c>absent</c>.</param>
/// <param name="Commit"><c>x-cairn-commit</c>: the commit's CID.</param>
/// <param name="Root"><c>x-cairn-root</c>: the tree root's CID.</param>
/// <param name="Seq"><c>x-cairn-seq</c>: the journal number of the commit.</param>
/// <param name="Manifest"><c>x-cairn-manifest</c>: the key's manifest CID, when present.</param>
public sealed record ProofHeaders(string? Proof = null, string? Commit = null, string? Root = null, string? Seq = null, string? Manifest = null);

/// <summary>The outcome of <see cref="ProofChecker.CheckAsync"/>.</summary>
/// <param name="Failure">Why the proof does not check; null when it does.</param>
/// <param name="CommitCid">The commit's CID (the CAR's root), when the header could be read.</param>
/// <param name="Commit">The decoded commit, when it could be.</param>
/// <param name="Present">Whether the key is in the tree (meaningful when the proof checks).</param>
/// <param name="ManifestCid">The key's manifest CID when present.</param>
/// <param name="Manifest">The key's decoded manifest when present.</param>
public sealed record ProofCheck(string? Failure, Cid? CommitCid = null, BucketCommit? Commit = null, bool Present = false, Cid? ManifestCid = null,
    ObjectManifest? Manifest = null)
{
    /// <summary>True when every check passed.</summary>
    public bool Holds => Failure is null;
}

/// <summary>
/// Checks a key's proof offline, trusting nothing the server said but what the CAR proves: every
/// block hashes to its CID (<see cref="CarReader"/>); the CAR's single root is a block that decodes as
/// a <see cref="BucketCommit"/> of the bucket asked about; the other blocks prove the key present or
/// absent under the commit's tree root (<see cref="MstProof.Verify"/>); when present, the manifest
/// block the tree names is in the CAR, decodes (<see cref="ObjectManifest.Decode"/>) and is for the
/// key asked about. The server's <c>x-cairn-*</c> headers, when sent, must agree with all this.
/// </summary>
public static class ProofChecker
{
    /// <summary>Reads the CAR from <paramref name="car"/> and checks the proof of <paramref name="key"/> in <paramref name="bucket"/>.</summary>
    public static async Task<ProofCheck> CheckAsync(Stream car, string bucket, string key, ProofHeaders headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(car);
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(headers);
        Cid commitCid;
        var blocks = new List<CarBlock>();
        try
        {
            var reader = await CarReader.OpenAsync(car, cancellationToken).ConfigureAwait(false);
            if (reader.Roots.Count != 1)
            {
                return new ProofCheck($"the CAR names {reader.Roots.Count} roots; a proof has one, its commit.");
            }
            commitCid = reader.Roots[0];
            await foreach (var block in reader.ReadBlocksAsync(cancellationToken).ConfigureAwait(false))
            {
                blocks.Add(block);
            }
        }
        catch (CarFormatException ex)
        {
            return new ProofCheck($"not a valid CAR: {ex.Message}");
        }
        return Check(commitCid, blocks, bucket, key, headers);
    }

    private static ProofCheck Check(Cid commitCid, List<CarBlock> blocks, string bucket, string key, ProofHeaders headers)
    {
        var byCid = new Dictionary<Cid, ReadOnlyMemory<byte>>();
        foreach (var block in blocks)
        {
            byCid.TryAdd(block.Cid, block.Data);
        }
        if (!byCid.TryGetValue(commitCid, out var commitBlock))
        {
            return new ProofCheck($"the CAR does not hold its root block {commitCid}.", commitCid);
        }
        BucketCommit commit;
        try
        {
            commit = BucketCommit.Decode(commitBlock);
        }
        catch (DagCborException ex)
        {
            return new ProofCheck($"the root block {commitCid} is not a bucket commit: {ex.Message}", commitCid);
        }
        if (!string.Equals(commit.Bucket, bucket, StringComparison.Ordinal))
        {
            return new ProofCheck($"the commit is for bucket '{commit.Bucket}', not '{bucket}'.", commitCid, commit);
        }
        var headerProblem = CheckCommitHeaders(headers, commitCid, commit);
        if (headerProblem is not null)
        {
            return new ProofCheck(headerProblem, commitCid, commit);
        }

        // Every block but the commit may be a node of the path: Verify finds the ones the path links.
        var nodes = new List<byte[]>(blocks.Count);
        foreach (var block in blocks)
        {
            if (block.Cid != commitCid && block.Cid.Codec == Cid.DagCborCodec)
            {
                nodes.Add(block.Data.ToArray());
            }
        }
        var result = new MstProof(Encoding.UTF8.GetBytes(key), nodes).Verify(commit.Data);
        switch (result.Status)
        {
            case MstProofStatus.Invalid:
                return new ProofCheck($"the tree nodes do not prove the key under root {commit.Data}: {result.Error}", commitCid, commit);
            case MstProofStatus.Absent:
                return headers.Proof is not (null or "absent")
                    ? new ProofCheck($"the server says '{headers.Proof}', the proof shows the key absent.", commitCid, commit)
                    : new ProofCheck(null, commitCid, commit, Present: false);
        }

        var manifestCid = result.Value!;
        if (headers.Proof is not (null or "present"))
        {
            return new ProofCheck($"the server says '{headers.Proof}', the proof shows the key present.", commitCid, commit);
        }
        if (headers.Manifest is not null && headers.Manifest != manifestCid.ToString())
        {
            return new ProofCheck($"x-cairn-manifest is {headers.Manifest}, the tree names {manifestCid}.", commitCid, commit);
        }
        if (!byCid.TryGetValue(manifestCid, out var manifestBlock))
        {
            return new ProofCheck($"the CAR does not hold the key's manifest block {manifestCid}.", commitCid, commit);
        }
        ObjectManifest manifest;
        try
        {
            manifest = ObjectManifest.Decode(manifestBlock);
        }
        catch (ManifestFormatException ex)
        {
            return new ProofCheck($"the manifest block {manifestCid} does not decode: {ex.Message}", commitCid, commit);
        }
        if (!string.Equals(manifest.Key, key, StringComparison.Ordinal))
        {
            return new ProofCheck($"the manifest is for key '{manifest.Key}', not '{key}'.", commitCid, commit);
        }
        return new ProofCheck(null, commitCid, commit, Present: true, manifestCid, manifest);
    }

    private static string? CheckCommitHeaders(ProofHeaders headers, Cid commitCid, BucketCommit commit)
    {
        if (headers.Commit is not null && headers.Commit != commitCid.ToString())
        {
            return $"x-cairn-commit is {headers.Commit}, the CAR's root is {commitCid}.";
        }
        if (headers.Root is not null && headers.Root != commit.Data.ToString())
        {
            return $"x-cairn-root is {headers.Root}, the commit's tree root is {commit.Data}.";
        }
        if (headers.Seq is not null && headers.Seq != commit.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return $"x-cairn-seq is {headers.Seq}, the commit's is {commit.Seq}.";
        }
        return null;
    }
}
