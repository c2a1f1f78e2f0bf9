using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

/// <summary>
/// A multipart upload in progress as the layers above the engine see it. A view over the catalog row
/// (no copy, no allocation).
/// </summary>
public readonly struct MultipartUpload
{
    // Typed object, not MultipartUploadRecord: a struct's private fields are part of what a compilation using the
    // struct must resolve (reference assemblies keep them; a Debug build of an async method that
    // holds one across an await checks them), and the S3 front end has no reference to Cairn.Metadata.
    private readonly object? _record;

    internal MultipartUpload(MultipartUploadRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal MultipartUploadRecord Record => (MultipartUploadRecord)_record!;

    /// <summary>How the upload's parts (and the object it becomes) are encrypted at rest.</summary>
    public Encryption.EncryptionMode EncryptionMode => Cairn.Engine.Encryption.DataKeyEnvelope.ModeOf(Record.Encryption);

    /// <summary>The S3 upload id (opaque to clients).</summary>
    public string UploadId => Record.UploadId;
    public string Bucket => Record.Bucket;
    public string Key => Record.Key;
    public DateTimeOffset Initiated => Record.Initiated;
    /// <summary>The content headers the completed object will carry.</summary>
    public ContentHeaders Headers => Record.Headers;
    /// <summary>The user metadata the completed object will carry.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata => Record.UserMetadata;
    /// <summary>Checksum algorithm wire name chosen at Create (<c>CRC32</c>, ...), or null.</summary>
    public string? ChecksumAlgorithm => Record.ChecksumAlgorithm;
    /// <summary><c>COMPOSITE</c> or <c>FULL_OBJECT</c> when an algorithm was chosen.</summary>
    public string? ChecksumType => Record.ChecksumType;
}
