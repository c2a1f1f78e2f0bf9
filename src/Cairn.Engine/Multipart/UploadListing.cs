namespace Cairn.Engine.Multipart;

/// <summary>
/// A page of a bucket's uploads in progress. Uploads and common prefixes together hold at most
/// MaxUploads items; the Next markers are the last upload (or common prefix, as key marker) returned.
/// </summary>
public sealed record UploadListing(
    IReadOnlyList<MultipartUpload> Uploads,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextKeyMarker,
    string? NextUploadIdMarker);
