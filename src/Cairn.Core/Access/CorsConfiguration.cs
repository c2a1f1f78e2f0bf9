namespace Cairn.Core.Access;

/// <summary>
/// A bucket's CORS configuration (PutBucketCors): rules tried in order; the first whose origin,
/// method and requested headers all match answers a browser's request. An origin or header pattern
/// holds at most one <c>*</c>; origins match case-sensitively, headers without regard to case, as on S3.
/// </summary>
public sealed record CorsConfiguration(IReadOnlyList<CorsRule> Rules)
{
    /// <summary>Most rules S3 accepts in one configuration.</summary>
    public const int MaxRules = 100;

    /// <summary>The methods a rule may allow.</summary>
    public static readonly IReadOnlyList<string> Methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];

    /// <summary>
    /// The first rule allowing <paramref name="origin"/> to send <paramref name="method"/> with
    /// <paramref name="requestHeaders"/> (a preflight's Access-Control-Request-Headers; none for an actual request); null when none does.
    /// </summary>
    public CorsRule? Match(string origin, string method, IReadOnlyList<string> requestHeaders) =>
        Rules.FirstOrDefault(rule => rule.AllowedMethods.Contains(method, StringComparer.Ordinal)
            && rule.AllowedOrigins.Any(pattern => Wildcard.Matches(pattern, origin, ignoreCase: false))
            && requestHeaders.All(header => rule.AllowedHeaders.Any(pattern => Wildcard.Matches(pattern, header, ignoreCase: true))));

    /// <summary>Checks a configuration as PutBucketCors does; the reason S3 gives (InvalidRequest) when it does not hold, else null.</summary>
    public string? Problem()
    {
        if (Rules.Count is 0 or > MaxRules)
        {
            return $"A CORS configuration holds 1 to {MaxRules} rules.";
        }
        foreach (var rule in Rules)
        {
            if (rule.AllowedMethods.Count == 0 || rule.AllowedOrigins.Count == 0)
            {
                return "Each CORS rule needs at least one AllowedMethod and one AllowedOrigin.";
            }
            if (rule.AllowedMethods.FirstOrDefault(method => !Methods.Contains(method, StringComparer.Ordinal)) is { } unsupported)
            {
                return $"Found unsupported HTTP method in CORS config. Unsupported method is {unsupported}";
            }
            if (rule.AllowedOrigins.FirstOrDefault(static origin => origin.Count(static c => c == '*') > 1) is { } origin)
            {
                return $"AllowedOrigin \"{origin}\" can not have more than one wildcard.";
            }
            if (rule.AllowedHeaders.FirstOrDefault(static header => header.Count(static c => c == '*') > 1) is { } header)
            {
                return $"AllowedHeader \"{header}\" can not have more than one wildcard.";
            }
            if (rule.MaxAgeSeconds is < 0)
            {
                return "MaxAgeSeconds must not be negative.";
            }
        }
        return null;
    }
}

/// <summary>One CORS rule.</summary>
public sealed record CorsRule(string? Id, IReadOnlyList<string> AllowedOrigins, IReadOnlyList<string> AllowedMethods,
    IReadOnlyList<string> AllowedHeaders, IReadOnlyList<string> ExposeHeaders, int? MaxAgeSeconds);
