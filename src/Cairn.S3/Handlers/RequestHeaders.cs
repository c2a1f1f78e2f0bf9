using System.Text;
using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>Reads the S3 request headers handlers share: content headers, user metadata, checksums, conditions, ranges.</summary>
internal static class RequestHeaders
{
    private const string MetaPrefix = "x-amz-meta-";

    /// <summary>Content-Type and friends, with the aws-chunked transfer coding removed from Content-Encoding.</summary>
    public static ContentHeaders ContentHeaders(IHeaderDictionary headers) => new(
        ContentType: Value(headers, "Content-Type"),
        ContentEncoding: StripAwsChunked(Value(headers, "Content-Encoding")),
        ContentDisposition: Value(headers, "Content-Disposition"),
        ContentLanguage: Value(headers, "Content-Language"),
        CacheControl: Value(headers, "Cache-Control"),
        Expires: Value(headers, "Expires"));

    /// <summary>x-amz-meta-* headers: names lower-cased without the prefix. Over 2 KB in total is MetadataTooLarge.</summary>
    public static IReadOnlyDictionary<string, string> UserMetadata(IHeaderDictionary headers)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var size = 0;
        foreach (var (name, values) in headers)
        {
            if (name.Length > MetaPrefix.Length && name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[MetaPrefix.Length..].ToLowerInvariant();
                var value = values.ToString();
                metadata[key] = value;
                size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
            }
        }
        if (size > S3Limits.MaxUserMetadataBytes)
        {
            throw S3Errors.Of(S3ErrorCode.MetadataTooLarge,
                $"Your metadata headers exceed the maximum allowed metadata size ({size} > {S3Limits.MaxUserMetadataBytes} bytes).");
        }
        return new Dictionary<string, string>(metadata, StringComparer.Ordinal);
    }

    /// <summary>Content-MD5 as 16 bytes; absent → null; not base64 of 16 bytes → InvalidDigest.</summary>
    public static byte[]? ContentMd5(IHeaderDictionary headers)
    {
        var value = Value(headers, "Content-MD5");
        if (value is null)
        {
            return null;
        }
        Span<byte> md5 = stackalloc byte[16];
        if (!Convert.TryFromBase64String(value, md5, out var written) || written != 16)
        {
            throw S3Errors.Of(S3ErrorCode.InvalidDigest);
        }
        return md5.ToArray();
    }

    /// <summary>
    /// The checksums a PUT carries: values sent as x-amz-checksum-* headers, and algorithms
    /// announced in x-amz-trailer whose values arrive after the body. One algorithm at most, as S3 requires.
    /// </summary>
    public static (Dictionary<ChecksumAlgorithm, string> HeaderValues, ChecksumAlgorithm? TrailerAlgorithm) Checksums(IHeaderDictionary headers)
    {
        var values = new Dictionary<ChecksumAlgorithm, string>();
        foreach (var algorithm in ChecksumAlgorithms.All)
        {
            var value = Value(headers, ChecksumAlgorithms.HeaderName(algorithm));
            if (value is null)
            {
                continue;
            }
            if (!IsValidChecksum(algorithm, value))
            {
                throw S3Errors.InvalidRequest($"Value for {ChecksumAlgorithms.HeaderName(algorithm)} header is invalid.");
            }
            values[algorithm] = value;
        }
        ChecksumAlgorithm? trailer = null;
        if (Value(headers, "x-amz-trailer") is { } trailerName)
        {
            if (!ChecksumAlgorithms.TryParseHeaderName(trailerName.Trim(), out var parsed))
            {
                throw S3Errors.InvalidRequest($"The value specified in the x-amz-trailer header is not supported: {trailerName}");
            }
            trailer = parsed;
        }
        if (values.Count + (trailer is null ? 0 : 1) > 1)
        {
            throw S3Errors.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        }
        if (Value(headers, "x-amz-sdk-checksum-algorithm") is { } announced
            && !ChecksumAlgorithms.TryParseWireName(announced, out _))
        {
            throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        }
        return (values, trailer);
    }

    /// <summary>True when <paramref name="value"/> is base64 of exactly the algorithm's digest length.</summary>
    public static bool IsValidChecksum(ChecksumAlgorithm algorithm, string value)
    {
        Span<byte> digest = stackalloc byte[64];
        return Convert.TryFromBase64String(value, digest, out var written) && written == ChecksumAlgorithms.DigestLength(algorithm);
    }

    /// <summary>If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, with the given header prefix ("" or "x-amz-copy-source-").</summary>
    public static ReadConditions Conditions(IHeaderDictionary headers, string prefix = "")
    {
        return new ReadConditions(
            IfMatch: Value(headers, prefix + "If-Match"),
            IfNoneMatch: Value(headers, prefix + "If-None-Match"),
            IfModifiedSince: S3Date.TryParseHttpDate(Value(headers, prefix + "If-Modified-Since"), out var modified) ? modified : null,
            IfUnmodifiedSince: S3Date.TryParseHttpDate(Value(headers, prefix + "If-Unmodified-Since"), out var unmodified) ? unmodified : null);
    }

    /// <summary>
    /// Conditional-write headers on PUT: <c>If-None-Match: *</c> (only the star is allowed) and <c>If-Match: etag</c>.
    /// </summary>
    public static WritePrecondition WritePrecondition(IHeaderDictionary headers)
    {
        var ifNoneMatch = Value(headers, "If-None-Match");
        if (ifNoneMatch is not null && ifNoneMatch.Trim() != "*")
        {
            throw S3Errors.NotImplemented("If-None-Match with a value other than '*' on a write");
        }
        // Passed as sent (quoted, a list or '*'): WritePrecondition.HoldsFor is the one matcher.
        var ifMatch = Value(headers, "If-Match");
        return ifNoneMatch is null && ifMatch is null ? Core.WritePrecondition.None : new Core.WritePrecondition(ifNoneMatch is not null, ifMatch);
    }

    /// <summary>
    /// A single <c>bytes=</c> range; anything else (other units, several ranges, bad syntax) is
    /// ignored and the whole object is sent, as HTTP allows and S3 does.
    /// </summary>
    public static ByteRangeRequest? Range(IHeaderDictionary headers)
    {
        var value = Value(headers, "Range");
        if (value is null || !value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || value.Contains(','))
        {
            return null;
        }
        var spec = value.AsSpan(6).Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.IsEmpty)
        {
            return long.TryParse(lastText, out var suffix) && suffix >= 0 ? new ByteRangeRequest(null, null, suffix) : null;
        }
        if (!long.TryParse(firstText, out var first) || first < 0)
        {
            return null;
        }
        if (lastText.IsEmpty)
        {
            return new ByteRangeRequest(first, null, null);
        }
        return long.TryParse(lastText, out var last) && last >= first ? new ByteRangeRequest(first, last, null) : null;
    }

    /// <summary>A single header's value, or null when absent or empty.</summary>
    public static string? Value(IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values.ToString();
    }

    private static string? StripAwsChunked(string? encoding)
    {
        if (encoding is null || !encoding.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase))
        {
            return encoding;
        }
        var kept = new List<string>();
        foreach (var part in encoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!part.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(part);
            }
        }
        return kept.Count == 0 ? null : string.Join(",", kept);
    }
}
