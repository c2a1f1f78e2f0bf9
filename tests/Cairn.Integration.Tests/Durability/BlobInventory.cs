using Cairn.Metadata.Sqlite;
using Cairn.Storage;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The blobs on disk under <c>&lt;data&gt;/blobs</c> set against the catalog's chunk rows
/// (DESIGN invariants 4 and 5): read straight from <c>metadata.db</c> and the file system, not
/// through the server.
/// </summary>
internal sealed record BlobInventory(
    IReadOnlySet<string> Cataloged,
    IReadOnlySet<string> Referenced,
    IReadOnlySet<string> OnDisk,
    IReadOnlyList<string> TempFiles,
    IReadOnlyList<string> UnreferencedRows,
    int PendingDeletes)
{
    /// <summary>Blob files that no chunk row with a reference names.</summary>
    public IEnumerable<string> Orphans => OnDisk.Except(Referenced).Order(StringComparer.Ordinal);

    /// <summary>Blob files no chunk row names at all: written by uploads that have not committed (or never will).</summary>
    public IEnumerable<string> Unadopted => OnDisk.Except(Cataloged).Order(StringComparer.Ordinal);

    /// <summary>Chunk rows with references whose blob file is gone.</summary>
    public IEnumerable<string> Missing => Referenced.Except(OnDisk).Order(StringComparer.Ordinal);

    /// <summary>Nothing orphaned, nothing missing, no temp file, no zero-count row, an empty delete queue.</summary>
    public bool IsClean => !Orphans.Any() && !Missing.Any() && TempFiles.Count == 0 && UnreferencedRows.Count == 0 && PendingDeletes == 0;

    public static async Task<BlobInventory> ReadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var cataloged = new HashSet<string>(StringComparer.Ordinal);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var unreferencedRows = new List<string>();
        int pending;
        // Reads only: safe beside a running server (WAL mode), and the store is closed before returning.
        await using (var catalog = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(dataDirectory, "metadata.db") }))
        {
            foreach (var chunk in await catalog.ListChunksAsync(cancellationToken))
            {
                cataloged.Add(chunk.BlobName);
                if (chunk.RefCount > 0)
                {
                    referenced.Add(chunk.BlobName);
                }
                else
                {
                    unreferencedRows.Add($"{chunk.BlobName} (refcount {chunk.RefCount})");
                }
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
        return new BlobInventory(cataloged, referenced, onDisk, temp, unreferencedRows, pending);
    }

    public override string ToString() =>
        $"{Referenced.Count} referenced, {OnDisk.Count} on disk, {PendingDeletes} queued deletes; " +
        $"orphans: [{string.Join(", ", Orphans.Take(10))}]; missing: [{string.Join(", ", Missing.Take(10))}]; " +
        $"temp files: [{string.Join(", ", TempFiles.Take(10))}]; zero-count rows: [{string.Join(", ", UnreferencedRows.Take(10))}]";
}
