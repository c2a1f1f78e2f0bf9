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
    /// <summary>What every chunk blob's name starts with (in a tier, after the tier's prefix).</summary>
    public const string ChunkPrefix = "chunks/";

    /// <summary><c>chunks/ab/abcd…(64 hex).0123456789abcdef</c></summary>
    public static string NewChunkBlob(ContentHash hash)
    {
        var hex = hash.ToString();
        Span<byte> generation = stackalloc byte[8];
        RandomNumberGenerator.Fill(generation);
        return $"{ChunkPrefix}{hex[..2]}/{hex}.{Convert.ToHexStringLower(generation)}";
    }

    /// <summary>The address a chunk blob's name (<see cref="NewChunkBlob"/>, in the hot store or a tier) gives; false for any other name.</summary>
    public static bool TryParseChunkBlob(string blobName, out ContentHash hash)
    {
        hash = default;
        var file = blobName.AsSpan(blobName.LastIndexOf('/') + 1);
        if (file.Length != 64 + 1 + 16 || file[64] != '.' || file[..64].ContainsAnyExcept("0123456789abcdef"))
        {
            return false;
        }
        hash = ContentHash.Parse(file[..64].ToString());
        return true;
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
