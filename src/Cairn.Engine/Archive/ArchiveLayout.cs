using System.Globalization;
using System.Security.Cryptography;

namespace Cairn.Engine.Archive;

/// <summary>
/// Where things are in a journal archive: everything under a lineage (a catalog's own series; a
/// catalog rebuilt by a restore starts a new one), journal segments by bucket, the bucket's creation
/// time (a bucket created again under the name is another journal) and entry numbers, bucket
/// snapshots the same way by the number they stand at and when they were read, and bucket-state
/// documents by time. Every number is zero-padded, so names sort as their numbers do.
/// </summary>
/// <remarks>
/// <c>&lt;lineage&gt;/journal/&lt;bucket&gt;/&lt;created ms, 15 digits&gt;/&lt;first, 20&gt;-&lt;last, 20&gt;.jsonl.gz</c>;
/// <c>&lt;lineage&gt;/snapshot/&lt;bucket&gt;/&lt;created ms, 15&gt;/&lt;seq, 20&gt;-&lt;taken ms, 15&gt;.jsonl.gz</c>;
/// <c>&lt;lineage&gt;/state/&lt;ms, 15 digits&gt;.json.gz</c>; a lineage is <c>l&lt;ms, 15 digits&gt;-&lt;8 hex&gt;</c>.
/// </remarks>
public static class ArchiveLayout
{
    /// <summary>A new lineage, named by its time (so lineages sort by age) and a random part.</summary>
    public static string NewLineage(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return string.Create(CultureInfo.InvariantCulture, $"l{now.ToUnixTimeMilliseconds():D15}-{Convert.ToHexStringLower(random)}");
    }

    /// <summary>A journal segment's name.</summary>
    public static string SegmentName(string lineage, string bucket, DateTimeOffset bucketCreatedAt, long firstSeq, long lastSeq) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{lineage}/journal/{bucket}/{bucketCreatedAt.ToUnixTimeMilliseconds():D15}/{firstSeq:D20}-{lastSeq:D20}.jsonl.gz");

    /// <summary>A bucket snapshot's name.</summary>
    public static string SnapshotName(string lineage, string bucket, DateTimeOffset bucketCreatedAt, long seq, DateTimeOffset takenAt) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{lineage}/snapshot/{bucket}/{bucketCreatedAt.ToUnixTimeMilliseconds():D15}/{seq:D20}-{takenAt.ToUnixTimeMilliseconds():D15}.jsonl.gz");

    /// <summary>A bucket-state document's name.</summary>
    public static string StateName(string lineage, DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{lineage}/state/{at.ToUnixTimeMilliseconds():D15}.json.gz");

    /// <summary>A segment name's parts; false for a name that is not one.</summary>
    public static bool TryParseSegmentName(string name, out string lineage, out string bucket, out DateTimeOffset bucketCreatedAt, out long firstSeq,
        out long lastSeq) =>
        TryParseBucketFile(name, "journal", out lineage, out bucket, out bucketCreatedAt, out firstSeq, out lastSeq);

    /// <summary>A snapshot name's parts; false for a name that is not one.</summary>
    public static bool TryParseSnapshotName(string name, out string lineage, out string bucket, out DateTimeOffset bucketCreatedAt, out long seq,
        out DateTimeOffset takenAt)
    {
        var parsed = TryParseBucketFile(name, "snapshot", out lineage, out bucket, out bucketCreatedAt, out seq, out var takenMs);
        takenAt = parsed ? DateTimeOffset.FromUnixTimeMilliseconds(takenMs) : default;
        return parsed;
    }

    /// <summary>Parses <c>lineage/kind/bucket/created/first-second.jsonl.gz</c>.</summary>
    private static bool TryParseBucketFile(string name, string kind, out string lineage, out string bucket, out DateTimeOffset bucketCreatedAt,
        out long first, out long second)
    {
        (lineage, bucket, bucketCreatedAt, first, second) = ("", "", default, 0, 0);
        var parts = name.Split('/');
        if (parts.Length != 5 || parts[1] != kind || !parts[4].EndsWith(".jsonl.gz", StringComparison.Ordinal))
        {
            return false;
        }
        var range = parts[4][..^".jsonl.gz".Length].Split('-');
        if (range.Length != 2 || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var created)
            || !long.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            || !long.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out second))
        {
            return false;
        }
        (lineage, bucket, bucketCreatedAt) = (parts[0], parts[2], DateTimeOffset.FromUnixTimeMilliseconds(created));
        return true;
    }

    /// <summary>A bucket-state name's parts; false for a name that is not one.</summary>
    public static bool TryParseStateName(string name, out string lineage, out DateTimeOffset at)
    {
        (lineage, at) = ("", default);
        var parts = name.Split('/');
        if (parts.Length != 3 || parts[1] != "state" || !parts[2].EndsWith(".json.gz", StringComparison.Ordinal)
            || !long.TryParse(parts[2][..^".json.gz".Length], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }
        (lineage, at) = (parts[0], DateTimeOffset.FromUnixTimeMilliseconds(ms));
        return true;
    }
}
