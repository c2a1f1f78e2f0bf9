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
    /// <summary>
    /// The condition keys this server gives values for. A policy naming another is refused (as AWS
    /// refuses an invalid key): a Deny on a key never filled in would deny nothing.
    /// </summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "aws:SourceIp", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:username", "aws:PrincipalType", "aws:UserAgent",
        "aws:Referer", "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:VersionId",
    };

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
                if (!Keys.Contains(test.Name))
                {
                    throw new PolicyException($"Policy has an invalid condition key: {test.Name}");
                }
                var values = test.Value.ValueKind switch
                {
                    JsonValueKind.Array => test.Value.EnumerateArray().Select(Scalar).ToList(),
                    _ => [Scalar(test.Value)],
                };
                if (values.Count == 0)
                {
                    throw new PolicyException($"Condition {name} {test.Name} has no value");
                }
                if (values.Any(static value => value.Contains("${", StringComparison.Ordinal)))
                {
                    throw new PolicyException("Policy variables (${...}) are not supported by this server");
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
        "IpAddress" or "NotIpAddress" => IPAddress.TryParse(actual, out var address) && InNetwork(address, expected),
        _ when name.StartsWith("Numeric", StringComparison.Ordinal) =>
            decimal.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) && Compare(name["Numeric".Length..], a.CompareTo(e)),
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
                "IpAddress" or "NotIpAddress" => TryParseNetwork(value, out _, out _),
                _ when name.StartsWith("Numeric", StringComparison.Ordinal) =>
                    decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                _ when name.StartsWith("Date", StringComparison.Ordinal) => TryParseDate(value, out _),
                _ => true,
            };
            if (!valid)
            {
                throw new PolicyException($"Invalid value for condition {Operator} {Key}: {value}");
            }
        }
    }

    /// <summary>
    /// <c>address/bits</c>, or one address (all its bits). Host bits past the prefix are allowed and
    /// ignored, as AWS reads <c>10.0.0.1/8</c>; IPv4-mapped IPv6 addresses are taken as IPv4.
    /// </summary>
    private static bool TryParseNetwork(string value, out IPAddress network, out int bits)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        bits = -1;
        if (!IPAddress.TryParse(slash < 0 ? value : value[..slash], out network!))
        {
            return false;
        }
        network = network.IsIPv4MappedToIPv6 ? network.MapToIPv4() : network;
        var width = network.GetAddressBytes().Length * 8;
        if (slash < 0)
        {
            bits = width;
            return true;
        }
        return int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out bits) && bits <= width;
    }

    private static bool InNetwork(IPAddress address, string expected)
    {
        if (!TryParseNetwork(expected, out var network, out var bits))
        {
            return false;
        }
        var candidate = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
        var prefix = network.GetAddressBytes();
        if (candidate.Length != prefix.Length)
        {
            return false;
        }
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((candidate[i / 8] & mask) != (prefix[i / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }

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
