namespace Cairn.Storage;

public sealed partial class FileSystemBlobBackend
{
    /// <inheritdoc />
    /// <remarks>
    /// Walks directories depth-first in ordinal order, holding one directory listing per level and
    /// skipping whole directories that sort before <paramref name="startAfter"/>, so memory stays
    /// bounded by the fan-out and a page costs about one page of entries, not the whole store.
    /// Temp files, the multipart area and files whose names are not valid blob names are never listed.
    /// </remarks>
    public async ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidListPage(prefix, maxCount);
        // Listing is blocking directory IO: leave the caller's context before starting it.
        await Task.Yield();
        var lastSlash = prefix.LastIndexOf('/');
        var startRelative = lastSlash < 0 ? "" : prefix[..(lastSlash + 1)];
        var startDirectory = startRelative.Length == 0 ? _root : PathOf(startRelative.TrimEnd('/'));
        var entries = new List<BlobListEntry>(Math.Min(maxCount, 64));
        var walk = new ListWalk(prefix, startAfter ?? "");
        foreach (var entry in walk.Walk(startDirectory, startRelative))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entries.Count == maxCount)
            {
                // One more exists: the page is full and the listing goes on after its last name.
                return new BlobListPage(entries, entries[^1].Name);
            }
            entries.Add(entry);
        }
        return new BlobListPage(entries, null);
    }

    /// <summary>The depth-first, ordinal-order walk of one listing.</summary>
    private sealed class ListWalk(string prefix, string startAfter)
    {
        public IEnumerable<BlobListEntry> Walk(string directory, string relative)
        {
            List<(string Key, FileSystemInfo Entry)> entries;
            try
            {
                if (!Directory.Exists(directory))
                {
                    yield break;
                }
                entries = [];
                foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
                {
                    // Temp files and the multipart area: reserved segments, never blobs.
                    if (entry.Name.StartsWith(BlobName.TempPrefix, StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var isDirectory = entry is DirectoryInfo;
                    // A directory sorts as "name/" so the depth-first walk yields names in global ordinal order.
                    var key = relative + entry.Name + (isDirectory ? "/" : "");
                    if (isDirectory ? IsRelevantDirectory(key) : IsRelevantFile(key))
                    {
                        entries.Add((key, entry));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw FileSystemErrors.Wrap(ex, "list", directory);
            }
            entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (key, entry) in entries)
            {
                if (entry is FileInfo file)
                {
                    yield return new BlobListEntry(key, file.Length);
                    continue;
                }
                foreach (var name in Walk(entry.FullName, key))
                {
                    yield return name;
                }
            }
        }

        private bool IsRelevantFile(string key) =>
            key.StartsWith(prefix, StringComparison.Ordinal)
            && string.CompareOrdinal(key, startAfter) > 0
            && BlobName.IsValid(key);

        /// <summary>
        /// A directory matters when names under it can match the prefix, and when not all of them sort
        /// at or before <c>startAfter</c>: every name under <c>key</c> starts with it, so if <c>key</c>
        /// sorts before <c>startAfter</c> without being its prefix, the whole directory does.
        /// </summary>
        private bool IsRelevantDirectory(string key)
        {
            var matchesPrefix = key.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(key, StringComparison.Ordinal);
            var entirelyBeforeStart = string.CompareOrdinal(key, startAfter) < 0 && !startAfter.StartsWith(key, StringComparison.Ordinal);
            return matchesPrefix && !entirelyBeforeStart;
        }
    }
}
