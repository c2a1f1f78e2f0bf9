namespace Cairn.Core;

/// <summary>
/// A listing page request. Keys compare as UTF-8 bytes (S3 order). The store returns keys strictly
/// after <see cref="After"/> (null: from the start) that begin with <see cref="Prefix"/>; with a
/// <see cref="Delimiter"/>, keys that contain it after the prefix roll up into one common prefix
/// each, and the store seeks past the keys under a common prefix instead of reading them.
/// When <see cref="After"/> itself lies under a common prefix (a continuation whose last item was that
/// prefix, or a marker inside it), the listing resumes after the whole common prefix, which is not
/// returned again. <see cref="MaxKeys"/> of zero or less gives an empty page that is not truncated (as S3).
/// </summary>
public sealed record ListObjectsQuery(string Prefix, string? Delimiter, string? After, int MaxKeys);
