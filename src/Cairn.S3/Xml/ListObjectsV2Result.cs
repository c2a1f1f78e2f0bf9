namespace Cairn.S3.Xml;

/// <summary>
/// Input of <see cref="ListBucketResultWriter.WriteV2"/>. With <c>encoding-type=url</c> the caller passes
/// <see cref="Prefix"/>, <see cref="Delimiter"/>, <see cref="StartAfter"/>, keys and common prefixes
/// already encoded with <see cref="S3UrlEncoding"/>.
/// </summary>
public sealed record ListObjectsV2Result
{
    /// <summary>Bucket name.</summary>
    public required string Name { get; init; }

    /// <summary>The request's prefix; empty when none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The request's delimiter, when given.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The effective max-keys.</summary>
    public int MaxKeys { get; init; }

    /// <summary>True when more results follow.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>The request's continuation token, echoed back when given.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Token for the next page, when truncated.</summary>
    public string? NextContinuationToken { get; init; }

    /// <summary>The request's start-after, echoed back when given.</summary>
    public string? StartAfter { get; init; }

    /// <summary><c>url</c> when the request asked for it, otherwise null.</summary>
    public string? EncodingType { get; init; }

    /// <summary>The objects of this page, in key order.</summary>
    public IReadOnlyList<ObjectEntry> Contents { get; init; } = [];

    /// <summary>Rolled-up prefixes of this page, in order.</summary>
    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}
