using System.Globalization;
using Cairn.Core;

namespace Cairn.S3.Errors;

/// <summary>Authentication errors, worded as S3 words them.</summary>
/// <remarks>
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html. Details never carry a secret or a
/// signature (STYLE B7).
/// </remarks>
public static partial class S3Errors
{
    /// <summary>AccessDenied for a request with neither an Authorization header nor presigned query parameters.</summary>
    public static S3Exception MissingAuthentication() => new(S3ErrorCode.AccessDenied);

    /// <summary>AuthorizationHeaderMalformed; <paramref name="region"/> is the expected region, when that is the fault.</summary>
    public static S3Exception AuthorizationHeaderMalformed(string detail, string? region = null) =>
        new(S3ErrorCode.AuthorizationHeaderMalformed, "The authorization header is malformed; " + detail)
        {
            Details = region is null ? [] : [new("Region", region)],
        };

    /// <summary>AuthorizationQueryParametersError (presigned URLs).</summary>
    public static S3Exception AuthorizationQueryParametersError(string message, string? region = null) =>
        new(S3ErrorCode.AuthorizationQueryParametersError, message)
        {
            Details = region is null ? [] : [new("Region", region)],
        };

    /// <summary>InvalidAccessKeyId.</summary>
    public static S3Exception InvalidAccessKeyId(string accessKeyId) =>
        new(S3ErrorCode.InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.")
        {
            Details = [new("AWSAccessKeyId", accessKeyId)],
        };

    /// <summary>RequestTimeTooSkewed, naming the request's date as it was sent (X-Amz-Date, or Date) and the server's clock.</summary>
    public static S3Exception RequestTimeTooSkewed(string requestTimeAsSent, DateTimeOffset serverTime) =>
        new(S3ErrorCode.RequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
        {
            Details =
            [
                new("RequestTime", requestTimeAsSent),
                new("ServerTime", ErrorTime(serverTime)),
                new("MaxAllowedSkewMilliseconds", ((long)S3Limits.MaxClockSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
            ],
        };

    /// <summary>
    /// AccessDenied for a presigned URL used after X-Amz-Date + X-Amz-Expires (an X-Amz-Expires of 0 included:
    /// S3 accepts 0 as a number and answers that the request has expired). X-Amz-Expires is named as sent.
    /// </summary>
    public static S3Exception RequestExpired(string expiresAsSent, DateTimeOffset expiredAt, DateTimeOffset serverTime) =>
        new(S3ErrorCode.AccessDenied, RequestHasExpired)
        {
            Details =
            [
                new("X-Amz-Expires", expiresAsSent),
                new("Expires", ErrorTime(expiredAt)),
                new("ServerTime", ErrorTime(serverTime)),
            ],
        };

    /// <summary>AccessDenied for a presigned URL dated further in the future than the allowed clock skew.</summary>
    public static S3Exception RequestNotYetValid(DateTimeOffset signedAt, DateTimeOffset expiresAt, DateTimeOffset serverTime) =>
        new(S3ErrorCode.AccessDenied, "Request is not yet valid")
        {
            Details =
            [
                // S3 names X-Amz-Date here in milliseconds since the epoch.
                new("X-Amz-Date", signedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
                new("Expires", ErrorTime(expiresAt)),
                new("ServerTime", ErrorTime(serverTime)),
            ],
        };

    /// <summary>AccessDenied for x-amz-* headers left out of SignedHeaders.</summary>
    public static S3Exception HeadersNotSigned(string headerNames) =>
        new(S3ErrorCode.AccessDenied, "There were headers present in the request which were not signed")
        {
            Details = [new("HeadersNotSigned", headerNames)],
        };

    /// <summary>SignatureDoesNotMatch with what S3 returns to help a client debug its signer (no secrets, no signature).</summary>
    public static S3Exception SignatureDoesNotMatch(string accessKeyId, string stringToSign, string canonicalRequest) =>
        new(S3ErrorCode.SignatureDoesNotMatch)
        {
            Details =
            [
                new("AWSAccessKeyId", accessKeyId),
                new("StringToSign", stringToSign),
                new("CanonicalRequest", canonicalRequest),
            ],
        };

    /// <summary>
    /// SigV2's SignatureDoesNotMatch: what S3 returns to help a client debug its signer, the string to sign
    /// and its UTF-8 bytes in hex (SigV2 has no canonical request; no secret, no signature).
    /// </summary>
    public static S3Exception SignatureDoesNotMatchV2(string accessKeyId, string stringToSign, ReadOnlySpan<byte> stringToSignBytes) =>
        new(S3ErrorCode.SignatureDoesNotMatch)
        {
            Details =
            [
                new("AWSAccessKeyId", accessKeyId),
                new("StringToSign", stringToSign),
                new("StringToSignBytes", HexBytes(stringToSignBytes)),
            ],
        };

    /// <summary>InvalidArgument for an Authorization header with no space, or more than one, after its scheme.</summary>
    public static S3Exception AuthorizationHeaderSpacing(string authorization) =>
        InvalidArgument("Authorization header is invalid -- one and only one ' ' (space) required", "Authorization", authorization);

    /// <summary>InvalidArgument for a SigV2 Authorization header that is not <c>AWS AccessKeyId:Signature</c>.</summary>
    public static S3Exception SigV2AuthorizationHeaderInvalid(string authorization) =>
        InvalidArgument("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", "Authorization", authorization);

    /// <summary>
    /// InvalidArgument for a request authenticated twice: an Authorization header beside presigned query
    /// parameters, or SigV4 and SigV2 query parameters together (then S3 names no ArgumentValue).
    /// </summary>
    public static S3Exception MoreThanOneAuthMechanism(string? authorization) =>
        new(S3ErrorCode.InvalidArgument,
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
        {
            Details = authorization is null
                ? [new("ArgumentName", "Authorization")]
                : [new("ArgumentName", "Authorization"), new("ArgumentValue", authorization)],
        };

    /// <summary>AccessDenied for a SigV2 query (a Signature parameter) without Expires or AWSAccessKeyId.</summary>
    public static S3Exception SigV2QueryParametersMissing() =>
        new(S3ErrorCode.AccessDenied, "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");

    /// <summary>AccessDenied for a SigV2 query whose Expires is not whole seconds since the epoch S3 can read.</summary>
    public static S3Exception SigV2ExpiresInvalid(string expiresAsSent) =>
        new(S3ErrorCode.AccessDenied, "Invalid date (should be seconds since epoch): " + expiresAsSent);

    /// <summary>AccessDenied for a SigV2 query URL used after its Expires.</summary>
    public static S3Exception SigV2RequestExpired(DateTimeOffset expiredAt, DateTimeOffset serverTime) =>
        new(S3ErrorCode.AccessDenied, RequestHasExpired)
        {
            Details = [new("Expires", ErrorTime(expiredAt)), new("ServerTime", ErrorTime(serverTime))],
        };

    /// <summary>XAmzContentSHA256Mismatch: the body does not hash to the declared x-amz-content-sha256.</summary>
    public static S3Exception XAmzContentSHA256Mismatch(string clientHex, string computedHex) =>
        new(S3ErrorCode.XAmzContentSHA256Mismatch)
        {
            Details = [new("ClientComputedContentSHA256", clientHex), new("S3ComputedContentSHA256", computedHex)],
        };

    /// <summary>IncompleteBody: the body ended early or its framing is broken.</summary>
    public static S3Exception IncompleteBody(string? message = null) => new(S3ErrorCode.IncompleteBody, message);

    /// <summary>InvalidChunkSizeError: a signed chunk other than the last is under 8 KiB, or a size is unreadable.</summary>
    public static S3Exception InvalidChunkSizeError(string? message = null) => new(S3ErrorCode.InvalidChunkSizeError, message);

    /// <summary>MalformedTrailerError: trailers missing, undeclared, repeated or unparsable.</summary>
    public static S3Exception MalformedTrailerError(string? message = null) => new(S3ErrorCode.MalformedTrailerError, message);

    private const string RequestHasExpired = "Request has expired";

    /// <summary>Times in authentication errors: ISO 8601 to the second, as S3 writes ServerTime and Expires there.</summary>
    private static string ErrorTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Bytes as S3's StringToSignBytes writes them: two lower-case hex digits each, separated by spaces.</summary>
    private static string HexBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }
        return string.Create(bytes.Length * 3 - 1, bytes.ToArray(), static (chars, data) =>
        {
            for (var i = 0; i < data.Length; i++)
            {
                if (i > 0)
                {
                    chars[i * 3 - 1] = ' ';
                }
                data[i].TryFormat(chars[(i * 3)..], out _, "x2", CultureInfo.InvariantCulture);
            }
        });
    }
}
