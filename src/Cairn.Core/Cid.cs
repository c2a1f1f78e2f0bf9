using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Cairn.Core;

/// <summary>
/// A content identifier (CIDv1) as Cairn uses them: codec dag-cbor (0x71) or raw (0x55), over a
/// sha2-256 multihash. Binary form: <c>0x01 codec 0x12 0x20 digest[32]</c> (36 bytes, every varint
/// fits one byte); text form: multibase base32 lower-case without padding, prefix <c>b</c>
/// ("bafy..." for dag-cbor, "bafk..." for raw).
/// </summary>
/// <remarks>
/// Specs: https://github.com/multiformats/cid (CIDv1), https://github.com/multiformats/multihash,
/// https://github.com/multiformats/multibase (base32 = RFC 4648 alphabet, lower case, no padding).
/// Other versions, codecs and hash functions are refused rather than carried opaquely: every CID
/// Cairn reads is one it can check against its block.
/// </remarks>
public sealed class Cid : IEquatable<Cid>
{
    /// <summary>Length of the binary form.</summary>
    public const int BinaryLength = 4 + DigestLength;

    /// <summary>Length of a sha2-256 digest.</summary>
    public const int DigestLength = 32;

    /// <summary>Length of the text form ("b" + 58 base32 characters).</summary>
    public const int StringLength = 1 + (BinaryLength * 8 + 4) / 5;

    /// <summary>Multicodec code of dag-cbor: MST nodes, manifests, commits.</summary>
    public const byte DagCborCodec = 0x71;

    /// <summary>Multicodec code of raw bytes: chunks and inline bodies.</summary>
    public const byte RawCodec = 0x55;

    private const byte Version1 = 0x01;
    private const byte Sha2_256 = 0x12;
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly byte[] _bytes; // the 36-byte binary form

    private Cid(byte[] bytes) => _bytes = bytes;

    /// <summary>The content codec: <see cref="DagCborCodec"/> or <see cref="RawCodec"/>.</summary>
    public byte Codec => _bytes[1];

    /// <summary>The 32-byte sha2-256 digest of the block.</summary>
    public ReadOnlySpan<byte> Digest => _bytes.AsSpan(4);

    /// <summary>The CID of a DAG-CBOR block.</summary>
    public static Cid ForDagCbor(ReadOnlySpan<byte> block) => Compute(DagCborCodec, block);

    /// <summary>The CID of a raw block (a chunk's bytes).</summary>
    public static Cid ForRaw(ReadOnlySpan<byte> block) => Compute(RawCodec, block);

    /// <summary>Hashes <paramref name="block"/> and names it with <paramref name="codec"/>.</summary>
    public static Cid Compute(byte codec, ReadOnlySpan<byte> block)
    {
        var bytes = NewBytes(codec);
        SHA256.HashData(block, bytes.AsSpan(4));
        return new Cid(bytes);
    }

    /// <summary>Wraps an existing sha2-256 digest.</summary>
    public static Cid FromDigest(byte codec, ReadOnlySpan<byte> digest)
    {
        if (digest.Length != DigestLength)
        {
            throw new ArgumentException($"A sha2-256 digest has {DigestLength} bytes, not {digest.Length}.", nameof(digest));
        }
        var bytes = NewBytes(codec);
        digest.CopyTo(bytes.AsSpan(4));
        return new Cid(bytes);
    }

    /// <summary>True when <paramref name="block"/> hashes to this CID's digest.</summary>
    public bool Matches(ReadOnlySpan<byte> block)
    {
        Span<byte> digest = stackalloc byte[DigestLength];
        SHA256.HashData(block, digest);
        return CryptographicOperations.FixedTimeEquals(digest, Digest);
    }

    /// <summary>The 36-byte binary form.</summary>
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    /// <summary>Writes the binary form into <paramref name="destination"/> (at least <see cref="BinaryLength"/> bytes).</summary>
    public void WriteBytes(Span<byte> destination) => _bytes.CopyTo(destination);

    /// <summary>Reads a binary CID that fills <paramref name="source"/> exactly.</summary>
    /// <exception cref="FormatException">Not a CIDv1 dag-cbor/raw sha2-256, or trailing bytes.</exception>
    public static Cid FromBytes(ReadOnlySpan<byte> source)
    {
        if (!TryReadBytes(source, out var cid, out var consumed) || consumed != source.Length)
        {
            throw new FormatException("Not a CIDv1 (dag-cbor or raw, sha2-256) in binary form.");
        }
        return cid;
    }

    /// <summary>
    /// Reads a binary CID at the start of <paramref name="source"/> (as in a CAR section, where the
    /// block follows it). False when the bytes are not a CID Cairn supports or are too short.
    /// </summary>
    public static bool TryReadBytes(ReadOnlySpan<byte> source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Cid? cid, out int consumed)
    {
        cid = null;
        consumed = 0;
        // Every varint in the supported prefix is a single byte (< 0x80), so a byte compare is exact:
        // an over-long varint encoding (0x81 0x00 for 1) is refused, as the multiformats spec requires.
        if (source.Length < BinaryLength
            || source[0] != Version1
            || !IsSupportedCodec(source[1])
            || source[2] != Sha2_256
            || source[3] != DigestLength)
        {
            return false;
        }
        cid = new Cid(source[..BinaryLength].ToArray());
        consumed = BinaryLength;
        return true;
    }

    /// <summary>Parses the multibase base32 form ("bafy...", "bafk...").</summary>
    /// <exception cref="FormatException">Not a base32-lower CIDv1 Cairn supports.</exception>
    public static Cid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var cid) ? cid : throw new FormatException($"Not a base32 CIDv1 (dag-cbor or raw, sha2-256): '{text}'.");
    }

    /// <summary>Parses the multibase base32 form; false on anything else.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Cid? cid)
    {
        cid = null;
        if (text is null || text.Length != StringLength || text[0] != 'b')
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[BinaryLength];
        ulong buffer = 0;
        var bits = 0;
        var written = 0;
        for (var i = 1; i < text.Length; i++)
        {
            var value = Base32Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }
            buffer = (buffer << 5) | (uint)value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)(buffer >> bits);
            }
        }
        // The 4 leftover bits must be zero, or two strings would name one CID.
        if ((buffer & ((1UL << bits) - 1)) != 0)
        {
            return false;
        }
        return TryReadBytes(bytes, out cid, out _);
    }

    /// <summary>The multibase base32 lower-case form ("bafy..." / "bafk...").</summary>
    public override string ToString()
    {
        return string.Create(StringLength, _bytes, static (chars, bytes) =>
        {
            chars[0] = 'b';
            var c = 1;
            ulong buffer = 0;
            var bits = 0;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[c++] = Base32Alphabet[(int)((buffer >> bits) & 31)];
                }
            }
            if (bits > 0)
            {
                chars[c] = Base32Alphabet[(int)((buffer << (5 - bits)) & 31)];
            }
        });
    }

    /// <inheritdoc />
    public bool Equals(Cid? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Cid other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(4));

    /// <summary>Equality.</summary>
    public static bool operator ==(Cid? left, Cid? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Cid? left, Cid? right) => !(left == right);

    private static bool IsSupportedCodec(byte codec) => codec is DagCborCodec or RawCodec;

    private static byte[] NewBytes(byte codec)
    {
        if (!IsSupportedCodec(codec))
        {
            throw new ArgumentOutOfRangeException(nameof(codec), codec, "Cairn names blocks as dag-cbor (0x71) or raw (0x55) only.");
        }
        var bytes = new byte[BinaryLength];
        bytes[0] = Version1;
        bytes[1] = codec;
        bytes[2] = Sha2_256;
        bytes[3] = DigestLength;
        return bytes;
    }
}
