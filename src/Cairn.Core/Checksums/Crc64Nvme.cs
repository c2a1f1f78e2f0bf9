using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cairn.Core;

/// <summary>
/// CRC-64/NVME, the CRC S3 uses for <c>x-amz-checksum-crc64nvme</c> and full-object multipart checksums:
/// polynomial 0xAD93D23594C93659 reflected (0x9A6C9329AC4BC9B5 in the shift-right form), init and xorout
/// all ones; the check value of "123456789" is 0xAE8B14860A799888 (the 64-bit guard of the NVM Express
/// NVM Command Set specification's end-to-end protection; catalogued as CRC-64/NVME in the CRC RevEng
/// catalogue).
/// </summary>
/// <remarks>
/// With PCLMULQDQ the bulk of the input is folded 64 bytes a step (Gopal et al., "Fast CRC Computation for
/// Generic Polynomials Using PCLMULQDQ Instruction", Intel 2009) and the last 16-byte residue goes through
/// the table, which avoids a Barrett reduction. Without it, slicing-by-8.
/// </remarks>
public static unsafe class Crc64Nvme
{
    private const ulong Polynomial = 0xAD93D23594C93659;
    private const ulong ReflectedPolynomial = 0x9A6C9329AC4BC9B5;

    private static readonly ulong[] Table = CrcTables.BuildReflected64(ReflectedPolynomial);

    private static readonly CrcCombiner Combiner = new(64, ReflectedPolynomial);

    // Folding a 128-bit block A = A_hi*x^64 + A_lo forward by d bytes multiplies it by x^(8d):
    // A_hi*(x^(8d+64) mod P) + A_lo*(x^(8d) mod P). In the reflected domain a carry-less product of two
    // reflected 64-bit values comes out one bit short, so the constants use exponents one lower.
    private static readonly Vector128<ulong> Fold16 = FoldConstants(16);
    private static readonly Vector128<ulong> Fold64 = FoldConstants(64);

    /// <summary>True when PCLMULQDQ folding is used.</summary>
    public static bool IsHardwareAccelerated => Pclmulqdq.IsSupported && Sse2.IsSupported;

    /// <summary>The CRC-64/NVME of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (the CRC of everything before, 0 for nothing) over <paramref name="data"/>.</summary>
    public static ulong Append(ulong crc, ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated && data.Length >= 64 ? AppendFolding(crc, data) : AppendTable(crc, data);

    /// <summary>The CRC-64/NVME of A followed by B from the CRC of A, the CRC of B and the length of B in bytes.</summary>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB) => Combiner.Combine(crcA, crcB, lengthB);

    internal static ulong AppendTable(ulong crc, ReadOnlySpan<byte> data) => ~UpdateTable(~crc, data);

    internal static ulong AppendFolding(ulong crc, ReadOnlySpan<byte> data)
    {
        if (data.Length < 64)
        {
            return AppendTable(crc, data);
        }
        fixed (byte* start = data)
        {
            var p = start;
            var remaining = data.Length;
            // Processing bytes with state s equals xoring s into the next eight bytes and starting from 0.
            var x0 = Sse2.Xor(Vector128.Load(p).AsUInt64(), Vector128.CreateScalar(~crc));
            var x1 = Vector128.Load(p + 16).AsUInt64();
            var x2 = Vector128.Load(p + 32).AsUInt64();
            var x3 = Vector128.Load(p + 48).AsUInt64();
            p += 64;
            remaining -= 64;
            while (remaining >= 64)
            {
                x0 = Sse2.Xor(Fold(x0, Fold64), Vector128.Load(p).AsUInt64());
                x1 = Sse2.Xor(Fold(x1, Fold64), Vector128.Load(p + 16).AsUInt64());
                x2 = Sse2.Xor(Fold(x2, Fold64), Vector128.Load(p + 32).AsUInt64());
                x3 = Sse2.Xor(Fold(x3, Fold64), Vector128.Load(p + 48).AsUInt64());
                p += 64;
                remaining -= 64;
            }
            var x = Sse2.Xor(Fold(x0, Fold16), x1);
            x = Sse2.Xor(Fold(x, Fold16), x2);
            x = Sse2.Xor(Fold(x, Fold16), x3);
            while (remaining >= 16)
            {
                x = Sse2.Xor(Fold(x, Fold16), Vector128.Load(p).AsUInt64());
                p += 16;
                remaining -= 16;
            }
            Span<byte> residue = stackalloc byte[16];
            x.AsByte().CopyTo(residue);
            var state = UpdateTable(0, residue);
            state = UpdateTable(state, new ReadOnlySpan<byte>(p, remaining));
            return ~state;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> constants) =>
        Sse2.Xor(Pclmulqdq.CarrylessMultiply(x, constants, 0x00), Pclmulqdq.CarrylessMultiply(x, constants, 0x11));

    private static ulong UpdateTable(ulong state, ReadOnlySpan<byte> data)
    {
        fixed (ulong* table = Table)
        {
            while (data.Length >= 8)
            {
                var v = BinaryPrimitives.ReadUInt64LittleEndian(data) ^ state;
                state = table[(7 * 256) + (v & 0xFF)]
                    ^ table[(6 * 256) + ((v >> 8) & 0xFF)]
                    ^ table[(5 * 256) + ((v >> 16) & 0xFF)]
                    ^ table[(4 * 256) + ((v >> 24) & 0xFF)]
                    ^ table[(3 * 256) + ((v >> 32) & 0xFF)]
                    ^ table[(2 * 256) + ((v >> 40) & 0xFF)]
                    ^ table[256 + ((v >> 48) & 0xFF)]
                    ^ table[v >> 56];
                data = data[8..];
            }
            foreach (var b in data)
            {
                state = table[(state ^ b) & 0xFF] ^ (state >> 8);
            }
        }
        return state;
    }

    private static Vector128<ulong> FoldConstants(int distanceBytes) =>
        Vector128.Create(
            ReflectedPowerOfX((8 * distanceBytes) + 63), // multiplies the low lane (the higher-degree half)
            ReflectedPowerOfX((8 * distanceBytes) - 1));

    /// <summary>x^exponent mod P, bit-reversed.</summary>
    private static ulong ReflectedPowerOfX(int exponent)
    {
        ulong value = 1;
        for (var i = 0; i < exponent; i++)
        {
            var carry = (value & (1ul << 63)) != 0;
            value <<= 1;
            if (carry)
            {
                value ^= Polynomial;
            }
        }
        var reflected = 0ul;
        for (var i = 0; i < 64; i++)
        {
            reflected = (reflected << 1) | ((value >> i) & 1);
        }
        return reflected;
    }
}
