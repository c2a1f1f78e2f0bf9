namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="ListAllMyBucketsResultWriter"/> (ListBuckets).</summary>
public sealed record ListAllMyBucketsResult(S3Owner Owner, IReadOnlyList<BucketEntry> Buckets)
{
    /// <summary>Token for the next page, when the listing was cut by max-buckets.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>The prefix the request filtered on, echoed back when given.</summary>
    public string? Prefix { get; init; }
}
