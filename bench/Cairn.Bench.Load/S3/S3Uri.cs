using System.Text;

namespace Cairn.Bench.Load.S3;

/// <summary>
/// Path-style request targets in SigV4 canonical form, so the string sent and the string signed are
/// the same: every byte outside RFC 3986's unreserved set is percent-encoded (uppercase hex), slashes
/// in keys are kept, and query parameters are sorted by name.
/// </summary>
internal static class S3Uri
{
    public static string Bucket(string bucket) => "/" + bucket;

    public static string Object(string bucket, string key) => "/" + bucket + "/" + Encode(key, keepSlash: true);

    /// <summary>The canonical query string of <paramref name="parameters"/> (values may be empty).</summary>
    public static string Query(params (string Name, string Value)[] parameters)
    {
        var encoded = new (string Name, string Value)[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            encoded[i] = (Encode(parameters[i].Name, keepSlash: false), Encode(parameters[i].Value, keepSlash: false));
        }
        Array.Sort(encoded, static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        var builder = new StringBuilder();
        foreach (var (name, value) in encoded)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }
            builder.Append(name).Append('=').Append(value);
        }
        return builder.ToString();
    }

    public static string Encode(string text, bool keepSlash)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
