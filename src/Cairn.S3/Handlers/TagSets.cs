using Cairn.S3.Errors;
using Microsoft.AspNetCore.WebUtilities;

namespace Cairn.S3.Handlers;

/// <summary>
/// S3's rules for tag sets, with the errors AWS answers: at most 10 tags on an object and 50 on a
/// bucket (400 BadRequest "Object tags cannot be greater than 10"), keys of 1 to 128 and values of
/// at most 256 Unicode characters, keys not starting with <c>aws:</c>, each key once (400 InvalidTag).
/// </summary>
internal static class TagSets
{
    public const int MaxObjectTags = 10;
    public const int MaxBucketTags = 50;
    private const int MaxKeyLength = 128;
    private const int MaxValueLength = 256;

    /// <summary>Checks <paramref name="tags"/> for an object or a bucket and returns them as a map.</summary>
    public static IReadOnlyDictionary<string, string> Validate(IReadOnlyList<(string Key, string Value)> tags, bool forBucket)
    {
        var max = forBucket ? MaxBucketTags : MaxObjectTags;
        if (tags.Count > max)
        {
            throw S3Errors.Of(S3ErrorCode.BadRequest, forBucket
                ? $"Bucket tag count cannot be greater than {max}"
                : $"Object tags cannot be greater than {max}");
        }
        var map = new Dictionary<string, string>(tags.Count, StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length == 0 || TextLength(key) > MaxKeyLength)
            {
                throw S3Errors.Of(S3ErrorCode.InvalidTag, $"The TagKey you have provided is too long, max {MaxKeyLength}");
            }
            if (TextLength(value) > MaxValueLength)
            {
                throw S3Errors.Of(S3ErrorCode.InvalidTag, $"The TagValue you have provided is too long, max {MaxValueLength}");
            }
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw S3Errors.Of(S3ErrorCode.InvalidTag, "Your TagKey cannot be prefixed with aws:");
            }
            if (!map.TryAdd(key, value))
            {
                throw S3Errors.Of(S3ErrorCode.InvalidTag, "Cannot provide multiple Tags with the same key");
            }
        }
        return map;
    }

    /// <summary>
    /// Reads the <c>x-amz-tagging</c> header of PutObject, CopyObject and CreateMultipartUpload: URL query parameters
    /// (<c>k1=v1&amp;k2=v2</c>, UTF-8, URL-encoded). An absent header is no tags.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FromHeader(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        var tags = new List<(string Key, string Value)>();
        foreach (var pair in new QueryStringEnumerable(header))
        {
            var key = pair.DecodeName().ToString();
            var value = pair.DecodeValue().ToString();
            tags.Add((key, value));
        }
        return Validate(tags, forBucket: false);
    }

    /// <summary>The number of Unicode code points (a surrogate pair is one), as AWS counts tag lengths.</summary>
    private static int TextLength(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
