using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// A plain, string-based SigV4 signer for wire tests, written apart from the server's span-based
/// verifier so each checks the other (same approach as Cairn.S3.Tests' TestSigner, which test
/// projects cannot share). Header form, presigned form, and aws-chunked bodies with chunk and
/// trailer signatures (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
/// </summary>
internal sealed class WireSigner(string accessKey, string secretKey, string region)
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public string AccessKey { get; } = accessKey;

    public string Region { get; } = region;

    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>SigV4 URI encoding of UTF-8 bytes: unreserved characters kept, '/' kept when asked, all else %XX upper case.</summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>The path-style request path for a bucket and optional key, encoded as sent and as signed.</summary>
    public static string PathOf(string bucket, string? key = null) =>
        "/" + UriEncode(bucket, keepSlash: false) + (key is null ? "" : "/" + UriEncode(key, keepSlash: true));

    public byte[] SigningKey(DateTimeOffset time)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), AmzDate(time)[..8]);
        key = Hmac(key, Region);
        key = Hmac(key, "s3");
        return Hmac(key, "aws4_request");
    }

    /// <summary>
    /// A browser upload's form for <paramref name="key"/> in <paramref name="bucket"/>, signed as SigV4 signs a
    /// POST policy (the HMAC of the Base64 policy): the multipart/form-data body, the file last, and its Content-Type.
    /// </summary>
    public (string ContentType, byte[] Body) PostForm(string bucket, string key, string content, DateTimeOffset time,
        IReadOnlyList<(string Name, string Value)>? extraFields = null)
    {
        var credential = $"{AccessKey}/{AmzDate(time)[..8]}/{Region}/s3/aws4_request";
        var expiration = time.AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture);
        var signed = new List<(string Name, string Value)>
        {
            ("key", key), ("x-amz-algorithm", "AWS4-HMAC-SHA256"), ("x-amz-credential", credential), ("x-amz-date", AmzDate(time)),
        };
        signed.AddRange(extraFields ?? []);
        // Every field a condition of the policy (S3's rule), the bucket too.
        var conditions = new List<Dictionary<string, string>> { new() { ["bucket"] = bucket } };
        conditions.AddRange(signed.Select(static field => new Dictionary<string, string> { [field.Name] = field.Value }));
        var policy = Convert.ToBase64String(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["expiration"] = expiration,
            ["conditions"] = conditions,
        }));
        var fields = signed.Concat([("policy", policy), ("x-amz-signature", Convert.ToHexStringLower(Hmac(SigningKey(time), policy)))]);
        const string Boundary = "cairn-form-boundary";
        var body = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            body.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        }
        body.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\n{content}\r\n--{Boundary}--\r\n");
        return ($"multipart/form-data; boundary={Boundary}", Encoding.UTF8.GetBytes(body.ToString()));
    }

    /// <summary>
    /// Signs <paramref name="request"/> in the header form: sets x-amz-date and x-amz-content-sha256,
    /// signs every header the request carries (host included) and sets Authorization. Returns the
    /// signature, which seeds the chunk signatures of a streaming body.
    /// </summary>
    public string SignHeaders(WireRequest request, DateTimeOffset time, string payloadHash)
    {
        request.Headers["x-amz-date"] = AmzDate(time);
        request.Headers["x-amz-content-sha256"] = payloadHash;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Headers)
        {
            headers[name.ToLowerInvariant()] = value;
        }
        var signedHeaders = string.Join(';', headers.Keys);
        var signature = Signature(request.Method, request.Path, CanonicalQuery(request.Query), headers, signedHeaders, payloadHash, time);
        request.Headers["Authorization"] =
            $"AWS4-HMAC-SHA256 Credential={AccessKey}/{Scope(time)}, SignedHeaders={signedHeaders}, Signature={signature}";
        return signature;
    }

    /// <summary>
    /// Signs <paramref name="request"/> in the presigned form (host signed, UNSIGNED-PAYLOAD): appends the
    /// X-Amz-* parameters to its query. <paramref name="expiresSeconds"/> is written as given, even out of range.
    /// </summary>
    public void Presign(WireRequest request, DateTimeOffset time, long expiresSeconds)
    {
        var parameters = new List<string>
        {
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=" + UriEncode($"{AccessKey}/{Scope(time)}", keepSlash: false),
            "X-Amz-Date=" + AmzDate(time),
            "X-Amz-Expires=" + expiresSeconds.ToString(CultureInfo.InvariantCulture),
            "X-Amz-SignedHeaders=host",
        };
        if (request.Query.Length > 0)
        {
            parameters.Insert(0, request.Query);
        }
        request.Query = string.Join('&', parameters);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = request.Headers["host"] };
        var signature = Signature(request.Method, request.Path, CanonicalQuery(request.Query), headers, "host", UnsignedPayload, time);
        request.Query += "&X-Amz-Signature=" + signature;
    }

    /// <summary>
    /// An aws-chunked body: one chunk per entry of <paramref name="chunks"/>, then the final empty
    /// chunk and the trailers. With <paramref name="seedSignature"/> the chunks are signed
    /// (chained from the request's signature), and with <paramref name="signTrailers"/> the trailer
    /// section carries x-amz-trailer-signature. <paramref name="tamper"/> may change a chunk's bytes
    /// or claimed signature after signing, to build bodies a correct client never sends.
    /// </summary>
    public byte[] ChunkedBody(
        IReadOnlyList<byte[]> chunks,
        DateTimeOffset time,
        string? seedSignature,
        IReadOnlyList<(string Name, string Value)>? trailers = null,
        bool signTrailers = false,
        Func<int, byte[], string, (byte[] Data, string Signature)>? tamper = null)
    {
        var signingKey = SigningKey(time);
        var body = new MemoryStream();
        var previous = seedSignature;
        for (var i = 0; i <= chunks.Count; i++)
        {
            var data = i < chunks.Count ? chunks[i] : [];
            if (previous is null)
            {
                Ascii(body, $"{data.Length:x}\r\n");
            }
            else
            {
                previous = ChunkSignature(signingKey, time, previous, data);
                var claimed = previous;
                if (tamper is not null && i < chunks.Count)
                {
                    (data, claimed) = tamper(i, data, previous);
                }
                Ascii(body, $"{data.Length:x};chunk-signature={claimed}\r\n");
            }
            body.Write(data);
            if (data.Length > 0)
            {
                Ascii(body, "\r\n");
            }
        }
        var canonicalTrailers = new StringBuilder();
        foreach (var (name, value) in trailers ?? [])
        {
            Ascii(body, $"{name}:{value}\r\n");
            canonicalTrailers.Append(name).Append(':').Append(value).Append('\n');
        }
        if (signTrailers)
        {
            var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-TRAILER", AmzDate(time), Scope(time), previous,
                Sha256Hex(Encoding.ASCII.GetBytes(canonicalTrailers.ToString())));
            Ascii(body, $"x-amz-trailer-signature:{Convert.ToHexStringLower(Hmac(signingKey, stringToSign))}\r\n");
        }
        Ascii(body, "\r\n");
        return body.ToArray();
    }

    private string ChunkSignature(byte[] signingKey, DateTimeOffset time, string previous, ReadOnlySpan<byte> data)
    {
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", AmzDate(time), Scope(time), previous, EmptySha256, Sha256Hex(data));
        return Convert.ToHexStringLower(Hmac(signingKey, stringToSign));
    }

    private string Signature(string method, string path, string canonicalQuery, SortedDictionary<string, string> headers,
        string signedHeaders, string payloadHash, DateTimeOffset time)
    {
        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders.Split(';'))
        {
            canonicalHeaders.Append(name).Append(':').Append(headers[name].Trim()).Append('\n');
        }
        var canonicalRequest = string.Join('\n', method, path, canonicalQuery, canonicalHeaders.ToString(), signedHeaders, payloadHash);
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", AmzDate(time), Scope(time), Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest)));
        return Convert.ToHexStringLower(Hmac(SigningKey(time), stringToSign));
    }

    /// <summary>The query as sent (already encoded), sorted by name then value; a bare name gets an empty value.</summary>
    private static string CanonicalQuery(string query)
    {
        if (query.Length == 0)
        {
            return "";
        }
        var pairs = query.Split('&').Select(static pair => pair.Contains('=') ? pair : pair + "=").ToList();
        pairs.Sort(static (a, b) =>
        {
            var (nameA, valueA) = (a[..a.IndexOf('=')], a[(a.IndexOf('=') + 1)..]);
            var (nameB, valueB) = (b[..b.IndexOf('=')], b[(b.IndexOf('=') + 1)..]);
            var byName = string.CompareOrdinal(nameA, nameB);
            return byName != 0 ? byName : string.CompareOrdinal(valueA, valueB);
        });
        return string.Join('&', pairs);
    }

    private string Scope(DateTimeOffset time) => $"{AmzDate(time)[..8]}/{Region}/s3/aws4_request";

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static void Ascii(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
