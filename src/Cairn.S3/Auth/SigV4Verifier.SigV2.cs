using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>
/// Signature Version 2, in the header form (<c>Authorization: AWS AccessKeyId:Signature</c>) and the query
/// form (<c>AWSAccessKeyId</c>, <c>Expires</c>, <c>Signature</c>): HMAC-SHA1 over
/// <see cref="SigV2StringToSign"/>. The AWS CLI v1 presigns with it by default, and older tools sign headers
/// with it. https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
/// </summary>
/// <remarks>
/// Refusals come in the order S3 checks them. Header: the header's shape, the date (x-amz-date when sent,
/// else Date), the clock skew, the access key, the signature. Query: the three parameters, Expires as a
/// number, its expiry (a query has no skew window: it is valid until Expires, however far ahead), the access
/// key, the signature. SigV2 signs no body: the payload is <see cref="PayloadMode.Unsigned"/>, and Content-MD5,
/// when sent, is checked by the handler.
/// </remarks>
public sealed partial class SigV4Verifier
{
    private const string SigV2Scheme = "AWS";
    private const int Sha1Length = 20;

    /// <summary>
    /// The largest Expires S3 reads as a date: seconds in a signed 32-bit integer (2147483647 is a date,
    /// 2147483648 is not).
    /// </summary>
    private const long MaxSigV2Expires = int.MaxValue;

    /// <summary>True when <paramref name="authorization"/> names the SigV2 scheme (S3 matches it without case).</summary>
    private static bool IsSigV2Header(string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? authorization.AsSpan() : authorization.AsSpan(0, space);
        return scheme.Equals(SigV2Scheme, StringComparison.OrdinalIgnoreCase);
    }

    private AuthResult VerifySigV2Header(in SigV4Request request, List<QueryParameter> query, string authorization)
    {
        // "AWS" then exactly one space (SigV4's header may carry more, this one may not).
        var credentials = authorization.AsSpan(Math.Min(authorization.Length, SigV2Scheme.Length + 1));
        if (authorization.Length == SigV2Scheme.Length || credentials.StartsWith(' '))
        {
            throw S3Errors.AuthorizationHeaderSpacing(authorization);
        }
        var colon = credentials.IndexOf(':');
        if (colon < 0 || colon == credentials.Length - 1 || credentials[(colon + 1)..].Contains(':'))
        {
            throw S3Errors.SigV2AuthorizationHeaderInvalid(authorization);
        }
        var accessKeyId = credentials[..colon].ToString();
        var claimedSignature = credentials[(colon + 1)..].ToString();

        // x-amz-date, when sent, is the request time and is signed among the x-amz-* headers, and the
        // Date line is empty; else the Date header is both.
        var amzDate = FirstValue(request.Headers, "x-amz-date");
        var dateAsSent = amzDate ?? FirstValue(request.Headers, "Date");
        if (dateAsSent is null || !TryParseSigV2Date(dateAsSent, out var requestTime))
        {
            throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        var now = _timeProvider.GetUtcNow();
        if ((requestTime - now).Duration() > S3Limits.MaxClockSkew)
        {
            throw S3Errors.RequestTimeTooSkewed(dateAsSent, now);
        }
        var (secretKey, principal) = LookUp(accessKeyId);
        CheckSigV2Signature(request, query, amzDate is null ? dateAsSent : "", fromQuery: false, accessKeyId, secretKey, claimedSignature);
        return new AuthResult(principal, PayloadMode.Unsigned, PayloadSha256Hex: null, ChunkSigning: null, IsPresigned: false);
    }

    private AuthResult VerifySigV2Query(in SigV4Request request, List<QueryParameter> query)
    {
        var accessKeyId = QueryParameter.Find(query, "AWSAccessKeyId");
        var expiresText = QueryParameter.Find(query, "Expires");
        var claimedSignature = QueryParameter.Find(query, "Signature");
        if (accessKeyId is null || expiresText is null || claimedSignature is null)
        {
            throw S3Errors.SigV2QueryParametersMissing();
        }
        if (!long.TryParse(expiresText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expires)
            || expires > MaxSigV2Expires)
        {
            throw S3Errors.SigV2ExpiresInvalid(expiresText);
        }
        var now = _timeProvider.GetUtcNow();
        if (now > ExpiryOf(expires))
        {
            throw S3Errors.SigV2RequestExpired(ExpiryOf(expires), now);
        }
        var (secretKey, principal) = LookUp(accessKeyId);
        // Base64 has no spaces, so a space here was an unescaped '+' that form decoding turned into one.
        CheckSigV2Signature(request, query, expiresText, fromQuery: true, accessKeyId, secretKey, claimedSignature.Replace(' ', '+'));
        return new AuthResult(principal, PayloadMode.Unsigned, PayloadSha256Hex: null, ChunkSigning: null, IsPresigned: true);
    }

    /// <summary>The instant an Expires names, clamped to the earliest instant .NET can hold.</summary>
    private static DateTimeOffset ExpiryOf(long expiresSeconds) =>
        expiresSeconds < DateTimeOffset.MinValue.ToUnixTimeSeconds()
            ? DateTimeOffset.MinValue
            : DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);

    /// <summary>
    /// Compares HMAC-SHA1(secret, string to sign) with the claimed Base64 signature in constant time; throws
    /// SignatureDoesNotMatch, naming the string to sign, when they differ.
    /// </summary>
    private static void CheckSigV2Signature(
        in SigV4Request request,
        List<QueryParameter> query,
        string dateLine,
        bool fromQuery,
        string accessKeyId,
        string secretKey,
        string claimedSignature)
    {
        var stringToSign = new Utf8Builder(512);
        try
        {
            SigV2StringToSign.Write(ref stringToSign, request, query, dateLine, fromQuery);
            Span<byte> expected = stackalloc byte[Sha1Length];
            HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), stringToSign.Written, expected);
            Span<byte> claimed = stackalloc byte[32];
            if (!Convert.TryFromBase64String(claimedSignature, claimed, out var written)
                || written != Sha1Length
                || !CryptographicOperations.FixedTimeEquals(claimed[..Sha1Length], expected))
            {
                throw S3Errors.SignatureDoesNotMatchV2(accessKeyId, stringToSign.ToString(), stringToSign.Written);
            }
        }
        finally
        {
            stringToSign.Dispose();
        }
    }

    /// <summary>
    /// A SigV2 request date: the HTTP date forms (RFC 1123, RFC 850, asctime), also with a numeric zone as
    /// AWS's own examples write it (<c>Tue, 27 Mar 2007 19:36:42 +0000</c>), or the ISO 8601 forms.
    /// </summary>
    private static bool TryParseSigV2Date(string value, out DateTimeOffset time)
    {
        if (S3Date.TryParseHttpDate(value, out time))
        {
            return true;
        }
        string[] numericZone = ["ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss zzz"];
        return DateTimeOffset.TryParseExact(value.Trim(), numericZone, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal, out time);
    }
}
