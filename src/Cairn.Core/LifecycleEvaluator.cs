namespace Cairn.Core;

/// <summary>
/// The lifecycle's day. S3 counts a rule's days from a version's creation (or from when it became
/// noncurrent) and rounds the result up to the next midnight UTC. A shorter day (for demos and
/// end-to-end tests, <c>CAIRN_LIFECYCLE_DAY</c>) keeps the same arithmetic: days of that length,
/// rounded up to the next multiple of it since the Unix epoch.
/// </summary>
public sealed class LifecycleCalendar
{
    /// <summary>S3's calendar: days of 24 hours, ending at midnight UTC.</summary>
    public static readonly LifecycleCalendar Standard = new(TimeSpan.FromDays(1));

    public LifecycleCalendar(TimeSpan day)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(day, TimeSpan.FromMilliseconds(1));
        Day = day;
    }

    /// <summary>The length of a lifecycle day.</summary>
    public TimeSpan Day { get; }

    /// <summary>The day boundary at or before <paramref name="moment"/> (midnight UTC for the standard day).</summary>
    public DateTimeOffset StartOfDay(DateTimeOffset moment)
    {
        var ticks = moment.UtcTicks - DateTime.UnixEpoch.Ticks;
        // Division truncates toward zero: a negative remainder means rounding down (before 1970).
        var boundaries = (ticks / Day.Ticks) - (ticks % Day.Ticks < 0 ? 1 : 0);
        return new DateTimeOffset(DateTime.UnixEpoch.Ticks + (boundaries * Day.Ticks), TimeSpan.Zero);
    }

    /// <summary>
    /// When something that started at <paramref name="start"/> is <paramref name="days"/> days old:
    /// the start plus the days, rounded up to the next day boundary (a boundary itself stays).
    /// <see cref="Never"/> when that is past the calendar's end (S3 accepts any positive number of days).
    /// </summary>
    public DateTimeOffset After(DateTimeOffset start, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var fromEpoch = start.UtcTicks - DateTime.UnixEpoch.Ticks;
        var room = Never.UtcTicks - DateTime.UnixEpoch.Ticks - fromEpoch;
        if (days >= room / Day.Ticks)
        {
            return Never;
        }
        var ticks = fromEpoch + (Day.Ticks * days);
        // Division truncates toward zero: a positive remainder means rounding up (before 1970 too).
        var boundaries = (ticks / Day.Ticks) + (ticks % Day.Ticks > 0 ? 1 : 0);
        return new DateTimeOffset(DateTime.UnixEpoch.Ticks + (boundaries * Day.Ticks), TimeSpan.Zero);
    }

    /// <summary>A moment no lifecycle action is due at: days beyond the calendar's end.</summary>
    public static DateTimeOffset Never => DateTimeOffset.MaxValue;
}

/// <summary>What the lifecycle reads of one version of a key.</summary>
public readonly record struct LifecycleVersion(string VersionId, bool IsDeleteMarker, long Size, string ETag, DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Tags, ObjectLockState Lock)
{
    /// <summary>The cold tier the version's bytes were moved to; null while they are in the hot store (STANDARD).</summary>
    public string? StorageClass { get; init; }

    /// <summary>The body is kept in the catalog's row (a small object): there is nothing to move to a tier.</summary>
    public bool BodyInCatalog { get; init; }
}

/// <summary>What a lifecycle action does.</summary>
public enum LifecycleActionKind
{
    /// <summary>The current version expires: removed when the bucket is unversioned, hidden under a delete marker otherwise.</summary>
    ExpireCurrent,

    /// <summary>A noncurrent version (or delete marker) is removed for good.</summary>
    ExpireNoncurrent,

    /// <summary>A delete marker with no other version left (an expired object delete marker) is removed.</summary>
    RemoveExpiredDeleteMarker,

    /// <summary>The current version's bytes move to the cold tier <see cref="LifecycleAction.StorageClass"/> names.</summary>
    TransitionCurrent,

    /// <summary>A noncurrent version's bytes move to the cold tier <see cref="LifecycleAction.StorageClass"/> names.</summary>
    TransitionNoncurrent,
}

/// <summary>An action a rule asks for on one version of a key (written at <see cref="VersionLastModified"/>), due at <see cref="Due"/>.</summary>
public sealed record LifecycleAction(LifecycleActionKind Kind, string Key, string VersionId, string ETag, string RuleId, DateTimeOffset Due)
{
    /// <summary>When the version acted on was written (what a removal checks it still is).</summary>
    public DateTimeOffset VersionLastModified { get; init; }

    /// <summary>For a transition: the tier the version moves to.</summary>
    public string? StorageClass { get; init; }
}

/// <summary>
/// The lifecycle's judgement of one key at one moment: the actions due by then, and when the key
/// next needs looking at (null: never, unless the key or the configuration changes).
/// </summary>
public sealed record LifecycleVerdict(IReadOnlyList<LifecycleAction> Due, DateTimeOffset? NextDue);

/// <summary>
/// Applies a lifecycle configuration to one key (S3's rule semantics, without I/O): the lifecycle
/// worker asks it what is due, and the front end when the current version expires
/// (<c>x-amz-expiration</c>).
/// </summary>
/// <remarks>
/// Every rule that matches contributes; where two ask for the same expiration of the same version,
/// the earlier wins. A version under a legal hold is never due for removal, and one under retention
/// not before its retention ends (the lifecycle never bypasses governance). Expiring a current
/// version of a versioned bucket only adds a delete marker, so it needs no lock check. Transitions
/// (to named cold tiers) work the other way: of those due on a version, the latest wins, and locks
/// do not hold them back, as a move removes nothing.
/// </remarks>
public static class LifecycleEvaluator
{
    /// <summary>
    /// Versions smaller than this are not moved unless the rule's filter names a size (S3's default
    /// transition minimum object size, <c>all_storage_classes_128K</c>): for small objects a cold tier
    /// costs more in requests than it saves.
    /// </summary>
    public const long MinTransitionSize = 128 * 1024;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <summary>Transitions after the expirations: current first, then noncurrent by due time, the older version first on a tie.</summary>
    private static readonly Comparer<LifecycleAction> TransitionOrder = Comparer<LifecycleAction>.Create(static (a, b) =>
        a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind)
        : a.Due != b.Due ? a.Due.CompareTo(b.Due)
        : a.VersionLastModified.CompareTo(b.VersionLastModified));

    /// <summary>
    /// What is due on <paramref name="key"/> at <paramref name="now"/>, given its
    /// <paramref name="versions"/> (newest first: the first is the current one; empty when the key has none):
    /// expirations first, then at most one transition per version not expired by then.
    /// </summary>
    public static LifecycleVerdict Evaluate(LifecycleConfiguration configuration, string key, IReadOnlyList<LifecycleVersion> versions,
        DateTimeOffset now, LifecycleCalendar calendar)
    {
        if (versions.Count == 0)
        {
            return new LifecycleVerdict([], null);
        }
        var earliest = new Dictionary<(LifecycleActionKind, string), LifecycleAction>();
        void Consider(LifecycleActionKind kind, LifecycleVersion version, DateTimeOffset due, string ruleId)
        {
            if (due == LifecycleCalendar.Never)
            {
                return; // so many days that it never comes
            }
            if (!earliest.TryGetValue((kind, version.VersionId), out var known) || due < known.Due)
            {
                earliest[(kind, version.VersionId)] = new LifecycleAction(kind, key, version.VersionId, version.ETag, ruleId, due)
                {
                    VersionLastModified = version.LastModified,
                };
            }
        }

        var current = versions[0];
        foreach (var rule in configuration.Rules)
        {
            if (!rule.Enabled)
            {
                continue;
            }
            if (rule.Expiration is { } expiration)
            {
                if (!current.IsDeleteMarker && ExpiresCurrent(rule, key, current, calendar) is { } due)
                {
                    Consider(LifecycleActionKind.ExpireCurrent, current, due, rule.Id);
                }
                else if (current.IsDeleteMarker && versions.Count == 1 && rule.Filter.Matches(key, 0, NoTags))
                {
                    // Expired delete marker: at once with ExpiredObjectDeleteMarker; with Days or a
                    // Date, once the marker itself is old enough (S3 cleans them up the same way).
                    DateTimeOffset? markerDue = expiration switch
                    {
                        { Days: { } days } => calendar.After(current.LastModified, days),
                        { Date: { } date } => date,
                        { ExpiredObjectDeleteMarker: true } => calendar.After(current.LastModified, 0),
                        _ => null,
                    };
                    if (markerDue is { } removeAt)
                    {
                        Consider(LifecycleActionKind.RemoveExpiredDeleteMarker, current, removeAt, rule.Id);
                    }
                }
            }
            if (rule.NoncurrentDays is { } noncurrentDays)
            {
                var kept = rule.NewerNoncurrentVersions ?? 0;
                for (var i = 1; i < versions.Count; i++)
                {
                    var version = versions[i];
                    // The i-th noncurrent version has i - 1 newer ones; it became noncurrent when its successor was made.
                    if (i - 1 < kept || version.Lock.LegalHold == true
                        || !rule.Filter.Matches(key, version.IsDeleteMarker ? 0 : version.Size, version.IsDeleteMarker ? NoTags : version.Tags))
                    {
                        continue;
                    }
                    var due = calendar.After(versions[i - 1].LastModified, noncurrentDays);
                    if (version.Lock.Retention is { } retention && retention.RetainUntil > due)
                    {
                        due = retention.RetainUntil;
                    }
                    Consider(LifecycleActionKind.ExpireNoncurrent, version, due, rule.Id);
                }
            }
        }

        var dueNow = new List<LifecycleAction>();
        var expiring = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        foreach (var action in earliest.Values)
        {
            if (action.Due <= now)
            {
                dueNow.Add(action);
                expiring.Add(action.VersionId);
            }
            else if (next is null || action.Due < next)
            {
                next = action.Due;
            }
        }
        // Current first, then noncurrent from the oldest: the order S3's own runs would reach them in.
        dueNow.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : a.Due.CompareTo(b.Due));
        var nextTransition = AddTransitions(configuration, key, versions, now, calendar, expiring, dueNow);
        if (nextTransition is { } at && (next is null || at < next))
        {
            next = at;
        }
        return new LifecycleVerdict(dueNow, next);
    }

    /// <summary>
    /// Appends to <paramref name="due"/> the transition due on each version by <paramref name="now"/>
    /// (see <see cref="TransitionOrder"/>) and returns the earliest transition still to come.
    /// </summary>
    /// <remarks>
    /// Of a version's transitions already due, the latest wins (ties: the first rule, then the first
    /// in its list): a chain of tiers (A at 30 days, B at 90) lands a version judged late in the last
    /// tier reached, not in A on its way. Nothing is due when the version is already there. A
    /// delete marker has no bytes, a body kept in the catalog has none to move, and a version an
    /// expiration removes by now is not worth moving. Locks do not stop a move: it removes nothing.
    /// </remarks>
    private static DateTimeOffset? AddTransitions(LifecycleConfiguration configuration, string key, IReadOnlyList<LifecycleVersion> versions,
        DateTimeOffset now, LifecycleCalendar calendar, HashSet<string> expiring, List<LifecycleAction> due)
    {
        DateTimeOffset? next = null;
        var start = due.Count;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            if (version.IsDeleteMarker || version.BodyInCatalog || expiring.Contains(version.VersionId))
            {
                continue;
            }
            (DateTimeOffset Due, string StorageClass, string RuleId)? latest = null;
            void Consider(DateTimeOffset at, string storageClass, string ruleId)
            {
                if (at == LifecycleCalendar.Never)
                {
                    return;
                }
                if (at > now)
                {
                    next = next is null || at < next ? at : next;
                }
                else if (latest is null || at > latest.Value.Due)
                {
                    latest = (at, storageClass, ruleId);
                }
            }
            foreach (var rule in configuration.Rules)
            {
                if (!rule.Enabled || (i == 0 ? rule.Transitions.Count : rule.NoncurrentTransitions.Count) == 0 || !TransitionApplies(rule.Filter, key, version))
                {
                    continue;
                }
                if (i == 0)
                {
                    foreach (var transition in rule.Transitions)
                    {
                        Consider(transition.Date ?? calendar.After(version.LastModified, transition.Days!.Value), transition.StorageClass, rule.Id);
                    }
                    continue;
                }
                foreach (var transition in rule.NoncurrentTransitions)
                {
                    // As for noncurrent expiration: the i-th noncurrent version has i - 1 newer ones and
                    // became noncurrent when its successor was made.
                    if (i - 1 >= (transition.NewerNoncurrentVersions ?? 0))
                    {
                        Consider(calendar.After(versions[i - 1].LastModified, transition.NoncurrentDays), transition.StorageClass, rule.Id);
                    }
                }
            }
            if (latest is { } chosen && !string.Equals(chosen.StorageClass, version.StorageClass, StringComparison.Ordinal))
            {
                var kind = i == 0 ? LifecycleActionKind.TransitionCurrent : LifecycleActionKind.TransitionNoncurrent;
                due.Add(new LifecycleAction(kind, key, version.VersionId, version.ETag, chosen.RuleId, chosen.Due)
                {
                    VersionLastModified = version.LastModified,
                    StorageClass = chosen.StorageClass,
                });
            }
        }
        due.Sort(start, due.Count - start, TransitionOrder);
        return next;
    }

    /// <summary>Whether a rule's transitions apply to <paramref name="version"/>: its filter matches, and it is big enough.</summary>
    private static bool TransitionApplies(LifecycleFilter filter, string key, LifecycleVersion version) =>
        filter.Matches(key, version.Size, version.Tags)
        && (version.Size >= MinTransitionSize || filter.SizeGreaterThan is not null || filter.SizeLessThan is not null);

    /// <summary>
    /// When the current version <paramref name="current"/> of <paramref name="key"/> expires and by
    /// which rule (the earliest of the enabled rules with a Days or Date expiration that match it);
    /// null when none does. What S3 answers in <c>x-amz-expiration</c>.
    /// </summary>
    public static (DateTimeOffset Date, string RuleId)? CurrentExpiration(LifecycleConfiguration configuration, string key,
        LifecycleVersion current, LifecycleCalendar calendar)
    {
        (DateTimeOffset Date, string RuleId)? earliest = null;
        foreach (var rule in configuration.Rules)
        {
            if (rule.Enabled && ExpiresCurrent(rule, key, current, calendar) is { } due && due != LifecycleCalendar.Never
                && (earliest is null || due < earliest.Value.Date))
            {
                earliest = (due, rule.Id);
            }
        }
        return earliest;
    }

    /// <summary>
    /// When an incomplete multipart upload of <paramref name="key"/> created at <paramref name="initiated"/>
    /// is aborted and by which rule; null when no enabled rule aborts it. Only a rule's prefix applies
    /// (an upload has no tags or size yet; S3 refuses tag filters on this action).
    /// </summary>
    public static (DateTimeOffset Due, string RuleId)? UploadAbort(LifecycleConfiguration configuration, string key, DateTimeOffset initiated,
        LifecycleCalendar calendar)
    {
        (DateTimeOffset Due, string RuleId)? earliest = null;
        foreach (var rule in configuration.Rules)
        {
            if (rule.Enabled && rule.AbortIncompleteUploadDays is { } days && rule.Filter.Tags.Count == 0
                && key.StartsWith(rule.Filter.Prefix, StringComparison.Ordinal))
            {
                var due = calendar.After(initiated, days);
                if (due != LifecycleCalendar.Never && (earliest is null || due < earliest.Value.Due))
                {
                    earliest = (due, rule.Id);
                }
            }
        }
        return earliest;
    }

    private static DateTimeOffset? ExpiresCurrent(LifecycleRule rule, string key, LifecycleVersion current, LifecycleCalendar calendar) =>
        rule.Expiration switch
        {
            { Days: { } days } when rule.Filter.Matches(key, current.Size, current.Tags) => calendar.After(current.LastModified, days),
            { Date: { } date } when rule.Filter.Matches(key, current.Size, current.Tags) => date,
            _ => null,
        };
}
