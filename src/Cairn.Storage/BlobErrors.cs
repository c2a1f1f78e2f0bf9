namespace Cairn.Storage;

/// <summary>
/// The failures every backend reports alike for multipart misuse and unsupported features, so
/// messages and transience match across backends (S3's NoSuchUpload, InvalidPart, EntityTooSmall).
/// </summary>
public static class BlobErrors
{
    /// <summary>The upload does not exist (never begun, completed, aborted) or belongs to another name.</summary>
    public static BlobBackendException NoSuchUpload(string name, string uploadId) =>
        new($"No multipart upload '{uploadId}' for blob '{name}' (NoSuchUpload).", isTransient: false);

    /// <summary>A listed part was never uploaded, or its ETag is not the one of its latest upload.</summary>
    public static BlobBackendException InvalidPart(string name, int partNumber) =>
        new($"Part {partNumber} of the upload for '{name}' is missing or its ETag does not match (InvalidPart).", isTransient: false);

    /// <summary>A part other than the last is smaller than <see cref="BlobLimits.MinPartSize"/>.</summary>
    public static BlobBackendException PartTooSmall(string name, int partNumber, long length) =>
        new($"Part {partNumber} of the upload for '{name}' has {length} bytes; every part but the last needs at least {BlobLimits.MinPartSize} (EntityTooSmall).",
            isTransient: false);
}
