using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

/// <summary>
/// A lifecycle rule's <c>Transition</c> and <c>NoncurrentVersionTransition</c> actions (issue 13):
/// each names a cold tier of this server as its StorageClass.
/// </summary>
/// <remarks>
/// S3's messages are used where they are on record ("'StorageClass' must be different for
/// 'Transition' actions in same 'Rule' with filter '(prefix=)'", "Found mixed 'Date' and 'Days'
/// based Expiration and Transition actions in lifecycle rule for filter '(prefix=)'", "'Days' in the
/// Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action").
/// S3 orders its own storage classes and refuses a colder class that is not moved to later; tiers
/// here have no order, so two transitions of a rule at the same time are refused instead: which
/// tier the version ends in would otherwise depend on the order they were written in.
/// </remarks>
public static partial class S3XmlReader
{
    private static readonly HashSet<string> TransitionElements = ["Days", "Date", "StorageClass"];

    private static readonly HashSet<string> NoncurrentTransitionElements = ["NoncurrentDays", "NewerNoncurrentVersions", "StorageClass"];

    /// <summary>A <c>Transition</c>: exactly one of Days (0 or more: S3 accepts 0, the next midnight) and Date, and a tier.</summary>
    private static LifecycleTransition ReadTransition(XElement element, IReadOnlyCollection<string> tiers)
    {
        RequireKnownOnce(element, TransitionElements);
        var days = Child(element, "Days")?.Value.Trim();
        var date = Child(element, "Date")?.Value.Trim();
        var storageClass = Child(element, "StorageClass")?.Value.Trim();
        if ((days is null) == (date is null) || storageClass is null)
        {
            throw Malformed(); // the schema's choice of Days or Date, and its required StorageClass
        }
        var transition = days is not null
            ? new LifecycleTransition(NonnegativeDays(days, "Days", "Transition"), null, storageClass)
            : new LifecycleTransition(null, MidnightDate(date!), storageClass);
        RequireTier(storageClass, tiers);
        return transition;
    }

    /// <summary>A <c>NoncurrentVersionTransition</c>: NoncurrentDays (0 or more), optionally NewerNoncurrentVersions, and a tier.</summary>
    private static LifecycleNoncurrentTransition ReadNoncurrentTransition(XElement element, IReadOnlyCollection<string> tiers)
    {
        RequireKnownOnce(element, NoncurrentTransitionElements);
        var days = Child(element, "NoncurrentDays")?.Value.Trim();
        var storageClass = Child(element, "StorageClass")?.Value.Trim();
        if (days is null || storageClass is null)
        {
            throw Malformed();
        }
        var transition = new LifecycleNoncurrentTransition(NonnegativeDays(days, "NoncurrentDays", "NoncurrentVersionTransition"),
            Child(element, "NewerNoncurrentVersions")?.Value.Trim() is { } newer ? NewerNoncurrentVersions(newer) : null, storageClass);
        RequireTier(storageClass, tiers);
        return transition;
    }

    /// <summary>
    /// What S3 refuses among a rule's transitions and its expiration: Date and Days mixed, two
    /// transitions to one tier or at one time, an expiration not later than every transition.
    /// </summary>
    private static void CheckTransitions(LifecycleFilter filter, LifecycleExpiration? expiration, List<LifecycleTransition> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }
        var byDays = transitions.Exists(static transition => transition.Days is not null);
        var byDate = transitions.Exists(static transition => transition.Date is not null);
        if (byDays && byDate)
        {
            throw S3Errors.InvalidRequest($"Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '{DescribeFilter(filter)}'");
        }
        if ((expiration is { Days: not null } && byDate) || (expiration is { Date: not null } && byDays))
        {
            throw S3Errors.InvalidRequest(
                $"Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '{DescribeFilter(filter)}'");
        }
        var classes = new HashSet<string>(StringComparer.Ordinal);
        var days = new HashSet<int>();
        var dates = new HashSet<DateTimeOffset>();
        var mostDays = -1;
        var latest = DateTimeOffset.MinValue;
        foreach (var transition in transitions)
        {
            if (!classes.Add(transition.StorageClass))
            {
                throw S3Errors.InvalidArgument(
                    $"'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '{DescribeFilter(filter)}'", "StorageClass",
                    transition.StorageClass);
            }
            if (transition.Days is { } count && !days.Add(count))
            {
                throw S3Errors.InvalidArgument($"'Days' must be different for 'Transition' actions in same 'Rule' with filter '{DescribeFilter(filter)}'",
                    "Days", count.ToString(CultureInfo.InvariantCulture));
            }
            if (transition.Date is { } date && !dates.Add(date))
            {
                throw S3Errors.InvalidArgument($"'Date' must be different for 'Transition' actions in same 'Rule' with filter '{DescribeFilter(filter)}'",
                    "Date", FormatDate(date));
            }
            mostDays = Math.Max(mostDays, transition.Days ?? -1);
            latest = transition.Date is { } on && on > latest ? on : latest;
        }
        if (expiration is { Days: { } expireDays } && expireDays <= mostDays)
        {
            throw S3Errors.InvalidArgument(
                $"'Days' in the Expiration action for filter '{DescribeFilter(filter)}' must be greater than 'Days' in the Transition action", "Days",
                expireDays.ToString(CultureInfo.InvariantCulture));
        }
        // S3's message for dates is not on record: the same sentence as for days.
        if (expiration is { Date: { } expireOn } && expireOn <= latest)
        {
            throw S3Errors.InvalidArgument(
                $"'Date' in the Expiration action for filter '{DescribeFilter(filter)}' must be greater than 'Date' in the Transition action", "Date",
                FormatDate(expireOn));
        }
    }

    /// <summary>
    /// What S3 refuses among a rule's noncurrent transitions: two to one tier or at one age, and a
    /// noncurrent expiration not later than every one of them.
    /// </summary>
    private static void CheckNoncurrentTransitions(LifecycleFilter filter, int? noncurrentDays, List<LifecycleNoncurrentTransition> transitions)
    {
        var classes = new HashSet<string>(StringComparer.Ordinal);
        var ages = new HashSet<int>();
        var mostDays = -1;
        foreach (var transition in transitions)
        {
            if (!classes.Add(transition.StorageClass))
            {
                throw S3Errors.InvalidArgument(
                    $"'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '{DescribeFilter(filter)}'",
                    "StorageClass", transition.StorageClass);
            }
            if (!ages.Add(transition.NoncurrentDays))
            {
                throw S3Errors.InvalidArgument(
                    $"'NoncurrentDays' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '{DescribeFilter(filter)}'",
                    "NoncurrentDays", transition.NoncurrentDays.ToString(CultureInfo.InvariantCulture));
            }
            mostDays = Math.Max(mostDays, transition.NoncurrentDays);
        }
        if (noncurrentDays is { } days && days <= mostDays)
        {
            throw S3Errors.InvalidArgument(
                $"'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{DescribeFilter(filter)}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action",
                "NoncurrentDays", days.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// A rule's filter as S3 names it in its messages. "(prefix=logs/)" is the form on record; how S3
    /// writes tags and sizes is not, so they follow the same name=value form, joined by " and ".
    /// </summary>
    private static string DescribeFilter(LifecycleFilter filter)
    {
        var text = new StringBuilder("(");
        void Add(string part) => text.Append(text.Length > 1 ? " and " : "").Append(part);
        if (filter.Prefix.Length > 0 || (filter.Tags.Count == 0 && filter.SizeGreaterThan is null && filter.SizeLessThan is null))
        {
            Add($"prefix={filter.Prefix}");
        }
        foreach (var (key, value) in filter.Tags)
        {
            Add($"tag={key}={value}");
        }
        if (filter.SizeGreaterThan is { } above)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"objectsizegreaterthan={above}"));
        }
        if (filter.SizeLessThan is { } below)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"objectsizelessthan={below}"));
        }
        return text.Append(')').ToString();
    }

    /// <summary>A transition's StorageClass must name a configured tier, exactly (tier names are case-sensitive).</summary>
    private static void RequireTier(string storageClass, IReadOnlyCollection<string> tiers)
    {
        foreach (var tier in tiers)
        {
            if (string.Equals(tier, storageClass, StringComparison.Ordinal))
            {
                return;
            }
        }
        throw S3Errors.Of(S3ErrorCode.InvalidStorageClass, $"The storage class you specified is not valid: '{storageClass}' names no tier of this server.");
    }

    /// <summary>Every child of <paramref name="parent"/> is one of <paramref name="names"/> (in the S3 namespace or none), none twice; else MalformedXML.</summary>
    private static void RequireKnownOnce(XElement parent, HashSet<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in parent.Elements())
        {
            if (!names.Contains(element.Name.LocalName) || !IsS3(element, element.Name.LocalName) || !seen.Add(element.Name.LocalName))
            {
                throw Malformed();
            }
        }
    }

    /// <summary>A whole number of days, zero or more (transitions may happen at once, unlike expirations).</summary>
    private static int NonnegativeDays(string text, string name, string action) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) && days >= 0
            ? days
            : throw S3Errors.InvalidArgument($"'{name}' in {action} action must be nonnegative", name, text);

    private static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
