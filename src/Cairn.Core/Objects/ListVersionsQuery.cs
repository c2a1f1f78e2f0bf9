namespace Cairn.Core;

/// <summary>
/// A ListObjectVersions page request. Versions are listed by key (UTF-8 byte order, as S3), and
/// within a key newest first. Without <see cref="VersionIdMarker"/> the page starts after every
/// version of <see cref="KeyMarker"/> (null: from the start); with it, after that version of that key.
/// <see cref="Prefix"/>, <see cref="Delimiter"/> and <see cref="MaxKeys"/> mean what they mean for
/// <see cref="ListObjectsQuery"/>; a common prefix counts as one entry.
/// </summary>
public sealed record ListVersionsQuery(string Prefix, string? Delimiter, string? KeyMarker, string? VersionIdMarker, int MaxKeys);
