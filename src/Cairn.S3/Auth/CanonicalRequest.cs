using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.S3.Auth;

/// <summary>
/// The SigV4 canonical request the way S3 computes it
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
/// <code>
/// METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
/// </code>
/// S3 differs from other services in two ways that matter here: the URI is encoded once (not twice) and
/// is not normalised (no dot-segment removal, no slash merging).
/// </summary>
internal static class CanonicalRequest
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    /// <summary>Writes the canonical request into <paramref name="builder"/>.</summary>
    public static void Write(
        ref Utf8Builder builder,
        string method,
        string rawPath,
        List<QueryParameter> query,
        bool skipSignatureParameter,
        IHeaderDictionary headers,
        string signedHeaders,
        string payloadHash)
    {
        builder.Append(method);
        builder.Append((byte)'\n');
        AppendCanonicalPath(ref builder, rawPath);
        builder.Append((byte)'\n');
        AppendCanonicalQuery(ref builder, query, skipSignatureParameter);
        builder.Append((byte)'\n');
        AppendCanonicalHeaders(ref builder, headers, signedHeaders);
        builder.Append((byte)'\n');
        builder.Append(signedHeaders);
        builder.Append((byte)'\n');
        builder.Append(payloadHash);
    }

    /// <summary>
    /// Writes the SigV4 string to sign for a canonical request: algorithm, request time, scope
    /// (<paramref name="date"/>/<paramref name="region"/>/s3/aws4_request) and the canonical request's
    /// hex SHA-256. The verifier and the signer both build it here.
    /// </summary>
    public static void WriteStringToSign(ref Utf8Builder stringToSign, ReadOnlySpan<byte> canonicalRequest, string amzDate, string date,
        string region)
    {
        Span<byte> canonicalHash = stackalloc byte[32];
        SigV4Hashes.Sha256(canonicalRequest, canonicalHash);
        Span<byte> canonicalHashHex = stackalloc byte[64];
        SigV4Crypto.WriteHexLower(canonicalHash, canonicalHashHex);
        stringToSign.Append(SigV4Crypto.Algorithm);
        stringToSign.Append((byte)'\n');
        stringToSign.Append(amzDate);
        stringToSign.Append((byte)'\n');
        stringToSign.Append(date);
        stringToSign.Append((byte)'/');
        stringToSign.Append(region);
        stringToSign.Append("/s3/aws4_request\n");
        stringToSign.Append(canonicalHashHex);
    }

    /// <summary>
    /// The raw path decoded to bytes and re-encoded once: unreserved characters and '/' kept, every other
    /// byte %XX in upper case. An empty path is "/".
    /// </summary>
    public static void AppendCanonicalPath(ref Utf8Builder builder, string rawPath)
    {
        if (rawPath.Length == 0)
        {
            builder.Append((byte)'/');
            return;
        }
        AppendDecodedThenEncoded(ref builder, rawPath, keepSlash: true, plusIsSpace: false);
    }

    /// <summary>
    /// Query pairs encoded with the SigV4 rule and sorted by name, then value (byte order). A parameter
    /// without '=' has an empty value. Presigned requests leave out X-Amz-Signature.
    /// </summary>
    public static void AppendCanonicalQuery(ref Utf8Builder builder, List<QueryParameter> query, bool skipSignatureParameter)
    {
        if (query.Count == 0)
        {
            return;
        }
        var pairs = new (string Name, string Value)[query.Count];
        var count = 0;
        foreach (var parameter in query)
        {
            if (skipSignatureParameter && parameter.Name == "X-Amz-Signature")
            {
                continue;
            }
            pairs[count++] = (parameter.CanonicalName, parameter.CanonicalValue);
        }
        Array.Sort(pairs, 0, count, PairComparer.Instance);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)'&');
            }
            builder.Append(pairs[i].Name);
            builder.Append((byte)'=');
            builder.Append(pairs[i].Value);
        }
    }

    /// <summary>
    /// One <c>name:value\n</c> line per signed header, in SignedHeaders order: values trimmed, inner runs of
    /// spaces collapsed, repeated headers joined with ','.
    /// </summary>
    public static void AppendCanonicalHeaders(ref Utf8Builder builder, IHeaderDictionary headers, string signedHeaders)
    {
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            var name = signedHeaders[range];
            builder.Append(name);
            builder.Append((byte)':');
            var values = headers.TryGetValue(name, out var found) ? found : StringValues.Empty;
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append((byte)',');
                }
                AppendTrimmedCollapsed(ref builder, values[i]);
            }
            builder.Append((byte)'\n');
        }
    }

    /// <summary>The canonical URI of a raw path, as a string (tests and diagnostics).</summary>
    public static string CanonicalPath(string rawPath)
    {
        var builder = new Utf8Builder(256);
        try
        {
            AppendCanonicalPath(ref builder, rawPath);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>
    /// Percent-decodes <paramref name="raw"/> to bytes and encodes each byte with the SigV4 rule. A '%' not
    /// followed by two hex digits stands for itself (and so becomes %25).
    /// </summary>
    public static string Canonicalize(ReadOnlySpan<char> raw, bool keepSlash, bool plusIsSpace)
    {
        if (raw.IndexOfAnyExcept(Unreserved) < 0)
        {
            return raw.ToString();
        }
        var builder = new Utf8Builder(raw.Length * 3);
        try
        {
            AppendDecodedThenEncoded(ref builder, raw, keepSlash, plusIsSpace);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    private static void AppendDecodedThenEncoded(ref Utf8Builder builder, ReadOnlySpan<char> raw, bool keepSlash, bool plusIsSpace)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                AppendEncodedByte(ref builder, (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2])), keepSlash);
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                AppendEncodedByte(ref builder, (byte)' ', keepSlash);
            }
            else if (c < 0x80)
            {
                AppendEncodedByte(ref builder, (byte)c, keepSlash);
            }
            else
            {
                // Raw non-ASCII (not legal on the wire, but be exact): its UTF-8 bytes, encoded.
                var length = char.IsHighSurrogate(c) && i + 1 < raw.Length
                    ? System.Text.Encoding.UTF8.GetBytes(raw.Slice(i++, 2), utf8)
                    : System.Text.Encoding.UTF8.GetBytes(raw.Slice(i, 1), utf8);
                foreach (var b in utf8[..length])
                {
                    AppendEncodedByte(ref builder, b, keepSlash);
                }
            }
        }
    }

    private static void AppendEncodedByte(ref Utf8Builder builder, byte b, bool keepSlash)
    {
        if (b < 0x80 && (Unreserved.Contains((char)b) || (keepSlash && b == '/')))
        {
            builder.Append(b);
            return;
        }
        builder.Append((byte)'%');
        builder.Append(UpperHex[b >> 4]);
        builder.Append(UpperHex[b & 0xF]);
    }

    private static void AppendTrimmedCollapsed(ref Utf8Builder builder, string? value)
    {
        var span = value.AsSpan().Trim();
        var previousWasSpace = false;
        var start = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] == ' ')
            {
                if (previousWasSpace)
                {
                    // Flush what came before this extra space and skip it.
                    builder.Append(span[start..i]);
                    start = i + 1;
                }
                previousWasSpace = true;
            }
            else
            {
                previousWasSpace = false;
            }
        }
        builder.Append(span[start..]);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private sealed class PairComparer : IComparer<(string Name, string Value)>
    {
        public static readonly PairComparer Instance = new();

        public int Compare((string Name, string Value) x, (string Name, string Value) y)
        {
            var byName = string.CompareOrdinal(x.Name, y.Name);
            return byName != 0 ? byName : string.CompareOrdinal(x.Value, y.Value);
        }
    }
}
