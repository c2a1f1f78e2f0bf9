using System.Security.Cryptography;
using Cairn.Core;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Auth;

/// <summary>
/// Signs an outgoing request with AWS Signature Version 4 in the Authorization header form, for
/// Cairn's own clients (the <c>cairn</c> command-line tools). It builds the canonical request with
/// the verifier's code (<see cref="CanonicalRequest"/>, <see cref="QueryParameter"/>) and derives
/// the key with <see cref="SigV4Crypto"/>, so what it signs is what <see cref="SigV4Verifier"/> checks.
/// </summary>
/// <remarks>
/// The signed headers are <c>host;x-amz-content-sha256;x-amz-date</c>, the service <c>s3</c>. The
/// canonical URI is the request's path as it goes on the wire (<see cref="Uri.PathAndQuery"/>,
/// already percent-encoded): it is decoded and encoded once with the SigV4 rule, which leaves a
/// path encoded the RFC 3986 way unchanged. The canonical query is sorted, with RFC 3986 unreserved
/// characters kept and every other byte %XX in upper case (space %20). As on S3, a raw '+' in the
/// query stands for a space: encode a literal '+' as %2B (<see cref="Uri.EscapeDataString(string)"/> does).
/// </remarks>
public static class SigV4Signer
{
    /// <summary>The hex SHA-256 of an empty body.</summary>
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private const string SignedHeaders = "host;x-amz-content-sha256;x-amz-date";

    /// <summary>
    /// Sets <c>x-amz-date</c>, <c>x-amz-content-sha256</c> and <c>Authorization</c> on
    /// <paramref name="request"/> (replacing earlier values), and <c>Host</c> when it is not set,
    /// to the value the client would send, so that the signed value is the sent one.
    /// </summary>
    /// <param name="request">A request with an absolute URI. Its content, if any, is serialized once to hash it, so
    /// it must be able to serialize again when sent (<see cref="ByteArrayContent"/>, or a seekable stream).</param>
    /// <param name="accessKey">The access key id.</param>
    /// <param name="secretKey">The secret key.</param>
    /// <param name="region">The region the server expects in the credential scope.</param>
    /// <param name="now">The signing time.</param>
    public static void Sign(HttpRequestMessage request, string accessKey, string secretKey, string region, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(accessKey);
        ArgumentException.ThrowIfNullOrEmpty(secretKey);
        ArgumentException.ThrowIfNullOrEmpty(region);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request needs an absolute URI to be signed.", nameof(request));
        }

        var host = request.Headers.Host;
        if (string.IsNullOrEmpty(host))
        {
            host = HostHeader(uri);
            request.Headers.Host = host;
        }
        var amzDate = S3Date.ToAmzDate(now);
        var date = amzDate[..8];
        var payloadHash = PayloadHash(request.Content);
        var (rawPath, rawQuery) = SplitTarget(uri.PathAndQuery);
        var signature = Signature(request.Method.Method, rawPath, rawQuery, host, payloadHash, amzDate, secretKey, region);

        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4Crypto.Algorithm} Credential={accessKey}/{date}/{region}/{SigV4Crypto.Service}/{SigV4Crypto.Terminator}, "
            + $"SignedHeaders={SignedHeaders}, Signature={signature}");
    }

    /// <summary>The hex signature over the canonical request the verifier would build from these values.</summary>
    private static string Signature(string method, string rawPath, string rawQuery, string host, string payloadHash, string amzDate,
        string secretKey, string region)
    {
        var headers = new HeaderDictionary
        {
            ["host"] = host,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        var date = amzDate[..8];
        var canonical = new Utf8Builder(512);
        var stringToSign = new Utf8Builder(256);
        try
        {
            CanonicalRequest.Write(ref canonical, method, rawPath, QueryParameter.Parse(rawQuery), skipSignatureParameter: false,
                headers, SignedHeaders, payloadHash);
            CanonicalRequest.WriteStringToSign(ref stringToSign, canonical.Written, amzDate, date, region);

            var signingKey = SigV4Crypto.DeriveSigningKey(secretKey, date, region);
            Span<byte> signature = stackalloc byte[32];
            HMACSHA256.HashData(signingKey, stringToSign.Written, signature);
            CryptographicOperations.ZeroMemory(signingKey);
            return Convert.ToHexStringLower(signature);
        }
        finally
        {
            canonical.Dispose();
            stringToSign.Dispose();
        }
    }

    /// <summary>What HttpClient sends as Host: the host (IPv6 in brackets), and the port unless it is the scheme's default.</summary>
    private static string HostHeader(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 && !uri.IdnHost.StartsWith('[') ? $"[{uri.IdnHost}]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
    }

    /// <summary>
    /// The hex SHA-256 of the body, serialized the way sending serializes it (so a seekable stream
    /// is rewound for the send, and nothing is buffered here).
    /// </summary>
    private static string PayloadHash(HttpContent? content)
    {
        if (content is null)
        {
            return EmptySha256;
        }
        using var sha256 = SHA256.Create();
        using (var hashing = new CryptoStream(Stream.Null, sha256, CryptoStreamMode.Write))
        {
            content.CopyTo(hashing, context: null, CancellationToken.None);
        }
        return Convert.ToHexStringLower(sha256.Hash!);
    }

    private static (string Path, string Query) SplitTarget(string pathAndQuery)
    {
        var question = pathAndQuery.IndexOf('?');
        return question < 0 ? (pathAndQuery, "") : (pathAndQuery[..question], pathAndQuery[(question + 1)..]);
    }
}
