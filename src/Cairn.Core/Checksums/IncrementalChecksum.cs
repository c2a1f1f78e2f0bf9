using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Cairn.Core;

/// <summary>
/// Computes one <see cref="ChecksumAlgorithm"/> over data that arrives in pieces. The digest is the
/// big-endian byte form S3 base64-encodes on the wire (a CRC-32 of 0xCBF43926 is <c>y/Q5Jg==</c>).
/// </summary>
public sealed class IncrementalChecksum : IDisposable
{
    private readonly IncrementalHash? _hash;
    private ulong _crc;

    private IncrementalChecksum(ChecksumAlgorithm algorithm, IncrementalHash? hash)
    {
        Algorithm = algorithm;
        _hash = hash;
    }

    /// <summary>The algorithm computed.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>Starts a checksum of nothing.</summary>
    public static IncrementalChecksum Create(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc64Nvme => new(algorithm, null),
        ChecksumAlgorithm.Sha1 => new(algorithm, IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        ChecksumAlgorithm.Sha256 => new(algorithm, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Adds <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        switch (Algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                _crc = Crc32.Append((uint)_crc, data);
                break;
            case ChecksumAlgorithm.Crc32C:
                _crc = Crc32C.Append((uint)_crc, data);
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                _crc = Crc64Nvme.Append(_crc, data);
                break;
            default:
                _hash!.AppendData(data);
                break;
        }
    }

    /// <summary>
    /// Writes the digest of everything appended into <paramref name="destination"/> (at least
    /// <see cref="ChecksumAlgorithms.DigestLength"/> bytes) and starts over.
    /// </summary>
    public int GetHashAndReset(Span<byte> destination)
    {
        var length = ChecksumAlgorithms.DigestLength(Algorithm);
        if (destination.Length < length)
        {
            throw new ArgumentException($"{Algorithm} needs {length} bytes.", nameof(destination));
        }
        switch (Algorithm)
        {
            case ChecksumAlgorithm.Crc32:
            case ChecksumAlgorithm.Crc32C:
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_crc);
                _crc = 0;
                return 4;
            case ChecksumAlgorithm.Crc64Nvme:
                BinaryPrimitives.WriteUInt64BigEndian(destination, _crc);
                _crc = 0;
                return 8;
            default:
                return _hash!.GetHashAndReset(destination);
        }
    }

    /// <summary>The digest of everything appended; starts over.</summary>
    public byte[] GetHashAndReset()
    {
        var digest = new byte[ChecksumAlgorithms.DigestLength(Algorithm)];
        GetHashAndReset(digest);
        return digest;
    }

    /// <summary>The base64 digest, as S3 sends it in <c>x-amz-checksum-*</c>; starts over.</summary>
    public string GetBase64AndReset()
    {
        Span<byte> digest = stackalloc byte[32];
        var length = GetHashAndReset(digest);
        return Convert.ToBase64String(digest[..length]);
    }

    /// <inheritdoc />
    public void Dispose() => _hash?.Dispose();
}
