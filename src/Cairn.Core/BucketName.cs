namespace Cairn.Core;

/// <summary>S3 bucket naming rules (general purpose buckets).</summary>
/// <remarks>https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html</remarks>
public static class BucketName
{
    /// <summary>True when <paramref name="name"/> is a valid bucket name for creation.</summary>
    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is < 3 or > 63)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
            {
                return false;
            }
        }
        if (!IsAlnum(name[0]) || !IsAlnum(name[^1]))
        {
            return false;
        }
        if (name.Contains("..", StringComparison.Ordinal) || name.Contains(".-", StringComparison.Ordinal)
            || name.Contains("-.", StringComparison.Ordinal))
        {
            return false;
        }
        if (name.StartsWith("xn--", StringComparison.Ordinal) || name.StartsWith("sthree-", StringComparison.Ordinal)
            || name.StartsWith("amzn-s3-demo-", StringComparison.Ordinal)
            || name.EndsWith("-s3alias", StringComparison.Ordinal) || name.EndsWith("--ol-s3", StringComparison.Ordinal)
            || name.EndsWith(".mrap", StringComparison.Ordinal) || name.EndsWith("--x-s3", StringComparison.Ordinal)
            || name.EndsWith("--table-s3", StringComparison.Ordinal))
        {
            return false;
        }
        return !LooksLikeIpAddress(name);
    }

    private static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static bool LooksLikeIpAddress(string name)
    {
        var parts = name.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !int.TryParse(part, out var value) || value > 255)
            {
                return false;
            }
        }
        return true;
    }
}
