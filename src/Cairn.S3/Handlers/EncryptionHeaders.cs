using System.Security.Cryptography;
using Cairn.Engine.Encryption;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>
/// The server-side encryption headers (issue 14), read and written as S3 does
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html):
/// <c>x-amz-server-side-encryption: AES256</c> asks for SSE-S3; the three
/// <c>x-amz-server-side-encryption-customer-*</c> headers (or their <c>x-amz-copy-source-</c> forms
/// for a copy's source) give an SSE-C key, which must be 32 bytes and match its MD5.
/// </summary>
internal static class EncryptionHeaders
{
    private const string Algorithm = "x-amz-server-side-encryption";
    private const string CustomerAlgorithm = "x-amz-server-side-encryption-customer-algorithm";
    private const string CustomerKey = "x-amz-server-side-encryption-customer-key";
    private const string CustomerKeyMd5 = "x-amz-server-side-encryption-customer-key-MD5";

    /// <summary>What turns a header's name into its copy-source form (<c>x-amz-copy-source-server-side-encryption-...</c>).</summary>
    private const string CopySourcePrefix = "x-amz-copy-source-";

    /// <summary>What a write asks for: SSE-S3, SSE-C with its key, or null (the bucket's default applies).</summary>
    public static EncryptionRequest? ForWrite(IHeaderDictionary headers)
    {
        var key = ReadCustomerKey(headers, prefix: "");
        var algorithm = RequestHeaders.Value(headers, Algorithm);
        if (key is not null)
        {
            return algorithm is null
                ? EncryptionRequest.Customer(key)
                : throw S3Errors.InvalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
                    Algorithm, algorithm);
        }
        // Other values were refused before the handler ran (RefusedRequestHeaders: aws:kms is 501, unknown ones 400).
        return algorithm == ObjectEncryption.Aes256 ? EncryptionRequest.ServerManaged : null;
    }

    /// <summary>The SSE-C key a read (or an upload's part) gives, null when it gives none.</summary>
    public static byte[]? CustomerKeyOf(IHeaderDictionary headers) => ReadCustomerKey(headers, prefix: "");

    /// <summary>The SSE-C key a copy gives for its source (<c>x-amz-copy-source-server-side-encryption-customer-*</c>).</summary>
    public static byte[]? CopySourceKeyOf(IHeaderDictionary headers) => ReadCustomerKey(headers, CopySourcePrefix);

    /// <summary>The headers that say how a version is encrypted: the algorithm for SSE-S3; for SSE-C the algorithm and the key's MD5 the request sent.</summary>
    public static void Write(HttpResponse response, EncryptionMode mode, IHeaderDictionary requestHeaders)
    {
        switch (mode)
        {
            case EncryptionMode.ServerManaged:
                response.Headers[Algorithm] = ObjectEncryption.Aes256;
                break;
            case EncryptionMode.CustomerKey:
                response.Headers[CustomerAlgorithm] = ObjectEncryption.Aes256;
                if (RequestHeaders.Value(requestHeaders, CustomerKeyMd5) is { } md5)
                {
                    response.Headers[CustomerKeyMd5] = md5;
                }
                break;
            default:
                break;
        }
    }

    /// <summary>The S3 error for a data key that could not be opened.</summary>
    public static S3Exception ToS3Error(DataKeyException error) => error.Failure switch
    {
        DataKeyFailure.CustomerKeyWrong => S3Errors.AccessDenied(),
        DataKeyFailure.CustomerKeyMissing or DataKeyFailure.CustomerKeyNotApplicable => S3Errors.InvalidRequest(error.Message),
        _ => new S3Exception(S3ErrorCode.InternalError),
    };

    private static byte[]? ReadCustomerKey(IHeaderDictionary headers, string prefix)
    {
        var algorithmName = Named(CustomerAlgorithm, prefix);
        var keyName = Named(CustomerKey, prefix);
        var md5Name = Named(CustomerKeyMd5, prefix);
        var algorithm = RequestHeaders.Value(headers, algorithmName);
        var keyText = RequestHeaders.Value(headers, keyName);
        var md5Text = RequestHeaders.Value(headers, md5Name);
        if (algorithm is null && keyText is null && md5Text is null)
        {
            return null;
        }
        if (algorithm is null)
        {
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
                algorithmName, "null");
        }
        if (algorithm != ObjectEncryption.Aes256)
        {
            throw S3Errors.InvalidArgument("The encryption algorithm specified is not supported.", algorithmName, algorithm);
        }
        if (keyText is null)
        {
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
                keyName, "null");
        }
        var key = new byte[BodyCipher.KeyLength + 1];
        if (!Convert.TryFromBase64String(keyText, key, out var written) || written != BodyCipher.KeyLength)
        {
            throw S3Errors.InvalidArgument("The secret key was invalid for the specified algorithm.", keyName, "");
        }
        key = key[..BodyCipher.KeyLength];
        if (md5Text is null)
        {
            throw S3Errors.InvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
                md5Name, "null");
        }
        if (md5Text != Convert.ToBase64String(MD5.HashData(key)))
        {
            throw S3Errors.InvalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", md5Name, md5Text);
        }
        return key;
    }

    /// <summary>A header's name, or its copy-source form: <c>x-amz-</c> becomes <paramref name="prefix"/>.</summary>
    private static string Named(string name, string prefix) => prefix.Length == 0 ? name : prefix + name["x-amz-".Length..];
}
