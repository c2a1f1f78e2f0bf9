using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

/// <summary>
/// A multipart upload in progress as the layers above the engine see it. A view over the catalog row
/// (no copy, no allocation).
/// </summary>
public readonly struct MultipartUpload
{
    private readonly MultipartUploadRecord _record;

    internal MultipartUpload(MultipartUploadRecord record) => _record = record;

    /// <summary>The S3 upload id (opaque to clients).</summary>
    public string UploadId => _record.UploadId;
    public string Bucket => _record.Bucket;
    public string Key => _record.Key;
    public DateTimeOffset Initiated => _record.Initiated;
    /// <summary>The content headers the completed object will carry.</summary>
    public ContentHeaders Headers => _record.Headers;
    /// <summary>The user metadata the completed object will carry.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata => _record.UserMetadata;
    /// <summary>Checksum algorithm wire name chosen at Create (<c>CRC32</c>, ...), or null.</summary>
    public string? ChecksumAlgorithm => _record.ChecksumAlgorithm;
    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c> when an algorithm was chosen.</summary>
    public string? ChecksumType => _record.ChecksumType;
}
