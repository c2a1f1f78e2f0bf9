using System.Globalization;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>The presigned (query parameter) form.</summary>
/// <remarks>https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html</remarks>
public sealed partial class SigV4Verifier
{
    private const string MissingParametersMessage =
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

    private AuthResult VerifyPresigned(in SigV4Request request, List<QueryParameter> query)
    {
        var algorithm = QueryParameter.Find(query, "X-Amz-Algorithm");
        var credential = QueryParameter.Find(query, "X-Amz-Credential");
        var signatureHex = QueryParameter.Find(query, "X-Amz-Signature");
        var amzDate = QueryParameter.Find(query, "X-Amz-Date");
        var signedHeaders = QueryParameter.Find(query, "X-Amz-SignedHeaders");
        var expiresText = QueryParameter.Find(query, "X-Amz-Expires");
        if (algorithm is null || credential is null || signatureHex is null || amzDate is null
            || signedHeaders is null || expiresText is null)
        {
            throw S3Errors.AuthorizationQueryParametersError(MissingParametersMessage);
        }
        if (algorithm != SigV4Crypto.Algorithm)
        {
            throw S3Errors.AuthorizationQueryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        if (!S3Date.TryParseAmzDate(amzDate, out var requestTime))
        {
            throw S3Errors.AuthorizationQueryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        }
        var expires = ParseExpires(expiresText);

        // S3 judges the time window before it reads the credential: an expired URL is "Request has
        // expired" whatever its scope or key.
        var now = _timeProvider.GetUtcNow();
        var expiresAt = requestTime.AddSeconds(expires);
        if (requestTime - now > S3Limits.MaxClockSkew)
        {
            throw S3Errors.RequestNotYetValid(requestTime, expiresAt, now);
        }
        if (now > expiresAt)
        {
            // X-Amz-Expires=0 lands here too: S3 takes 0 as a number and answers that the request
            // has expired, not AuthorizationQueryParametersError.
            throw S3Errors.RequestExpired(expiresText, expiresAt, now);
        }
        if (!AuthorizationHeader.IsValidSignedHeaders(signedHeaders))
        {
            throw S3Errors.AuthorizationQueryParametersError("X-Amz-SignedHeaders is malformed.");
        }
        var scope = ParseQueryCredential(credential, amzDate);
        var (secretKey, principal) = LookUp(scope.AccessKeyId);

        // S3 presigned URLs sign UNSIGNED-PAYLOAD unless the signer put a payload hash in the query.
        var payloadHash = QueryParameter.FindIgnoreCase(query, "X-Amz-Content-Sha256") ?? UnsignedPayload;
        var mode = ParsePayloadMode(payloadHash, presigned: true);

        var signingKey = _signingKeys.Get(secretKey, scope.Date, scope.Region);
        Span<byte> signature = stackalloc byte[32];
        CheckSignature(request, query, skipSignatureParameter: true, signedHeaders, payloadHash,
            amzDate, scope, signingKey, signatureHex, signature);
        CheckAmzHeadersSigned(request.Headers, signedHeaders);

        var payloadHex = mode == PayloadMode.SignedHex ? payloadHash.ToLowerInvariant() : null;
        return new AuthResult(principal, mode, payloadHex, ChunkSigning: null, IsPresigned: true);
    }

    /// <summary>
    /// X-Amz-Expires in seconds, 0 to 604800, as S3 reads it: a sign and digits, nothing else (no spaces,
    /// no exponent). 0 passes here and expires at once; the documented minimum of 1 is not a parse error.
    /// </summary>
    private static long ParseExpires(string text)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expires))
        {
            throw S3Errors.AuthorizationQueryParametersError("X-Amz-Expires should be a number");
        }
        if (expires < 0)
        {
            throw S3Errors.AuthorizationQueryParametersError("X-Amz-Expires must be non-negative");
        }
        if (expires > S3Limits.MaxPresignedExpirySeconds)
        {
            throw S3Errors.AuthorizationQueryParametersError(
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds");
        }
        return expires;
    }

    private CredentialScope ParseQueryCredential(string credential, string amzDate)
    {
        const string Prefix = "Error parsing the X-Amz-Credential parameter; ";
        if (!CredentialScope.TryParse(credential, out var scope))
        {
            throw S3Errors.AuthorizationQueryParametersError(
                Prefix + "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        if (!amzDate.AsSpan(0, 8).SequenceEqual(scope.Date))
        {
            throw S3Errors.AuthorizationQueryParametersError(
                $"Invalid credential date \"{scope.Date}\". This date is not the same as X-Amz-Date: \"{amzDate[..8]}\".");
        }
        if (!string.Equals(scope.Region, _region, StringComparison.Ordinal))
        {
            throw S3Errors.AuthorizationQueryParametersError(Prefix + $"the region '{scope.Region}' is wrong; expecting '{_region}'", _region);
        }
        if (scope.Service != SigV4Crypto.Service)
        {
            throw S3Errors.AuthorizationQueryParametersError(Prefix + $"incorrect service \"{scope.Service}\". This endpoint belongs to \"s3\".");
        }
        if (scope.Terminator != SigV4Crypto.Terminator)
        {
            throw S3Errors.AuthorizationQueryParametersError(Prefix + $"incorrect terminal \"{scope.Terminator}\". This endpoint uses \"aws4_request\".");
        }
        return scope;
    }
}
