using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Objects;

/// <summary>
/// An object version as the layers above the engine see it: what S3 sends about an object, never
/// where its body lives. A view over the catalog row (no copy, no allocation); the default value is
/// no version, and only a result whose status says one was found or written carries one.
/// </summary>
public readonly struct ObjectVersion
{
    // Typed object, not ObjectVersionRecord: a struct's private fields are part of what a compilation using the
    // struct must resolve (reference assemblies keep them; a Debug build of an async method that
    // holds one across an await checks them), and the S3 front end has no reference to Cairn.Metadata.
    private readonly object? _record;

    internal ObjectVersion(ObjectVersionRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal ObjectVersionRecord Record => (ObjectVersionRecord)_record!;

    public string Bucket => Record.Bucket;
    /// <summary>How the body is encrypted at rest (x-amz-server-side-encryption, SSE-C headers).</summary>
    public Encryption.EncryptionMode EncryptionMode => Cairn.Engine.Encryption.DataKeyEnvelope.ModeOf(Record.Encryption);
    public string Key => Record.Key;
    /// <summary>"null" (the S3 spelling) for the null version: written while the bucket was unversioned or suspended.</summary>
    public string VersionId => Record.VersionId;
    /// <summary>A delete marker: no body, size 0, empty ETag. False for no version (the default value).</summary>
    public bool IsDeleteMarker => _record is ObjectVersionRecord { IsDeleteMarker: true };
    public long Size => Record.Size;
    /// <summary>Unquoted ETag.</summary>
    public string ETag => Record.ETag;
    /// <summary>To the millisecond.</summary>
    public DateTimeOffset LastModified => Record.LastModified;
    public ContentHeaders Headers => Record.Headers;
    /// <summary>User metadata: lower-case names without the <c>x-amz-meta-</c> prefix.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata => Record.UserMetadata;
    /// <summary>The version's tags; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Tags => Record.Tags;
    /// <summary>Checksums by algorithm wire name (<c>CRC32</c>, ...) to base64 value.</summary>
    public IReadOnlyDictionary<string, string> Checksums => Record.Checksums;
    /// <summary><c>FULL_OBJECT</c> or <c>COMPOSITE</c> (how <see cref="Checksums"/> was computed).</summary>
    public string ChecksumType => Record.ChecksumType;
    /// <summary>For an object made by CompleteMultipartUpload: each part's size, in order. Empty otherwise.</summary>
    public IReadOnlyList<long> PartSizes => Record.PartSizes;
    /// <summary>For an object made by multipart upload with a checksum algorithm: each part's checksums, in order. Empty otherwise.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> PartChecksums => Record.PartChecksums;
    /// <summary>The version's Object Lock state: retention and legal hold.</summary>
    public ObjectLockState Lock => Record.Lock;
    /// <summary>S3's storage class: the cold tier a lifecycle transition moved the bytes to, or <c>STANDARD</c>.</summary>
    public string StorageClass => Record.StorageClass ?? "STANDARD";
}
