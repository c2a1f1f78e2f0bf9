using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Metadata;

namespace Cairn.Engine.Archive;

/// <summary>A decoded bucket snapshot: whose, the journal number it stands at, when it was read, and every key's versions (newest first).</summary>
public sealed record BucketSnapshot(string Bucket, DateTimeOffset BucketCreatedAt, long Seq, DateTimeOffset TakenAt,
    Dictionary<string, List<ObjectVersionRecord>> Keys);

/// <summary>
/// A sealed, checksummed snapshot of one bucket's object rows, as journal archiving (issue 13)
/// uploads it so a restore need not replay a bucket's journal from its first entry: gzip over UTF-8
/// JSON lines, a header (format, bucket and its creation time, the journal number the rows stand at,
/// when they were read), one line per key with every version (<see cref="JournalRecordFormat"/>, as a
/// journal Put carries it, inline bodies included), and a trailer with the key and version counts and
/// the SHA-256 of every byte before it, as a segment has (<see cref="JournalSegmentFormat"/>). A
/// snapshot that does not check is refused whole.
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
        private readonly Stream _file;
        private readonly GZipStream _gzip;
        private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly ArrayBufferWriter<byte> _line = new();
        private long _keys;
        private long _versions;

        /// <summary>Starts a snapshot of <paramref name="bucket"/> at <paramref name="seq"/> in <paramref name="file"/> (left open).</summary>
        public Writer(Stream file, string bucket, DateTimeOffset bucketCreatedAt, long seq, DateTimeOffset takenAt)
        {
            _file = file;
            _gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
            using (var json = new Utf8JsonWriter(_line))
            {
                json.WriteStartObject();
                json.WriteString("format", Format);
                json.WriteString("bucket", bucket);
                json.WriteNumber("bucketCreated", bucketCreatedAt.ToUnixTimeMilliseconds());
                json.WriteNumber("seq", seq);
                json.WriteNumber("takenAt", takenAt.ToUnixTimeMilliseconds());
                json.WriteEndObject();
            }
            _line.Write("\n"u8);
        }

        /// <summary>Versions written so far.</summary>
        public long Versions => _versions;

        /// <summary>Adds a key with its versions, newest first (a key with none is left out).</summary>
        public async ValueTask WriteKeyAsync(string key, IReadOnlyList<ObjectVersionRecord> versions, CancellationToken cancellationToken)
        {
            if (versions.Count == 0)
            {
                return;
            }
            using (var json = new Utf8JsonWriter(_line))
            {
                json.WriteStartObject();
                json.WriteString("key", key);
                json.WriteStartArray("versions");
                foreach (var version in versions)
                {
                    // Where the bytes are is the chunk store's to say at a restore, as for a segment's Put.
                    json.WriteRawValue(JournalRecordFormat.Encode(version with { StorageClass = null }), skipInputValidation: true);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            _line.Write("\n"u8);
            _keys++;
            _versions += versions.Count;
            if (_line.WrittenCount >= 64 * 1024)
            {
                await FlushLinesAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Writes the trailer and ends the gzip stream; the file then holds the whole snapshot.</summary>
        public async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushLinesAsync(cancellationToken).ConfigureAwait(false);
            using (var json = new Utf8JsonWriter(_line))
            {
                json.WriteStartObject();
                json.WriteNumber("keys", _keys);
                json.WriteNumber("versions", _versions);
                json.WriteString("sha256", Convert.ToHexStringLower(_digest.GetHashAndReset()));
                json.WriteEndObject();
            }
            _line.Write("\n"u8);
            await _gzip.WriteAsync(_line.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _line.Clear();
            await _gzip.DisposeAsync().ConfigureAwait(false);
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask FlushLinesAsync(CancellationToken cancellationToken)
        {
            _digest.AppendData(_line.WrittenSpan);
            await _gzip.WriteAsync(_line.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _line.Clear();
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await _gzip.DisposeAsync().ConfigureAwait(false);
            _digest.Dispose();
        }
    }

    /// <summary>
    /// Reads and checks a snapshot from <paramref name="stored"/> (its gzip bytes) a line at a time, so
    /// its size is bounded by what it decodes to, not by one array or string; the keys are returned
    /// only once the trailer's checksum and counts agree with every line before it.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a whole snapshot of this format: damaged, cut short, or its checksum or counts do not match.</exception>
    public static async Task<BucketSnapshot> ReadAsync(Stream stored, CancellationToken cancellationToken)
    {
        try
        {
            await using var gzip = new GZipStream(stored, CompressionMode.Decompress, leaveOpen: true);
            return await ReadLinesAsync(new LineReader(gzip), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new InvalidDataException("The snapshot is not gzip: " + ex.Message, ex);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException("The snapshot is damaged: " + ex.Message, ex);
        }
    }

    private static async Task<BucketSnapshot> ReadLinesAsync(LineReader lines, CancellationToken cancellationToken)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        (string Bucket, DateTimeOffset Created, long Seq, DateTimeOffset TakenAt)? header = null;
        var keys = new Dictionary<string, List<ObjectVersionRecord>>(StringComparer.Ordinal);
        long versions = 0;
        // A line is known not to be the trailer only when another follows it.
        byte[]? pending = null;
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (pending is not null)
            {
                digest.AppendData(pending);
                digest.AppendData("\n"u8);
                if (header is null)
                {
                    header = ReadHeader(pending);
                }
                else
                {
                    versions += ReadKey(pending, header.Value.Bucket, keys);
                }
            }
            pending = line;
        }
        if (pending is null || header is null)
        {
            throw new InvalidDataException("The snapshot has no header or no trailer.");
        }
        using var trailer = JsonDocument.Parse(pending);
        if (!string.Equals(trailer.RootElement.GetProperty("sha256").GetString(), Convert.ToHexStringLower(digest.GetHashAndReset()), StringComparison.Ordinal))
        {
            throw new InvalidDataException("The snapshot's checksum does not match its contents.");
        }
        if (keys.Count != trailer.RootElement.GetProperty("keys").GetInt64() || versions != trailer.RootElement.GetProperty("versions").GetInt64())
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

    /// <summary>Splits a stream into lines ending in a line feed (without it); a last line without one is a snapshot cut short.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly ArrayBufferWriter<byte> _line = new();
        private int _start;
        private int _end;

        public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var feed = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (feed >= 0)
                {
                    _line.Write(_buffer.AsSpan(_start, feed));
                    _start += feed + 1;
                    var line = _line.WrittenSpan.ToArray();
                    _line.Clear();
                    return line;
                }
                _line.Write(_buffer.AsSpan(_start, _end - _start));
                (_start, _end) = (0, await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false));
                if (_end == 0)
                {
                    return _line.WrittenCount == 0 ? null : throw new InvalidDataException("The snapshot is cut short.");
                }
            }
        }
    }
}
