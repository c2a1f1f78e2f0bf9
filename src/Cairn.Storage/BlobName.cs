namespace Cairn.Storage;

/// <summary>
/// The blob name rules every <see cref="IBlobBackend"/> enforces: segments of <c>[a-z0-9._-]</c>
/// separated by <c>/</c>, no empty, <c>.</c> or <c>..</c> segment, no leading <c>/</c>, at most
/// <see cref="MaxLength"/> characters. Names come from hashes and generated ids; a client key never
/// becomes a blob name or a path (DESIGN invariant 6).
/// </summary>
public static class BlobName
{
    /// <summary>Longest accepted name, in characters.</summary>
    public const int MaxLength = 512;

    /// <summary>
    /// Segments starting with this are reserved for the filesystem backend's in-flight writes,
    /// so no backend accepts them in a name.
    /// </summary>
    public const string TempPrefix = ".tmp-";

    /// <summary>True when <paramref name="name"/> is a valid blob name.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }
        foreach (var segment in name.AsSpan().Split('/'))
        {
            if (!IsValidSegment(name.AsSpan(segment)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="prefix"/> can start a valid name: empty, or complete valid segments
    /// followed by a partial one made of allowed characters.
    /// </summary>
    public static bool IsValidPrefix(string? prefix)
    {
        if (prefix is null || prefix.Length > MaxLength)
        {
            return false;
        }
        if (prefix.Length == 0)
        {
            return true;
        }
        var lastSlash = prefix.LastIndexOf('/');
        if (lastSlash >= 0 && !IsValid(prefix[..lastSlash]))
        {
            return false;
        }
        foreach (var c in prefix.AsSpan(lastSlash + 1))
        {
            if (!IsAllowedChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not valid.</summary>
    public static void ThrowIfInvalid(string name)
    {
        if (!IsValid(name))
        {
            ThrowInvalid(name, nameof(name));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="prefix"/> is not a valid prefix.</summary>
    public static void ThrowIfInvalidPrefix(string prefix)
    {
        if (!IsValidPrefix(prefix))
        {
            ThrowInvalid(prefix, nameof(prefix));
        }
    }

    private static bool IsValidSegment(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty || segment is "." or ".." || segment.StartsWith(TempPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in segment)
        {
            if (!IsAllowedChar(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAllowedChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-';

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowInvalid(string? value, string paramName) =>
        throw new ArgumentException(
            $"'{value}' is not a valid blob name: segments of [a-z0-9._-] separated by '/', at most {MaxLength} characters.",
            paramName);
}
