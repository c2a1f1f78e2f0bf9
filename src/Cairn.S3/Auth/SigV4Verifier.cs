using System.Security.Cryptography;
using Cairn.Core;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.S3.Auth;

/// <summary>
/// The one authentication decision for S3 requests: verifies AWS Signature Version 4 in the Authorization
/// header form or the presigned query form, or legacy Signature Version 2 in either form
/// (<c>SigV4Verifier.SigV2.cs</c>), yields the <see cref="Principal"/> and says how the body is covered.
/// Errors are the S3 ones (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html).
/// </summary>
/// <remarks>
/// The body is not read here: for <see cref="PayloadMode.SignedHex"/> the caller wraps it in
/// <see cref="PayloadHashVerifyingStream"/>, for the streaming modes in <see cref="AwsChunkedStream"/>.
/// Thread-safe; one instance serves every request.
/// </remarks>
public sealed partial class SigV4Verifier
{
    internal const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    internal const string StreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    internal const string StreamingUnsignedTrailerPayload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    internal const string StreamingSignedTrailerPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private const string ContentSha256Header = "x-amz-content-sha256";

    private readonly ICredentialStore _credentials;
    private readonly string _region;
    private readonly TimeProvider _timeProvider;
    private readonly SigningKeyCache _signingKeys = new();

    /// <summary>Creates a verifier for requests scoped to <paramref name="region"/>.</summary>
    public SigV4Verifier(ICredentialStore credentials, string region, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _credentials = credentials;
        _region = region;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Checks the request's signature, whichever of the four forms it takes; throws <see cref="S3Exception"/>
    /// when it does not hold. A request carrying more than one form is refused. A request carrying none
    /// is refused too (403 AccessDenied), unless <paramref name="allowAnonymous"/>: then it is
    /// <see cref="AuthResult.Anonymous"/>, for the authorization decision to judge.
    /// </summary>
    public AuthResult Verify(in SigV4Request request, bool allowAnonymous = false)
    {
        var authorization = request.Headers.Authorization;
        var query = QueryParameter.Parse(request.RawQuery);
        var hasHeader = !StringValues.IsNullOrEmpty(authorization);
        var hasSigV4Query = QueryParameter.Find(query, "X-Amz-Algorithm") is not null
            || QueryParameter.Find(query, "X-Amz-Credential") is not null
            || QueryParameter.Find(query, "X-Amz-Signature") is not null;
        // S3 takes a Signature parameter as SigV2 query authentication; AWSAccessKeyId alone is no credential.
        var hasSigV2Query = QueryParameter.Find(query, "Signature") is not null;
        if (hasHeader && (hasSigV4Query || hasSigV2Query))
        {
            throw S3Errors.MoreThanOneAuthMechanism(authorization[0]);
        }
        if (hasHeader)
        {
            if (authorization.Count > 1)
            {
                throw S3Errors.AuthorizationHeaderMalformed("more than one Authorization header was sent.");
            }
            var value = authorization[0]!;
            return IsSigV2Header(value)
                ? VerifySigV2Header(request, query, value)
                : VerifyHeader(request, query, AuthorizationHeader.Parse(value));
        }
        if (hasSigV4Query && hasSigV2Query)
        {
            throw S3Errors.MoreThanOneAuthMechanism(authorization: null);
        }
        if (hasSigV4Query)
        {
            return VerifyPresigned(request, query);
        }
        if (hasSigV2Query)
        {
            return VerifySigV2Query(request, query);
        }
        return allowAnonymous ? AuthResult.Anonymous : throw S3Errors.MissingAuthentication();
    }

    private AuthResult VerifyHeader(in SigV4Request request, List<QueryParameter> query, AuthorizationHeader header)
    {
        var headers = request.Headers;
        var contentSha256 = FirstValue(headers, ContentSha256Header);
        if (contentSha256 is null)
        {
            // AWS wording for S3 requests signed with SigV4 that omit the payload hash.
            throw S3Errors.InvalidRequest("Missing required header for this request: x-amz-content-sha256");
        }
        var (requestTime, amzDate) = ReadRequestTime(headers);
        var scope = ParseHeaderCredential(header.Credential, amzDate);
        var (secretKey, principal) = LookUp(scope.AccessKeyId);

        var now = _timeProvider.GetUtcNow();
        if ((requestTime - now).Duration() > S3Limits.MaxClockSkew)
        {
            throw S3Errors.RequestTimeTooSkewed(FirstValue(headers, "x-amz-date") ?? FirstValue(headers, "Date")!, now);
        }
        var mode = ParsePayloadMode(contentSha256, presigned: false);

        var signingKey = _signingKeys.Get(secretKey, scope.Date, scope.Region);
        Span<byte> signature = stackalloc byte[32];
        CheckSignature(request, query, skipSignatureParameter: false, header.SignedHeaders, contentSha256,
            amzDate, scope, signingKey, header.Signature, signature);
        CheckAmzHeadersSigned(headers, header.SignedHeaders);

        var chunkSigning = mode is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer
            ? new ChunkSigningContext(signingKey, amzDate, scope.Scope, signature.ToArray())
            : null;
        var payloadHex = mode == PayloadMode.SignedHex ? contentSha256.ToLowerInvariant() : null;
        return new AuthResult(principal, mode, payloadHex, chunkSigning, IsPresigned: false);
    }

    /// <summary>
    /// Builds the canonical request and string to sign, and compares the HMAC with the claimed signature
    /// in constant time. On success <paramref name="signature"/> holds the 32 signature bytes.
    /// </summary>
    private static void CheckSignature(
        in SigV4Request request,
        List<QueryParameter> query,
        bool skipSignatureParameter,
        string signedHeaders,
        string payloadHash,
        string amzDate,
        CredentialScope scope,
        byte[] signingKey,
        string claimedSignatureHex,
        Span<byte> signature)
    {
        var canonical = new Utf8Builder(1024);
        var stringToSign = new Utf8Builder(256);
        try
        {
            CanonicalRequest.Write(ref canonical, request.Method, request.RawPath, query, skipSignatureParameter,
                request.Headers, signedHeaders, payloadHash);
            CanonicalRequest.WriteStringToSign(ref stringToSign, canonical.Written, amzDate, scope.Date, scope.Region);
            SigV4Hashes.HmacSha256(signingKey, stringToSign.Written, signature);

            Span<byte> claimed = stackalloc byte[32];
            if (!SigV4Crypto.TryParseHex(claimedSignatureHex, claimed) || !CryptographicOperations.FixedTimeEquals(claimed, signature))
            {
                throw S3Errors.SignatureDoesNotMatch(scope.AccessKeyId, stringToSign.ToString(), canonical.ToString());
            }
        }
        finally
        {
            canonical.Dispose();
            stringToSign.Dispose();
        }
    }

    /// <summary>The request time from X-Amz-Date, else Date, and its SigV4 basic form.</summary>
    private static (DateTimeOffset Time, string AmzDate) ReadRequestTime(IHeaderDictionary headers)
    {
        var amzDate = FirstValue(headers, "x-amz-date");
        if (amzDate is not null)
        {
            return S3Date.TryParseAmzDate(amzDate, out var time)
                ? (time, amzDate)
                : throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        var date = FirstValue(headers, "Date");
        if (date is not null && S3Date.TryParseHttpDate(date, out var httpTime))
        {
            return (httpTime, S3Date.ToAmzDate(httpTime));
        }
        throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
    }

    private CredentialScope ParseHeaderCredential(string credential, string amzDate)
    {
        if (!CredentialScope.TryParse(credential, out var scope))
        {
            throw S3Errors.AuthorizationHeaderMalformed(
                "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        if (!amzDate.AsSpan(0, 8).SequenceEqual(scope.Date))
        {
            throw S3Errors.AuthorizationHeaderMalformed(
                $"Invalid credential date \"{scope.Date}\". This date is not the same as X-Amz-Date: \"{amzDate[..8]}\".");
        }
        if (!string.Equals(scope.Region, _region, StringComparison.Ordinal))
        {
            throw S3Errors.AuthorizationHeaderMalformed($"the region '{scope.Region}' is wrong; expecting '{_region}'", _region);
        }
        if (scope.Service != SigV4Crypto.Service)
        {
            throw S3Errors.AuthorizationHeaderMalformed($"incorrect service \"{scope.Service}\". This endpoint belongs to \"s3\".");
        }
        if (scope.Terminator != SigV4Crypto.Terminator)
        {
            throw S3Errors.AuthorizationHeaderMalformed($"incorrect terminal \"{scope.Terminator}\". This endpoint uses \"aws4_request\".");
        }
        return scope;
    }

    private (string SecretKey, Principal Principal) LookUp(string accessKeyId) =>
        _credentials.TryGetSecret(accessKeyId, out var secretKey, out var principal)
            ? (secretKey, principal)
            : throw S3Errors.InvalidAccessKeyId(accessKeyId);

    private static PayloadMode ParsePayloadMode(string value, bool presigned)
    {
        switch (value)
        {
            case UnsignedPayload:
                return PayloadMode.Unsigned;
            case StreamingSignedPayload when !presigned:
                return PayloadMode.StreamingSigned;
            case StreamingUnsignedTrailerPayload when !presigned:
                return PayloadMode.StreamingUnsignedTrailer;
            case StreamingSignedTrailerPayload when !presigned:
                return PayloadMode.StreamingSignedTrailer;
            case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" or "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER" when !presigned:
                throw S3Errors.NotImplemented("Signature Version 4A streaming (AWS4-ECDSA-P256-SHA256)");
        }
        if (SigV4Crypto.IsSha256Hex(value))
        {
            return PayloadMode.SignedHex;
        }
        throw S3Errors.InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
            ContentSha256Header, value);
    }

    /// <summary>
    /// S3 refuses x-amz-* headers left out of SignedHeaders (they change what a request does), except
    /// x-amz-content-sha256, which it tolerates unsigned.
    /// </summary>
    private static void CheckAmzHeadersSigned(IHeaderDictionary headers, string signedHeaders)
    {
        List<string>? unsigned = null;
        foreach (var (name, _) in headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
                && !name.Equals(ContentSha256Header, StringComparison.OrdinalIgnoreCase)
                && !IsSigned(signedHeaders, name))
            {
                (unsigned ??= []).Add(name.ToLowerInvariant());
            }
        }
        if (unsigned is not null)
        {
            unsigned.Sort(StringComparer.Ordinal);
            throw S3Errors.HeadersNotSigned(string.Join(", ", unsigned));
        }
    }

    private static bool IsSigned(string signedHeaders, string name)
    {
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            if (signedHeaders.AsSpan(range).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static string? FirstValue(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
