using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Routing;

/// <summary>A parsed request: the operation, its bucket and key (decoded), the query, and what could not be served.</summary>
public sealed record S3Request(S3Operation Operation, string? Bucket, string? Key, IQueryCollection Query)
{
    /// <summary>For <see cref="S3Operation.Unsupported"/>: what was asked for (e.g. "GetBucketAcl"), for the error message.</summary>
    public string? UnsupportedName { get; init; }

    /// <summary>True when <see cref="Bucket"/> came from the Host header (virtual-hosted style), not from the path.</summary>
    public bool IsVirtualHostStyle { get; init; }

    /// <summary>For <see cref="S3Operation.PostObject"/>: the browser's form, read up to the file (the key is its <c>key</c> field).</summary>
    internal Handlers.PostForm? Form { get; init; }

    /// <summary>For <see cref="S3Operation.PostObject"/>: the file's size bounds its policy sets.</summary>
    internal (long Min, long Max)? FormSizeRange { get; init; }

    /// <summary>The resource path for error bodies: <c>/bucket/key</c>.</summary>
    public string Resource => Bucket is null ? "/" : Key is null ? "/" + Bucket : "/" + Bucket + "/" + Key;
}
