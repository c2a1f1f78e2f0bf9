namespace Cairn.S3.Xml;

/// <summary>
/// Input of <see cref="ListVersionsResultWriter"/> (ListObjectVersions). With <c>encoding-type=url</c>
/// the caller passes <see cref="Prefix"/>, <see cref="Delimiter"/>, the markers, keys and common
/// prefixes already encoded.
/// </summary>
public sealed record ListVersionsResult
{
    /// <summary>Bucket name.</summary>
    public required string Name { get; init; }

    /// <summary>The request's prefix; empty when none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The request's key-marker; empty when none (AWS always sends the element).</summary>
    public string KeyMarker { get; init; } = "";

    /// <summary>The request's version-id-marker; empty when none (AWS always sends the element).</summary>
    public string VersionIdMarker { get; init; } = "";

    /// <summary>Where the next page starts (key or common prefix), when truncated.</summary>
    public string? NextKeyMarker { get; init; }

    /// <summary>The version the next page starts after, when truncated on a version.</summary>
    public string? NextVersionIdMarker { get; init; }

    /// <summary>The effective max-keys.</summary>
    public int MaxKeys { get; init; }

    /// <summary>The request's delimiter, when given.</summary>
    public string? Delimiter { get; init; }

    /// <summary>True when more results follow.</summary>
    public bool IsTruncated { get; init; }

    /// <summary><c>url</c> when the request asked for it, otherwise null.</summary>
    public string? EncodingType { get; init; }

    /// <summary>Versions and delete markers of this page, by key and newest first within a key.</summary>
    public IReadOnlyList<VersionEntry> Versions { get; init; } = [];

    /// <summary>Rolled-up prefixes of this page, in order.</summary>
    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}

/// <summary>One <c>Version</c> or <c>DeleteMarker</c> element.</summary>
/// <param name="Key">The key, already URL-encoded by the caller when the request asked for it.</param>
/// <param name="VersionId">The version id (<c>null</c> for the null version).</param>
/// <param name="IsLatest">Whether it is the key's current version.</param>
/// <param name="LastModified">When it was written.</param>
/// <param name="ETag">The ETag without quotes (a version; unused for a delete marker).</param>
/// <param name="Size">Size in bytes (a version; unused for a delete marker).</param>
public sealed record VersionEntry(string Key, string VersionId, bool IsLatest, DateTimeOffset LastModified, string ETag, long Size)
{
    /// <summary>True for a delete marker (written as <c>DeleteMarker</c>, with no ETag, size or storage class).</summary>
    public bool IsDeleteMarker { get; init; }

    /// <summary>Storage class; Cairn has one.</summary>
    public string StorageClass { get; init; } = "STANDARD";

    /// <summary>The owner (AWS lists it on every entry).</summary>
    public S3Owner? Owner { get; init; }
}
