using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Chunks;

/// <summary>
/// A body that has been read to the end, hashed and placed: inline bytes, or chunks reserved under
/// <see cref="UploadId"/> and written durably. Not visible until committed.
/// </summary>
public sealed class StoredBody
{
    /// <summary>Bytes read.</summary>
    public required long Size { get; init; }

    /// <summary>MD5 of the whole body (the single-PUT ETag).</summary>
    public required byte[] Md5 { get; init; }

    /// <summary>Checksums computed over the whole body, base64, by algorithm.</summary>
    public required IReadOnlyDictionary<ChecksumAlgorithm, string> Checksums { get; init; }

    /// <summary>The body itself when it is small enough to live in the metadata row.</summary>
    public byte[]? InlineBody { get; init; }

    /// <summary>The chunks, in order, when the body is not inline.</summary>
    public IReadOnlyList<ChunkRef> Chunks { get; init; } = [];

    /// <summary>The reservation holding the chunks until commit or abort; null for inline bodies.</summary>
    public Guid? UploadId { get; init; }
}
