namespace Cairn.Core;

/// <summary>Condition checked inside the commit transaction (conditional writes).</summary>
/// <param name="IfNoneMatchAny"><c>If-None-Match: *</c>: the key must not exist.</param>
/// <param name="IfMatchETag">An <c>If-Match</c> header value (quoted or not, a list, or <c>*</c>): the key must exist with a matching ETag.</param>
public sealed record WritePrecondition(bool IfNoneMatchAny, string? IfMatchETag)
{
    /// <summary>
    /// The latest version must have been written at this moment (to the millisecond): what the
    /// lifecycle judged, so a newer version with the same bytes (the same ETag) is not expired for it.
    /// </summary>
    public DateTimeOffset? IfLastModified { get; init; }

    /// <summary>A removal by version id: the version must not be the latest (a noncurrent version made current again is kept).</summary>
    public bool IfNoncurrent { get; init; }

    /// <summary>No condition.</summary>
    public static readonly WritePrecondition None = new(false, null);

    /// <summary>Whether the condition holds for a key whose current ETag is <paramref name="currentETag"/> (null: absent). The one matcher for every check.</summary>
    public bool HoldsFor(string? currentETag)
    {
        if (IfNoneMatchAny && currentETag is not null)
        {
            return false;
        }
        return IfMatchETag is null || (currentETag is not null && ETag.HeaderMatches(IfMatchETag, currentETag));
    }
}
