using System.Globalization;
using System.Xml.Linq;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>Most rules in one lifecycle configuration (S3's limit).</summary>
    public const int MaxLifecycleRules = 1000;

    private static readonly HashSet<string> RuleElements =
    [
        "ID", "Status", "Filter", "Prefix", "Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload", "Transition",
        "NoncurrentVersionTransition",
    ];

    private static readonly HashSet<string> FilterConditions = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"];

    /// <summary>
    /// Reads a PutBucketLifecycleConfiguration body. What the schema does not allow (no rule, an
    /// unknown element, a status other than Enabled or Disabled, a filter with two conditions outside
    /// <c>And</c>, an expiration with not exactly one of Days, Date and ExpiredObjectDeleteMarker, a
    /// transition with not exactly one of Days and Date or without a StorageClass, a noncurrent
    /// transition without NoncurrentDays, a rule with both or neither of <c>Filter</c> and
    /// <c>Prefix</c>) is MalformedXML; a value S3 refuses (expiration days not a positive integer,
    /// transition days negative, a date not at midnight UTC, an ID over 255 characters or used twice,
    /// repeated tag keys, sizes that select nothing, two transitions of a rule to one storage class or
    /// at one time, an expiration not later than a transition) is InvalidArgument; a rule without an
    /// action, an action S3 does not allow with tags, or Date and Days mixed among a rule's
    /// expiration and transitions, is InvalidRequest. A transition's StorageClass names a cold tier:
    /// one of <paramref name="tiers"/> (case-sensitive), else InvalidStorageClass. A rule without an
    /// ID gets <paramref name="newId"/>'s, as S3 makes one up.
    /// </summary>
    public static LifecycleConfiguration ReadLifecycleConfiguration(Stream body, Func<string> newId, IReadOnlyCollection<string> tiers)
    {
        var root = ReadSmallDocument(body, "LifecycleConfiguration");
        var ruleElements = root.Elements().ToList();
        if (ruleElements.Count == 0 || ruleElements.Any(element => !IsS3(element, "Rule")))
        {
            throw Malformed();
        }
        if (ruleElements.Count > MaxLifecycleRules)
        {
            throw S3Errors.InvalidRequest($"Configuration has more than {MaxLifecycleRules} rules.");
        }
        var rules = ruleElements.Select(rule => ReadLifecycleRule(rule, newId, tiers)).ToList();
        if (rules.GroupBy(static rule => rule.Id, StringComparer.Ordinal).Any(static ids => ids.Count() > 1))
        {
            throw S3Errors.InvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID");
        }
        return new LifecycleConfiguration(rules);
    }

    private static LifecycleRule ReadLifecycleRule(XElement rule, Func<string> newId, IReadOnlyCollection<string> tiers)
    {
        if (rule.Elements().Any(element => !RuleElements.Contains(element.Name.LocalName) || !IsS3(element, element.Name.LocalName))
            || rule.Elements().GroupBy(static element => element.Name.LocalName).Any(static same => same.Count() > 1
                && same.Key is not ("Transition" or "NoncurrentVersionTransition")))
        {
            throw Malformed();
        }
        var id = Child(rule, "ID")?.Value ?? newId();
        if (id.Length > 255)
        {
            throw S3Errors.InvalidArgument("ID length should not exceed allowed limit of 255", "ID", id);
        }
        var enabled = Child(rule, "Status")?.Value.Trim() switch
        {
            "Enabled" => true,
            "Disabled" => false,
            _ => throw Malformed(),
        };
        var filter = (Child(rule, "Filter"), Child(rule, "Prefix")) switch
        {
            ({ } element, null) => ReadLifecycleFilter(element),
            (null, { } prefix) => new LifecycleFilter { Prefix = prefix.Value, Form = LifecycleFilterForm.RulePrefix },
            _ => throw Malformed(),
        };
        var expiration = Child(rule, "Expiration") is { } expirationElement ? ReadExpiration(expirationElement) : null;
        int? noncurrentDays = null, newerNoncurrent = null, abortDays = null;
        if (Child(rule, "NoncurrentVersionExpiration") is { } noncurrent)
        {
            noncurrentDays = PositiveDays(noncurrent, "NoncurrentDays", "NoncurrentVersionExpiration");
            if (Child(noncurrent, "NewerNoncurrentVersions")?.Value.Trim() is { } newer)
            {
                newerNoncurrent = NewerNoncurrentVersions(newer);
            }
        }
        if (Child(rule, "AbortIncompleteMultipartUpload") is { } abort)
        {
            abortDays = PositiveDays(abort, "DaysAfterInitiation", "AbortIncompleteMultipartUpload");
        }
        var transitions = new List<LifecycleTransition>();
        var noncurrentTransitions = new List<LifecycleNoncurrentTransition>();
        foreach (var element in rule.Elements())
        {
            if (element.Name.LocalName == "Transition")
            {
                transitions.Add(ReadTransition(element, tiers));
            }
            else if (element.Name.LocalName == "NoncurrentVersionTransition")
            {
                noncurrentTransitions.Add(ReadNoncurrentTransition(element, tiers));
            }
        }
        if (expiration is null && noncurrentDays is null && abortDays is null && transitions.Count == 0 && noncurrentTransitions.Count == 0)
        {
            throw S3Errors.InvalidRequest("At least one action needs to be specified in a rule");
        }
        if (filter.Tags.Count > 0 && abortDays is not null)
        {
            throw S3Errors.InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.");
        }
        if (filter.Tags.Count > 0 && expiration is { ExpiredObjectDeleteMarker: true })
        {
            throw S3Errors.InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.");
        }
        CheckTransitions(filter, expiration, transitions);
        CheckNoncurrentTransitions(filter, noncurrentDays, noncurrentTransitions);
        return new LifecycleRule
        {
            Id = id,
            Enabled = enabled,
            Filter = filter,
            Expiration = expiration,
            NoncurrentDays = noncurrentDays,
            NewerNoncurrentVersions = newerNoncurrent,
            AbortIncompleteUploadDays = abortDays,
            Transitions = transitions,
            NoncurrentTransitions = noncurrentTransitions,
        };
    }

    private static LifecycleFilter ReadLifecycleFilter(XElement filter)
    {
        var conditions = filter.Elements().ToList();
        if (conditions.Any(element => !FilterConditions.Contains(element.Name.LocalName) || !IsS3(element, element.Name.LocalName))
            || conditions.Count > 1)
        {
            throw Malformed();
        }
        if (conditions.Count == 0)
        {
            return new LifecycleFilter();
        }
        var condition = conditions[0];
        if (condition.Name.LocalName != "And")
        {
            return ReadConditions([condition], LifecycleFilterForm.Filter);
        }
        var inner = condition.Elements().ToList();
        if (inner.Count == 0 || inner.Any(element => element.Name.LocalName is not ("Prefix" or "Tag" or "ObjectSizeGreaterThan" or "ObjectSizeLessThan")
                || !IsS3(element, element.Name.LocalName))
            || inner.Where(static element => element.Name.LocalName != "Tag").GroupBy(static element => element.Name.LocalName).Any(static same => same.Count() > 1))
        {
            throw Malformed();
        }
        return ReadConditions(inner, LifecycleFilterForm.And);
    }

    private static LifecycleFilter ReadConditions(List<XElement> conditions, LifecycleFilterForm form)
    {
        var filter = new LifecycleFilter { Form = form };
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var condition in conditions)
        {
            switch (condition.Name.LocalName)
            {
                case "Prefix":
                    filter = filter with { Prefix = condition.Value };
                    break;
                case "Tag":
                    var key = Child(condition, "Key")?.Value ?? throw Malformed();
                    var value = Child(condition, "Value")?.Value ?? throw Malformed();
                    if (tags.Any(tag => tag.Key == key))
                    {
                        throw S3Errors.InvalidArgument("Duplicate Tag Keys are not allowed.", "Tag", key);
                    }
                    tags.Add(new KeyValuePair<string, string>(key, value));
                    break;
                case "ObjectSizeGreaterThan":
                    filter = filter with { SizeGreaterThan = ObjectSize(condition) };
                    break;
                default:
                    filter = filter with { SizeLessThan = ObjectSize(condition) };
                    break;
            }
        }
        if (filter is { SizeGreaterThan: { } above, SizeLessThan: { } below } && above >= below)
        {
            throw S3Errors.InvalidArgument("ObjectSizeGreaterThan must be less than ObjectSizeLessThan", "ObjectSizeGreaterThan",
                above.ToString(CultureInfo.InvariantCulture));
        }
        return filter with { Tags = tags };
    }

    private static long ObjectSize(XElement condition)
    {
        var text = condition.Value.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw S3Errors.InvalidArgument($"{condition.Name.LocalName} must be a non-negative integer", condition.Name.LocalName, text);
    }

    private static LifecycleExpiration ReadExpiration(XElement expiration)
    {
        var days = Child(expiration, "Days")?.Value.Trim();
        var date = Child(expiration, "Date")?.Value.Trim();
        var marker = Child(expiration, "ExpiredObjectDeleteMarker")?.Value.Trim();
        if ((days is null ? 0 : 1) + (date is null ? 0 : 1) + (marker is null ? 0 : 1) != 1)
        {
            throw Malformed();
        }
        if (days is not null)
        {
            return new LifecycleExpiration(PositiveDays(expiration, "Days", "Expiration"), null, false);
        }
        if (date is not null)
        {
            return new LifecycleExpiration(null, MidnightDate(date), false);
        }
        return marker switch
        {
            "true" => new LifecycleExpiration(null, null, true),
            "false" => new LifecycleExpiration(null, null, false),
            _ => throw Malformed(),
        };
    }

    /// <summary>The positive whole number of days in <paramref name="parent"/>'s <paramref name="name"/> element (required).</summary>
    private static int PositiveDays(XElement parent, string name, string action)
    {
        var text = Child(parent, name)?.Value.Trim() ?? throw Malformed();
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) && days > 0
            ? days
            : throw S3Errors.InvalidArgument($"'{name}' for {action} action must be a positive integer", name, text);
    }

    /// <summary>How many of the newest noncurrent versions an action keeps: 1 to 100 (S3's documented range), else InvalidArgument.</summary>
    private static int NewerNoncurrentVersions(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var kept) && kept is >= 1 and <= 100
            ? kept
            : throw S3Errors.InvalidArgument("NewerNoncurrentVersions must be between 1 and 100", "NewerNoncurrentVersions", text);

    /// <summary>A lifecycle date: ISO 8601 (else MalformedXML), at midnight UTC (else InvalidArgument).</summary>
    private static DateTimeOffset MidnightDate(string text)
    {
        if (!TryParseIsoDate(text, out var at))
        {
            throw Malformed();
        }
        return at.TimeOfDay == TimeSpan.Zero ? at : throw S3Errors.InvalidArgument("'Date' must be at midnight GMT", "Date", text);
    }

    private static bool IsS3(XElement element, string localName) =>
        element.Name.LocalName == localName && element.Name.NamespaceName is "" or S3Namespace;
}
