using System.Security.Cryptography;
using System.Text;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// A deliberately plain SigV2 signer for the tests, written from AWS's page
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html) apart from the production
/// code: the caller spells out every part of the string to sign, so a test states what it expects S3 to sign.
/// </summary>
internal static class TestSigV2Signer
{
    /// <summary>
    /// <c>Method \n Content-MD5 \n Content-Type \n Date \n</c>, then each <c>name:value\n</c> of
    /// <paramref name="amzHeaders"/> (already lower case, sorted and joined), then the canonical resource.
    /// </summary>
    public static string StringToSign(string method, string contentMd5, string contentType, string date,
        IEnumerable<string> amzHeaders, string canonicalResource)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(contentMd5).Append('\n').Append(contentType).Append('\n').Append(date).Append('\n');
        foreach (var header in amzHeaders)
        {
            builder.Append(header).Append('\n');
        }
        return builder.Append(canonicalResource).ToString();
    }

    /// <summary>Base64(HMAC-SHA1(secret, UTF-8(string to sign))).</summary>
    public static string Sign(string stringToSign, string secretKey = TestSigner.SecretKey) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(stringToSign)));
}
