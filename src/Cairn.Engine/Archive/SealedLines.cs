using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Cairn.Engine.Archive;

/// <summary>
/// The framing journal segments and bucket snapshots share: gzip over UTF-8 JSON lines, each ending
/// in a line feed, the last a trailer with the file's counts and the SHA-256 of every byte before it.
/// Written a line at a time (<see cref="SealedLinesWriter"/>) and read a line at a time
/// (<see cref="ReadAsync"/>), so neither side holds a whole file: a snapshot can be larger than one
/// array or string.
/// </summary>
internal static class SealedLines
{
    /// <summary>
    /// Reads every line of <paramref name="stored"/> (gzip), handing each before the trailer to
    /// <paramref name="onLine"/> in order, and returns the trailer once its SHA-256 matches them.
    /// </summary>
    /// <param name="stored">The file's gzip bytes.</param>
    /// <param name="what">The file's kind, for messages ("segment", "snapshot").</param>
    /// <param name="onLine">Called with each line, without its line feed.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="InvalidDataException">Not gzip, cut short, without a trailer, a line that does not parse, or the checksum does not match.</exception>
    public static async Task<JsonDocument> ReadAsync(Stream stored, string what, Action<byte[]> onLine, CancellationToken cancellationToken)
    {
        try
        {
            await using var gzip = new GZipStream(stored, CompressionMode.Decompress, leaveOpen: true);
            var lines = new LineReader(gzip, what);
            using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            // A line is known not to be the trailer only when another follows it.
            byte[]? pending = null;
            while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (pending is not null)
                {
                    digest.AppendData(pending);
                    digest.AppendData("\n"u8);
                    onLine(pending);
                }
                pending = line;
            }
            if (pending is null)
            {
                throw new InvalidDataException($"The {what} has no trailer.");
            }
            var trailer = JsonDocument.Parse(pending);
            if (!string.Equals(trailer.RootElement.GetProperty("sha256").GetString(), Convert.ToHexStringLower(digest.GetHashAndReset()),
                StringComparison.Ordinal))
            {
                trailer.Dispose();
                throw new InvalidDataException($"The {what}'s checksum does not match its contents.");
            }
            return trailer;
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"The {what} is not gzip: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"The {what} is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>A count the trailer holds under <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The trailer has no such number.</exception>
    public static long Count(JsonDocument trailer, string name) =>
        trailer.RootElement.TryGetProperty(name, out var count) && count.TryGetInt64(out var value)
            ? value
            : throw new InvalidDataException($"The trailer has no count of {name}.");

    /// <summary>Splits a stream into lines ending in a line feed (without it); a last line without one is a file cut short.</summary>
    private sealed class LineReader(Stream stream, string what)
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
                    return _line.WrittenCount == 0 ? null : throw new InvalidDataException($"The {what} is cut short.");
                }
            }
        }
    }
}

/// <summary>Writes a <see cref="SealedLines"/> file into a stream (left open): lines, then <see cref="CompleteAsync"/>.</summary>
internal sealed class SealedLinesWriter(Stream output) : IAsyncDisposable
{
    /// <summary>Lines are handed to gzip (and the digest) in runs of about this many bytes.</summary>
    private const int FlushBytes = 64 * 1024;

    private readonly GZipStream _gzip = new(output, CompressionLevel.Fastest, leaveOpen: true);
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ArrayBufferWriter<byte> _lines = new();

    /// <summary>Writes one line: the JSON value <paramref name="write"/> writes, and a line feed.</summary>
    public async ValueTask WriteLineAsync<TState>(TState state, Action<Utf8JsonWriter, TState> write, CancellationToken cancellationToken)
    {
        using (var json = new Utf8JsonWriter(_lines))
        {
            write(json, state);
        }
        _lines.Write("\n"u8);
        if (_lines.WrittenCount >= FlushBytes)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the trailer (the properties <paramref name="writeCounts"/> writes, then the SHA-256) and ends the gzip stream.</summary>
    public async ValueTask CompleteAsync<TState>(TState state, Action<Utf8JsonWriter, TState> writeCounts, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        using (var json = new Utf8JsonWriter(_lines))
        {
            json.WriteStartObject();
            writeCounts(json, state);
            json.WriteString("sha256", Convert.ToHexStringLower(_digest.GetHashAndReset()));
            json.WriteEndObject();
        }
        _lines.Write("\n"u8);
        await _gzip.WriteAsync(_lines.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _lines.Clear();
        await _gzip.DisposeAsync().ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _digest.AppendData(_lines.WrittenSpan);
        await _gzip.WriteAsync(_lines.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _lines.Clear();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gzip.DisposeAsync().ConfigureAwait(false);
        _digest.Dispose();
    }
}
