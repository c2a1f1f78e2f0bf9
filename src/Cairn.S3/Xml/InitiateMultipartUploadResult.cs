namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="InitiateMultipartUploadResultWriter"/> (CreateMultipartUpload).</summary>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Key">Object key.</param>
/// <param name="UploadId">The new upload's id.</param>
public sealed record InitiateMultipartUploadResult(string Bucket, string Key, string UploadId);
