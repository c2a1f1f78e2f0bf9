using System.Text;
using System.Text.Json;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Archive;

/// <summary>
/// One journal entry as an archive segment holds it: for a Put, <see cref="Version"/> is the whole
/// version placed (null when the segment could not say: an entry written before journal records,
/// whose version was gone when it was archived); for a Tags change, <see cref="Tags"/> the new tags;
/// for a Lock change, <see cref="Lock"/> the new lock state.
/// </summary>
public sealed record ArchivedEntry(long Seq, string Key, string VersionId, JournalChange Change, DateTimeOffset? CommittedAt,
    ObjectVersionRecord? Version, IReadOnlyDictionary<string, string>? Tags, ObjectLockState Lock)
{
    /// <summary>
    /// For a Put on its way into a segment: the journal's record as stored (<see cref="JournalRecordFormat"/>),
    /// written as it is instead of <see cref="Version"/> (no decoding and encoding again per entry).
    /// </summary>
    public byte[]? RawRecord { get; init; }
}

/// <summary>A decoded segment: whose journal, which numbers, and its entries in order.</summary>
public sealed record JournalSegment(string Bucket, DateTimeOffset BucketCreatedAt, long FirstSeq, long LastSeq, IReadOnlyList<ArchivedEntry> Entries);

/// <summary>
/// A sealed, checksummed run of one bucket's journal entries, as journal archiving (issue 13) uploads
/// it (framed as <see cref="SealedLines"/>): gzip over UTF-8 JSON lines, a header (format, bucket and its creation time, which tells a
/// bucket from a later one of the same name, first and last number), one line per entry (a Put with
/// its whole version, <see cref="JournalRecordFormat"/>, inline), and a trailer with the entry count
/// and the SHA-256 of every byte before it. A segment that does not check is refused whole: a
/// restore never replays half of one.
/// </summary>
public static class JournalSegmentFormat
{
    /// <summary>The header's format name; another is refused.</summary>
    public const string Format = "cairn-journal/1";

    /// <summary>The segment of <paramref name="entries"/> (consecutive, in order) of <paramref name="bucket"/>.</summary>
    public static async Task<byte[]> EncodeAsync(string bucket, DateTimeOffset bucketCreatedAt, IReadOnlyList<ArchivedEntry> entries,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        using var segment = new MemoryStream();
        await using (var lines = new SealedLinesWriter(segment))
        {
            await lines.WriteLineAsync((bucket, bucketCreatedAt, First: entries[0].Seq, Last: entries[^1].Seq), static (json, header) =>
            {
                json.WriteStartObject();
                json.WriteString("format", Format);
                json.WriteString("bucket", header.bucket);
                json.WriteNumber("bucketCreated", header.bucketCreatedAt.ToUnixTimeMilliseconds());
                json.WriteNumber("first", header.First);
                json.WriteNumber("last", header.Last);
                json.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                await lines.WriteLineAsync(entry, WriteEntry, cancellationToken).ConfigureAwait(false);
            }
            await lines.CompleteAsync(entries.Count, static (json, count) => json.WriteNumber("entries", count), cancellationToken)
                .ConfigureAwait(false);
        }
        return segment.ToArray();
    }

    /// <summary>Reads and checks a segment from <paramref name="stored"/> (its gzip bytes).</summary>
    /// <exception cref="InvalidDataException">Not a whole segment of this format: damaged, cut short, or its checksum or count does not match.</exception>
    public static async Task<JournalSegment> ReadAsync(Stream stored, CancellationToken cancellationToken)
    {
        (string Bucket, DateTimeOffset Created, long First, long Last)? header = null;
        var entries = new List<ArchivedEntry>();
        using var trailer = await SealedLines.ReadAsync(stored, "segment", line =>
        {
            if (header is null)
            {
                header = ReadHeader(line);
            }
            else
            {
                entries.Add(ReadEntry(line, header.Value.Bucket));
            }
        }, cancellationToken).ConfigureAwait(false);
        if (header is not var (bucket, created, first, last))
        {
            throw new InvalidDataException("The segment has no header.");
        }
        if (entries.Count != SealedLines.Count(trailer, "entries") || entries.Count == 0
            || entries[0].Seq != first || entries[^1].Seq != last || entries.Where((entry, i) => entry.Seq != first + i).Any())
        {
            throw new InvalidDataException("The segment's entries are not the consecutive numbers its header and trailer name.");
        }
        return new JournalSegment(bucket, created, first, last, entries);
    }

    private static (string Bucket, DateTimeOffset Created, long First, long Last) ReadHeader(byte[] line)
    {
        using var header = JsonDocument.Parse(line);
        var root = header.RootElement;
        if (root.GetProperty("format").GetString() != Format)
        {
            throw new InvalidDataException($"The segment's format is not {Format}.");
        }
        return (root.GetProperty("bucket").GetString()!, DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("bucketCreated").GetInt64()),
            root.GetProperty("first").GetInt64(), root.GetProperty("last").GetInt64());
    }

    private static void WriteEntry(Utf8JsonWriter json, ArchivedEntry entry)
    {
        json.WriteStartObject();
        json.WriteNumber("seq", entry.Seq);
        json.WriteString("key", entry.Key);
        json.WriteString("version", entry.VersionId);
        json.WriteString("change", entry.Change.ToString().ToLowerInvariant());
        if (entry.CommittedAt is { } at)
        {
            json.WriteNumber("at", at.ToUnixTimeMilliseconds());
        }
        switch (entry.Change)
        {
            case JournalChange.Put when entry.RawRecord is { } raw:
                json.WritePropertyName("record");
                json.WriteRawValue(raw, skipInputValidation: false);
                break;
            case JournalChange.Put when entry.Version is { } version:
                json.WritePropertyName("record");
                json.WriteRawValue(JournalRecordFormat.Encode(version), skipInputValidation: true);
                break;
            case JournalChange.Tags:
                json.WriteStartObject("tags");
                foreach (var (name, value) in entry.Tags ?? new Dictionary<string, string>())
                {
                    json.WriteString(name, value);
                }
                json.WriteEndObject();
                break;
            case JournalChange.Lock:
                if (entry.Lock.Retention is { } retention)
                {
                    json.WriteString("lockMode", retention.Mode.ToString());
                    json.WriteNumber("lockUntil", retention.RetainUntil.ToUnixTimeMilliseconds());
                }
                if (entry.Lock.LegalHold is { } hold)
                {
                    json.WriteBoolean("legalHold", hold);
                }
                break;
        }
        json.WriteEndObject();
    }

    private static ArchivedEntry ReadEntry(byte[] line, string bucket)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var key = root.GetProperty("key").GetString()!;
        var change = Enum.Parse<JournalChange>(root.GetProperty("change").GetString()!, ignoreCase: true);
        DateTimeOffset? at = root.TryGetProperty("at", out var atElement) ? DateTimeOffset.FromUnixTimeMilliseconds(atElement.GetInt64()) : null;
        ObjectVersionRecord? version = root.TryGetProperty("record", out var record)
            ? JournalRecordFormat.Decode(Encoding.UTF8.GetBytes(record.GetRawText()), bucket, key)
            : null;
        Dictionary<string, string>? tags = null;
        if (root.TryGetProperty("tags", out var tagsElement))
        {
            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in tagsElement.EnumerateObject())
            {
                tags[tag.Name] = tag.Value.GetString()!;
            }
        }
        ObjectRetention? retention = root.TryGetProperty("lockMode", out var mode) && root.TryGetProperty("lockUntil", out var until)
            ? new ObjectRetention(Enum.Parse<ObjectLockMode>(mode.GetString()!), DateTimeOffset.FromUnixTimeMilliseconds(until.GetInt64()))
            : null;
        bool? legalHold = root.TryGetProperty("legalHold", out var hold) ? hold.GetBoolean() : null;
        return new ArchivedEntry(root.GetProperty("seq").GetInt64(), key, root.GetProperty("version").GetString()!, change, at, version, tags,
            new ObjectLockState(retention, legalHold));
    }
}
