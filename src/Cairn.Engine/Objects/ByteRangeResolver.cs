namespace Cairn.Engine.Objects;

/// <summary>Resolves a requested range against an object's size (RFC 9110 §14.1.2).</summary>
public static class ByteRangeResolver
{
    /// <summary>
    /// The (offset, length) to send, or null when the range cannot be satisfied. A last position
    /// past the end is clipped; a suffix longer than the object means the whole object.
    /// </summary>
    public static (long Offset, long Length)? Resolve(ByteRangeRequest range, long size)
    {
        if (range.SuffixLength is { } suffix)
        {
            if (suffix <= 0 || size == 0)
            {
                return null;
            }
            var length = Math.Min(suffix, size);
            return (size - length, length);
        }
        var first = range.First ?? 0;
        if (first >= size)
        {
            return null;
        }
        var last = range.Last is { } l ? Math.Min(l, size - 1) : size - 1;
        return (first, last - first + 1);
    }
}
