using System.Text;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Cairn.S3.Routing;

/// <summary>
/// Parses method + raw target + Host into an <see cref="S3Request"/>. The path is taken from the
/// raw request target (never the normalised <c>Request.Path</c>), because S3 keys may contain
/// <c>//</c>, <c>..</c> and percent-encoded slashes that normalisation would change.
/// </summary>
public sealed class S3RequestParser(string? baseDomain)
{
    // Sub-resources that name an S3 API Cairn does not serve yet, by method and target kind (GET of
    // "versions", GET and PUT of "versioning", "tagging", "lifecycle", "inventory", "policy", GET of
    // "policyStatus", GET and PUT of "object-lock", "retention" and "legal-hold" are served, and
    // matched before this list is).
    private static readonly string[] BucketSubresources =
    [
        "accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering", "logging",
        "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
        "replication", "requestPayment", "versioning", "versions", "website",
    ];

    private static readonly string[] ObjectSubresources =
    [
        "acl", "legal-hold", "restore", "retention", "select", "torrent",
    ];

    private static readonly (string Name, S3Operation Get, S3Operation Put)[] ObjectLockSubresources =
    [
        ("retention", S3Operation.GetObjectRetention, S3Operation.PutObjectRetention),
        ("legal-hold", S3Operation.GetObjectLegalHold, S3Operation.PutObjectLegalHold),
    ];

    private readonly string? _baseDomain = string.IsNullOrEmpty(baseDomain) ? null : baseDomain.TrimStart('.').ToLowerInvariant();

    /// <summary>Parses a request. <paramref name="rawPath"/> is percent-encoded as sent; <paramref name="rawQuery"/> has no leading '?'.</summary>
    public S3Request Parse(string method, string rawPath, string rawQuery, string? host, IHeaderDictionary headers)
    {
        var query = new QueryCollection(QueryHelpers.ParseQuery(rawQuery));
        var path = DecodePath(rawPath);
        string? bucket;
        string? key;
        var hostBucket = BucketFromHost(host);
        if (hostBucket is not null)
        {
            bucket = hostBucket;
            key = path.Length > 1 ? path[1..] : null;
        }
        else
        {
            var trimmed = path.StartsWith('/') ? path[1..] : path;
            var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
            bucket = slash < 0 ? trimmed : trimmed[..slash];
            key = slash < 0 || slash == trimmed.Length - 1 ? null : trimmed[(slash + 1)..];
            if (bucket.Length == 0)
            {
                bucket = null;
            }
        }

        var operation = bucket is not null && HttpMethods.IsOptions(method) ? (S3Operation.PreflightCors, null)
            : bucket is null ? ServiceOperation(method)
            : key is null ? BucketOperation(method, query)
            : ObjectOperation(method, query, headers);
        return new S3Request(operation.Operation, bucket, key, query)
        {
            UnsupportedName = operation.Unsupported,
            IsVirtualHostStyle = hostBucket is not null,
        };
    }

    /// <summary>
    /// True when <paramref name="host"/> names a bucket under the base domain (virtual-hosted style):
    /// every path on such a host is an object key, <c>/_cairn/...</c> included.
    /// </summary>
    public bool IsBucketHost(string? host) => BucketFromHost(host) is not null;

    private static (S3Operation Operation, string? Unsupported) ServiceOperation(string method) =>
        HttpMethods.IsGet(method) ? (S3Operation.ListBuckets, null) : throw S3Errors.Of(S3ErrorCode.MethodNotAllowed);

    private static (S3Operation Operation, string? Unsupported) BucketOperation(string method, IQueryCollection query)
    {
        if (query.ContainsKey("tagging"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketTagging, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketTagging, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketTagging, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("lifecycle"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketLifecycleConfiguration, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketLifecycleConfiguration, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketLifecycle, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("inventory"))
        {
            return InventoryOperation(method, query);
        }
        if (query.ContainsKey("object-lock") && (HttpMethods.IsGet(method) || HttpMethods.IsPut(method)))
        {
            return (HttpMethods.IsGet(method) ? S3Operation.GetObjectLockConfiguration : S3Operation.PutObjectLockConfiguration, null);
        }
        if (query.ContainsKey("policy"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketPolicy, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketPolicy, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketPolicy, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("policyStatus") && HttpMethods.IsGet(method))
        {
            return (S3Operation.GetBucketPolicyStatus, null);
        }
        if (query.ContainsKey("cors"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketCors, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketCors, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketCors, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("encryption"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketEncryption, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketEncryption, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketEncryption, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("publicAccessBlock"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetPublicAccessBlock, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutPublicAccessBlock, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeletePublicAccessBlock, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("ownershipControls"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetBucketOwnershipControls, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutBucketOwnershipControls, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteBucketOwnershipControls, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("acl") && (HttpMethods.IsGet(method) || HttpMethods.IsPut(method)))
        {
            return (HttpMethods.IsGet(method) ? S3Operation.GetBucketAcl : S3Operation.PutBucketAcl, null);
        }
        var subresource = FindSubresource(query, BucketSubresources);
        if (HttpMethods.IsGet(method))
        {
            if (query.ContainsKey("location"))
            {
                return (S3Operation.GetBucketLocation, null);
            }
            if (query.ContainsKey("uploads"))
            {
                return (S3Operation.ListMultipartUploads, null);
            }
            if (query.ContainsKey("versions"))
            {
                return (S3Operation.ListObjectVersions, null);
            }
            if (query.ContainsKey("versioning"))
            {
                return (S3Operation.GetBucketVersioning, null);
            }
            if (subresource is not null)
            {
                return (S3Operation.Unsupported, "GetBucket " + subresource);
            }
            return query.TryGetValue("list-type", out var listType) && listType == "2"
                ? (S3Operation.ListObjectsV2, null)
                : (S3Operation.ListObjects, null);
        }
        if (HttpMethods.IsHead(method))
        {
            return (S3Operation.HeadBucket, null);
        }
        if (HttpMethods.IsPut(method))
        {
            if (query.ContainsKey("versioning"))
            {
                return (S3Operation.PutBucketVersioning, null);
            }
            return subresource is null ? (S3Operation.CreateBucket, null) : (S3Operation.Unsupported, "PutBucket " + subresource);
        }
        if (HttpMethods.IsDelete(method))
        {
            return subresource is null ? (S3Operation.DeleteBucket, null) : (S3Operation.Unsupported, "DeleteBucket " + subresource);
        }
        if (HttpMethods.IsPost(method) && query.ContainsKey("delete"))
        {
            return (S3Operation.DeleteObjects, null);
        }
        if (HttpMethods.IsPost(method))
        {
            // A browser upload: the form names the key and carries the signature.
            return subresource is null ? (S3Operation.PostObject, null) : (S3Operation.Unsupported, "PostBucket " + subresource);
        }
        throw S3Errors.Of(S3ErrorCode.MethodNotAllowed);
    }

    /// <summary>
    /// <c>?inventory</c>: GET with a non-empty <c>id</c> reads that configuration and GET without one
    /// lists them; PUT and DELETE name one by <c>id</c>, and without it (or with an empty one) are
    /// InvalidArgument, S3's documented error for the inventory API (<c>id</c> is required there). The
    /// <c>id</c> parameter stays out of the SigV2 string to sign: botocore's SigV2 signer leaves it out.
    /// </summary>
    private static (S3Operation Operation, string? Unsupported) InventoryOperation(string method, IQueryCollection query)
    {
        var hasId = query.TryGetValue("id", out var id) && !StringValues.IsNullOrEmpty(id);
        return method switch
        {
            _ when HttpMethods.IsGet(method) => (hasId ? S3Operation.GetBucketInventoryConfiguration : S3Operation.ListBucketInventoryConfigurations, null),
            _ when HttpMethods.IsPut(method) => hasId ? (S3Operation.PutBucketInventoryConfiguration, null) : throw MissingInventoryId(),
            _ when HttpMethods.IsDelete(method) => hasId ? (S3Operation.DeleteBucketInventoryConfiguration, null) : throw MissingInventoryId(),
            _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
        };
    }

    private static S3Exception MissingInventoryId() =>
        S3Errors.InvalidArgument("The inventory configuration id is required: name it in the id query parameter.", "id");

    private static (S3Operation Operation, string? Unsupported) ObjectOperation(string method, IQueryCollection query, IHeaderDictionary headers)
    {
        if (query.ContainsKey("tagging"))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => (S3Operation.GetObjectTagging, null),
                _ when HttpMethods.IsPut(method) => (S3Operation.PutObjectTagging, null),
                _ when HttpMethods.IsDelete(method) => (S3Operation.DeleteObjectTagging, null),
                _ => throw S3Errors.Of(S3ErrorCode.MethodNotAllowed),
            };
        }
        if (query.ContainsKey("acl") && (HttpMethods.IsGet(method) || HttpMethods.IsPut(method)))
        {
            return (HttpMethods.IsGet(method) ? S3Operation.GetObjectAcl : S3Operation.PutObjectAcl, null);
        }
        foreach (var (name, get, put) in ObjectLockSubresources)
        {
            if (query.ContainsKey(name) && (HttpMethods.IsGet(method) || HttpMethods.IsPut(method)))
            {
                return (HttpMethods.IsGet(method) ? get : put, null);
            }
        }
        var subresource = FindSubresource(query, ObjectSubresources);
        var hasUploadId = query.ContainsKey("uploadId");
        if (HttpMethods.IsGet(method))
        {
            if (query.ContainsKey("attributes"))
            {
                return (S3Operation.GetObjectAttributes, null);
            }
            if (subresource is not null)
            {
                return (S3Operation.Unsupported, "GetObject " + subresource);
            }
            return (hasUploadId ? S3Operation.ListParts : S3Operation.GetObject, null);
        }
        if (HttpMethods.IsHead(method))
        {
            return (S3Operation.HeadObject, null);
        }
        if (HttpMethods.IsPut(method))
        {
            if (subresource is not null)
            {
                return (S3Operation.Unsupported, "PutObject " + subresource);
            }
            var isCopy = headers.ContainsKey("x-amz-copy-source");
            if (hasUploadId || query.ContainsKey("partNumber"))
            {
                return (isCopy ? S3Operation.UploadPartCopy : S3Operation.UploadPart, null);
            }
            return (isCopy ? S3Operation.CopyObject : S3Operation.PutObject, null);
        }
        if (HttpMethods.IsDelete(method))
        {
            if (subresource is not null)
            {
                return (S3Operation.Unsupported, "DeleteObject " + subresource);
            }
            return (hasUploadId ? S3Operation.AbortMultipartUpload : S3Operation.DeleteObject, null);
        }
        if (HttpMethods.IsPost(method))
        {
            if (query.ContainsKey("uploads"))
            {
                return (S3Operation.CreateMultipartUpload, null);
            }
            if (hasUploadId)
            {
                return (S3Operation.CompleteMultipartUpload, null);
            }
            return (S3Operation.Unsupported, subresource is null ? "PostObject" : "PostObject " + subresource);
        }
        throw S3Errors.Of(S3ErrorCode.MethodNotAllowed);
    }

    private static string? FindSubresource(IQueryCollection query, string[] names)
    {
        foreach (var name in names)
        {
            if (query.ContainsKey(name))
            {
                return name;
            }
        }
        return null;
    }

    private string? BucketFromHost(string? host)
    {
        if (_baseDomain is null || string.IsNullOrEmpty(host))
        {
            return null;
        }
        var name = host;
        var colon = name.LastIndexOf(':');
        if (colon > 0 && !name.EndsWith(']'))
        {
            name = name[..colon];
        }
        name = name.ToLowerInvariant();
        var suffix = "." + _baseDomain;
        return name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : null;
    }

    /// <summary>Percent-decodes the path as UTF-8 ('+' stays '+': it is not a space in a path). Malformed escapes are an error.</summary>
    internal static string DecodePath(string rawPath)
    {
        if (rawPath.IndexOf('%') < 0)
        {
            return rawPath;
        }
        var bytes = new List<byte>(rawPath.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < rawPath.Length; i++)
        {
            var c = rawPath[i];
            if (c == '%')
            {
                if (i + 2 >= rawPath.Length || !Uri.IsHexDigit(rawPath[i + 1]) || !Uri.IsHexDigit(rawPath[i + 2]))
                {
                    throw S3Errors.InvalidArgument("The request path contains a malformed percent-encoding.");
                }
                bytes.Add((byte)Convert.ToInt32(rawPath.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                var count = char.IsHighSurrogate(c) && i + 1 < rawPath.Length
                    ? Encoding.UTF8.GetBytes(rawPath.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(rawPath.AsSpan(i, 1), utf8);
                for (var b = 0; b < count; b++)
                {
                    bytes.Add(utf8[b]);
                }
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw S3Errors.InvalidArgument("The request path is not valid UTF-8.");
        }
    }
}
