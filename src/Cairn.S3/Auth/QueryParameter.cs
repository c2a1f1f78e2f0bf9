namespace Cairn.S3.Auth;

/// <summary>One query parameter: decoded for lookups, and in its canonical (SigV4-encoded) form.</summary>
internal readonly record struct QueryParameter(string Name, string Value, string CanonicalName, string CanonicalValue)
{
    /// <summary>Splits a raw query (no leading '?') on '&amp;'; a parameter without '=' has an empty value.</summary>
    public static List<QueryParameter> Parse(string rawQuery)
    {
        var parameters = new List<QueryParameter>();
        if (rawQuery.Length == 0)
        {
            return parameters;
        }
        foreach (var range in rawQuery.AsSpan().Split('&'))
        {
            var part = rawQuery.AsSpan(range);
            if (part.IsEmpty)
            {
                continue;
            }
            var equals = part.IndexOf('=');
            var rawName = equals < 0 ? part : part[..equals];
            var rawValue = equals < 0 ? [] : part[(equals + 1)..];
            parameters.Add(new QueryParameter(
                Decode(rawName),
                Decode(rawValue),
                CanonicalRequest.Canonicalize(rawName, keepSlash: false, plusIsSpace: true),
                CanonicalRequest.Canonicalize(rawValue, keepSlash: false, plusIsSpace: true)));
        }
        return parameters;
    }

    /// <summary>The decoded value of the first parameter named <paramref name="name"/> (exact match), or null.</summary>
    public static string? Find(List<QueryParameter> parameters, string name)
    {
        foreach (var parameter in parameters)
        {
            if (parameter.Name == name)
            {
                return parameter.Value;
            }
        }
        return null;
    }

    /// <summary>Like <see cref="Find"/> but ignoring the case of the name.</summary>
    public static string? FindIgnoreCase(List<QueryParameter> parameters, string name)
    {
        foreach (var parameter in parameters)
        {
            if (string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return parameter.Value;
            }
        }
        return null;
    }

    // Query strings are form-encoded: '+' is a space (S3 reads prefix=a+b as "a b").
    private static string Decode(ReadOnlySpan<char> raw)
    {
        if (raw.IsEmpty)
        {
            return "";
        }
        var text = raw.ContainsAny('+', '%') ? raw.ToString().Replace('+', ' ') : raw.ToString();
        return text.Contains('%') ? Uri.UnescapeDataString(text) : text;
    }
}
