using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

/// <summary>
/// A part of a multipart upload as the layers above the engine see it, without its chunks. A view
/// over the catalog row (no copy, no allocation); the default value is no part.
/// </summary>
public readonly struct UploadedPart
{
    // Typed object, not PartRecord: a struct's private fields are part of what a compilation using the
    // struct must resolve (reference assemblies keep them; a Debug build of an async method that
    // holds one across an await checks them), and the S3 front end has no reference to Cairn.Metadata.
    private readonly object? _record;

    internal UploadedPart(PartRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal PartRecord Record => (PartRecord)_record!;

    public int PartNumber => Record.PartNumber;
    public long Size => Record.Size;
    /// <summary>Unquoted MD5 hex of the part's bytes.</summary>
    public string ETag => Record.ETag;
    public DateTimeOffset LastModified => Record.LastModified;
    /// <summary>The part's checksums by algorithm wire name, base64.</summary>
    public IReadOnlyDictionary<string, string> Checksums => Record.Checksums;
}
