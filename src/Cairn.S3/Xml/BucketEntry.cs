namespace Cairn.S3.Xml;

/// <summary>One <c>Bucket</c> of a ListBuckets answer.</summary>
public readonly record struct BucketEntry(string Name, DateTimeOffset CreationDate, string? BucketRegion = null);
