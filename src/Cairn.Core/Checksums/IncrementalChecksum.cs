using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Cairn.Core;

/// <summary>
/// Computes one <see cref="ChecksumAlgorithm"/> over data that arrives in pieces. The digest is the
/// big-endian byte form S3 base64-encodes on the wire (a CRC-32 of 0xCBF43926 is <c>y/Q5Jg==</c>).
/// </summary>
/// <remarks>
/// The CRCs come from System.IO.Hashing (vectorized; CRC-32C and CRC-64/NVME through its parameter
/// sets), the SHAs from <see cref="IncrementalHash"/>. The CRC values are read as integers and written
/// big-endian here: System.IO.Hashing's own byte form is little-endian.
/// </remarks>
public sealed class IncrementalChecksum : IDisposable
{
    private readonly Crc32? _crc32;
    private readonly Crc64? _crc64;
    private readonly IncrementalHash? _hash;

    private IncrementalChecksum(ChecksumAlgorithm algorithm, Crc32? crc32 = null, Crc64? crc64 = null, IncrementalHash? hash = null)
    {
        Algorithm = algorithm;
        _crc32 = crc32;
        _crc64 = crc64;
        _hash = hash;
    }

    /// <summary>The algorithm computed.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>Starts a checksum of nothing.</summary>
    public static IncrementalChecksum Create(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => new(algorithm, crc32: new Crc32()),
        ChecksumAlgorithm.Crc32C => new(algorithm, crc32: new Crc32(Crc32ParameterSet.Crc32C)),
        ChecksumAlgorithm.Crc64Nvme => new(algorithm, crc64: new Crc64(Crc64ParameterSet.Nvme)),
        ChecksumAlgorithm.Sha1 => new(algorithm, hash: IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        ChecksumAlgorithm.Sha256 => new(algorithm, hash: IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Adds <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_crc32 is not null)
        {
            _crc32.Append(data);
        }
        else if (_crc64 is not null)
        {
            _crc64.Append(data);
        }
        else
        {
            _hash!.AppendData(data);
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
        if (_crc32 is not null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, _crc32.GetCurrentHashAsUInt32());
            _crc32.Reset();
            return 4;
        }
        if (_crc64 is not null)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _crc64.GetCurrentHashAsUInt64());
            _crc64.Reset();
            return 8;
        }
        return _hash!.GetHashAndReset(destination);
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
