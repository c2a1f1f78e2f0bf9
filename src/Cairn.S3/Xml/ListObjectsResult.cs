namespace Cairn.S3.Xml;

/// <summary>
/// Input of <see cref="ListBucketResultWriter.WriteV1"/> (ListObjects, version 1). With
/// <c>encoding-type=url</c> the caller passes <see cref="Prefix"/>, <see cref="Delimiter"/>,
/// <see cref="Marker"/>, <see cref="NextMarker"/>, keys and common prefixes already encoded.
/// </summary>
public sealed record ListObjectsResult
{
    /// <summary>Bucket name.</summary>
    public required string Name { get; init; }

    /// <summary>The request's prefix; empty when none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The request's marker; empty when none (AWS always sends the element).</summary>
    public string Marker { get; init; } = "";

    /// <summary>Where the next page starts; S3 sends it only when a delimiter was given and the page is truncated.</summary>
    public string? NextMarker { get; init; }

    /// <summary>The request's delimiter, when given.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The effective max-keys.</summary>
    public int MaxKeys { get; init; }

    /// <summary>True when more results follow.</summary>
    public bool IsTruncated { get; init; }

    /// <summary><c>url</c> when the request asked for it, otherwise null.</summary>
    public string? EncodingType { get; init; }

    /// <summary>The objects of this page, in key order.</summary>
    public IReadOnlyList<ObjectEntry> Contents { get; init; } = [];

    /// <summary>Rolled-up prefixes of this page, in order.</summary>
    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}
