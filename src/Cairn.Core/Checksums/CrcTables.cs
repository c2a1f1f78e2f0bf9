using System.Buffers.Binary;
using System.Numerics;

namespace Cairn.Core;

/// <summary>Slicing-by-8 lookup tables for reflected CRCs, flattened as <c>table[k * 256 + byte]</c>.</summary>
internal static unsafe class CrcTables
{
    /// <summary>
    /// Appends <paramref name="data"/> to a reflected 32-bit CRC with slicing-by-8 over a table from
    /// <see cref="BuildReflected32"/> (CRC-32 and CRC-32C differ only in the table).
    /// </summary>
    public static uint AppendReflected32(uint[] tables, uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        fixed (uint* table = tables)
        {
            while (data.Length >= 8)
            {
                var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ state;
                var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                state = table[(7 * 256) + (one & 0xFF)]
                    ^ table[(6 * 256) + ((one >> 8) & 0xFF)]
                    ^ table[(5 * 256) + ((one >> 16) & 0xFF)]
                    ^ table[(4 * 256) + (one >> 24)]
                    ^ table[(3 * 256) + (two & 0xFF)]
                    ^ table[(2 * 256) + ((two >> 8) & 0xFF)]
                    ^ table[256 + ((two >> 16) & 0xFF)]
                    ^ table[two >> 24];
                data = data[8..];
            }
            foreach (var b in data)
            {
                state = table[(state ^ b) & 0xFF] ^ (state >> 8);
            }
        }
        return ~state;
    }

    /// <summary>Eight 256-entry tables for a reflected 32-bit CRC with (bit-reversed) polynomial <paramref name="polynomial"/>.</summary>
    public static uint[] BuildReflected32(uint polynomial) => BuildReflected(polynomial);

    /// <summary>Eight 256-entry tables for a reflected 64-bit CRC with (bit-reversed) polynomial <paramref name="polynomial"/>.</summary>
    public static ulong[] BuildReflected64(ulong polynomial) => BuildReflected(polynomial);

    /// <summary>Slicing-by-8 tables for a reflected CRC of any unsigned width.</summary>
    private static T[] BuildReflected<T>(T polynomial)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var table = new T[8 * 256];
        var lowByte = T.CreateTruncating(0xFF);
        for (var i = 0; i < 256; i++)
        {
            var crc = T.CreateTruncating(i);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & T.One) != T.Zero ? (crc >> 1) ^ polynomial : crc >> 1;
            }
            table[i] = crc;
        }
        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[int.CreateTruncating(previous & lowByte)];
            }
        }
        return table;
    }
}
