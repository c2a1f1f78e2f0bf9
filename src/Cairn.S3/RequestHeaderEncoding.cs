using System.Text;

namespace Cairn.S3;

/// <summary>
/// How the host should turn request header bytes into strings (Kestrel's
/// <c>RequestHeaderEncodingSelector</c>): as UTF-8, except that a byte which is not part of valid
/// UTF-8 becomes the Latin-1 character of that byte. No byte is lost or replaced.
/// </summary>
/// <remarks>
/// Clients put non-ASCII header values (user metadata, a Content-Disposition file name) on the wire
/// in one of two ways: as UTF-8 (curl, Go, browsers) or as Latin-1 (Python's http.client and Node's
/// http write a string's characters up to U+00FF as single bytes). Either way the client signed the
/// characters, so SigV4 can only agree when the server reads the same characters back. Plain UTF-8
/// decoding turns a Latin-1 byte into U+FFFD (a signed header then fails the signature; an unsigned
/// one is stored mangled); strict UTF-8 (Kestrel's default) refuses the request; Latin-1 decoding
/// would read UTF-8 as two characters per byte pair. Valid UTF-8 read as UTF-8, everything else read
/// as Latin-1, gets both kinds of client right; the one string it misreads is Latin-1 text whose bytes
/// happen to form valid UTF-8 (such as "Ã©"), which a signature then refuses.
/// </remarks>
public static class RequestHeaderEncoding
{
    /// <summary>The encoding to hand Kestrel for every request header.</summary>
    public static Encoding Instance { get; } = Create();

    private static Encoding Create()
    {
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).Clone();
        encoding.DecoderFallback = new Latin1DecoderFallback();
        return encoding;
    }

    /// <summary>Decodes each byte UTF-8 could not as the character of the same number (ISO-8859-1).</summary>
    private sealed class Latin1DecoderFallback : DecoderFallback
    {
        // UTF-8 hands over at most the bytes of one ill-formed sequence (up to three) at a time.
        public override int MaxCharCount => 4;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Latin1FallbackBuffer();
    }

    private sealed class Latin1FallbackBuffer : DecoderFallbackBuffer
    {
        private byte[] _bytes = [];
        private int _next;

        public override int Remaining => _bytes.Length - _next;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            _bytes = bytesUnknown;
            _next = 0;
            return bytesUnknown.Length > 0;
        }

        public override char GetNextChar() => _next < _bytes.Length ? (char)_bytes[_next++] : '\0';

        public override bool MovePrevious()
        {
            if (_next == 0)
            {
                return false;
            }
            _next--;
            return true;
        }

        public override void Reset()
        {
            _bytes = [];
            _next = 0;
        }
    }
}
