using Cairn.Metadata.Sqlite;
using Cairn.Storage;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The blobs on disk under <c>&lt;data&gt;/blobs</c> set against the catalog's chunk rows and packs
/// (DESIGN invariants 4 and 5): read straight from <c>metadata.db</c> and the file system, not
/// through the server. A pack's blob counts as referenced while a chunk placed in it is; a chunk
/// placed in a pack not yet stored is found in the pack's local segment (<c>&lt;data&gt;/segments</c>).
/// A packed chunk row at zero is dead space in its pack, which compaction reclaims, not a leak.
/// </summary>
internal sealed record BlobInventory(
    IReadOnlySet<string> Cataloged,
    IReadOnlySet<string> Referenced,
    IReadOnlySet<string> OnDisk,
    IReadOnlyList<string> TempFiles,
    IReadOnlyList<string> UnreferencedRows,
    int PendingDeletes,
    PackCensus Packs)
{
    /// <summary>Blob files that no chunk row with a reference names.</summary>
    public IEnumerable<string> Orphans => OnDisk.Except(Referenced).Order(StringComparer.Ordinal);

    /// <summary>Blob files no chunk row names at all: written by uploads that have not committed (or never will).</summary>
    public IEnumerable<string> Unadopted => OnDisk.Except(Cataloged).Order(StringComparer.Ordinal);

    /// <summary>Chunk rows with references whose blob file is gone.</summary>
    public IEnumerable<string> Missing => Referenced.Except(OnDisk).Order(StringComparer.Ordinal);

    /// <summary>
    /// Nothing orphaned (a pack with no live chunk included), nothing missing, no temp file, no
    /// zero-count row outside a pack, an empty delete queue, no compaction output left unswapped and
    /// no segment without its pack.
    /// </summary>
    public bool IsClean => !Orphans.Any() && !Missing.Any() && TempFiles.Count == 0 && UnreferencedRows.Count == 0 && PendingDeletes == 0
        && Packs is { CompactionOutputs: 0, SegmentsWithoutPack: 0, Retired: 0 };

    public static async Task<BlobInventory> ReadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var cataloged = new HashSet<string>(StringComparer.Ordinal);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var unreferencedRows = new List<string>();
        var segments = Directory.Exists(Path.Combine(dataDirectory, "segments"))
            ? Directory.EnumerateFiles(Path.Combine(dataDirectory, "segments"), "*.seg").Select(static file => Path.GetFileNameWithoutExtension(file)!).ToHashSet(StringComparer.Ordinal)
            : [];
        int pending;
        IReadOnlyList<Cairn.Metadata.PackInfo> packs;
        // Reads only: safe beside a running server (WAL mode), and the store is closed before returning.
        await using (var catalog = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(dataDirectory, "metadata.db") }))
        {
            packs = await catalog.ListPacksAsync(cancellationToken);
            var inSegment = packs.Where(p => p.State is Cairn.Metadata.PackState.Open or Cairn.Metadata.PackState.Sealed && segments.Contains(p.Id))
                .Select(static p => p.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var chunk in await catalog.ListChunksAsync(cancellationToken))
            {
                cataloged.Add(chunk.BlobName);
                if (chunk.RefCount > 0)
                {
                    // Not yet in the blob store: its segment holds it (a missing segment leaves it "missing").
                    if (chunk.Placement.PackId is not { } pack || !inSegment.Contains(pack))
                    {
                        referenced.Add(chunk.BlobName);
                    }
                }
                else if (chunk.Placement.PackId is null)
                {
                    unreferencedRows.Add($"{chunk.BlobName} (refcount {chunk.RefCount})");
                }
            }
            foreach (var pack in packs)
            {
                cataloged.Add(pack.BlobName);
            }
            pending = await catalog.CountPendingDeletesAsync(cancellationToken);
        }

        var root = Path.Combine(dataDirectory, "blobs");
        var onDisk = new HashSet<string>(StringComparer.Ordinal);
        var temp = new List<string>();
        if (Directory.Exists(root))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
            foreach (var file in Directory.EnumerateFiles(root, "*", options))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (Path.GetFileName(file).StartsWith(BlobName.TempPrefix, StringComparison.Ordinal))
                {
                    temp.Add(relative);
                }
                else
                {
                    onDisk.Add(relative);
                }
            }
        }
        return new BlobInventory(cataloged, referenced, onDisk, temp, unreferencedRows, pending, PackCensus.Of(packs, segments));
    }

    public override string ToString() =>
        $"{Referenced.Count} referenced, {OnDisk.Count} on disk, {PendingDeletes} queued deletes; {Packs}; " +
        $"orphans: [{string.Join(", ", Orphans.Take(10))}]; missing: [{string.Join(", ", Missing.Take(10))}]; " +
        $"temp files: [{string.Join(", ", TempFiles.Take(10))}]; zero-count rows: [{string.Join(", ", UnreferencedRows.Take(10))}]";
}

/// <summary>Packs by state and the local segments, for a crash test's log and checks.</summary>
internal sealed record PackCensus(int Open, int Sealed, int Stored, int Retired, int CompactionOutputs, int Segments, int SegmentsWithoutPack)
{
    public static PackCensus Of(IReadOnlyList<Cairn.Metadata.PackInfo> packs, IReadOnlySet<string> segments) => new(
        packs.Count(static p => p.State == Cairn.Metadata.PackState.Open),
        packs.Count(static p => p.State == Cairn.Metadata.PackState.Sealed),
        packs.Count(static p => p.State == Cairn.Metadata.PackState.Stored),
        packs.Count(static p => p.State == Cairn.Metadata.PackState.Retired),
        packs.Count(static p => p.Node == Cairn.Engine.Packs.PackCompactor.OutputNode && p.State is not Cairn.Metadata.PackState.Stored),
        segments.Count,
        segments.Count(id => !packs.Any(p => p.Id == id && p.State is Cairn.Metadata.PackState.Open or Cairn.Metadata.PackState.Sealed)));

    public override string ToString() =>
        $"packs: {Open} open, {Sealed} sealed, {Stored} stored, {Retired} retired, {CompactionOutputs} compaction outputs not swapped; " +
        $"{Segments} segments ({SegmentsWithoutPack} without an open or sealed pack)";
}
