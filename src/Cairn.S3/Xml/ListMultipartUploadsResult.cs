namespace Cairn.S3.Xml;

/// <summary>
/// Input of <see cref="ListMultipartUploadsResultWriter"/>. With <c>encoding-type=url</c> the caller passes
/// <see cref="Prefix"/>, <see cref="Delimiter"/>, <see cref="KeyMarker"/>, <see cref="NextKeyMarker"/>, keys
/// and common prefixes already encoded with <see cref="S3UrlEncoding"/>.
/// </summary>
public sealed record ListMultipartUploadsResult
{
    /// <summary>Bucket name.</summary>
    public required string Bucket { get; init; }

    /// <summary>The request's key-marker; empty when none (AWS always sends the element).</summary>
    public string KeyMarker { get; init; } = "";

    /// <summary>The request's upload-id-marker; empty when none (AWS always sends the element).</summary>
    public string UploadIdMarker { get; init; } = "";

    /// <summary>Key marker of the next page, when truncated.</summary>
    public string? NextKeyMarker { get; init; }

    /// <summary>Upload-id marker of the next page, when truncated.</summary>
    public string? NextUploadIdMarker { get; init; }

    /// <summary>The request's prefix, echoed back when given.</summary>
    public string? Prefix { get; init; }

    /// <summary>The request's delimiter, echoed back when given.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The effective max-uploads.</summary>
    public int MaxUploads { get; init; }

    /// <summary>True when more uploads follow.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>The uploads of this page, by key then initiation time.</summary>
    public IReadOnlyList<UploadEntry> Uploads { get; init; } = [];

    /// <summary>Rolled-up prefixes of this page, in order.</summary>
    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];

    /// <summary><c>url</c> when the request asked for it, otherwise null.</summary>
    public string? EncodingType { get; init; }
}
