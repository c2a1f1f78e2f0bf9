using Cairn.Core;
using Cairn.Metadata;
using Cairn.Metadata.Sqlite;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// Checks a stopped server's catalog: replaying a bucket's change journal from empty gives exactly
/// its versions (key, version id, ETag, marker), and the journal's numbers run 1..N. After a
/// SIGKILL this shows that no committed change lacks its entry and no entry lacks its change.
/// </summary>
internal static class JournalReplay
{
    public static async Task AssertMatchesCatalogAsync(string dataDirectory, string bucket, CancellationToken cancellationToken)
    {
        await using var catalog = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = Path.Combine(dataDirectory, "metadata.db") });
        var journal = await catalog.ReadJournalAsync(bucket, 0, int.MaxValue, cancellationToken);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(static n => (long)n), journal.Select(static e => e.Seq));

        var replayed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in journal)
        {
            if (!replayed.TryGetValue(entry.Key, out var versions))
            {
                replayed[entry.Key] = versions = [];
            }
            var text = entry.VersionId + "|" + entry.ETag + "|" + entry.IsDeleteMarker;
            switch (entry.Change)
            {
                case JournalChange.Put:
                    versions.Insert(0, text);
                    break;
                case JournalChange.Remove:
                    Assert.Equal(1, versions.RemoveAll(v => v.StartsWith(entry.VersionId + "|", StringComparison.Ordinal)));
                    break;
            }
        }
        var stored = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? keyMarker = null, versionIdMarker = null;
        while (true)
        {
            var page = await catalog.ListObjectVersionsAsync(bucket, new ListVersionsQuery("", null, keyMarker, versionIdMarker, 1000), cancellationToken);
            foreach (var version in page.Versions)
            {
                if (!stored.TryGetValue(version.Key, out var versions))
                {
                    stored[version.Key] = versions = [];
                }
                versions.Add(version.VersionId + "|" + version.ETag + "|" + version.IsDeleteMarker);
            }
            if (!page.IsTruncated)
            {
                break;
            }
            (keyMarker, versionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }
        Assert.NotEmpty(stored);
        Assert.Equal(stored, replayed.Where(static k => k.Value.Count > 0).ToDictionary(StringComparer.Ordinal));
    }
}
