using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// A plain, string-based Signature Version 2 signer for wire tests, written from AWS's page
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html) apart from the server's
/// verifier: the header form (Date + <c>Authorization: AWS key:signature</c>) and the query form
/// (AWSAccessKeyId, Expires, Signature). Path-style requests only; the query's sub-resources are those the
/// wire tests use.
/// </summary>
internal sealed class WireSigV2Signer(string accessKey, string secretKey)
{
    private static readonly string[] SubResources = ["acl", "delete", "partNumber", "tagging", "uploadId", "uploads", "versionId"];

    public string AccessKey { get; } = accessKey;

    /// <summary>RFC 1123, as the Date header carries it.</summary>
    public static string HttpDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture);

    /// <summary>Sets Date to <paramref name="time"/> and signs every x-amz-* header the request carries.</summary>
    public void SignHeaders(WireRequest request, DateTimeOffset time)
    {
        request.Headers["date"] = HttpDate(time);
        request.Headers["Authorization"] = $"AWS {AccessKey}:{Sign(StringToSign(request, request.Headers["date"]))}";
    }

    /// <summary>Appends AWSAccessKeyId, Expires (seconds since the epoch, as given) and Signature to the query.</summary>
    public void Presign(WireRequest request, long expires)
    {
        var expiresText = expires.ToString(CultureInfo.InvariantCulture);
        var signature = Sign(StringToSign(request, expiresText));
        var parameters = $"AWSAccessKeyId={Uri.EscapeDataString(AccessKey)}&Expires={expiresText}&Signature={Uri.EscapeDataString(signature)}";
        request.Query = request.Query.Length == 0 ? parameters : request.Query + "&" + parameters;
    }

    /// <summary>Method, Content-MD5, Content-Type, the date line, x-amz-* headers, path and sub-resources.</summary>
    public static string StringToSign(WireRequest request, string dateLine)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(request.Headers.GetValueOrDefault("content-md5", "")).Append('\n');
        builder.Append(request.Headers.GetValueOrDefault("content-type", "")).Append('\n');
        builder.Append(dateLine).Append('\n');
        foreach (var (name, value) in request.Headers
            .Where(static h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            .Select(static h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(static h => h.Name, StringComparer.Ordinal))
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
        builder.Append(request.Path);
        var subResources = request.Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(static p => SubResources.Contains(p.Split('=')[0], StringComparer.Ordinal))
            .Select(static p => p.EndsWith('=') ? p[..^1] : Uri.UnescapeDataString(p))
            .OrderBy(static p => p.Split('=')[0], StringComparer.Ordinal)
            .ToList();
        if (subResources.Count > 0)
        {
            builder.Append('?').Append(string.Join('&', subResources));
        }
        return builder.ToString();
    }

    private string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(stringToSign)));
}
