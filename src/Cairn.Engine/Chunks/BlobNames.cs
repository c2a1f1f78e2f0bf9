using System.Security.Cryptography;
using Cairn.Core;

namespace Cairn.Engine.Chunks;

/// <summary>
/// Blob names come from hashes and generated ids only, never from keys (invariant 6). Every write
/// of a chunk gets a fresh generation suffix, so a new write never races the deletion of an older
/// blob with the same content.
/// </summary>
internal static class BlobNames
{
    /// <summary><c>chunks/ab/abcd…(64 hex).0123456789abcdef</c></summary>
    public static string NewChunkBlob(ContentHash hash)
    {
        var hex = hash.ToString();
        Span<byte> generation = stackalloc byte[8];
        RandomNumberGenerator.Fill(generation);
        return $"chunks/{hex[..2]}/{hex}.{Convert.ToHexStringLower(generation)}";
    }

    /// <summary>
    /// <c>trees/&lt;bucket&gt;/&lt;20-digit journal number&gt;-&lt;16 hex&gt;.car</c>: a segment of a bucket's
    /// tree blocks. Bucket names are already blob-safe (<c>[a-z0-9.-]</c>, no empty or dot-only segment).
    /// </summary>
    public static string NewTreeSegment(string bucket, long seq)
    {
        Span<byte> generation = stackalloc byte[8];
        RandomNumberGenerator.Fill(generation);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trees/{bucket}/{seq:D20}-{Convert.ToHexStringLower(generation)}.car");
    }
}
