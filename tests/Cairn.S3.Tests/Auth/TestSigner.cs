using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// A deliberately plain, string-based SigV4 signer written for the tests, separate from the production
/// code, so negative tests can build correctly signed requests at any time, region or key.
/// </summary>
internal static class TestSigner
{
    public const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public static readonly DateTimeOffset VectorTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    public static byte[] SigningKey(string secret, string date, string region)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        return Hmac(key, "aws4_request");
    }

    public static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string Sha256Hex(byte[] data) => Hex(SHA256.HashData(data));

    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Signs a request in the header form: adds host (if absent), x-amz-date and x-amz-content-sha256, signs
    /// every header present, and sets Authorization. <paramref name="canonicalQuery"/> must already be canonical.
    /// </summary>
    public static HeaderDictionary SignHeaders(
        string method,
        string canonicalPath,
        string canonicalQuery,
        Dictionary<string, string> headers,
        DateTimeOffset time,
        string payloadHash = "UNSIGNED-PAYLOAD",
        string region = Region,
        string accessKey = AccessKey,
        string secretKey = SecretKey)
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            all[name.ToLowerInvariant()] = value;
        }
        all.TryAdd("host", "examplebucket.s3.amazonaws.com");
        all["x-amz-date"] = AmzDate(time);
        all["x-amz-content-sha256"] = payloadHash;
        var signedHeaders = string.Join(';', all.Keys);
        var signature = Signature(method, canonicalPath, canonicalQuery, all, signedHeaders, payloadHash, time, region, secretKey);
        var result = new HeaderDictionary();
        foreach (var (name, value) in all)
        {
            result[name] = value;
        }
        var date = AmzDate(time)[..8];
        result["Authorization"] =
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{date}/{region}/s3/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}";
        return result;
    }

    /// <summary>A presigned query string (signing only host) for GET <paramref name="canonicalPath"/>.</summary>
    public static string Presign(
        string canonicalPath,
        DateTimeOffset time,
        long expires,
        string region = Region,
        string accessKey = AccessKey,
        string secretKey = SecretKey,
        string host = "examplebucket.s3.amazonaws.com")
    {
        var date = AmzDate(time)[..8];
        var credential = Uri.EscapeDataString($"{accessKey}/{date}/{region}/s3/aws4_request");
        var query = $"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date={AmzDate(time)}"
            + $"&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = host };
        var signature = Signature("GET", canonicalPath, query, headers, "host", "UNSIGNED-PAYLOAD", time, region, secretKey);
        return query + "&X-Amz-Signature=" + signature;
    }

    public static string Signature(
        string method,
        string canonicalPath,
        string canonicalQuery,
        SortedDictionary<string, string> headers,
        string signedHeaders,
        string payloadHash,
        DateTimeOffset time,
        string region,
        string secretKey)
    {
        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders.Split(';'))
        {
            canonicalHeaders.Append(name).Append(':').Append(headers[name].Trim()).Append('\n');
        }
        var canonicalRequest = string.Join('\n', method, canonicalPath, canonicalQuery, canonicalHeaders.ToString(), signedHeaders, payloadHash);
        var date = AmzDate(time)[..8];
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", AmzDate(time), $"{date}/{region}/s3/aws4_request",
            Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest)));
        return Hex(Hmac(SigningKey(secretKey, date, region), stringToSign));
    }

    /// <summary>The chained chunk signature of <paramref name="chunk"/>.</summary>
    public static string ChunkSignature(byte[] signingKey, DateTimeOffset time, string region, string previous, ReadOnlySpan<byte> chunk)
    {
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", AmzDate(time), $"{AmzDate(time)[..8]}/{region}/s3/aws4_request",
            previous, EmptySha256, Sha256Hex(chunk.ToArray()));
        return Hex(Hmac(signingKey, stringToSign));
    }

    /// <summary>The trailer signature over the canonical trailer lines (<c>name:value\n</c> each).</summary>
    public static string TrailerSignature(byte[] signingKey, DateTimeOffset time, string region, string previous, string canonicalTrailers)
    {
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-TRAILER", AmzDate(time), $"{AmzDate(time)[..8]}/{region}/s3/aws4_request",
            previous, Sha256Hex(Encoding.ASCII.GetBytes(canonicalTrailers)));
        return Hex(Hmac(signingKey, stringToSign));
    }
}
