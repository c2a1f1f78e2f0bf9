namespace Cairn.Core;

/// <summary>
/// One page of versions (see <see cref="ListVersionsQuery"/>). When <see cref="IsTruncated"/>, the
/// next page starts after <see cref="NextKeyMarker"/> and <see cref="NextVersionIdMarker"/> (the
/// last entry of this page; for a common prefix, the prefix with no version id).
/// </summary>
public sealed record VersionListing(
    IReadOnlyList<VersionSummary> Versions,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextKeyMarker,
    string? NextVersionIdMarker);

/// <summary>A version or a delete marker, as ListObjectVersions returns it.</summary>
/// <param name="Key">The object key.</param>
/// <param name="VersionId">The version id; <c>null</c> (the text) for the null version.</param>
/// <param name="IsLatest">True for the key's current version (or current delete marker).</param>
/// <param name="IsDeleteMarker">True for a delete marker, which has no body, size or ETag.</param>
/// <param name="Size">Size in bytes; 0 for a delete marker.</param>
/// <param name="ETag">The ETag without quotes; empty for a delete marker.</param>
/// <param name="LastModified">When the version was written.</param>
public readonly record struct VersionSummary(string Key, string VersionId, bool IsLatest, bool IsDeleteMarker, long Size, string ETag,
    DateTimeOffset LastModified)
{
    /// <summary>The cold tier the version's bytes were moved to; null while they are in the hot store (STANDARD).</summary>
    public string? StorageClass { get; init; }
}
