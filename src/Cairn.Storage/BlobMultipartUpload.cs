namespace Cairn.Storage;

/// <summary>A multipart upload in progress, as <see cref="IBlobBackend.ListMultipartUploadsAsync"/> lists it.</summary>
/// <param name="Name">The blob the upload will become.</param>
/// <param name="UploadId">The id <see cref="IBlobBackend.BeginMultipartAsync"/> returned.</param>
/// <param name="Initiated">When the upload began, by the store's clock.</param>
public sealed record BlobMultipartUpload(string Name, string UploadId, DateTimeOffset Initiated);
