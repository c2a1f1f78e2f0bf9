namespace Cairn.Storage;

/// <summary>An uploaded part of a multipart upload, as <see cref="IBlobBackend.CompleteMultipartAsync"/> needs it.</summary>
/// <param name="PartNumber">1 to <see cref="BlobLimits.MaxPartNumber"/>.</param>
/// <param name="ETag">The store's token for this upload of the part, quoted or not.</param>
public readonly record struct BlobPart(int PartNumber, string ETag);
