using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Bench.Load.S3;

/// <summary>
/// Signs S3 requests with AWS Signature Version 4 in the Authorization header form
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html). It always signs
/// the same three headers (host, x-amz-content-sha256, x-amz-date), which is all S3 requires and
/// keeps the canonical request small. The derived signing key is cached for the current date.
/// Thread-safe.
/// </summary>
internal sealed class SigV4Signer
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string SignedHeaderNames = "host;x-amz-content-sha256;x-amz-date";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Algorithm = "AWS4-HMAC-SHA256";

    private readonly string _accessKey;
    private readonly byte[] _secretKeyBytes;
    private readonly string _region;
    private SigningKey? _signingKey;

    public SigV4Signer(string accessKey, string secretKey, string region, string host)
    {
        _accessKey = accessKey;
        _secretKeyBytes = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        _region = region;
        Host = host;
    }

    /// <summary>The Host header value the signatures cover (the endpoint's authority).</summary>
    public string Host { get; }

    /// <summary>The request time in SigV4's basic ISO 8601 form, e.g. <c>20250101T120000Z</c>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The lowercase hex SHA-256 of a body, the value of <c>x-amz-content-sha256</c>.</summary>
    public static string PayloadHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>
    /// Everything of the Authorization header but the signature hex, for <paramref name="amzDate"/>'s day:
    /// requests signed at the same time share it, so a pool stores only the 32 signature bytes each.
    /// </summary>
    public string AuthorizationPrefix(string amzDate) =>
        $"{Algorithm} Credential={_accessKey}/{amzDate[..8]}/{_region}/s3/aws4_request, SignedHeaders={SignedHeaderNames}, Signature=";

    /// <summary>The full Authorization header for one request.</summary>
    public string Authorization(string method, string canonicalPath, string canonicalQuery, string payloadHash, string amzDate)
    {
        Span<byte> signature = stackalloc byte[32];
        Sign(method, canonicalPath, canonicalQuery, payloadHash, amzDate, signature);
        return AuthorizationPrefix(amzDate) + Convert.ToHexStringLower(signature);
    }

    /// <summary>
    /// Computes the signature of one request into <paramref name="signature"/> (32 bytes).
    /// <paramref name="canonicalPath"/> and <paramref name="canonicalQuery"/> must be exactly what is sent
    /// (<see cref="S3Uri"/> builds both, percent-encoded, so all inputs are ASCII). Allocates nothing:
    /// pools sign a million requests before a run.
    /// </summary>
    public void Sign(string method, string canonicalPath, string canonicalQuery, string payloadHash, string amzDate, Span<byte> signature)
    {
        var signingKey = KeyFor(amzDate.AsSpan(0, 8));
        var canonicalLength = method.Length + canonicalPath.Length + canonicalQuery.Length + Host.Length
            + (2 * payloadHash.Length) + amzDate.Length + SignedHeaderNames.Length + 64;
        byte[]? rented = null;
        var canonical = canonicalLength <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(canonicalLength));
        try
        {
            var length = 0;
            foreach (var part in (ReadOnlySpan<string>)[method, "\n", canonicalPath, "\n", canonicalQuery, "\n",
                "host:", Host, "\n", "x-amz-content-sha256:", payloadHash, "\n", "x-amz-date:", amzDate, "\n\n",
                SignedHeaderNames, "\n", payloadHash])
            {
                length += Encoding.ASCII.GetBytes(part, canonical[length..]);
            }
            Span<byte> canonicalHash = stackalloc byte[32];
            SHA256.HashData(canonical[..length], canonicalHash);

            Span<byte> stringToSign = stackalloc byte[256];
            length = 0;
            foreach (var part in (ReadOnlySpan<string>)[Algorithm, "\n", amzDate, "\n", signingKey.Scope, "\n"])
            {
                length += Encoding.ASCII.GetBytes(part, stringToSign[length..]);
            }
            Convert.TryToHexStringLower(canonicalHash, stringToSign[length..], out var hexLength);
            length += hexLength;
            HMACSHA256.HashData(signingKey.Key, stringToSign[..length], signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request").</summary>
    private SigningKey KeyFor(ReadOnlySpan<char> date)
    {
        var cached = Volatile.Read(ref _signingKey);
        if (cached is not null && date.SequenceEqual(cached.Date))
        {
            return cached;
        }
        var dateText = date.ToString();
        var key = HMACSHA256.HashData(_secretKeyBytes, Encoding.UTF8.GetBytes(dateText));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_region));
        key = HMACSHA256.HashData(key, "s3"u8);
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        // Racing threads may each derive the key around midnight; any of their results is right.
        var signingKey = new SigningKey(dateText, key, $"{dateText}/{_region}/s3/aws4_request");
        Volatile.Write(ref _signingKey, signingKey);
        return signingKey;
    }

    /// <summary>The derived key for one date and the credential scope it signs for.</summary>
    private sealed record SigningKey(string Date, byte[] Key, string Scope);
}
