using System.Globalization;

namespace Cairn.Core;

/// <summary>Date formats S3 uses on the wire.</summary>
public static class S3Date
{
    /// <summary>RFC 1123 form for HTTP headers (Last-Modified, Date).</summary>
    public static string ToHttpDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 with milliseconds for XML bodies (LastModified, CreationDate).</summary>
    public static string ToXmlDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The SigV4 basic format <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string ToAmzDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an HTTP date (RFC 1123, RFC 850 or asctime), as conditional headers carry.</summary>
    public static bool TryParseHttpDate(string? value, out DateTimeOffset result)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        string[] formats =
        [
            "r",
            "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
            "dddd, dd-MMM-yy HH:mm:ss 'GMT'",
            "ddd MMM d HH:mm:ss yyyy",
            "yyyyMMdd'T'HHmmss'Z'",
            "yyyy-MM-dd'T'HH:mm:ss'Z'",
            "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
        ];
        return DateTimeOffset.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out result);
    }

    /// <summary>Parses the SigV4 basic format <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static bool TryParseAmzDate(string? value, out DateTimeOffset result) =>
        DateTimeOffset.TryParseExact(value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out result);
}
