using Cairn.Core;

namespace Cairn.Storage;

/// <summary>
/// Limits every <see cref="IBlobBackend"/> enforces, the same for all of them so a caller tested on
/// the filesystem behaves identically against an S3 upstream. They are S3's own limits.
/// </summary>
public static class BlobLimits
{
    /// <summary>Most entries in one <see cref="IBlobBackend.ListPageAsync"/> page (S3 max-keys).</summary>
    public const int MaxListPage = S3Limits.MaxKeys;

    /// <summary>Most names in one <see cref="IBlobBackend.DeleteManyAsync"/> call (S3 DeleteObjects).</summary>
    public const int MaxDeleteBatch = S3Limits.MaxDeleteObjects;

    /// <summary>Part numbers run from 1 to this.</summary>
    public const int MaxPartNumber = S3Limits.MaxPartNumber;

    /// <summary>Every part of a multipart upload but the last must be at least this large.</summary>
    public const long MinPartSize = S3Limits.MinPartSize;

    /// <summary>Largest part S3 accepts (5 GiB).</summary>
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;
}
