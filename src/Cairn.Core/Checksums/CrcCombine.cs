namespace Cairn.Core;

/// <summary>
/// The CRC of A followed by B from the CRC of A, the CRC of B and the length of B in bytes (zlib's
/// <c>crc32_combine</c>), for the three CRCs S3 can give as a FULL_OBJECT multipart checksum.
/// </summary>
/// <remarks>
/// System.IO.Hashing computes these CRCs over bytes but cannot combine two finished values, and S3
/// derives a FULL_OBJECT checksum from the parts' CRCs and lengths alone (<see cref="MultipartChecksum"/>),
/// so the combine stays here. It needs only each polynomial, not the lookup tables.
/// </remarks>
public static class CrcCombine
{
    // The polynomials bit-reversed (reflected form), as CrcCombiner works on them.
    private static readonly CrcCombiner s_crc32 = new(32, 0xEDB88320);
    private static readonly CrcCombiner s_crc32C = new(32, 0x82F63B78);
    private static readonly CrcCombiner s_crc64Nvme = new(64, 0x9A6C9329AC4BC9B5);

    /// <summary>CRC-32 (IEEE 802.3; polynomial 0x04C11DB7).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static uint Crc32(uint crcA, uint crcB, long lengthB) => (uint)s_crc32.Combine(crcA, crcB, lengthB);

    /// <summary>CRC-32C (Castagnoli; polynomial 0x1EDC6F41).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static uint Crc32C(uint crcA, uint crcB, long lengthB) => (uint)s_crc32C.Combine(crcA, crcB, lengthB);

    /// <summary>CRC-64/NVME (polynomial 0xAD93D23594C93659).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lengthB"/> is negative.</exception>
    public static ulong Crc64Nvme(ulong crcA, ulong crcB, long lengthB) => s_crc64Nvme.Combine(crcA, crcB, lengthB);
}
