using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>
/// <c>AWS4-HMAC-SHA256 Credential=AKID/date/region/s3/aws4_request, SignedHeaders=a;b, Signature=hex</c>.
/// Components may come in any order, separated by ',' with optional spaces.
/// </summary>
internal readonly record struct AuthorizationHeader(string Credential, string SignedHeaders, string Signature)
{
    public static AuthorizationHeader Parse(string value)
    {
        var text = value.AsSpan().Trim();
        if (!text.StartsWith(SigV4Crypto.Algorithm + " ", StringComparison.Ordinal))
        {
            throw UnsupportedScheme(text);
        }
        string? credential = null, signedHeaders = null, signature = null;
        var components = text[(SigV4Crypto.Algorithm.Length + 1)..];
        foreach (var range in components.Split(','))
        {
            var component = components[range].Trim();
            if (component.IsEmpty)
            {
                continue;
            }
            var equals = component.IndexOf('=');
            if (equals <= 0)
            {
                throw S3Errors.AuthorizationHeaderMalformed("an authorization component is not of the form name=value.");
            }
            var key = component[..equals].Trim();
            var componentValue = component[(equals + 1)..].Trim().ToString();
            if (key.SequenceEqual("Credential"))
            {
                credential = credential is null ? componentValue : throw Duplicate("Credential");
            }
            else if (key.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = signedHeaders is null ? componentValue : throw Duplicate("SignedHeaders");
            }
            else if (key.SequenceEqual("Signature"))
            {
                signature = signature is null ? componentValue : throw Duplicate("Signature");
            }
            else
            {
                throw S3Errors.AuthorizationHeaderMalformed($"the authorization component \"{key}\" is not recognised.");
            }
        }
        if (credential is null || signedHeaders is null || signature is null)
        {
            throw S3Errors.AuthorizationHeaderMalformed(
                "the authorization header requires three components: Credential, SignedHeaders, and Signature.");
        }
        if (!IsValidSignedHeaders(signedHeaders))
        {
            throw S3Errors.AuthorizationHeaderMalformed("the SignedHeaders component is malformed.");
        }
        return new AuthorizationHeader(credential, signedHeaders, signature);
    }

    /// <summary>Non-empty, ';'-separated, no empty names, no spaces, lower case.</summary>
    public static bool IsValidSignedHeaders(string signedHeaders)
    {
        if (signedHeaders.Length == 0)
        {
            return false;
        }
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            var name = signedHeaders.AsSpan(range);
            if (name.IsEmpty)
            {
                return false;
            }
            foreach (var c in name)
            {
                if (c <= ' ' || c >= 0x7F || c == ':' || char.IsAsciiLetterUpper(c))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static S3Exception Duplicate(string component) =>
        S3Errors.AuthorizationHeaderMalformed($"the authorization component \"{component}\" appears more than once.");

    /// <summary>Any scheme but SigV4's (SigV2's "AWS" never reaches here: <see cref="SigV4Verifier"/> takes it first).</summary>
    private static S3Exception UnsupportedScheme(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("AWS4-ECDSA-P256-SHA256", StringComparison.Ordinal))
        {
            return S3Errors.NotImplemented("Signature Version 4A (AWS4-ECDSA-P256-SHA256)");
        }
        if (text.StartsWith(SigV4Crypto.Algorithm, StringComparison.Ordinal))
        {
            return S3Errors.AuthorizationHeaderMalformed(
                "the authorization header requires three components: Credential, SignedHeaders, and Signature.");
        }
        return S3Errors.InvalidArgument("Unsupported Authorization Type", "Authorization", "");
    }
}
