using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Auth;

/// <summary>
/// The Signature Version 2 string to sign (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html):
/// <c>Method \n Content-MD5 \n Content-Type \n Date \n CanonicalizedAmzHeaders CanonicalizedResource</c>.
/// </summary>
internal static class SigV2StringToSign
{
    /// <summary>
    /// Query parameters that are part of the CanonicalizedResource. AWS's page lists acl, lifecycle, location,
    /// logging, notification, partNumber, policy, requestPayment, uploadId, uploads, versionId, versioning,
    /// versions and website, the response-* overrides, and delete (multi-object delete). S3 APIs added since
    /// (tagging, cors, restore, ...) are signed by the AWS CLI v1's SigV2 signer (botocore's HmacV1Auth) and
    /// accepted by S3, so they are sub-resources too. So is every other parameter that selects an operation in
    /// <see cref="Routing.S3RequestParser"/> (attributes, retention, legal-hold, encryption, ...): left unsigned,
    /// it would let the holder of a presigned PUT turn it into another operation on the same resource. A
    /// signer that leaves one of those out gets SignatureDoesNotMatch, the safe failure. Anything else in the
    /// query is not signed (guarded by SigV2VerifierTests).
    /// </summary>
    private static readonly FrozenSet<string> SubResources = FrozenSet.Create(StringComparer.Ordinal,
    [
        "acl", "lifecycle", "location", "logging", "notification", "partNumber", "policy", "requestPayment", "uploadId",
        "uploads", "versionId", "versioning", "versions", "website",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding",
        "delete",
        "accelerate", "analytics", "cors", "inventory", "metrics", "object-lock", "replication", "restore", "select",
        "select-type", "tagging", "torrent",
        "attributes", "encryption", "intelligent-tiering", "legal-hold", "ownershipControls", "policyStatus",
        "publicAccessBlock", "retention",
    ]);

    /// <summary>True when the query parameter <paramref name="name"/> is signed in the CanonicalizedResource.</summary>
    public static bool IsSubResource(string name) => SubResources.Contains(name);

    /// <summary>
    /// Writes the string to sign into <paramref name="output"/>. <paramref name="dateLine"/> is the Date header
    /// (empty when x-amz-date is sent: x-amz-date is then signed among the x-amz-* headers), or for the query
    /// form the Expires parameter as sent. In the query form (<paramref name="fromQuery"/>), x-amz-* parameters,
    /// Content-Type and Content-MD5 in the query count as headers where no such header was sent: signers put
    /// them there (botocore moves x-amz-security-token, x-amz-acl, ... into a presigned URL), and the front end
    /// hoists the x-amz-* ones into headers after authentication.
    /// </summary>
    public static void Write(ref Utf8Builder output, in SigV4Request request, List<QueryParameter> query, string dateLine, bool fromQuery)
    {
        output.Append(request.Method);
        output.Append((byte)'\n');
        output.Append(Positional(request.Headers, query, "Content-MD5", fromQuery));
        output.Append((byte)'\n');
        output.Append(Positional(request.Headers, query, "Content-Type", fromQuery));
        output.Append((byte)'\n');
        output.Append(dateLine);
        output.Append((byte)'\n');
        foreach (var (name, value) in CanonicalAmzHeaders(request.Headers, query, fromQuery))
        {
            output.Append(name);
            output.Append((byte)':');
            output.Append(value);
            output.Append((byte)'\n');
        }
        if (request.VirtualHostBucket is not null)
        {
            output.Append((byte)'/');
            output.Append(request.VirtualHostBucket);
        }
        // The path is signed as sent, percent-encoding and all.
        output.Append(request.RawPath.Length == 0 ? "/" : request.RawPath);
        AppendSubResources(ref output, request.RawQuery);
    }

    private static string Positional(IHeaderDictionary headers, List<QueryParameter> query, string name, bool fromQuery)
    {
        if (headers.TryGetValue(name, out var values) && values.Count > 0)
        {
            return values[0]?.Trim() ?? "";
        }
        return fromQuery ? QueryParameter.FindIgnoreCase(query, name)?.Trim() ?? "" : "";
    }

    /// <summary>
    /// x-amz-* headers by lower-case name in ordinal order, the values of a repeated header joined by ','
    /// without spaces, each value trimmed.
    /// </summary>
    private static SortedDictionary<string, string> CanonicalAmzHeaders(IHeaderDictionary headers, List<QueryParameter> query, bool fromQuery)
    {
        var amz = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                var lower = name.ToLowerInvariant();
                var joined = JoinTrimmed(values);
                amz[lower] = amz.TryGetValue(lower, out var earlier) ? earlier + "," + joined : joined;
            }
        }
        if (!fromQuery)
        {
            return amz;
        }
        HashSet<string>? fromHeaders = null;
        foreach (var parameter in query)
        {
            if (!parameter.Name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            fromHeaders ??= new HashSet<string>(amz.Keys, StringComparer.Ordinal);
            var lower = parameter.Name.ToLowerInvariant();
            if (fromHeaders.Contains(lower))
            {
                continue; // the header wins, as when the front end hoists the parameter
            }
            var value = parameter.Value.Trim();
            amz[lower] = amz.TryGetValue(lower, out var earlier) ? earlier + "," + value : value;
        }
        return amz;
    }

    private static string JoinTrimmed(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 1)
        {
            return values[0]?.Trim() ?? "";
        }
        var parts = new string[values.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = values[i]?.Trim() ?? "";
        }
        return string.Join(',', parts);
    }

    /// <summary>
    /// Appends <c>?name[=value]&amp;...</c> for the query's sub-resources, sorted by name (stable for repeats).
    /// Names are matched as sent and case-sensitively; values are percent-decoded ('+' stays '+', as the
    /// signers decode it) and an empty value is no value: <c>?uploads=</c> signs as <c>?uploads</c>.
    /// </summary>
    private static void AppendSubResources(ref Utf8Builder output, string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return;
        }
        List<(string Name, string? Value, int Order)>? found = null;
        foreach (var range in rawQuery.AsSpan().Split('&'))
        {
            var part = rawQuery.AsSpan(range);
            var equals = part.IndexOf('=');
            var name = (equals < 0 ? part : part[..equals]).ToString();
            if (!SubResources.Contains(name))
            {
                continue;
            }
            var rawValue = equals < 0 ? [] : part[(equals + 1)..];
            var value = rawValue.IsEmpty ? null : Uri.UnescapeDataString(rawValue.ToString());
            found ??= [];
            found.Add((name, value, found.Count));
        }
        if (found is null)
        {
            return;
        }
        found.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : a.Order.CompareTo(b.Order);
        });
        for (var i = 0; i < found.Count; i++)
        {
            output.Append(i == 0 ? (byte)'?' : (byte)'&');
            output.Append(found[i].Name);
            if (found[i].Value is { } value)
            {
                output.Append((byte)'=');
                output.Append(value);
            }
        }
    }
}
