using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>
/// Decodes an <c>aws-chunked</c> body (<c>hex-size[;chunk-signature=sig]\r\n data \r\n</c> ..., a zero-size
/// chunk, optional trailing headers, <c>\r\n</c>), checking chunk and trailer signatures as it goes.
/// Reading yields the payload; after end of stream <see cref="Trailers"/> holds the trailing headers.
/// </summary>
/// <remarks>
/// <para>Framing: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
/// sigv4-streaming-trailers.html. Each signed chunk's signature is checked before the read that returns
/// its last bytes completes; everything else (final chunk, trailers, trailer signature, decoded length,
/// nothing after the end) is checked before the read that returns 0. A consumer must not commit the
/// payload until it has read to the end.</para>
/// <para>Memory is one pooled 64 KiB buffer whatever chunk size the client declares: chunk data streams
/// through (and large reads go straight from the inner stream into the caller's buffer). Does not own
/// <c>inner</c>.</para>
/// </remarks>
public sealed partial class AwsChunkedStream : ReadOnlyStream
{
    /// <summary>Signed chunks other than the last must be at least this large (AWS: 8 KB).</summary>
    internal const int MinSignedChunkSize = 8192;

    private const int BufferSize = 64 * 1024;
    private const int MaxChunkHeaderLength = 4096;
    private const int MaxTrailerSectionLength = 16 * 1024;
    private const int DirectReadThreshold = 4096;
    private const int NeedFill = -1;
    private const int NeedDirectRead = -2;

    private readonly Stream _inner;
    private readonly PayloadMode _mode;
    private readonly ChunkSigningContext? _signing;
    private readonly long? _decodedContentLength;
    private readonly IReadOnlyCollection<string> _declaredTrailers;
    private readonly IncrementalHash? _hash;
    private readonly byte[] _previousSignature = new byte[32];
    private readonly byte[] _claimedSignature = new byte[32];
    private readonly Dictionary<string, string> _trailers = new(StringComparer.OrdinalIgnoreCase);

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _innerEof;
    private State _state = State.Header;
    private long _chunkRemaining;
    private long _lastChunkSize = -1;
    private long _decodedTotal;
    private int _pendingReturn;
    private int _trailerSectionLength;
    private int _trailerLines;
    private bool _skippedTrailerSeparator;
    private bool _hasTrailerSignature;

    private enum State
    {
        Header,
        Data,
        DataEnd,
        Trailers,
        AwaitEof,
        Done,
    }

    /// <summary>Decodes <paramref name="inner"/>.</summary>
    /// <param name="inner">The request body as received.</param>
    /// <param name="mode">One of the streaming modes.</param>
    /// <param name="signing">Required for the signed modes; ignored otherwise.</param>
    /// <param name="decodedContentLength">x-amz-decoded-content-length, when sent; the payload must have exactly this many bytes.</param>
    /// <param name="declaredTrailerNames">The names in x-amz-trailer, lower case; each must arrive, and no other.</param>
    public AwsChunkedStream(
        Stream inner,
        PayloadMode mode,
        ChunkSigningContext? signing,
        long? decodedContentLength,
        IReadOnlyCollection<string> declaredTrailerNames)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(declaredTrailerNames);
        if (mode is not (PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer))
        {
            throw new ArgumentException($"{mode} is not an aws-chunked mode.", nameof(mode));
        }
        if (decodedContentLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(decodedContentLength));
        }
        _inner = inner;
        _mode = mode;
        _decodedContentLength = decodedContentLength;
        _declaredTrailers = declaredTrailerNames;
        if (IsSigned)
        {
            _signing = signing ?? throw new ArgumentException($"{mode} needs a signing context.", nameof(signing));
            _signing.SeedSignature.CopyTo(_previousSignature);
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>The trailing headers (lower-case names), once the stream has been read to the end; empty before.</summary>
    public IReadOnlyDictionary<string, string> Trailers =>
        _state == State.Done ? _trailers : EmptyTrailers;

    private static readonly Dictionary<string, string> EmptyTrailers = [];

    private bool IsSigned => _mode is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer;

    private bool HasTrailers => _mode is PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            var result = Step(buffer);
            if (result >= 0)
            {
                return result;
            }
            if (result == NeedDirectRead)
            {
                var want = (int)Math.Min(buffer.Length, _chunkRemaining);
                var read = _inner.Read(buffer[..want]);
                if (read == 0)
                {
                    _innerEof = true;
                    throw EndedEarly();
                }
                if (AcceptData(buffer[..read]))
                {
                    return read;
                }
                _pendingReturn = read;
            }
            else if (!Fill(_inner.Read(FreeSpace())))
            {
                OnInnerEof();
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            var result = Step(buffer.Span);
            if (result >= 0)
            {
                return result;
            }
            if (result == NeedDirectRead)
            {
                var want = (int)Math.Min(buffer.Length, _chunkRemaining);
                var read = await _inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    _innerEof = true;
                    throw EndedEarly();
                }
                if (AcceptData(buffer.Span[..read]))
                {
                    return read;
                }
                _pendingReturn = read;
            }
            else
            {
                var read = await _inner.ReadAsync(FreeMemory(), cancellationToken).ConfigureAwait(false);
                if (!Fill(read))
                {
                    OnInnerEof();
                }
            }
        }
    }

    /// <summary>
    /// Advances over buffered input. Returns bytes written to <paramref name="destination"/>, 0 at the end,
    /// <see cref="NeedFill"/> when more input must be buffered, or <see cref="NeedDirectRead"/> when chunk data
    /// should be read straight into <paramref name="destination"/>.
    /// </summary>
    private int Step(Span<byte> destination)
    {
        while (true)
        {
            switch (_state)
            {
                case State.Header:
                    if (!TryReadLine(MaxChunkHeaderLength, out var header))
                    {
                        return NeedFill;
                    }
                    ParseChunkHeader(header);
                    break;

                case State.Data:
                    var available = _end - _start;
                    if (available == 0)
                    {
                        return destination.Length >= DirectReadThreshold ? NeedDirectRead : NeedFill;
                    }
                    var count = (int)Math.Min(Math.Min(available, destination.Length), _chunkRemaining);
                    _buffer.AsSpan(_start, count).CopyTo(destination);
                    _start += count;
                    if (AcceptData(destination[..count]))
                    {
                        return count;
                    }
                    _pendingReturn = count;
                    break;

                case State.DataEnd:
                    if (!TryCompleteChunk())
                    {
                        return NeedFill;
                    }
                    var produced = _pendingReturn;
                    _pendingReturn = 0;
                    if (produced > 0)
                    {
                        return produced;
                    }
                    break;

                case State.Trailers:
                    if (!TryReadLine(MaxChunkHeaderLength, out var line))
                    {
                        return NeedFill;
                    }
                    if (ProcessTrailerLine(line))
                    {
                        FinishPayload();
                    }
                    break;

                case State.AwaitEof:
                    if (_start != _end)
                    {
                        throw S3Errors.IncompleteBody("The request body continues after the end of the aws-chunked payload.");
                    }
                    if (!_innerEof)
                    {
                        return NeedFill;
                    }
                    _state = State.Done;
                    return 0;

                default:
                    return 0;
            }
        }
    }

    /// <summary>Counts and hashes chunk data; false when it completed the chunk (the trailing CRLF and signature come next).</summary>
    private bool AcceptData(ReadOnlySpan<byte> data)
    {
        _hash?.AppendData(data);
        _chunkRemaining -= data.Length;
        _decodedTotal += data.Length;
        if (_chunkRemaining > 0)
        {
            return true;
        }
        _state = State.DataEnd;
        return false;
    }

    private Span<byte> FreeSpace()
    {
        Compact();
        return _buffer.AsSpan(_end);
    }

    private Memory<byte> FreeMemory()
    {
        Compact();
        return _buffer.AsMemory(_end);
    }

    private void Compact()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
    }

    private bool Fill(int read)
    {
        if (read == 0)
        {
            _innerEof = true;
            return false;
        }
        _end += read;
        return true;
    }

    private void OnInnerEof()
    {
        switch (_state)
        {
            case State.AwaitEof:
                return;
            case State.Trailers when HasTrailers && (_trailerLines > 0 || _skippedTrailerSeparator) && _start == _end:
                // The trailer section may end with the stream rather than with an empty line (and an empty
                // line taken for AWS's separator may have been the end of an empty trailer section).
                FinishPayload();
                return;
            default:
                throw EndedEarly();
        }
    }

    private static S3Exception EndedEarly() =>
        S3Errors.IncompleteBody("The request body ended before the end of the aws-chunked payload.");

    /// <summary>Finds the next CRLF-terminated line in the buffer; the range excludes the CRLF.</summary>
    private bool TryReadLine(int maxLength, out Range line)
    {
        var window = _buffer.AsSpan(_start, _end - _start);
        var crlf = window.IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            if (window.Length >= maxLength)
            {
                throw _state == State.Trailers
                    ? S3Errors.MalformedTrailerError("A trailing header line is too long.")
                    : S3Errors.IncompleteBody("An aws-chunked chunk header is too long.");
            }
            line = default;
            return false;
        }
        line = new Range(_start, _start + crlf);
        _start += crlf + 2;
        return true;
    }

    private void ParseChunkHeader(Range range)
    {
        var header = _buffer.AsSpan(range);
        var semicolon = header.IndexOf((byte)';');
        var sizeText = semicolon < 0 ? header : header[..semicolon];
        if (sizeText.IsEmpty || sizeText.Length > 15 || !TryParseHexLong(sizeText, out var size))
        {
            throw S3Errors.IncompleteBody("An aws-chunked chunk size is not a hexadecimal number.");
        }
        if (IsSigned)
        {
            var extension = semicolon < 0 ? [] : header[(semicolon + 1)..];
            if (!extension.StartsWith("chunk-signature="u8))
            {
                throw S3Errors.IncompleteBody("An aws-chunked chunk header lacks its chunk-signature.");
            }
            if (!SigV4Crypto.TryParseHex(extension["chunk-signature=".Length..], _claimedSignature))
            {
                throw S3Errors.SignatureDoesNotMatch("The chunk-signature is not 64 hexadecimal digits.");
            }
            if (size > 0 && _lastChunkSize is >= 0 and < MinSignedChunkSize)
            {
                throw S3Errors.InvalidChunkSizeError();
            }
        }
        if (_decodedContentLength is { } declared && _decodedTotal + size > declared)
        {
            throw S3Errors.IncompleteBody("The aws-chunked payload is longer than x-amz-decoded-content-length.");
        }
        if (size > 0)
        {
            _chunkRemaining = size;
            _lastChunkSize = size;
            _state = State.Data;
            return;
        }
        if (IsSigned)
        {
            VerifyChunkSignature(); // the final chunk is signed too, over empty data
        }
        _state = State.Trailers;
    }

    private bool TryCompleteChunk()
    {
        if (_end - _start < 2)
        {
            return false;
        }
        if (_buffer![_start] != '\r' || _buffer[_start + 1] != '\n')
        {
            throw S3Errors.IncompleteBody("aws-chunked chunk data is not followed by CRLF.");
        }
        _start += 2;
        if (IsSigned)
        {
            VerifyChunkSignature();
        }
        _state = State.Header;
        return true;
    }

    private void VerifyChunkSignature()
    {
        Span<byte> chunkHash = stackalloc byte[32];
        _hash!.GetHashAndReset(chunkHash);
        Span<byte> expected = stackalloc byte[32];
        _signing!.ComputeChunkSignature(_previousSignature, chunkHash, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, _claimedSignature))
        {
            throw S3Errors.SignatureDoesNotMatch();
        }
        expected.CopyTo(_previousSignature);
    }

    private static bool TryParseHexLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        foreach (var b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }
            value = (value << 4) | (uint)digit;
        }
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
            var buffer = _buffer;
            _buffer = null;
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        base.Dispose(disposing);
    }

    private static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
