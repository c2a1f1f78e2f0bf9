using System.Security.Cryptography;
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

    /// <summary>The SHA-256 of a non-empty <see cref="InlineBody"/>.</summary>
    public ContentHash? InlineBodyHash { get; init; }

    /// <summary>The chunks, in order, when the body is not inline.</summary>
    public IReadOnlyList<ChunkRef> Chunks { get; init; } = [];

    /// <summary>The reservation holding the chunks until commit or abort; null for inline bodies.</summary>
    public Guid? UploadId { get; init; }

    /// <summary>
    /// Checks the body against what the client declared: its length, Content-MD5, and each claimed
    /// checksum (claims are read only now, since trailers arrive after the body).
    /// </summary>
    public BodyVerdict Verify(long? declaredLength, byte[]? contentMd5, Func<IReadOnlyDictionary<ChecksumAlgorithm, string>>? expectedChecksums)
    {
        if (declaredLength is { } declared && declared != Size)
        {
            return new BodyVerdict(BodyVerdictKind.IncompleteBody);
        }
        if (contentMd5 is { } md5 && !CryptographicOperations.FixedTimeEquals(md5, Md5))
        {
            return new BodyVerdict(BodyVerdictKind.BadDigest);
        }
        if (expectedChecksums?.Invoke() is { } expected)
        {
            foreach (var (algorithm, value) in expected)
            {
                if (!Checksums.TryGetValue(algorithm, out var computed) || !string.Equals(computed, value, StringComparison.Ordinal))
                {
                    return new BodyVerdict(BodyVerdictKind.ChecksumMismatch, algorithm);
                }
            }
        }
        return new BodyVerdict(BodyVerdictKind.Valid);
    }

    /// <summary>The checksums keyed by wire name (<c>CRC32</c>, ...), as the catalog stores them.</summary>
    public Dictionary<string, string> ChecksumsByWireName()
    {
        var result = new Dictionary<string, string>(Checksums.Count, StringComparer.Ordinal);
        foreach (var (algorithm, value) in Checksums)
        {
            result[ChecksumAlgorithms.WireName(algorithm)] = value;
        }
        return result;
    }
}
