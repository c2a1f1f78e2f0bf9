namespace Cairn.Core;

/// <summary>
/// Combines the CRCs of two adjacent byte ranges into the CRC of their concatenation without the bytes,
/// for a reflected CRC of any width from 8 to 64 bits whose initial value equals its final xor (all
/// ones for CRC-32, CRC-32C and CRC-64/NVME). This is the method of zlib's <c>crc32_combine</c>.
/// </summary>
/// <remarks>
/// <para>
/// Over GF(2), appending n bytes B to a message A gives
/// <c>crc(AB) = crc(A)·x^(8n) mod P  xor  crc(B)</c>: the register that finishes A is shifted through
/// 8n zero bits, and the init/xorout terms cancel because they are the same constant. So combining
/// needs one polynomial product and x^(8n) mod P, which comes from the squares x^(2^k) mod P
/// (square-and-multiply over the bits of n), in O(width · log n).
/// </para>
/// <para>
/// Polynomials are held reflected, as a reflected CRC register holds them: bit width-1 is the x^0 coefficient
/// and bit 0 the x^(width-1) one, so multiplying by x is a right shift, reduced by xoring the
/// (bit-reversed) polynomial when the x^(width-1) term falls off.
/// </para>
/// </remarks>
internal sealed class CrcCombiner
{
    // x^(2^k) for k = 0..66: k starts at 3 (8 bits a byte) and a non-negative long has 63 bits.
    private const int PowerCount = 67;

    private readonly ulong _polynomial;
    private readonly ulong _one;
    private readonly ulong[] _powersOfTwo;

    /// <summary>A combiner for a reflected CRC of <paramref name="width"/> bits.</summary>
    /// <param name="width">CRC width in bits, 8 to 64.</param>
    /// <param name="reflectedPolynomial">The polynomial without its x^width term, bit-reversed (0xEDB88320 for CRC-32).</param>
    public CrcCombiner(int width, ulong reflectedPolynomial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 64);
        if (width < 64 && reflectedPolynomial >> width != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(reflectedPolynomial), "The polynomial is wider than the CRC.");
        }
        _polynomial = reflectedPolynomial;
        _one = 1ul << (width - 1);
        _powersOfTwo = new ulong[PowerCount];
        var power = _one >> 1; // x^1
        for (var k = 0; k < PowerCount; k++)
        {
            _powersOfTwo[k] = power;
            power = Multiply(power, power);
        }
    }

    /// <summary>
    /// The CRC of A followed by B, given <paramref name="crcA"/>, <paramref name="crcB"/> and the length of B
    /// in bytes.
    /// </summary>
    public ulong Combine(ulong crcA, ulong crcB, long lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthB);
        return Multiply(PowerOfXTimes8(lengthB), crcA) ^ crcB;
    }

    /// <summary>x^(8·<paramref name="bytes"/>) mod P.</summary>
    private ulong PowerOfXTimes8(long bytes)
    {
        var result = _one;
        var k = 3;
        for (var bits = (ulong)bytes; bits != 0; bits >>= 1, k++)
        {
            if ((bits & 1) != 0)
            {
                result = Multiply(_powersOfTwo[k], result);
            }
        }
        return result;
    }

    /// <summary>a·b mod P, both reflected.</summary>
    private ulong Multiply(ulong a, ulong b)
    {
        var product = 0ul;
        // Walk a's terms from x^0 upwards while b runs through b·x^i.
        for (var term = _one; term != 0 && a != 0; term >>= 1)
        {
            if ((a & term) != 0)
            {
                product ^= b;
                a ^= term;
            }
            b = (b & 1) != 0 ? (b >> 1) ^ _polynomial : b >> 1;
        }
        return product;
    }
}
