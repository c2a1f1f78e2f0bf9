using System.Security.Cryptography;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Reference checksums written from the published parameters, independent of Cairn.Core, so a
/// test compares the server against a second implementation. Bitwise (slow but obviously right).
/// S3 sends each value as base64 of the big-endian digest.
/// </summary>
internal static class IndependentChecksums
{
    // Reflected polynomials: CRC-32 (ISO-HDLC), CRC-32C (Castagnoli), CRC-64/NVME.
    private const uint Crc32Polynomial = 0xEDB88320;
    private const uint Crc32CPolynomial = 0x82F63B78;
    private const ulong Crc64NvmePolynomial = 0x9A6C9329AC4BC9B5;

    /// <summary>Base64 of the checksum S3 names <paramref name="algorithm"/> (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).</summary>
    public static string Base64(string algorithm, byte[] data) => algorithm switch
    {
        "CRC32" => Convert.ToBase64String(BigEndian(Crc32(data, Crc32Polynomial))),
        "CRC32C" => Convert.ToBase64String(BigEndian(Crc32(data, Crc32CPolynomial))),
        "CRC64NVME" => Convert.ToBase64String(BigEndian(Crc64Nvme(data))),
        "SHA1" => Convert.ToBase64String(SHA1.HashData(data)),
        "SHA256" => Convert.ToBase64String(SHA256.HashData(data)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    public static uint Crc32(ReadOnlySpan<byte> data, uint polynomial)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
        }
        return ~crc;
    }

    public static ulong Crc64Nvme(ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Crc64NvmePolynomial : crc >> 1;
            }
        }
        return ~crc;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
