using System.Collections.ObjectModel;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// One object version as a DAG-CBOR block: the leaf value of a bucket's Merkle Search Tree
/// (issue 11). A pure function of the version's row and the previous version's manifest CID.
/// </summary>
/// <remarks>
/// <para>
/// The block is a map of 16 fields, every one always present, in DAG-CBOR's canonical key order
/// (encoded length first, then bytewise): <c>key, body, etag, size, tags, parts, format, created,
/// headers, metadata, modified, previous, checksums, versionId, checksumType, deleteMarker</c>.
/// Chunks are <c>{cid, length}</c> maps. See <see cref="Encode"/> and <see cref="Decode"/>.
/// </para>
/// <para>
/// Equality is structural: the dictionaries compare by content (ordinal keys and values), the lists
/// by sequence, so <c>Decode(m.Encode()) == m</c> for every valid <c>m</c>. Times compare as
/// instants (the offset is not kept; a decoded manifest's times are UTC).
/// </para>
/// </remarks>
public sealed partial record ObjectManifest
{
    /// <summary>The value of the <c>format</c> field of a manifest without <see cref="Encryption"/>.</summary>
    public const int FormatVersion = 1;

    /// <summary>The value of the <c>format</c> field of a manifest with <see cref="Encryption"/> (a 17th field); decoding any other value fails.</summary>
    public const int EncryptedFormatVersion = 2;

    /// <summary><see cref="ChecksumType"/> of a checksum over the whole object (the default).</summary>
    public const string FullObject = "FULL_OBJECT";

    /// <summary><see cref="ChecksumType"/> of a multipart checksum of the parts' checksums.</summary>
    public const string Composite = "COMPOSITE";

    /// <summary><c>key</c>: the object key, any Unicode, kept as given (NFC and NFD differ).</summary>
    public required string Key { get; init; }

    /// <summary><c>versionId</c>: the S3 version id, <c>"null"</c> for the null version.</summary>
    public required string VersionId { get; init; }

    /// <summary><c>deleteMarker</c>: a delete marker, which has no content at all.</summary>
    public bool IsDeleteMarker { get; init; }

    /// <summary><c>size</c>: the body's length in bytes (0 for a marker).</summary>
    public long Size { get; init; }

    /// <summary><c>etag</c>: the unquoted ETag (empty for a marker, and only then).</summary>
    public string ETag { get; init; } = "";

    /// <summary><c>checksums</c>: algorithm wire name (<c>CRC32C</c>, ...) to base64 value; may be empty.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary><c>checksumType</c>: <see cref="FullObject"/> or <see cref="Composite"/>.</summary>
    public string ChecksumType { get; init; } = FullObject;

    /// <summary>
    /// <c>headers</c>: the content headers that are set, stored under their lower-case HTTP names
    /// (<c>cache-control</c>, <c>content-disposition</c>, <c>content-encoding</c>,
    /// <c>content-language</c>, <c>content-type</c>, <c>expires</c>); null means absent.
    /// </summary>
    public ContentHeaders Headers { get; init; } = new();

    /// <summary><c>metadata</c>: user metadata, names without <c>x-amz-meta-</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary><c>tags</c>: the version's tags, tag key to value.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// <c>created</c>: the version's creation time (S3 LastModified), stored as milliseconds since
    /// the Unix epoch. It must be a whole millisecond at or after the epoch: finer ticks are refused
    /// rather than dropped, so a manifest always decodes to what was encoded.
    /// </summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary><c>modified</c>: the last change to the version (tags, ...), whole milliseconds, not before <see cref="Created"/>.</summary>
    public required DateTimeOffset Modified { get; init; }

    /// <summary><c>body</c>: the body's chunks in order (raw CIDs); empty for an empty body and a marker. The lengths add up to <see cref="Size"/>.</summary>
    public IReadOnlyList<ManifestChunk> Body { get; init; } = [];

    /// <summary><c>parts</c>: the part sizes of a multipart object, in order (empty otherwise); when set they add up to <see cref="Size"/>.</summary>
    public IReadOnlyList<long> Parts { get; init; } = [];

    /// <summary><c>previous</c>: the CID (dag-cbor) of the previous version's manifest, or null.</summary>
    public Cid? Previous { get; init; }

    /// <summary>
    /// <c>encryption</c>, only in a manifest of format <see cref="EncryptedFormatVersion"/>: how the body is
    /// encrypted at rest (issue 14). Its <see cref="Body"/> then names the stored (encrypted) chunks, whose
    /// lengths follow <see cref="EncryptedBodyLayout"/> from the plaintext <see cref="Size"/>; null for a
    /// body stored as sent (format <see cref="FormatVersion"/>, whose manifests are unchanged by this field).
    /// </summary>
    public ManifestEncryption? Encryption { get; init; }

    /// <summary>Structural equality (see the type's remarks).</summary>
    public bool Equals(ObjectManifest? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        return other is not null
            && string.Equals(Key, other.Key, StringComparison.Ordinal)
            && string.Equals(VersionId, other.VersionId, StringComparison.Ordinal)
            && IsDeleteMarker == other.IsDeleteMarker
            && Size == other.Size
            && string.Equals(ETag, other.ETag, StringComparison.Ordinal)
            && string.Equals(ChecksumType, other.ChecksumType, StringComparison.Ordinal)
            && Equals(Headers, other.Headers)
            && Created.Equals(other.Created)
            && Modified.Equals(other.Modified)
            && Previous == other.Previous
            && DictionaryEquals(Checksums, other.Checksums)
            && DictionaryEquals(Metadata, other.Metadata)
            && DictionaryEquals(Tags, other.Tags)
            && ListEquals(Body, other.Body)
            && ListEquals(Parts, other.Parts)
            && Equals(Encryption, other.Encryption);
    }

    /// <summary>A hash over the scalar fields and the collections' sizes, consistent with <see cref="Equals(ObjectManifest?)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key, StringComparer.Ordinal);
        hash.Add(VersionId, StringComparer.Ordinal);
        hash.Add(IsDeleteMarker);
        hash.Add(Size);
        hash.Add(ETag, StringComparer.Ordinal);
        hash.Add(Created);
        hash.Add(Modified);
        hash.Add(Previous);
        hash.Add(Body?.Count);
        hash.Add(Parts?.Count);
        return hash.ToHashCode();
    }

    private static bool DictionaryEquals(IReadOnlyDictionary<string, string>? left, IReadOnlyDictionary<string, string>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }
        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }
        foreach (var (name, value) in left)
        {
            if (!right.TryGetValue(name, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    private static bool ListEquals<T>(IReadOnlyList<T>? left, IReadOnlyList<T>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }
        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }
        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < left.Count; i++)
        {
            if (!comparer.Equals(left[i], right[i]))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>
/// How a manifest's body is encrypted: <see cref="Mode"/> (<c>SSE-S3</c> or <c>SSE-C</c>) and the sealed
/// data key (<see cref="Key"/>, opaque: sealed under the server's key file, or under the customer's key),
/// encoded as the map <c>{key: bytes, mode: text}</c>. An import carries it, so the body reads back on a
/// server holding the same key file (or with the same customer key).
/// </summary>
public sealed record ManifestEncryption(string Mode, byte[] Key)
{
    public bool Equals(ManifestEncryption? other) =>
        other is not null && string.Equals(Mode, other.Mode, StringComparison.Ordinal) && Key.AsSpan().SequenceEqual(other.Key);

    public override int GetHashCode() => HashCode.Combine(Mode, Key.Length);
}
