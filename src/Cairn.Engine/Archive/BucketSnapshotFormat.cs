using System.Text;
using System.Text.Json;
using Cairn.Metadata;

namespace Cairn.Engine.Archive;

/// <summary>A decoded bucket snapshot: whose, the journal number it stands at, when it was read, and every key's versions (newest first).</summary>
public sealed record BucketSnapshot(string Bucket, DateTimeOffset BucketCreatedAt, long Seq, DateTimeOffset TakenAt,
    Dictionary<string, List<ObjectVersionRecord>> Keys);

/// <summary>
/// A sealed, checksummed snapshot of one bucket's object rows, as journal archiving (issue 13)
/// uploads it so a restore need not replay a bucket's journal from its first entry: the framing of a
/// segment (<see cref="SealedLines"/>), a header (format, bucket and its creation time, the journal
/// number the rows stand at, when they were read), one line per key with every version
/// (<see cref="JournalRecordFormat"/>, as a journal Put carries it, inline bodies included), and a
/// trailer counting keys and versions. A snapshot that does not check is refused whole.
/// </summary>
/// <remarks>
/// Written by <see cref="Writer"/> a key at a time into a file, not memory: a bucket's rows can be far
/// more than a process should hold at once.
/// </remarks>
public static class BucketSnapshotFormat
{
    /// <summary>The header's format name; another is refused.</summary>
    public const string Format = "cairn-snapshot/1";

    /// <summary>Writes one snapshot: the header at creation, then each key once, in any order, then <see cref="CompleteAsync"/>.</summary>
    public sealed class Writer : IAsyncDisposable
    {
        private readonly SealedLinesWriter _lines;
        private readonly (string Bucket, DateTimeOffset Created, long Seq, DateTimeOffset TakenAt) _header;
        private bool _headerWritten;
        private long _keys;
        private long _versions;

        /// <summary>Starts a snapshot of <paramref name="bucket"/> at <paramref name="seq"/> in <paramref name="file"/> (left open).</summary>
        public Writer(Stream file, string bucket, DateTimeOffset bucketCreatedAt, long seq, DateTimeOffset takenAt)
        {
            _lines = new SealedLinesWriter(file);
            _header = (bucket, bucketCreatedAt, seq, takenAt);
        }

        /// <summary>Versions written so far.</summary>
        public long Versions => _versions;

        /// <summary>Adds a key with its versions, newest first (a key with none is left out).</summary>
        public async ValueTask WriteKeyAsync(string key, IReadOnlyList<ObjectVersionRecord> versions, CancellationToken cancellationToken)
        {
            await WriteHeaderOnceAsync(cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                return;
            }
            await _lines.WriteLineAsync((key, versions), static (json, line) =>
            {
                json.WriteStartObject();
                json.WriteString("key", line.key);
                json.WriteStartArray("versions");
                foreach (var version in line.versions)
                {
                    // Where the bytes are is the chunk store's to say at a restore, as for a segment's Put.
                    json.WriteRawValue(JournalRecordFormat.Encode(version with { StorageClass = null }), skipInputValidation: true);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
            _keys++;
            _versions += versions.Count;
        }

        /// <summary>Writes the trailer and ends the gzip stream; the file then holds the whole snapshot.</summary>
        public async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            await WriteHeaderOnceAsync(cancellationToken).ConfigureAwait(false);
            await _lines.CompleteAsync((_keys, _versions), static (json, counts) =>
            {
                json.WriteNumber("keys", counts._keys);
                json.WriteNumber("versions", counts._versions);
            }, cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask WriteHeaderOnceAsync(CancellationToken cancellationToken)
        {
            if (_headerWritten)
            {
                return;
            }
            _headerWritten = true;
            await _lines.WriteLineAsync(_header, static (json, header) =>
            {
                json.WriteStartObject();
                json.WriteString("format", Format);
                json.WriteString("bucket", header.Bucket);
                json.WriteNumber("bucketCreated", header.Created.ToUnixTimeMilliseconds());
                json.WriteNumber("seq", header.Seq);
                json.WriteNumber("takenAt", header.TakenAt.ToUnixTimeMilliseconds());
                json.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync() => _lines.DisposeAsync();
    }

    /// <summary>
    /// Reads and checks a snapshot from <paramref name="stored"/> (its gzip bytes) a line at a time;
    /// the keys are returned only once the trailer's checksum and counts agree with every line before it.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a whole snapshot of this format: damaged, cut short, or its checksum or counts do not match.</exception>
    public static async Task<BucketSnapshot> ReadAsync(Stream stored, CancellationToken cancellationToken)
    {
        (string Bucket, DateTimeOffset Created, long Seq, DateTimeOffset TakenAt)? header = null;
        var keys = new Dictionary<string, List<ObjectVersionRecord>>(StringComparer.Ordinal);
        long versions = 0;
        using var trailer = await SealedLines.ReadAsync(stored, "snapshot", line =>
        {
            if (header is null)
            {
                header = ReadHeader(line);
            }
            else
            {
                versions += ReadKey(line, header.Value.Bucket, keys);
            }
        }, cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            throw new InvalidDataException("The snapshot has no header.");
        }
        if (keys.Count != SealedLines.Count(trailer, "keys") || versions != SealedLines.Count(trailer, "versions"))
        {
            throw new InvalidDataException("The snapshot's keys or versions are not as many as its trailer says.");
        }
        var (bucket, created, seq, takenAt) = header.Value;
        return new BucketSnapshot(bucket, created, seq, takenAt, keys);
    }

    private static (string Bucket, DateTimeOffset Created, long Seq, DateTimeOffset TakenAt) ReadHeader(byte[] line)
    {
        using var header = JsonDocument.Parse(line);
        var root = header.RootElement;
        if (root.GetProperty("format").GetString() != Format)
        {
            throw new InvalidDataException($"The snapshot's format is not {Format}.");
        }
        return (root.GetProperty("bucket").GetString()!, DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("bucketCreated").GetInt64()),
            root.GetProperty("seq").GetInt64(), DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("takenAt").GetInt64()));
    }

    /// <summary>Adds one key's line to <paramref name="keys"/>; returns its number of versions.</summary>
    private static int ReadKey(byte[] line, string bucket, Dictionary<string, List<ObjectVersionRecord>> keys)
    {
        using var document = JsonDocument.Parse(line);
        var key = document.RootElement.GetProperty("key").GetString()!;
        var list = new List<ObjectVersionRecord>();
        foreach (var record in document.RootElement.GetProperty("versions").EnumerateArray())
        {
            list.Add(JournalRecordFormat.Decode(Encoding.UTF8.GetBytes(record.GetRawText()), bucket, key));
        }
        if (list.Count == 0 || !keys.TryAdd(key, list))
        {
            throw new InvalidDataException($"The snapshot names key '{key}' twice or without versions.");
        }
        return list.Count;
    }
}
