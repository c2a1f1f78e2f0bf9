using System.Globalization;

namespace Cairn.Bench.Load;

/// <summary>Sizes written for people: <c>4096</c>, <c>4KiB</c>, <c>256MiB</c>, <c>1GiB</c>, <c>10MB</c>.</summary>
internal static class SizeText
{
    public static bool TryParse(string text, out long value)
    {
        value = 0;
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }
        if (digits == 0 || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        long multiplier = trimmed[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "KIB" => 1024,
            "M" or "MB" => 1000 * 1000,
            "MIB" => 1024 * 1024,
            "G" or "GB" => 1000 * 1000 * 1000,
            "GIB" => 1024L * 1024 * 1024,
            "TIB" => 1024L * 1024 * 1024 * 1024,
            _ => 0,
        };
        if (multiplier == 0 || number > long.MaxValue / multiplier)
        {
            return false;
        }
        value = number * multiplier;
        return true;
    }

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
