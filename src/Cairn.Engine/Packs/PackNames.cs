using System.Security.Cryptography;

namespace Cairn.Engine.Packs;

/// <summary>Ids and blob names of packs: <c>packs/&lt;2 hex&gt;/&lt;32 hex id&gt;</c>, from a random id only (invariant 6).</summary>
internal static class PackNames
{
    /// <summary>What every pack blob's name starts with.</summary>
    public const string Prefix = "packs/";

    /// <summary>A fresh random pack id and the blob name that holds the pack.</summary>
    public static (string Id, string BlobName) New()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var id = Convert.ToHexStringLower(random);
        return (id, BlobNameOf(id));
    }

    /// <summary>The blob that holds pack <paramref name="id"/> (its local segment has the id as its name).</summary>
    public static string BlobNameOf(string id) => $"{Prefix}{id[..2]}/{id}";

    /// <summary>The pack id a pack blob's name (<see cref="New"/>) gives; false for any other name.</summary>
    public static bool TryParseBlobName(string blobName, out string id)
    {
        id = blobName[(blobName.LastIndexOf('/') + 1)..];
        if (IsId(id) && blobName == BlobNameOf(id))
        {
            return true;
        }
        id = "";
        return false;
    }

    /// <summary>True when <paramref name="name"/> has the form of a pack id: 32 lower-case hex digits.</summary>
    public static bool IsId(ReadOnlySpan<char> name) => name.Length == 32 && !name.ContainsAnyExcept("0123456789abcdef");
}
