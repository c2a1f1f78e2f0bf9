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
}
