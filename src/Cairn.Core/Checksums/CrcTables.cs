using System.Buffers.Binary;

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
    public static uint[] BuildReflected32(uint polynomial)
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
            table[i] = crc;
        }
        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }
        return table;
    }

    /// <summary>Eight 256-entry tables for a reflected 64-bit CRC with (bit-reversed) polynomial <paramref name="polynomial"/>.</summary>
    public static ulong[] BuildReflected64(ulong polynomial)
    {
        var table = new ulong[8 * 256];
        for (ulong i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
            table[i] = crc;
        }
        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }
        return table;
    }
}
