namespace Cairn.Mst;

/// <summary>
/// Unsigned LEB128 varints as multiformats uses them (https://github.com/multiformats/unsigned-varint):
/// at most 9 bytes (63 bits), minimal encoding only.
/// </summary>
public static class Varint
{
    /// <summary>Longest varint accepted.</summary>
    public const int MaxLength = 9;

    /// <summary>How many bytes <see cref="Write"/> takes for <paramref name="value"/>.</summary>
    public static int Length(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            length++;
            value >>= 7;
        }
        return length;
    }

    /// <summary>Writes <paramref name="value"/>; returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> destination)
    {
        if (value > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Varints hold at most 63 bits.");
        }
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }
}
