using System.Security.Cryptography;

namespace Cairn.Core;

/// <summary>A SHA-256 content address: the name of a chunk's uncompressed bytes.</summary>
public readonly struct ContentHash : IEquatable<ContentHash>
{
    /// <summary>Length of a SHA-256 digest.</summary>
    public const int Size = 32;

    private readonly byte[] _bytes;

    private ContentHash(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32 digest bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Wraps an existing digest.</summary>
    public static ContentHash FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Size)
        {
            throw new ArgumentException($"A SHA-256 digest has {Size} bytes, not {digest.Length}.", nameof(digest));
        }
        return new ContentHash(digest.ToArray());
    }

    /// <summary>Hashes <paramref name="data"/>.</summary>
    public static ContentHash Compute(ReadOnlySpan<byte> data)
    {
        var digest = new byte[Size];
        SHA256.HashData(data, digest);
        return new ContentHash(digest);
    }

    /// <summary>Parses 64 hex characters.</summary>
    public static ContentHash Parse(string hex) => FromBytes(Convert.FromHexString(hex));

    /// <summary>Lower-case hex form.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes);

    /// <inheritdoc />
    public bool Equals(ContentHash other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ContentHash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    /// <summary>Equality.</summary>
    public static bool operator ==(ContentHash left, ContentHash right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ContentHash left, ContentHash right) => !left.Equals(right);
}
