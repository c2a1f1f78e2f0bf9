using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

/// <summary>
/// A part of a multipart upload as the layers above the engine see it, without its chunks. A view
/// over the catalog row (no copy, no allocation); the default value is no part.
/// </summary>
public readonly struct UploadedPart
{
    private readonly PartRecord _record;

    internal UploadedPart(PartRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal PartRecord Record => _record;

    public int PartNumber => _record.PartNumber;
    public long Size => _record.Size;
    /// <summary>Unquoted MD5 hex of the part's bytes.</summary>
    public string ETag => _record.ETag;
    public DateTimeOffset LastModified => _record.LastModified;
    /// <summary>The part's checksums by algorithm wire name, base64.</summary>
    public IReadOnlyDictionary<string, string> Checksums => _record.Checksums;
}
