using System.Buffers;
using System.Security.Cryptography;
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
/// it: gzip over UTF-8 JSON lines, a header (format, bucket and its creation time, which tells a
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
    public static byte[] Encode(string bucket, DateTimeOffset bucketCreatedAt, IReadOnlyList<ArchivedEntry> entries)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count);
        var lines = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(lines))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("bucket", bucket);
            json.WriteNumber("bucketCreated", bucketCreatedAt.ToUnixTimeMilliseconds());
            json.WriteNumber("first", entries[0].Seq);
            json.WriteNumber("last", entries[^1].Seq);
            json.WriteEndObject();
        }
        lines.Write("\n"u8);
        foreach (var entry in entries)
        {
            using (var json = new Utf8JsonWriter(lines))
            {
                WriteEntry(json, entry);
            }
            lines.Write("\n"u8);
        }
        var digest = Convert.ToHexStringLower(SHA256.HashData(lines.WrittenSpan));
        using (var json = new Utf8JsonWriter(lines))
        {
            json.WriteStartObject();
            json.WriteNumber("entries", entries.Count);
            json.WriteString("sha256", digest);
            json.WriteEndObject();
        }
        lines.Write("\n"u8);
        return ArchiveGzip.Compress(lines.WrittenSpan);
    }

    /// <summary>Decodes and checks a segment.</summary>
    /// <exception cref="InvalidDataException">Not a whole segment of this format: damaged, cut short, or its checksum or count does not match.</exception>
    public static JournalSegment Decode(ReadOnlySpan<byte> segment)
    {
        var text = ArchiveGzip.Decompress(segment, "segment");
        try
        {
            return DecodeLines(text);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException("The segment is damaged: " + ex.Message, ex);
        }
    }

    private static JournalSegment DecodeLines(byte[] text)
    {
        if (text.Length == 0 || text[^1] != (byte)'\n')
        {
            throw new InvalidDataException("The segment is cut short.");
        }
        var body = text.AsSpan(0, text.Length - 1);
        var trailerStart = body.LastIndexOf((byte)'\n') + 1;
        if (trailerStart == 0)
        {
            throw new InvalidDataException("The segment has no trailer.");
        }
        using var trailer = JsonDocument.Parse(text.AsMemory(trailerStart, body.Length - trailerStart));
        var expectedDigest = trailer.RootElement.GetProperty("sha256").GetString();
        if (!string.Equals(expectedDigest, Convert.ToHexStringLower(SHA256.HashData(text.AsSpan(0, trailerStart))), StringComparison.Ordinal))
        {
            throw new InvalidDataException("The segment's checksum does not match its contents.");
        }
        var lines = Encoding.UTF8.GetString(text, 0, trailerStart).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var header = JsonDocument.Parse(lines[0]);
        var root = header.RootElement;
        if (root.GetProperty("format").GetString() != Format)
        {
            throw new InvalidDataException($"The segment's format is not {Format}.");
        }
        var bucket = root.GetProperty("bucket").GetString()!;
        var created = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("bucketCreated").GetInt64());
        var first = root.GetProperty("first").GetInt64();
        var last = root.GetProperty("last").GetInt64();
        var entries = new List<ArchivedEntry>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            entries.Add(ReadEntry(lines[i], bucket));
        }
        if (entries.Count != trailer.RootElement.GetProperty("entries").GetInt32() || entries.Count == 0
            || entries[0].Seq != first || entries[^1].Seq != last || entries.Where((entry, i) => entry.Seq != first + i).Any())
        {
            throw new InvalidDataException("The segment's entries are not the consecutive numbers its header and trailer name.");
        }
        return new JournalSegment(bucket, created, first, last, entries);
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

    private static ArchivedEntry ReadEntry(string line, string bucket)
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
