namespace Cairn.Integration.Tests.BadInput;

/// <summary>CRC-32 (IEEE 802.3, reflected 0xEDB88320), bitwise: an implementation independent of the server's.</summary>
internal static class Crc32
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }

    /// <summary>The x-amz-checksum-crc32 form: base64 of the big-endian 4 bytes.</summary>
    public static string Base64(ReadOnlySpan<byte> data)
    {
        var crc = Compute(data);
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }
}
