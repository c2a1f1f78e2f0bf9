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
    private readonly ObjectVersionRecord _record;

    internal ObjectVersion(ObjectVersionRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal ObjectVersionRecord Record => _record;

    public string Bucket => _record.Bucket;
    public string Key => _record.Key;
    /// <summary>"null" for objects written while versioning was never enabled (the S3 spelling).</summary>
    public string VersionId => _record.VersionId;
    public long Size => _record.Size;
    /// <summary>Unquoted ETag.</summary>
    public string ETag => _record.ETag;
    /// <summary>To the millisecond.</summary>
    public DateTimeOffset LastModified => _record.LastModified;
    public ContentHeaders Headers => _record.Headers;
    /// <summary>User metadata: lower-case names without the <c>x-amz-meta-</c> prefix.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata => _record.UserMetadata;
    /// <summary>Checksums by algorithm wire name (<c>CRC32</c>, ...) to base64 value.</summary>
    public IReadOnlyDictionary<string, string> Checksums => _record.Checksums;
    /// <summary><c>FULL_OBJECT</c> or <c>COMPOSITE</c> (how <see cref="Checksums"/> was computed).</summary>
    public string ChecksumType => _record.ChecksumType;
    /// <summary>For an object made by CompleteMultipartUpload: each part's size, in order. Empty otherwise.</summary>
    public IReadOnlyList<long> PartSizes => _record.PartSizes;
}
