using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Core.Access;

/// <summary>
/// The policy of a browser upload (POST Object): when it expires and the conditions the form's fields
/// must meet, as S3 reads it (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html).
/// Conditions are exact matches (<c>{"acl": "private"}</c> or <c>["eq", "$key", "a"]</c>), prefixes
/// (<c>["starts-with", "$key", "user/"]</c>; for Content-Type every comma-separated value must match)
/// and <c>["content-length-range", min, max]</c>. Field names compare without regard to case, values exactly.
/// </summary>
public sealed class PostPolicy
{
    /// <summary>Form fields no condition needs to name: the signature, the policy itself, the file, and <c>x-ignore-*</c>.</summary>
    private static readonly HashSet<string> UncoveredFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "policy", "x-amz-signature", "file", "signature", "AWSAccessKeyId",
    };

    private PostPolicy(DateTimeOffset expiration, IReadOnlyList<PostPolicyCondition> conditions, (long Min, long Max)? contentLengthRange)
    {
        Expiration = expiration;
        Conditions = conditions;
        ContentLengthRange = contentLengthRange;
    }

    public DateTimeOffset Expiration { get; }

    /// <summary>The field conditions, in the order written (content-length-range is kept apart).</summary>
    public IReadOnlyList<PostPolicyCondition> Conditions { get; }

    /// <summary>The inclusive bounds of the file's size, when the policy sets them (the narrowest, if several).</summary>
    public (long Min, long Max)? ContentLengthRange { get; }

    /// <summary>Decodes the Base64 <c>policy</c> field and parses it; throws <see cref="PolicyException"/> with S3's wording.</summary>
    public static PostPolicy ParseBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        byte[] json;
        try
        {
            json = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new PolicyException("Invalid Policy: Invalid JSON.");
        }
        return Parse(json);
    }

    /// <summary>Parses a policy document; throws <see cref="PolicyException"/> with S3's wording when it is malformed.</summary>
    public static PostPolicy Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            throw new PolicyException("Invalid Policy: Invalid JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException("Invalid Policy: Invalid JSON.");
            }
            DateTimeOffset? expiration = null;
            JsonElement? conditions = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "expiration":
                        expiration = ParseExpiration(property.Value);
                        break;
                    case "conditions":
                        conditions = property.Value;
                        break;
                    default:
                        throw new PolicyException($"Invalid Policy: Unexpected field: '{property.Name}'.");
                }
            }
            if (expiration is null)
            {
                throw new PolicyException("Invalid Policy: Policy missing expiration.");
            }
            if (conditions is not { ValueKind: JsonValueKind.Array } list)
            {
                throw new PolicyException("Invalid Policy: Policy missing conditions.");
            }
            var parsed = new List<PostPolicyCondition>();
            (long Min, long Max)? range = null;
            foreach (var condition in list.EnumerateArray())
            {
                switch (condition.ValueKind)
                {
                    case JsonValueKind.Object:
                        foreach (var property in condition.EnumerateObject())
                        {
                            parsed.Add(new PostPolicyCondition(PostPolicyMatch.Exact, FieldName(property.Name), SimpleValue(property.Value)));
                        }
                        break;
                    case JsonValueKind.Array:
                        if (ParseListCondition(condition) is { } fieldCondition)
                        {
                            parsed.Add(fieldCondition);
                        }
                        else
                        {
                            var (min, max) = ParseRange(condition);
                            range = range is { } earlier ? (Math.Max(earlier.Min, min), Math.Min(earlier.Max, max)) : (min, max);
                        }
                        break;
                    default:
                        throw new PolicyException("Invalid Policy: Invalid Condition: each condition must be an object or a list.");
                }
            }
            return new PostPolicy(expiration.Value, parsed, range);
        }
    }

    /// <summary>
    /// Checks the form's <paramref name="fields"/> (as sent, names without regard to case; the bucket
    /// under <c>bucket</c>) at <paramref name="now"/>: the first broken rule, or null when the form
    /// meets the policy. The file's size is checked against <see cref="ContentLengthRange"/> as it streams.
    /// </summary>
    public string? Check(IReadOnlyDictionary<string, string> fields, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (now > Expiration)
        {
            return "Invalid according to Policy: Policy expired.";
        }
        foreach (var condition in Conditions)
        {
            var value = fields.TryGetValue(condition.Field, out var sent) ? sent : null;
            if (!condition.Holds(value))
            {
                return "Invalid according to Policy: Policy Condition failed: " + condition;
            }
        }
        var extra = fields.Keys
            .Where(name => !name.Equals("bucket", StringComparison.OrdinalIgnoreCase) && !UncoveredFields.Contains(name)
                && !name.StartsWith("x-ignore-", StringComparison.OrdinalIgnoreCase)
                && !Conditions.Any(condition => condition.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return extra.Count == 0 ? null : "Invalid according to Policy: Extra input fields: " + string.Join(", ", extra);
    }

    private static DateTimeOffset ParseExpiration(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString();
        // ISO 8601 in UTC, with or without fractional seconds (2013-08-01T12:00:00.000Z).
        return text.EndsWith('Z') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiration)
            ? expiration
            : throw new PolicyException($"Invalid Policy: Invalid 'expiration' value: '{text}'");
    }

    private static PostPolicyCondition? ParseListCondition(JsonElement condition)
    {
        var items = condition.EnumerateArray().ToList();
        if (items.Count == 0 || items[0].ValueKind != JsonValueKind.String)
        {
            throw new PolicyException("Invalid Policy: Invalid Condition: the first element must name the match.");
        }
        var match = items[0].GetString()!;
        if (match.Equals("content-length-range", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var kind = match.ToLowerInvariant() switch
        {
            "eq" => PostPolicyMatch.Exact,
            "starts-with" => PostPolicyMatch.StartsWith,
            _ => throw new PolicyException($"Invalid Policy: Invalid Condition: unknown match '{match}'."),
        };
        if (items.Count != 3 || items[1].ValueKind != JsonValueKind.String || !items[1].GetString()!.StartsWith('$'))
        {
            throw new PolicyException($"Invalid Policy: Invalid Condition: '{match}' takes a field written '$name' and a value.");
        }
        return new PostPolicyCondition(kind, FieldName(items[1].GetString()![1..]), SimpleValue(items[2]));
    }

    private static (long Min, long Max) ParseRange(JsonElement condition)
    {
        var items = condition.EnumerateArray().ToList();
        if (items.Count == 3 && Bound(items[1]) is { } min && Bound(items[2]) is { } max && min <= max)
        {
            return (min, max);
        }
        throw new PolicyException("Invalid Policy: Invalid content-length-range: it takes two whole numbers, the smaller first.");
    }

    /// <summary>A range bound: a non-negative whole number, written as a number or a string of digits.</summary>
    private static long? Bound(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) && number >= 0 => number,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    private static string FieldName(string name) =>
        name.Length > 0 ? name : throw new PolicyException("Invalid Policy: Invalid Condition: an empty field name.");

    private static string SimpleValue(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString()!
        : throw new PolicyException("Invalid Policy: Invalid Simple-Condition: value must be a string.");
}

/// <summary>How a POST policy condition compares a field.</summary>
public enum PostPolicyMatch
{
    Exact,
    StartsWith,
}

/// <summary>One condition on a form field; it prints as S3 quotes a failed condition.</summary>
public sealed record PostPolicyCondition(PostPolicyMatch Match, string Field, string Value)
{
    /// <summary>True when <paramref name="sent"/> (null: the field is absent) meets the condition.</summary>
    public bool Holds(string? sent)
    {
        if (Match == PostPolicyMatch.Exact)
        {
            return sent is not null && string.Equals(sent, Value, StringComparison.Ordinal);
        }
        // An empty prefix admits anything, the field's absence included ("any content").
        if (Value.Length == 0)
        {
            return true;
        }
        if (sent is null)
        {
            return false;
        }
        // A Content-Type may list several types; each must start with the prefix.
        return Field.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
            ? sent.Split(',').All(type => type.Trim().StartsWith(Value, StringComparison.Ordinal))
            : sent.StartsWith(Value, StringComparison.Ordinal);
    }

    public override string ToString()
    {
        var text = new StringBuilder("[\"").Append(Match == PostPolicyMatch.Exact ? "eq" : "starts-with").Append("\", \"$")
            .Append(Field).Append("\", \"").Append(Value).Append("\"]");
        return text.ToString();
    }
}
