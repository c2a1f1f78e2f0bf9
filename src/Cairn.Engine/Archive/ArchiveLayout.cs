using System.Globalization;
using System.Security.Cryptography;

namespace Cairn.Engine.Archive;

/// <summary>
/// Where things are in a journal archive: everything under a lineage (a catalog's own series; a
/// catalog rebuilt by a restore starts a new one), journal segments by bucket, the bucket's creation
/// time (a bucket created again under the name is another journal) and entry numbers, and bucket-state
/// documents by time. Every number is zero-padded, so names sort as their numbers do.
/// </summary>
/// <remarks>
/// <c>&lt;lineage&gt;/journal/&lt;bucket&gt;/&lt;created ms, 15 digits&gt;/&lt;first, 20&gt;-&lt;last, 20&gt;.jsonl.gz</c>;
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

    /// <summary>A bucket-state document's name.</summary>
    public static string StateName(string lineage, DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{lineage}/state/{at.ToUnixTimeMilliseconds():D15}.json.gz");

    /// <summary>A segment name's parts; false for a name that is not one.</summary>
    public static bool TryParseSegmentName(string name, out string lineage, out string bucket, out DateTimeOffset bucketCreatedAt, out long firstSeq,
        out long lastSeq)
    {
        (lineage, bucket, bucketCreatedAt, firstSeq, lastSeq) = ("", "", default, 0, 0);
        var parts = name.Split('/');
        if (parts.Length != 5 || parts[1] != "journal" || !parts[4].EndsWith(".jsonl.gz", StringComparison.Ordinal))
        {
            return false;
        }
        var range = parts[4][..^".jsonl.gz".Length].Split('-');
        if (range.Length != 2 || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var created)
            || !long.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq)
            || !long.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out lastSeq))
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
