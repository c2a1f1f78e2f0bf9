namespace Cairn.Core;

/// <summary>
/// A listing page. Entries and common prefixes together hold at most MaxKeys items.
/// <see cref="NextAfter"/> is the last key or common prefix returned (null on an empty page), to
/// continue from when truncated. <see cref="IsTruncated"/> is true only when more items follow.
/// </summary>
public sealed record ObjectListing(
    IReadOnlyList<ObjectSummary> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextAfter);
