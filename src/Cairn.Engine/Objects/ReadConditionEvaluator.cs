namespace Cairn.Engine.Objects;

/// <summary>
/// HTTP conditional-request rules as S3 applies them (RFC 9110 §13.2.2): If-Match, then
/// If-Unmodified-Since (only without If-Match), then If-None-Match, then If-Modified-Since (only
/// without If-None-Match). A failed If-Match / If-Unmodified-Since wins over Not Modified.
/// </summary>
public static class ReadConditionEvaluator
{
    /// <summary>What the conditions say about a version with this ETag and modification time.</summary>
    public static GetObjectStatus Evaluate(ReadConditions conditions, string etag, DateTimeOffset lastModified)
    {
        // HTTP dates carry whole seconds; compare at that precision.
        var modified = TruncateToSeconds(lastModified);
        if (conditions.IfMatch is { } ifMatch)
        {
            if (!Core.ETag.HeaderMatches(ifMatch, etag))
            {
                return GetObjectStatus.PreconditionFailed;
            }
        }
        else if (conditions.IfUnmodifiedSince is { } unmodifiedSince && modified > TruncateToSeconds(unmodifiedSince))
        {
            return GetObjectStatus.PreconditionFailed;
        }
        if (conditions.IfNoneMatch is { } ifNoneMatch)
        {
            if (Core.ETag.HeaderMatches(ifNoneMatch, etag))
            {
                return GetObjectStatus.NotModified;
            }
        }
        else if (conditions.IfModifiedSince is { } modifiedSince && modified <= TruncateToSeconds(modifiedSince))
        {
            return GetObjectStatus.NotModified;
        }
        return GetObjectStatus.Found;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
