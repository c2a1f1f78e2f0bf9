using System.Globalization;

namespace Cairn.Bench.Load;

/// <summary>Sizes written for people: <c>4096</c>, <c>4KiB</c>, <c>256MiB</c>, <c>1GiB</c>, <c>10MB</c>.</summary>
internal static class SizeText
{
    /// <summary>Parses <c>4096</c>, <c>4KiB</c>, <c>256MiB</c>, <c>1GiB</c>, <c>10MB</c> (the server's own size syntax).</summary>
    public static bool TryParse(string text, out long value) => Cairn.Core.ByteSize.TryParse(text, out value);

    /// <summary>The shortest exact binary form: 4096 → "4KiB", 268435456 → "256MiB", 1000 → "1000B".</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (unit < units.Length - 1 && bytes != 0 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            unit++;
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + units[unit];
    }
}
