using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Cairn.Core.Access;

/// <summary>
/// One test of a statement's Condition block: an operator, a condition key, and the values it is
/// compared with. String, numeric, date, Bool, IpAddress and Null operators, each (but Null) also with
/// <c>IfExists</c>. AWS's rules: keys are matched without regard to case; several values of one key
/// are alternatives (any matches; a negated operator holds when none does); a key the request lacks
/// fails a positive operator and passes a negated one or an <c>IfExists</c>; every test of a block
/// must hold.
/// </summary>
public sealed record PolicyCondition(string Operator, string Key, IReadOnlyList<string> Values)
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
        "Bool", "IpAddress", "NotIpAddress",
    };

    /// <summary>Parses a statement's Condition block.</summary>
    public static IReadOnlyList<PolicyCondition> ParseBlock(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException("Condition must be an object");
        }
        var conditions = new List<PolicyCondition>();
        foreach (var operation in block.EnumerateObject())
        {
            var name = operation.Name;
            var baseName = name.EndsWith("IfExists", StringComparison.Ordinal) ? name[..^"IfExists".Length] : name;
            if (!(Known.Contains(baseName) || name == "Null"))
            {
                throw new PolicyException($"Invalid Condition type : {name}");
            }
            if (operation.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException($"Condition {name} must map keys to values");
            }
            foreach (var test in operation.Value.EnumerateObject())
            {
                var values = test.Value.ValueKind switch
                {
                    JsonValueKind.Array => test.Value.EnumerateArray().Select(Scalar).ToList(),
                    _ => [Scalar(test.Value)],
                };
                if (values.Count == 0)
                {
                    throw new PolicyException($"Condition {name} {test.Name} has no value");
                }
                var condition = new PolicyCondition(name, test.Name, values);
                condition.CheckValues();
                conditions.Add(condition);
            }
        }
        return conditions;
    }

    /// <summary>Whether the test holds for <paramref name="request"/>.</summary>
    public bool Holds(PolicyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var present = request.Values.TryGetValue(Key, out var actual);
        if (Operator == "Null")
        {
            // "true": the key must be absent; "false": present.
            return string.Equals(Values[0], "true", StringComparison.OrdinalIgnoreCase) ? !present : present;
        }
        var ifExists = Operator.EndsWith("IfExists", StringComparison.Ordinal);
        var name = ifExists ? Operator[..^"IfExists".Length] : Operator;
        var negated = name.Contains("Not", StringComparison.Ordinal);
        if (!present)
        {
            return ifExists || negated;
        }
        var anyMatch = Values.Any(value => Matches(name, actual!, value));
        return negated ? !anyMatch : anyMatch;
    }

    /// <summary>The positive form of the comparison (the caller negates the Not operators).</summary>
    private static bool Matches(string name, string actual, string expected) => name switch
    {
        "StringEquals" or "StringNotEquals" => string.Equals(actual, expected, StringComparison.Ordinal),
        "StringEqualsIgnoreCase" or "StringNotEqualsIgnoreCase" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
        "StringLike" or "StringNotLike" => Wildcard.Matches(expected, actual, ignoreCase: false),
        "Bool" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
        "IpAddress" or "NotIpAddress" => IPAddress.TryParse(actual, out var address) && IPNetwork.TryParse(AsNetwork(expected), out var network)
            && network.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address),
        _ when name.StartsWith("Numeric", StringComparison.Ordinal) =>
            decimal.TryParse(actual, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(expected, NumberStyles.Number, CultureInfo.InvariantCulture, out var e) && Compare(name["Numeric".Length..], a.CompareTo(e)),
        _ when name.StartsWith("Date", StringComparison.Ordinal) =>
            TryParseDate(actual, out var a) && TryParseDate(expected, out var e) && Compare(name["Date".Length..], a.CompareTo(e)),
        _ => false,
    };

    /// <summary>Equals, NotEquals (compared as equals, then negated), LessThan, ... on a comparison's sign.</summary>
    private static bool Compare(string relation, int sign) => relation switch
    {
        "Equals" or "NotEquals" => sign == 0,
        "LessThan" => sign < 0,
        "LessThanEquals" => sign <= 0,
        "GreaterThan" => sign > 0,
        "GreaterThanEquals" => sign >= 0,
        _ => false,
    };

    /// <summary>A policy value checked where its operator needs a form (a number, a date, an address, true or false).</summary>
    private void CheckValues()
    {
        var name = Operator.EndsWith("IfExists", StringComparison.Ordinal) ? Operator[..^"IfExists".Length] : Operator;
        foreach (var value in Values)
        {
            var valid = name switch
            {
                "Null" or "Bool" => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase),
                "IpAddress" or "NotIpAddress" => IPNetwork.TryParse(AsNetwork(value), out _),
                _ when name.StartsWith("Numeric", StringComparison.Ordinal) =>
                    decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
                _ when name.StartsWith("Date", StringComparison.Ordinal) => TryParseDate(value, out _),
                _ => true,
            };
            if (!valid)
            {
                throw new PolicyException($"Invalid value for condition {Operator} {Key}: {value}");
            }
        }
    }

    /// <summary>A single address is its own network (/32 or /128).</summary>
    private static string AsNetwork(string value) =>
        value.Contains('/', StringComparison.Ordinal) ? value : value + (value.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");

    /// <summary>ISO 8601, or seconds since the epoch, as AWS takes dates.</summary>
    private static bool TryParseDate(string value, out DateTimeOffset date)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            date = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62135596800L, 253402300799L));
            return true;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new PolicyException("Condition values must be strings, numbers or booleans"),
    };
}
