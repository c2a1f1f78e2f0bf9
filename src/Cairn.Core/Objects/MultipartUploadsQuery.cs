namespace Cairn.Core;

/// <summary>
/// A page request for uploads in progress in a bucket, ordered by key (UTF-8 bytes) then initiation
/// time then upload id. <see cref="KeyMarker"/>/<see cref="UploadIdMarker"/> continue after a position
/// (with no upload id marker: after every upload of that key; with one that no longer exists: from the
/// first upload of that key, so a continuation may repeat an upload but never skips one). With a
/// delimiter, keys roll up into common prefixes as in object listings, and a key marker inside a common
/// prefix resumes after it. <see cref="MaxUploads"/> of zero or less gives an empty page that is not truncated.
/// </summary>
public sealed record MultipartUploadsQuery(string Prefix, string? Delimiter, string? KeyMarker, string? UploadIdMarker, int MaxUploads);
