using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace Cairn.Core;

/// <summary>
/// CRC-32C (Castagnoli: reflected, polynomial 0x82F63B78, init and xorout 0xFFFFFFFF; check value of
/// "123456789" is 0xE3069283). Uses the SSE4.2 <c>crc32</c> instruction (8 bytes a step) or the ARMv8 CRC
/// instructions when present, else a slicing-by-8 table.
/// </summary>
public static unsafe class Crc32C
{
    private const uint Polynomial = 0x82F63B78;

    private static readonly uint[] Table = CrcTables.BuildReflected32(Polynomial);

    private static readonly CrcCombiner Combiner = new(32, Polynomial);

    /// <summary>True when a CPU instruction computes the CRC.</summary>
    public static bool IsHardwareAccelerated => Sse42.X64.IsSupported || ArmCrc32.Arm64.IsSupported;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (the CRC of everything before, 0 for nothing) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated ? AppendHardware(crc, data) : AppendTable(crc, data);

    /// <summary>The CRC-32C of A followed by B from the CRC of A, the CRC of B and the length of B in bytes.</summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB) => (uint)Combiner.Combine(crcA, crcB, lengthB);

    internal static uint AppendHardware(uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (var word in words)
            {
                // The instruction reads its operand as little-endian bytes; so does the cast on x64.
                wide = Sse42.X64.Crc32(wide, word);
            }
            state = (uint)wide;
            foreach (var b in data[(words.Length * 8)..])
            {
                state = Sse42.Crc32(state, b);
            }
        }
        else if (ArmCrc32.Arm64.IsSupported)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (var word in words)
            {
                state = ArmCrc32.Arm64.ComputeCrc32C(state, word);
            }
            foreach (var b in data[(words.Length * 8)..])
            {
                state = ArmCrc32.ComputeCrc32C(state, b);
            }
        }
        else
        {
            throw new PlatformNotSupportedException("No CRC-32C instruction on this CPU.");
        }
        return ~state;
    }

    internal static uint AppendTable(uint crc, ReadOnlySpan<byte> data) => CrcTables.AppendReflected32(Table, crc, data);
}
