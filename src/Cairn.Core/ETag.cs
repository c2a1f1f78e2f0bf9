namespace Cairn.Core;

/// <summary>ETag forms: MD5 hex for a single PUT, md5-of-md5s-N for multipart.</summary>
public static class ETag
{
    /// <summary>The unquoted ETag of a body whose MD5 is <paramref name="md5"/>.</summary>
    public static string FromMd5(ReadOnlySpan<byte> md5) => Convert.ToHexStringLower(md5);

    /// <summary>Adds the double quotes S3 puts around ETags on the wire.</summary>
    public static string Quote(string etag) => "\"" + etag + "\"";

    /// <summary>Removes surrounding quotes (and a weak prefix) from a client-sent ETag.</summary>
    public static string Unquote(string etag)
    {
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }
        return value;
    }

    /// <summary>
    /// True when an If-Match / If-None-Match header value matches <paramref name="etag"/>:
    /// a comma-separated list of (possibly quoted) ETags, or <c>*</c>.
    /// </summary>
    public static bool HeaderMatches(string headerValue, string etag)
    {
        foreach (var candidate in headerValue.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (candidate == "*" || string.Equals(Unquote(candidate), etag, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
