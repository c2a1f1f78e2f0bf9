using System.Globalization;

namespace Cairn.Core;

/// <summary>Parses sizes written for people: <c>4096</c>, <c>64KiB</c>, <c>8MiB</c>, <c>1GB</c>.</summary>
public static class ByteSize
{
    /// <summary>Parses a size, or throws <see cref="FormatException"/>.</summary>
    public static long Parse(string text)
    {
        if (!TryParse(text, out var value))
        {
            throw new FormatException($"'{text}' is not a size (examples: 4096, 64KiB, 8MiB, 1GiB).");
        }
        return value;
    }

    /// <summary>Parses a size.</summary>
    public static bool TryParse(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var span = text.Trim();
        var split = 0;
        while (split < span.Length && char.IsAsciiDigit(span[split]))
        {
            split++;
        }
        if (split == 0 || !long.TryParse(span.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        long multiplier = span[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "KIB" => 1024,
            "M" or "MB" => 1000 * 1000,
            "MIB" => 1024 * 1024,
            "G" or "GB" => 1000 * 1000 * 1000,
            "GIB" => 1024L * 1024 * 1024,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }
        if (number > long.MaxValue / multiplier)
        {
            return false;
        }
        value = number * multiplier;
        return true;
    }
}
