namespace Cairn.Core;

/// <summary>Slicing-by-8 lookup tables for reflected CRCs, flattened as <c>table[k * 256 + byte]</c>.</summary>
internal static class CrcTables
{
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
