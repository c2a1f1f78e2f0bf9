using System.Text.Json;

namespace Cairn.Core.Access;

/// <summary>
/// A bucket policy (issue 14): the common subset of AWS's policy language, parsed and checked as
/// PutBucketPolicy does. Statements with Effect, Principal (<c>*</c>, <c>{"AWS": "*"}</c>, or users
/// written as RGW writes them, <c>arn:aws:iam:::user/NAME</c>), Action and Resource (strings or
/// lists, with <c>*</c> and <c>?</c> wildcards) and Condition (<see cref="PolicyCondition"/>).
/// NotPrincipal, NotAction and NotResource are refused rather than half-understood.
/// </summary>
public sealed class BucketPolicy
{
    /// <summary>Largest policy document S3 accepts (20 KB).</summary>
    public const int MaxBytes = 20 * 1024;

    /// <summary>The prefix of a user principal, as RGW writes one (no account).</summary>
    public const string UserArnPrefix = "arn:aws:iam:::user/";

    private const string BucketArnPrefix = "arn:aws:s3:::";

    private BucketPolicy(IReadOnlyList<PolicyStatement> statements) => Statements = statements;

    public IReadOnlyList<PolicyStatement> Statements { get; }

    /// <summary>
    /// Parses <paramref name="document"/> as a policy of <paramref name="bucket"/>; throws
    /// <see cref="PolicyException"/> with S3's wording when it is malformed or names another bucket.
    /// </summary>
    public static BucketPolicy Parse(string document, string bucket)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (System.Text.Encoding.UTF8.GetByteCount(document) > MaxBytes)
        {
            throw new PolicyException("Policies cannot exceed 20 KB in size.");
        }
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document);
        }
        catch (JsonException)
        {
            throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        using (json)
        {
            try
            {
                return ParseDocument(json.RootElement, bucket);
            }
            catch (InvalidOperationException)
            {
                // A field of the wrong JSON kind (a number where a string belongs, say).
                throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
            }
        }
    }

    private static BucketPolicy ParseDocument(JsonElement root, string bucket)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "Version":
                    if (property.Value.GetString() is not ("2012-10-17" or "2008-10-17"))
                    {
                        throw new PolicyException("The policy must contain a valid version string");
                    }
                    break;
                case "Id" or "Statement":
                    break;
                default:
                    throw new PolicyException($"Unknown field {property.Name}");
            }
        }
        if (!root.TryGetProperty("Statement", out var statementElement))
        {
            throw new PolicyException("Missing required field Statement");
        }
        var statements = new List<PolicyStatement>();
        foreach (var element in statementElement.ValueKind == JsonValueKind.Array ? statementElement.EnumerateArray().ToList() : [statementElement])
        {
            statements.Add(ParseStatement(element, bucket));
        }
        if (statements.Count == 0)
        {
            throw new PolicyException("Could not parse the policy: Statement is empty!");
        }
        return new BucketPolicy(statements);
    }

    /// <summary>
    /// How the policy judges <paramref name="request"/>: <see cref="PolicyDecision.Deny"/> when a statement
    /// denies it (an explicit deny wins), else <see cref="PolicyDecision.Allow"/> when one allows it, else
    /// <see cref="PolicyDecision.NotApplicable"/> (the caller's other grants decide).
    /// </summary>
    public PolicyDecision Evaluate(PolicyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var allowed = false;
        foreach (var statement in Statements)
        {
            if (!statement.Applies(request))
            {
                continue;
            }
            if (statement.Effect == PolicyEffect.Deny)
            {
                return PolicyDecision.Deny;
            }
            allowed = true;
        }
        return allowed ? PolicyDecision.Allow : PolicyDecision.NotApplicable;
    }

    /// <summary>
    /// S3's "public" (GetBucketPolicyStatus): some statement allows everyone (principal <c>*</c>)
    /// without a condition that holds only for a fixed set of networks (a positive <c>IpAddress</c> on
    /// <c>aws:SourceIp</c>, none of them <c>/0</c>).
    /// </summary>
    public bool IsPublic => Statements.Any(static statement => statement.Effect == PolicyEffect.Allow && statement.Principals.Everyone
        && !statement.Conditions.Any(static condition => condition.Operator == "IpAddress"
            && condition.Key.Equals("aws:SourceIp", StringComparison.OrdinalIgnoreCase)
            && condition.Values.All(static value => !value.EndsWith("/0", StringComparison.Ordinal))));

    private static PolicyStatement ParseStatement(JsonElement element, string bucket)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException("Statement must be an object");
        }
        PolicyEffect? effect = null;
        PolicyPrincipals? principals = null;
        IReadOnlyList<string>? actions = null;
        IReadOnlyList<string>? resources = null;
        IReadOnlyList<PolicyCondition> conditions = [];
        string? sid = null;
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "Sid":
                    sid = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new PolicyException("Sid must be a string");
                    break;
                case "Effect":
                    effect = property.Value.GetString() switch
                    {
                        "Allow" => PolicyEffect.Allow,
                        "Deny" => PolicyEffect.Deny,
                        _ => throw new PolicyException("Invalid effect: " + property.Value),
                    };
                    break;
                case "Principal":
                    principals = ParsePrincipals(property.Value);
                    break;
                case "Action":
                    actions = Strings(property.Value, "Action");
                    foreach (var action in actions)
                    {
                        // A pattern must name at least one action this server judges: a misspelt Deny would otherwise deny nothing.
                        if (!S3ActionNames.All.Any(known => Wildcard.Matches(action, known, ignoreCase: true)))
                        {
                            throw new PolicyException("Policy has invalid action");
                        }
                    }
                    break;
                case "Resource":
                    resources = Strings(property.Value, "Resource");
                    foreach (var resource in resources)
                    {
                        if (resource.Contains("${", StringComparison.Ordinal))
                        {
                            throw new PolicyException("Policy variables (${...}) are not supported by this server");
                        }
                        if (!ResourceNamesBucket(resource, bucket))
                        {
                            throw new PolicyException("Policy has invalid resource");
                        }
                    }
                    break;
                case "Condition":
                    conditions = PolicyCondition.ParseBlock(property.Value);
                    break;
                case "NotPrincipal" or "NotAction" or "NotResource":
                    throw new PolicyException($"{property.Name} is not supported by this server; write the statement with {property.Name[3..]}");
                default:
                    throw new PolicyException($"Unknown field {property.Name}");
            }
        }
        return new PolicyStatement(
            sid,
            effect ?? throw new PolicyException("Missing required field Effect"),
            principals ?? throw new PolicyException("Missing required field Principal"),
            actions ?? throw new PolicyException("Missing required field Action"),
            resources ?? throw new PolicyException("Missing required field Resource"),
            conditions);
    }

    /// <summary>A resource is this bucket's ARN or an object pattern under it (S3 refuses a policy naming any other bucket).</summary>
    private static bool ResourceNamesBucket(string resource, string bucket)
    {
        if (!resource.StartsWith(BucketArnPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = resource[BucketArnPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucketPart = slash < 0 ? rest : rest[..slash];
        return Wildcard.Matches(bucketPart, bucket, ignoreCase: false);
    }

    private static PolicyPrincipals ParsePrincipals(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() == "*" ? PolicyPrincipals.Anyone : throw new PolicyException("Invalid principal in policy");
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException("Invalid principal in policy");
        }
        var users = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var everyone = false;
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name != "AWS")
            {
                throw new PolicyException("Invalid principal in policy");
            }
            foreach (var principal in Strings(property.Value, "Principal"))
            {
                if (principal == "*")
                {
                    everyone = true;
                }
                else if (principal.StartsWith(UserArnPrefix, StringComparison.Ordinal) && principal.Length > UserArnPrefix.Length)
                {
                    users.Add(principal[UserArnPrefix.Length..]);
                }
                else
                {
                    throw new PolicyException("Invalid principal in policy");
                }
            }
        }
        return everyone ? PolicyPrincipals.Anyone : new PolicyPrincipals(false, users);
    }

    private static IReadOnlyList<string> Strings(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
            && value.EnumerateArray().All(static item => item.ValueKind == JsonValueKind.String))
        {
            return [.. value.EnumerateArray().Select(static item => item.GetString()!)];
        }
        throw new PolicyException($"{field} must be a string or a non-empty list of strings");
    }
}

/// <summary>Allow or Deny.</summary>
public enum PolicyEffect
{
    Allow,
    Deny,
}

/// <summary>A policy's verdict on one request.</summary>
public enum PolicyDecision
{
    /// <summary>No statement applies: other grants (ownership) decide.</summary>
    NotApplicable,
    Allow,

    /// <summary>An explicit deny: wins over every grant.</summary>
    Deny,
}

/// <summary>Who a statement names: everyone (anonymous included), or users by name.</summary>
public sealed record PolicyPrincipals(bool Everyone, IReadOnlySet<string> Users)
{
    public static readonly PolicyPrincipals Anyone = new(true, new HashSet<string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Users are named without regard to case, as IAM names them.</summary>
    public bool Includes(string? user) => Everyone || (user is not null && Users.Contains(user));
}

/// <summary>One statement of a policy.</summary>
public sealed record PolicyStatement(string? Sid, PolicyEffect Effect, PolicyPrincipals Principals, IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources, IReadOnlyList<PolicyCondition> Conditions)
{
    /// <summary>Whether the statement names the request's principal, action and resource and all its conditions hold.</summary>
    public bool Applies(PolicyRequest request) =>
        Principals.Includes(request.User)
        && Actions.Any(action => Wildcard.Matches(action, request.Action, ignoreCase: true))
        && Resources.Any(resource => Wildcard.Matches(resource, request.Resource, ignoreCase: false))
        && Conditions.All(condition => condition.Holds(request));
}

/// <summary>
/// A request as a policy sees it: who (a user's name, or null for anonymous), the action
/// (<c>s3:GetObject</c>), the resource ARN (<c>arn:aws:s3:::bucket/key</c>), and the values of condition keys
/// (<c>aws:SourceIp</c>, <c>s3:prefix</c>, ...; a key the request has no value for is absent).
/// </summary>
public sealed record PolicyRequest(string? User, string Action, string Resource, IReadOnlyDictionary<string, string> Values);

/// <summary>A policy AWS would not accept (S3: 400 MalformedPolicy with this message).</summary>
public sealed class PolicyException(string message) : Exception(message);

/// <summary>
/// A bucket's S3 Block Public Access settings. New buckets have all four on, as on AWS since 2023;
/// <see cref="None"/> is what a bucket whose settings were deleted has.
/// </summary>
public sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    /// <summary>A new bucket's settings: everything blocked.</summary>
    public static readonly PublicAccessBlock Default = new(true, true, true, true);

    /// <summary>No setting on (the settings were deleted).</summary>
    public static readonly PublicAccessBlock None = new(false, false, false, false);
}
