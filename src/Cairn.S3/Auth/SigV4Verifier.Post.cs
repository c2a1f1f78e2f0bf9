using System.Security.Cryptography;
using System.Text;
using Cairn.Core;
using Cairn.Core.Access;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

public sealed partial class SigV4Verifier
{
    /// <summary>
    /// Authenticates a browser upload by its form fields (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html):
    /// the signature is over the Base64 <c>policy</c> field, with SigV4 (<c>x-amz-algorithm</c>,
    /// <c>x-amz-credential</c>, <c>x-amz-date</c>, <c>x-amz-signature</c>) or SigV2 (<c>AWSAccessKeyId</c>,
    /// <c>signature</c>). A form without a signature is anonymous, for the authorization decision to judge.
    /// A policy, signed or not, must then hold for the fields (<paramref name="bucket"/> standing as
    /// <c>bucket</c>); its size range is returned for the upload to enforce as the file streams.
    /// </summary>
    public (AuthResult Auth, (long Min, long Max)? SizeRange) VerifyPostForm(IReadOnlyDictionary<string, string> fields, string bucket)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var signedV4 = fields.ContainsKey("x-amz-signature") || fields.ContainsKey("x-amz-credential") || fields.ContainsKey("x-amz-algorithm");
        var signedV2 = fields.ContainsKey("AWSAccessKeyId") || fields.ContainsKey("signature");
        if (signedV4 && signedV2)
        {
            throw S3Errors.InvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm form field or the AWSAccessKeyId form field may be present.");
        }
        var policyText = Field(fields, "policy");
        if ((signedV4 || signedV2) && policyText is null)
        {
            throw S3Errors.InvalidArgument("Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.",
                "policy", "");
        }
        var auth = signedV4 ? VerifyPostSigV4(fields, policyText!) : signedV2 ? VerifyPostSigV2(fields, policyText!) : AuthResult.Anonymous;
        if (policyText is null)
        {
            return (auth, null);
        }
        PostPolicy policy;
        try
        {
            policy = PostPolicy.ParseBase64(policyText);
        }
        catch (PolicyException ex)
        {
            throw new S3Exception(S3ErrorCode.InvalidPolicyDocument, ex.Message);
        }
        var checkedFields = new Dictionary<string, string>(fields.Count + 1, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in fields)
        {
            checkedFields[name] = value;
        }
        checkedFields["bucket"] = bucket;
        if (policy.Check(checkedFields, _timeProvider.GetUtcNow()) is { } broken)
        {
            throw S3Errors.AccessDenied(broken);
        }
        return (auth, policy.ContentLengthRange);
    }

    private AuthResult VerifyPostSigV4(IReadOnlyDictionary<string, string> fields, string policy)
    {
        var algorithm = Required(fields, "x-amz-algorithm");
        if (algorithm != SigV4Crypto.Algorithm)
        {
            throw S3Errors.InvalidArgument("Only AWS4-HMAC-SHA256 is supported for POST uploads.", "x-amz-algorithm", algorithm);
        }
        var credential = Required(fields, "x-amz-credential");
        var amzDate = Required(fields, "x-amz-date");
        var claimed = Required(fields, "x-amz-signature");
        if (!S3Date.TryParseAmzDate(amzDate, out _))
        {
            throw S3Errors.InvalidArgument("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", "x-amz-date", amzDate);
        }
        if (!CredentialScope.TryParse(credential, out var scope) || !amzDate.AsSpan(0, 8).SequenceEqual(scope.Date)
            || scope.Service != SigV4Crypto.Service || scope.Terminator != SigV4Crypto.Terminator)
        {
            throw S3Errors.InvalidArgument("X-Amz-Credential is not valid: expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\" dated as X-Amz-Date.",
                "x-amz-credential", credential);
        }
        if (!string.Equals(scope.Region, _region, StringComparison.Ordinal))
        {
            throw new S3Exception(S3ErrorCode.AuthorizationQueryParametersError,
                $"Error parsing the X-Amz-Credential parameter; the region '{scope.Region}' is wrong; expecting '{_region}'")
            {
                Details = [new("Region", _region)],
            };
        }
        var (secretKey, principal) = LookUp(scope.AccessKeyId);
        Span<byte> expected = stackalloc byte[32];
        SigV4Hashes.HmacSha256(_signingKeys.Get(secretKey, scope.Date, scope.Region), Encoding.UTF8.GetBytes(policy), expected);
        Span<byte> sent = stackalloc byte[32];
        if (!SigV4Crypto.TryParseHex(claimed, sent) || !CryptographicOperations.FixedTimeEquals(sent, expected))
        {
            throw S3Errors.SignatureDoesNotMatch(scope.AccessKeyId, policy, canonicalRequest: "");
        }
        return new AuthResult(principal, PayloadMode.Unsigned, null, null, IsPresigned: false);
    }

    private AuthResult VerifyPostSigV2(IReadOnlyDictionary<string, string> fields, string policy)
    {
        var accessKeyId = Required(fields, "AWSAccessKeyId");
        var claimed = Required(fields, "signature");
        var (secretKey, principal) = LookUp(accessKeyId);
        Span<byte> expected = stackalloc byte[Sha1Length];
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(policy), expected);
        Span<byte> sent = stackalloc byte[32];
        if (!Convert.TryFromBase64String(claimed, sent, out var written) || written != Sha1Length
            || !CryptographicOperations.FixedTimeEquals(sent[..Sha1Length], expected))
        {
            throw S3Errors.SignatureDoesNotMatchV2(accessKeyId, policy, Encoding.UTF8.GetBytes(policy));
        }
        return new AuthResult(principal, PayloadMode.Unsigned, null, null, IsPresigned: false);
    }

    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) => fields.TryGetValue(name, out var value) ? value : null;

    private static string Required(IReadOnlyDictionary<string, string> fields, string name) =>
        Field(fields, name) ?? throw S3Errors.InvalidArgument(
            $"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.", name, "");
}
