using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>A bucket's tree commit as the engine shows it: the journal number folded up to, the commit's and the root's CIDs, and when.</summary>
public readonly record struct BucketTreeHead(string Bucket, long Seq, Cid Commit, Cid Root, DateTimeOffset CommittedAt);

/// <summary>What <see cref="BucketTreeService.GetHeadAsync"/> found.</summary>
public enum BucketTreeStatus
{
    Found,
    NoSuchBucket,
    /// <summary>The bucket has no commit yet (the committer has not reached it).</summary>
    NotCommitted,
    /// <summary>No commit was recorded at the journal number asked for.</summary>
    NoSuchCommit,
}

/// <summary>
/// A key's proof against a commit: <see cref="Car"/> is a CARv1 file whose root is the commit, holding
/// the commit block, the tree nodes on the key's path (root first) and, when the key is present, its
/// manifest. It checks offline against the commit alone.
/// </summary>
public sealed record BucketTreeProof(BucketTreeStatus Status, BucketTreeHead Head = default, bool Present = false, Cid? Manifest = null,
    byte[]? Car = null);

/// <summary>
/// What <see cref="BucketTreeService.VerifyAsync"/> found: the commit checked, whether the stored
/// blocks make exactly its export (<see cref="Valid"/>), what they hold, and the problems found (a
/// block the blob store cannot give back stops the check there: that one problem is reported).
/// </summary>
public sealed record BucketTreeVerification(BucketTreeStatus Status, BucketTreeHead Head = default, bool Valid = false, int Keys = 0,
    int Manifests = 0, int Chunks = 0, long Bytes = 0, IReadOnlyList<string>? Errors = null);

/// <summary>
/// Reading verifiable buckets (issue 11): a bucket's latest commit, optionally after folding its
/// journal up to now, and proofs for keys against it. Serves the admin API.
/// </summary>
public sealed class BucketTreeService(IBucketTreeCatalog trees, IBucketCatalog buckets, IObjectCatalog objects, IBlobBackend blobs,
    BucketTreeCommitter committer, ChunkStore chunks, EngineOptions options, TimeProvider time)
{
    /// <summary>Recorded commits looked through for one at a given journal number.</summary>
    private const int CommitSearchLimit = 100_000;

    /// <summary>
    /// The commit an export of the bucket writes: the one recorded at <paramref name="seq"/>, or with
    /// none given the latest after folding the journal up to now.
    /// </summary>
    public async Task<(BucketTreeStatus Status, BucketTreeHead Head)> PrepareExportAsync(string bucket, long? seq, CancellationToken cancellationToken)
    {
        if (seq is null)
        {
            return await GetHeadAsync(bucket, flush: true, cancellationToken).ConfigureAwait(false);
        }
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return (BucketTreeStatus.NoSuchBucket, default);
        }
        var commits = await trees.ListTreeCommitsAsync(bucket, CommitSearchLimit, cancellationToken).ConfigureAwait(false);
        return commits.FirstOrDefault(commit => commit.Seq == seq) is { } found
            ? (BucketTreeStatus.Found, View(found))
            : (BucketTreeStatus.NoSuchCommit, default);
    }

    /// <summary>Streams the export of <paramref name="head"/> (see <see cref="BucketTreeExporter"/>) to <paramref name="destination"/>.</summary>
    public Task<BucketExportSummary> ExportAsync(BucketTreeHead head, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken) =>
        ExportAsync(head, prefix: null, destination, progress, cancellationToken);

    /// <summary>
    /// Streams the export of <paramref name="head"/>'s keys starting with <paramref name="prefix"/>
    /// (null or empty: all of them), a range proof against the same commit (see
    /// <see cref="BucketTreeExporter"/>), to <paramref name="destination"/>.
    /// </summary>
    /// <remarks>
    /// The commit is pinned while the export runs (<see cref="EngineOptions.TreeExportPinTime"/> at
    /// most), so no node's collection drops it or the blocks it reaches meanwhile.
    /// </remarks>
    /// <exception cref="TreeCommitCollectedException">The commit was collected before the export could pin it; nothing was written.</exception>
    public async Task<BucketExportSummary> ExportAsync(BucketTreeHead head, string? prefix, Stream destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var pin = Guid.NewGuid();
        if (!await trees.PinTreeCommitAsync(head.Bucket, head.Seq, pin, time.GetUtcNow() + options.TreeExportPinTime, cancellationToken)
                .ConfigureAwait(false))
        {
            throw new TreeCommitCollectedException(head.Bucket, head.Seq);
        }
        try
        {
            return await new BucketTreeExporter(trees, objects, blobs, chunks).WriteAsync(head, prefix, destination, progress, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            await trees.UnpinTreeCommitAsync(pin, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Imports a bucket export read from <paramref name="car"/> into a bucket (see <see cref="BucketTreeImporter"/>):
    /// verified whole before anything is visible, then made visible in one catalog transaction.
    /// </summary>
    public Task<BucketImportResult> ImportAsync(Stream car, BucketImportRequest request, CancellationToken cancellationToken) =>
        new BucketTreeImporter(buckets, objects, chunks, options, time).ImportAsync(car, request, cancellationToken);

    /// <summary>
    /// The bucket's latest commit. With <paramref name="flush"/>, the journal is folded first, up to
    /// at least the number it had when this call began (here, whoever holds the committer's lease).
    /// </summary>
    public async Task<(BucketTreeStatus Status, BucketTreeHead Head)> GetHeadAsync(string bucket, bool flush, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return (BucketTreeStatus.NoSuchBucket, default);
        }
        var head = flush
            ? await committer.CommitBucketAsync(bucket, cancellationToken).ConfigureAwait(false) ?? await trees.GetTreeHeadAsync(bucket, cancellationToken).ConfigureAwait(false)
            : await trees.GetTreeHeadAsync(bucket, cancellationToken).ConfigureAwait(false);
        return head is null ? (BucketTreeStatus.NotCommitted, default) : (BucketTreeStatus.Found, View(head));
    }

    /// <summary>A proof for <paramref name="key"/> against the bucket's latest commit.</summary>
    public async Task<BucketTreeProof> GetProofAsync(string bucket, string key, bool flush, CancellationToken cancellationToken)
    {
        var (status, head) = await GetHeadAsync(bucket, flush, cancellationToken).ConfigureAwait(false);
        if (status != BucketTreeStatus.Found)
        {
            return new BucketTreeProof(status);
        }
        var commit = new TreeHead(head.Bucket, head.Seq, head.Commit, head.Root, head.CommittedAt);
        var source = await TreeBlockSource.OpenAsync(trees, blobs, commit, cache: null, cancellationToken).ConfigureAwait(false);
        var blocks = new List<(Cid, byte[])> { (head.Commit, (await source.ReadCommitAsync(commit, cancellationToken).ConfigureAwait(false)).ToArray()) };
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var tree = MstTree.Open(head.Root);
        await tree.LoadAsync([keyBytes], source, cancellationToken).ConfigureAwait(false);
        var proof = tree.CreateProof(keyBytes);
        blocks.AddRange(proof.Nodes.Select(static node => (Cid.ForDagCbor(node), node)));
        var checkedResult = proof.Verify(head.Root);
        Cid? manifest = null;
        if (checkedResult.Status == MstProofStatus.Present)
        {
            manifest = checkedResult.Value!;
            blocks.Add((manifest, (await source.GetBlockAsync(manifest, cancellationToken).ConfigureAwait(false)).ToArray()));
        }
        else if (checkedResult.Status == MstProofStatus.Invalid)
        {
            throw new InvalidDataException($"Bucket '{bucket}': the stored tree does not prove key '{key}': {checkedResult.Error}");
        }
        using var car = new MemoryStream();
        var writer = new CarWriter(car);
        await writer.WriteHeaderAsync([head.Commit], cancellationToken).ConfigureAwait(false);
        foreach (var (cid, block) in blocks)
        {
            await writer.WriteBlockAsync(cid, block, cancellationToken).ConfigureAwait(false);
        }
        return new BucketTreeProof(BucketTreeStatus.Found, head, manifest is not null, manifest, car.ToArray());
    }

    /// <summary>
    /// The CID of <paramref name="versionId"/>'s manifest as the catalog holds the key now (its
    /// previous chain included), which is the value the tree takes for it at the next commit; null
    /// when the key has no such version (any more).
    /// </summary>
    public async Task<Cid?> GetManifestCidAsync(string bucket, string key, string versionId, CancellationToken cancellationToken)
    {
        // Read only: no commit is made of it, so the bucket is not made to hold removed bodies.
        var snapshot = await trees.OpenFoldSnapshotAsync(bucket, afterSeq: 0, cancellationToken, forFold: false).ConfigureAwait(false);
        if (snapshot is null)
        {
            return null;
        }
        await using (snapshot.ConfigureAwait(false))
        {
            var versions = (await snapshot.ReadVersionsAsync([key], cancellationToken).ConfigureAwait(false))[key];
            var at = versions.ToList().FindIndex(version => version.VersionId == versionId);
            // The chain up to this version is made of it and the versions older than it (later in the list).
            return at < 0 ? null : ObjectManifests.AddChain(versions.Skip(at).ToList(), []);
        }
    }

    /// <summary>
    /// Checks what the blob store holds for the bucket against its latest commit (the journal folded up
    /// to now first): the commit's export, spooled to a scratch file, verified as <c>cairn verify</c>
    /// verifies a file (every block against its CID, the tree rebuilt from its leaves to the commit's
    /// root, every manifest and chunk). The console's verify button.
    /// </summary>
    /// <remarks>The scratch file takes as much disk as the export; it is deleted when the check ends.</remarks>
    public async Task<BucketTreeVerification> VerifyAsync(string bucket, CancellationToken cancellationToken)
    {
        var (status, head) = await GetHeadAsync(bucket, flush: true, cancellationToken).ConfigureAwait(false);
        if (status != BucketTreeStatus.Found)
        {
            return new BucketTreeVerification(status);
        }
        await using var file = ScratchFile.Create(options.TempDirectory ?? Path.GetTempPath(), "verify", "car");
        try
        {
            await ExportAsync(head, file, progress: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChunkIntegrityException or InvalidDataException or BlobNotFoundException)
        {
            // A block the blob store lost or altered stops the export: that is the finding, not a failure of the check.
            return new BucketTreeVerification(BucketTreeStatus.Found, head, Errors: ["A stored block cannot be read back as the commit names it: " + ex.Message]);
        }
        file.Position = 0;
        var found = await CarVerifier.VerifyAsync(file, cancellationToken).ConfigureAwait(false);
        var errors = found.Errors.ToList();
        if (found.IsValid && (found.Commit != head.Commit || found.Root != head.Root))
        {
            errors.Add($"The export is rooted at commit {found.Commit} (tree {found.Root}), not at the recorded {head.Commit} (tree {head.Root}).");
        }
        return new BucketTreeVerification(BucketTreeStatus.Found, head, errors.Count == 0, found.Keys, found.Manifests, found.Chunks, found.Bytes,
            errors);
    }

    private static BucketTreeHead View(TreeHead head) => new(head.Bucket, head.Seq, head.Commit, head.Root, head.CommittedAt);
}

/// <summary>A commit asked for was collected (no retention rule kept it) before it could be pinned.</summary>
public sealed class TreeCommitCollectedException(string bucket, long seq)
    : InvalidOperationException($"The commit of bucket '{bucket}' at journal number {seq} was collected; export a commit that is kept.")
{
    public string Bucket { get; } = bucket;

    public long Seq { get; } = seq;
}
