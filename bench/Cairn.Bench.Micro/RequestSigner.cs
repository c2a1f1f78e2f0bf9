using System.Security.Cryptography;
using System.Text;

namespace Cairn.Bench.Micro;

/// <summary>
/// A plain string-based SigV4 signer for setting up the verification benchmarks. It is kept apart
/// from Cairn's verifier on purpose: a signature the verifier accepts was then not produced by the
/// code under test. Speed does not matter here; it runs once per benchmark process.
/// </summary>
internal static class RequestSigner
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary><c>yyyyMMdd'T'HHmmss'Z'</c>, the SigV4 timestamp form.</summary>
    public static string AmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>date/region/s3/aws4_request</c>.</summary>
    public static string Scope(DateTimeOffset time, string region) => $"{AmzDate(time)[..8]}/{region}/s3/aws4_request";

    /// <summary>
    /// The hex signature of a request. <paramref name="canonicalQuery"/> must already be sorted and
    /// encoded; <paramref name="signedHeaders"/> maps lower-case names to values, in signing order.
    /// </summary>
    public static string Sign(
        string secretKey,
        string region,
        DateTimeOffset time,
        string method,
        string canonicalPath,
        string canonicalQuery,
        SortedDictionary<string, string> signedHeaders,
        string payloadHash)
    {
        var canonicalHeaders = new StringBuilder();
        foreach (var (name, value) in signedHeaders)
        {
            canonicalHeaders.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }
        var canonicalRequest = string.Join('\n',
            method, canonicalPath, canonicalQuery, canonicalHeaders.ToString(), SignedHeaderList(signedHeaders), payloadHash);
        var stringToSign = string.Join('\n',
            Algorithm, AmzDate(time), Scope(time, region), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), AmzDate(time)[..8]);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        key = Hmac(key, "aws4_request");
        return Convert.ToHexStringLower(Hmac(key, stringToSign));
    }

    /// <summary>The header names joined with ';', as SignedHeaders carries them.</summary>
    public static string SignedHeaderList(SortedDictionary<string, string> signedHeaders) => string.Join(';', signedHeaders.Keys);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
