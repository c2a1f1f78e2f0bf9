using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>What an import asks for: the bucket written, the key range it covers, and whether it replaces that range.</summary>
/// <param name="Bucket">The bucket the keys go into (the archive may come from a bucket of another name).</param>
/// <param name="Prefix">Only the archive's keys starting with it are imported; with <paramref name="Replace"/>, the bucket's keys starting with it are replaced ("" is the whole bucket).</param>
/// <param name="Replace">Replace every key under the prefix in one step; without it the import only adds keys the bucket does not hold.</param>
public sealed record BucketImportRequest(string Bucket, string Prefix, bool Replace);

/// <summary>What an import came to.</summary>
public enum BucketImportStatus
{
    Imported,
    NoSuchBucket,
    /// <summary>The archive is not a sound bucket export: unreadable, cut short, a block not matching its CID, a wrong root, a bad node or manifest (<see cref="BucketImportResult.Errors"/>).</summary>
    InvalidArchive,
    /// <summary>Without replace, a key of the archive is already in the bucket (<see cref="BucketImportResult.Key"/>).</summary>
    KeyExists,
    /// <summary>With replace, a version under the prefix is protected by Object Lock (<see cref="BucketImportResult.Key"/>).</summary>
    Locked,
    /// <summary>The bucket was never versioned, and the archive holds versions, version ids or delete markers for a key (<see cref="BucketImportResult.Key"/>).</summary>
    VersioningRequired,
}

/// <summary>
/// The outcome of an import. The source fields name the archive's commit (null when it could not be
/// read); the counts say what changed (all zero unless <see cref="Status"/> is Imported).
/// </summary>
public sealed record BucketImportResult(BucketImportStatus Status)
{
    public string? SourceBucket { get; init; }
    public long? SourceSeq { get; init; }
    public Cid? SourceCommit { get; init; }
    public Cid? SourceRoot { get; init; }
    /// <summary>Keys under the prefix that lost their versions (replaced, or removed when the archive does not hold them).</summary>
    public int KeysRemoved { get; init; }
    public int KeysImported { get; init; }
    public int VersionsImported { get; init; }
    /// <summary>Distinct body chunks stored (or found stored already) for the imported versions.</summary>
    public int Chunks { get; init; }
    /// <summary>Bytes of those chunks.</summary>
    public long ChunkBytes { get; init; }
    /// <summary>The key a KeyExists, Locked or VersioningRequired outcome is about.</summary>
    public string? Key { get; init; }
    /// <summary>Why the archive was refused (InvalidArchive).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>
/// Brings a bucket export (a CAR rooted at a bucket commit) into a bucket (issue 11): the file is
/// spooled to a scratch file and verified whole by <see cref="CarArchive.VerifyAsync(string?, CancellationToken)"/> (every block
/// against its CID, the tree rebuilt to its root, every manifest and chunk; with a prefix, the range
/// proof of the keys under it) before anything is written; the body blocks of the keys under the prefix are then stored as chunks under one upload
/// (one chunk per block, so each CID stays its chunk's address and the manifests come out the same),
/// and one catalog transaction makes the keys visible (<see cref="IObjectCatalog.ImportObjectsAsync"/>),
/// with every version's id, times, headers, metadata, tags and checksums as the manifests give them.
/// </summary>
/// <remarks>
/// A crash before the transaction leaves only reserved chunks, which the reservation deadline
/// reclaims; after it, the import is whole. Memory holds the archive's block index and the imported
/// keys' version rows (inline bodies included), never a chunk more than one at a time.
/// </remarks>
internal sealed class BucketTreeImporter(IBucketCatalog buckets, IObjectCatalog objects, ChunkStore chunks, EngineOptions options,
    TimeProvider time)
{
    /// <summary>Imports the export read from <paramref name="car"/> (any stream; read to its end) as <paramref name="request"/> says.</summary>
    public async Task<BucketImportResult> ImportAsync(Stream car, BucketImportRequest request, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(request.Bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new BucketImportResult(BucketImportStatus.NoSuchBucket);
        }
        await using var file = ScratchFile.Create(Path.GetTempPath(), "import", "car");
        await car.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
        file.Position = 0;
        return await ImportVerifiedAsync(file, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BucketImportResult> ImportVerifiedAsync(FileStream file, BucketImportRequest request, CancellationToken cancellationToken)
    {
        CarArchive archive;
        try
        {
            archive = await CarArchive.OpenAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (CarFormatException ex)
        {
            return Refused([$"The CAR cannot be read: {ex.Message}"]);
        }
        // A range proof (an export with a prefix) verifies against the prefix it covers; so does a whole export.
        var verification = await archive.VerifyAsync(request.Prefix.Length == 0 ? null : request.Prefix, cancellationToken).ConfigureAwait(false);
        if (!verification.IsValid)
        {
            return Refused(verification.Errors) with { SourceCommit = verification.Commit, SourceBucket = verification.Bucket };
        }
        var source = new BucketImportResult(BucketImportStatus.Imported)
        {
            SourceBucket = verification.Bucket,
            SourceSeq = verification.Seq,
            SourceCommit = verification.Commit,
            SourceRoot = verification.Root,
        };

        var uploadId = Guid.NewGuid();
        var stored = new Dictionary<ContentHash, int>();
        ImportResult outcome;
        try
        {
            var keys = await ReadKeysAsync(archive, verification.Root!, request, uploadId, stored, cancellationToken).ConfigureAwait(false);
            var import = new ObjectImport(request.Bucket, request.Prefix, request.Replace, stored.Count > 0 ? uploadId : null, keys);
            try
            {
                outcome = await objects.ImportObjectsAsync(import, time.GetUtcNow(), options.GracePeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // The archive verified, but what it holds cannot be a bucket's state (a version id twice in a key's chain).
                await chunks.AbortAsync(uploadId).ConfigureAwait(false);
                return Refused([ex.Message]) with { SourceCommit = source.SourceCommit, SourceBucket = source.SourceBucket };
            }
        }
        catch
        {
            await chunks.AbortAsync(uploadId).ConfigureAwait(false);
            throw;
        }
        if (outcome.Outcome != ImportOutcome.Imported)
        {
            await chunks.AbortAsync(uploadId).ConfigureAwait(false);
        }
        return outcome.Outcome switch
        {
            ImportOutcome.Imported => source with
            {
                KeysRemoved = outcome.KeysRemoved,
                KeysImported = outcome.KeysImported,
                VersionsImported = outcome.VersionsImported,
                Chunks = stored.Count,
                ChunkBytes = stored.Values.Sum(static length => (long)length),
            },
            ImportOutcome.NoSuchBucket => new BucketImportResult(BucketImportStatus.NoSuchBucket),
            ImportOutcome.KeyExists => source with { Status = BucketImportStatus.KeyExists, Key = outcome.Key },
            ImportOutcome.Locked => source with { Status = BucketImportStatus.Locked, Key = outcome.Key },
            ImportOutcome.VersioningRequired => source with { Status = BucketImportStatus.VersioningRequired, Key = outcome.Key },
            // Every chunk was reserved by this upload just now, so none can be missing unless its reservation expired.
            _ => throw new TimeoutException($"The import into {request.Bucket} outlived its chunk reservations; nothing was imported."),
        };
    }

    private static BucketImportResult Refused(IReadOnlyList<string> errors) => new(BucketImportStatus.InvalidArchive) { Errors = errors };

    /// <summary>
    /// The archive's keys under the prefix with every version on their manifest chains (newest first),
    /// as version rows of the target bucket, their bodies stored: inline when a body is one block small
    /// enough to be kept inline (as a PUT would have kept it), else one chunk per block.
    /// </summary>
    private async Task<List<ImportedKey>> ReadKeysAsync(CarArchive archive, Cid root, BucketImportRequest request, Guid uploadId,
        Dictionary<ContentHash, int> stored, CancellationToken cancellationToken)
    {
        var keys = new List<ImportedKey>();
        var range = MstPrefixRange.For(request.Prefix);
        var stores = new OverlappedStores(chunks, uploadId, Math.Max(1, options.WriteBehindChunks));
        try
        {
            await foreach (var (keyBytes, value) in MstTree.Open(root).EnumerateAsync(archive, range, cancellationToken).ConfigureAwait(false))
            {
                var key = Encoding.UTF8.GetString(keyBytes);
                var versions = new List<ObjectVersionRecord>();
                for (Cid? link = value; link is not null;)
                {
                    var manifest = ObjectManifest.Decode(await ReadAsync(archive, link, cancellationToken).ConfigureAwait(false));
                    versions.Add(await ToVersionAsync(archive, manifest, request.Bucket, stores, stored, cancellationToken).ConfigureAwait(false));
                    link = manifest.Previous;
                }
                keys.Add(new ImportedKey(key, versions));
            }
            await stores.FinishAsync().ConfigureAwait(false);
        }
        catch
        {
            // Let every store end before the caller aborts the upload, so none reserves after the abort.
            await stores.DrainAsync().ConfigureAwait(false);
            throw;
        }
        return keys;
    }

    /// <summary>
    /// Chunk stores (a reservation and a blob write each) running while the archive is read on: the
    /// reads stay one at a time (they share the file's position), at most <c>limit</c> stores overlap,
    /// and each holds its chunk's bytes until it is done.
    /// </summary>
    private sealed class OverlappedStores(ChunkStore chunks, Guid uploadId, int limit)
    {
        private readonly Queue<Task> _running = new();

        public async Task StartAsync(byte[] data, CancellationToken cancellationToken)
        {
            if (_running.Count >= limit)
            {
                await _running.Dequeue().ConfigureAwait(false);
            }
            _running.Enqueue(chunks.StoreChunkAsync(uploadId, data, cancellationToken));
        }

        /// <summary>Awaits every store, in order; the first failure is thrown.</summary>
        public async Task FinishAsync()
        {
            while (_running.TryDequeue(out var store))
            {
                await store.ConfigureAwait(false);
            }
        }

        /// <summary>Awaits every store, ignoring failures (the import is failing already).</summary>
        public async Task DrainAsync()
        {
            while (_running.TryDequeue(out var store))
            {
                try
                {
                    await store.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The import's own failure is on its way out.
                }
            }
        }
    }

    private async Task<ObjectVersionRecord> ToVersionAsync(CarArchive archive, ObjectManifest manifest, string bucket, OverlappedStores stores,
        Dictionary<ContentHash, int> stored, CancellationToken cancellationToken)
    {
        var version = new ObjectVersionRecord
        {
            Bucket = bucket,
            Key = manifest.Key,
            VersionId = manifest.VersionId,
            IsDeleteMarker = manifest.IsDeleteMarker,
            Size = manifest.Size,
            ETag = manifest.ETag,
            LastModified = manifest.Modified,
            Headers = manifest.Headers,
            UserMetadata = manifest.Metadata,
            Checksums = manifest.Checksums,
            ChecksumType = manifest.ChecksumType,
            Tags = manifest.Tags,
            PartSizes = manifest.Parts,
            // The sealed data key comes along: the body reads back where the same key file (or customer key) is.
            Encryption = manifest.Encryption?.Key,
        };
        if (manifest.IsDeleteMarker)
        {
            return version;
        }
        var isWhole = manifest.Parts.Count == 0;
        if (isWhole && manifest.Body.Count == 0)
        {
            return version with { InlineBody = [] };
        }
        if (isWhole && manifest.Body is [{ } only] && only.Length <= options.InlineThreshold && only.Length < options.ChunkSize)
        {
            return version with { InlineBody = await ReadAsync(archive, only.Cid, cancellationToken).ConfigureAwait(false) };
        }
        var refs = new List<ChunkRef>(manifest.Body.Count);
        foreach (var chunk in manifest.Body)
        {
            var hash = ContentHash.FromBytes(chunk.Cid.Digest);
            if (!stored.ContainsKey(hash))
            {
                var data = await ReadAsync(archive, chunk.Cid, cancellationToken).ConfigureAwait(false);
                await stores.StartAsync(data, cancellationToken).ConfigureAwait(false);
                stored[hash] = data.Length;
            }
            refs.Add(new ChunkRef(hash, checked((int)chunk.Length)));
        }
        return version with { Chunks = refs };
    }

    /// <summary>A block the verification found present.</summary>
    private static async Task<byte[]> ReadAsync(CarArchive archive, Cid cid, CancellationToken cancellationToken) =>
        await archive.ReadAsync(cid, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"Block {cid} was verified present but is not in the archive.");
}
