using System.Buffers;
using System.Text;

namespace Cairn.S3.Auth;

/// <summary>
/// What verifying aws-chunked chunk and trailer signatures needs: the request's signing key, date and
/// credential scope, and the seed signature (the request signature the chain starts from).
/// </summary>
/// <remarks>
/// Chunk string to sign: <c>AWS4-HMAC-SHA256-PAYLOAD\n{date}\n{scope}\n{previous}\n{sha256("")}\n{sha256(chunk)}</c>;
/// trailer: <c>AWS4-HMAC-SHA256-TRAILER\n{date}\n{scope}\n{previous}\n{sha256(trailer lines)}</c>
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, sigv4-streaming-trailers.html).
/// Holds key material: never log it; <see cref="ToString"/> shows only the scope.
/// </remarks>
public sealed class ChunkSigningContext
{
    private const string EmptySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly byte[] _signingKey;
    private readonly byte[] _seedSignature;
    private readonly byte[] _payloadPrefix;
    private readonly byte[] _trailerPrefix;

    internal ChunkSigningContext(byte[] signingKey, string amzDate, string credentialScope, byte[] seedSignature)
    {
        _signingKey = signingKey;
        _seedSignature = seedSignature;
        AmzDate = amzDate;
        CredentialScope = credentialScope;
        _payloadPrefix = Encoding.ASCII.GetBytes($"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{credentialScope}\n");
        _trailerPrefix = Encoding.ASCII.GetBytes($"AWS4-HMAC-SHA256-TRAILER\n{amzDate}\n{credentialScope}\n");
    }

    /// <summary>The request timestamp, <c>yyyyMMddTHHmmssZ</c>.</summary>
    public string AmzDate { get; }

    /// <summary>The credential scope, <c>yyyyMMdd/region/s3/aws4_request</c>.</summary>
    public string CredentialScope { get; }

    /// <summary>The 32 bytes of the seed signature.</summary>
    internal ReadOnlySpan<byte> SeedSignature => _seedSignature;

    /// <summary>Writes the 32-byte signature of a chunk whose SHA-256 is <paramref name="chunkSha256"/>.</summary>
    internal void ComputeChunkSignature(ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> chunkSha256, Span<byte> signature)
    {
        // prefix + hex(previous) \n hex(empty) \n hex(chunk)
        var length = _payloadPrefix.Length + 64 + 1 + 64 + 1 + 64;
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var stringToSign = buffer[..length];
            _payloadPrefix.CopyTo(stringToSign);
            var position = _payloadPrefix.Length;
            SigV4Crypto.WriteHexLower(previousSignature, stringToSign.Slice(position, 64));
            position += 64;
            stringToSign[position++] = (byte)'\n';
            Encoding.ASCII.GetBytes(EmptySha256Hex, stringToSign.Slice(position, 64));
            position += 64;
            stringToSign[position++] = (byte)'\n';
            SigV4Crypto.WriteHexLower(chunkSha256, stringToSign.Slice(position, 64));
            SigV4Hashes.HmacSha256(_signingKey, stringToSign, signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes the 32-byte signature of a trailer block whose SHA-256 is <paramref name="trailerSha256"/>.</summary>
    internal void ComputeTrailerSignature(ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> trailerSha256, Span<byte> signature)
    {
        var length = _trailerPrefix.Length + 64 + 1 + 64;
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var stringToSign = buffer[..length];
            _trailerPrefix.CopyTo(stringToSign);
            var position = _trailerPrefix.Length;
            SigV4Crypto.WriteHexLower(previousSignature, stringToSign.Slice(position, 64));
            position += 64;
            stringToSign[position++] = (byte)'\n';
            SigV4Crypto.WriteHexLower(trailerSha256, stringToSign.Slice(position, 64));
            SigV4Hashes.HmacSha256(_signingKey, stringToSign, signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"ChunkSigningContext({CredentialScope})";
}
