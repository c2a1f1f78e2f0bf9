using System.Globalization;

namespace Cairn.Core.Tests;

/// <summary>
/// The lifecycle's judgement of one key, on a fixed clock: S3's day rounding, every rule kind
/// (current and noncurrent expiration, expired delete markers, incomplete uploads), filters,
/// object lock, and which rule wins when several match.
/// </summary>
public sealed partial class LifecycleEvaluatorTests
{
    private const string Key = "logs/a.txt";
    private static readonly LifecycleCalendar Calendar = LifecycleCalendar.Standard;
    private static readonly Dictionary<string, string> NoTags = [];

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static LifecycleVersion Version(string id, string created, long size = 100, IReadOnlyDictionary<string, string>? tags = null,
        ObjectLockState lockState = default) =>
        new(id, false, size, $"etag-{id}", At(created), tags ?? NoTags, lockState);

    private static LifecycleVersion Marker(string id, string created) => new(id, true, 0, "", At(created), NoTags, default);

    private static LifecycleRule Rule(string id, LifecycleFilter? filter = null, LifecycleExpiration? expiration = null, int? noncurrentDays = null,
        int? newerNoncurrent = null, int? abortDays = null, bool enabled = true) =>
        new()
        {
            Id = id,
            Enabled = enabled,
            Filter = filter ?? new LifecycleFilter(),
            Expiration = expiration,
            NoncurrentDays = noncurrentDays,
            NewerNoncurrentVersions = newerNoncurrent,
            AbortIncompleteUploadDays = abortDays,
        };

    private static LifecycleExpiration AfterDays(int days) => new(days, null, false);

    private static LifecycleExpiration OnDate(string date) => new(null, At(date), false);

    private static LifecycleExpiration ExpiredMarkers(bool on) => new(null, null, on);

    private static LifecycleVerdict Evaluate(LifecycleRule[] rules, string now, params LifecycleVersion[] versions) =>
        EvaluateKey(rules, Key, now, versions);

    private static LifecycleVerdict EvaluateKey(LifecycleRule[] rules, string key, string now, params LifecycleVersion[] versions) =>
        LifecycleEvaluator.Evaluate(new LifecycleConfiguration(rules), key, versions, At(now), Calendar);

    private static LifecycleAction Action(LifecycleActionKind kind, LifecycleVersion version, string ruleId, string due) =>
        new(kind, Key, version.VersionId, version.ETag, ruleId, At(due)) { VersionLastModified = version.LastModified };

    private static void AssertNothing(LifecycleVerdict verdict)
    {
        Assert.Empty(verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    // --- The calendar ---

    [Theory]
    [InlineData("2026-01-15T10:30:00Z", 3, "2026-01-19T00:00:00Z")]
    [InlineData("2026-01-15T00:00:00Z", 1, "2026-01-16T00:00:00Z")] // a boundary stays a boundary
    [InlineData("2026-01-15T10:30:00Z", 0, "2026-01-16T00:00:00Z")]
    [InlineData("2026-01-15T00:00:00Z", 0, "2026-01-15T00:00:00Z")]
    [InlineData("2026-01-15T00:00:00.0000001Z", 1, "2026-01-17T00:00:00Z")] // one tick past midnight rounds up
    [InlineData("2026-01-15T23:30:00+02:00", 1, "2026-01-17T00:00:00Z")] // 21:30 UTC: days end at midnight UTC, not local
    [InlineData("2026-12-31T18:00:00Z", 1, "2027-01-02T00:00:00Z")]
    [InlineData("1969-12-30T12:00:00Z", 0, "1969-12-31T00:00:00Z")] // before the epoch, rounding still goes up
    public void After_adds_the_days_and_rounds_up_to_the_next_midnight_utc(string start, int days, string expected)
    {
        var due = Calendar.After(At(start), days);

        Assert.Equal((At(expected).UtcDateTime, TimeSpan.Zero), (due.UtcDateTime, due.Offset));
    }

    [Theory]
    [InlineData(1001, 1, 4000)]
    [InlineData(1001, 0, 2000)]
    [InlineData(2000, 1, 4000)]
    [InlineData(0, 3, 6000)]
    public void A_short_day_rounds_up_to_a_multiple_of_its_length_since_the_epoch(long startMs, int days, long expectedMs)
    {
        var calendar = new LifecycleCalendar(TimeSpan.FromSeconds(2));

        Assert.Equal(expectedMs, calendar.After(DateTimeOffset.FromUnixTimeMilliseconds(startMs), days).ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_calendar_needs_a_day_of_at_least_a_millisecond()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LifecycleCalendar(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LifecycleCalendar(TimeSpan.FromSeconds(-1)));
        Assert.Equal(TimeSpan.FromMilliseconds(1), new LifecycleCalendar(TimeSpan.FromMilliseconds(1)).Day);
        Assert.Equal(TimeSpan.FromDays(1), LifecycleCalendar.Standard.Day);
    }

    // --- Expiration of the current version ---

    [Fact]
    public void Days_expiration_is_not_due_before_the_rounded_day_and_reports_when_it_will_be()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");

        var verdict = Evaluate([Rule("r1", expiration: AfterDays(3))], "2026-01-18T23:59:59.999Z", v1);

        Assert.Empty(verdict.Due);
        Assert.Equal(At("2026-01-19T00:00:00Z"), verdict.NextDue);
    }

    [Fact]
    public void Days_expiration_is_due_at_exactly_its_time_with_the_rule_etag_and_version()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");

        var verdict = Evaluate([Rule("r1", expiration: AfterDays(3))], "2026-01-19T00:00:00Z", v1);

        var action = Assert.Single(verdict.Due);
        Assert.Equal(new LifecycleAction(LifecycleActionKind.ExpireCurrent, Key, "v1", "etag-v1", "r1", At("2026-01-19T00:00:00Z"))
        {
            VersionLastModified = v1.LastModified,
        }, action);
        Assert.Null(verdict.NextDue);
    }

    [Fact]
    public void Days_expiration_stays_due_after_its_time()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");

        var verdict = Evaluate([Rule("r1", expiration: AfterDays(3))], "2026-06-01T00:00:00Z", v1);

        Assert.Equal([Action(LifecycleActionKind.ExpireCurrent, v1, "r1", "2026-01-19T00:00:00Z")], verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    [Fact]
    public void Date_expiration_is_due_on_the_date_for_an_object_made_long_before()
    {
        var v1 = Version("v1", "2025-06-01T08:00:00Z");
        LifecycleRule[] rules = [Rule("by-date", expiration: OnDate("2026-03-01T00:00:00Z"))];

        var before = Evaluate(rules, "2026-02-28T23:59:59Z", v1);
        var on = Evaluate(rules, "2026-03-01T00:00:00Z", v1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-03-01T00:00:00Z"), before.NextDue);
        Assert.Equal([Action(LifecycleActionKind.ExpireCurrent, v1, "by-date", "2026-03-01T00:00:00Z")], on.Due);
        Assert.Null(on.NextDue);
    }

    [Fact]
    public void Date_expiration_makes_an_object_created_after_the_date_due_at_once()
    {
        var v1 = Version("v1", "2026-04-10T12:00:00Z");

        var verdict = Evaluate([Rule("by-date", expiration: OnDate("2026-03-01T00:00:00Z"))], "2026-04-10T12:00:00Z", v1);

        Assert.Equal([Action(LifecycleActionKind.ExpireCurrent, v1, "by-date", "2026-03-01T00:00:00Z")], verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    // --- Filters ---

    [Theory]
    [InlineData("logs/a.txt", true)]
    [InlineData("logs/", true)]
    [InlineData("logs", false)]
    [InlineData("Logs/a.txt", false)]
    [InlineData("data/logs/a.txt", false)]
    public void A_prefix_filter_applies_to_keys_that_start_with_it(string key, bool applies)
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");
        var rule = Rule("r1", new LifecycleFilter { Prefix = "logs/" }, AfterDays(1));

        var verdict = EvaluateKey([rule], key, "2026-02-01T00:00:00Z", v1);

        if (applies)
        {
            Assert.Equal([new LifecycleAction(LifecycleActionKind.ExpireCurrent, key, "v1", "etag-v1", "r1", At("2026-01-17T00:00:00Z")) { VersionLastModified = v1.LastModified }], verdict.Due);
        }
        else
        {
            Assert.Empty(verdict.Due);
        }
        Assert.Null(verdict.NextDue);
    }

    [Fact]
    public void A_tag_filter_needs_every_tag_with_its_exact_value()
    {
        var rule = Rule("tagged", new LifecycleFilter { Tags = [new("class", "cold"), new("team", "a")] }, AfterDays(1));
        var all = Version("v1", "2026-01-15T10:30:00Z", tags: new Dictionary<string, string> { ["class"] = "cold", ["team"] = "a", ["extra"] = "x" });
        var missing = Version("v1", "2026-01-15T10:30:00Z", tags: new Dictionary<string, string> { ["class"] = "cold" });
        var wrongCase = Version("v1", "2026-01-15T10:30:00Z", tags: new Dictionary<string, string> { ["class"] = "Cold", ["team"] = "a" });
        var untagged = Version("v1", "2026-01-15T10:30:00Z");

        Assert.Equal([Action(LifecycleActionKind.ExpireCurrent, all, "tagged", "2026-01-17T00:00:00Z")],
            Evaluate([rule], "2026-02-01T00:00:00Z", all).Due);
        AssertNothing(Evaluate([rule], "2026-01-16T00:00:00Z", missing));
        AssertNothing(Evaluate([rule], "2026-01-16T00:00:00Z", wrongCase));
        AssertNothing(Evaluate([rule], "2026-01-16T00:00:00Z", untagged));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(101, true)]
    [InlineData(199, true)]
    [InlineData(200, false)]
    [InlineData(0, false)]
    public void Size_filters_are_strict_bounds(long size, bool applies)
    {
        var rule = Rule("sized", new LifecycleFilter { SizeGreaterThan = 100, SizeLessThan = 200 }, AfterDays(1));
        var v1 = Version("v1", "2026-01-15T10:30:00Z", size);

        var verdict = Evaluate([rule], "2026-01-16T00:00:00Z", v1);

        Assert.Empty(verdict.Due);
        Assert.Equal(applies ? At("2026-01-17T00:00:00Z") : (DateTimeOffset?)null, verdict.NextDue);
    }

    [Theory]
    [InlineData("logs/a.txt", 500, "cold", true)]
    [InlineData("data/a.txt", 500, "cold", false)]
    [InlineData("logs/a.txt", 10, "cold", false)]
    [InlineData("logs/a.txt", 500, "hot", false)]
    public void An_and_filter_needs_every_condition(string key, long size, string tagValue, bool applies)
    {
        var filter = new LifecycleFilter { Prefix = "logs/", Tags = [new("class", "cold")], SizeGreaterThan = 100, Form = LifecycleFilterForm.And };
        var v1 = Version("v1", "2026-01-15T10:30:00Z", size, new Dictionary<string, string> { ["class"] = tagValue });

        var verdict = EvaluateKey([Rule("and", filter, AfterDays(2))], key, "2026-01-20T00:00:00Z", v1);

        if (applies)
        {
            Assert.Equal([new LifecycleAction(LifecycleActionKind.ExpireCurrent, key, "v1", "etag-v1", "and", At("2026-01-18T00:00:00Z")) { VersionLastModified = v1.LastModified }], verdict.Due);
            Assert.Null(verdict.NextDue);
        }
        else
        {
            AssertNothing(verdict);
        }
    }

    [Fact]
    public void A_filter_that_does_not_match_keeps_noncurrent_versions_too()
    {
        var rule = Rule("r1", new LifecycleFilter { Prefix = "data/" }, AfterDays(1), noncurrentDays: 1);

        AssertNothing(Evaluate([rule], "2027-01-01T00:00:00Z", Version("v2", "2026-02-01T00:00:00Z"), Version("v1", "2026-01-01T00:00:00Z")));
    }

    // --- Rule status and precedence ---

    [Fact]
    public void A_disabled_rule_does_nothing()
    {
        var rule = Rule("off", expiration: AfterDays(1), noncurrentDays: 1, abortDays: 1, enabled: false);
        var markerRule = Rule("off-markers", expiration: ExpiredMarkers(true), enabled: false);

        AssertNothing(Evaluate([rule, markerRule], "2027-01-01T00:00:00Z", Version("v2", "2026-02-01T00:00:00Z"),
            Version("v1", "2026-01-01T00:00:00Z")));
        AssertNothing(Evaluate([rule, markerRule], "2027-01-01T00:00:00Z", Marker("m1", "2026-01-01T00:00:00Z")));
    }

    [Fact]
    public void Of_two_rules_on_the_same_version_the_earlier_due_wins()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");
        LifecycleRule[] rules = [Rule("late", expiration: AfterDays(30)), Rule("early", expiration: AfterDays(10))];

        var before = Evaluate(rules, "2026-01-20T00:00:00Z", v1);
        var after = Evaluate(rules, "2026-03-01T00:00:00Z", v1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-01-26T00:00:00Z"), before.NextDue);
        Assert.Equal([Action(LifecycleActionKind.ExpireCurrent, v1, "early", "2026-01-26T00:00:00Z")], after.Due);
        Assert.Null(after.NextDue);
    }

    [Fact]
    public void Of_two_noncurrent_rules_the_earlier_due_wins()
    {
        var v2 = Version("v2", "2026-01-15T10:30:00Z");
        var v1 = Version("v1", "2026-01-01T00:00:00Z");
        LifecycleRule[] rules = [Rule("slow", noncurrentDays: 20), Rule("fast", noncurrentDays: 5)];

        var verdict = Evaluate(rules, "2026-01-25T00:00:00Z", v2, v1);

        Assert.Equal([Action(LifecycleActionKind.ExpireNoncurrent, v1, "fast", "2026-01-21T00:00:00Z")], verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    // --- Delete markers ---

    [Fact]
    public void A_current_delete_marker_with_noncurrent_versions_is_neither_expired_nor_removed()
    {
        LifecycleRule[] rules = [Rule("days", expiration: AfterDays(1)), Rule("markers", expiration: ExpiredMarkers(true))];

        AssertNothing(Evaluate(rules, "2027-01-01T00:00:00Z", Marker("m1", "2026-02-01T10:00:00Z"), Version("v1", "2026-01-01T10:00:00Z")));
    }

    [Fact]
    public void An_expired_delete_marker_is_removed_at_the_next_day_boundary_with_ExpiredObjectDeleteMarker()
    {
        var m1 = Marker("m1", "2026-02-10T08:00:00Z");
        LifecycleRule[] rules = [Rule("markers", expiration: ExpiredMarkers(true))];

        var before = Evaluate(rules, "2026-02-10T23:59:59.999Z", m1);
        var at = Evaluate(rules, "2026-02-11T00:00:00Z", m1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-02-11T00:00:00Z"), before.NextDue);
        Assert.Equal([new LifecycleAction(LifecycleActionKind.RemoveExpiredDeleteMarker, Key, "m1", "", "markers", At("2026-02-11T00:00:00Z")) { VersionLastModified = m1.LastModified }], at.Due);
        Assert.Null(at.NextDue);
    }

    [Fact]
    public void An_expired_delete_marker_is_removed_by_a_days_expiration_once_the_marker_is_that_old()
    {
        var m1 = Marker("m1", "2026-02-10T08:00:00Z");
        LifecycleRule[] rules = [Rule("days", expiration: AfterDays(5))];

        var before = Evaluate(rules, "2026-02-15T23:59:59Z", m1);
        var at = Evaluate(rules, "2026-02-16T00:00:00Z", m1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-02-16T00:00:00Z"), before.NextDue);
        Assert.Equal([Action(LifecycleActionKind.RemoveExpiredDeleteMarker, m1, "days", "2026-02-16T00:00:00Z")], at.Due);
    }

    [Fact]
    public void ExpiredObjectDeleteMarker_false_leaves_the_marker()
    {
        AssertNothing(Evaluate([Rule("off", expiration: ExpiredMarkers(false))], "2027-01-01T00:00:00Z", Marker("m1", "2026-02-10T08:00:00Z")));
    }

    [Fact]
    public void A_tag_filter_never_matches_a_delete_marker()
    {
        var rule = Rule("tagged", new LifecycleFilter { Tags = [new("class", "cold")] }, ExpiredMarkers(true));
        var days = Rule("tagged-days", new LifecycleFilter { Tags = [new("class", "cold")] }, AfterDays(1));

        AssertNothing(Evaluate([rule, days], "2027-01-01T00:00:00Z", Marker("m1", "2026-02-10T08:00:00Z")));
    }

    // --- Noncurrent versions ---

    [Fact]
    public void A_noncurrent_version_counts_its_days_from_when_its_successor_was_made()
    {
        var v3 = Version("v3", "2026-03-20T10:00:00Z");
        var v2 = Version("v2", "2026-03-10T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [Rule("nc", noncurrentDays: 5)];

        var before = Evaluate(rules, "2026-03-15T23:59:59Z", v3, v2, v1);
        var first = Evaluate(rules, "2026-03-16T00:00:00Z", v3, v2, v1);
        var both = Evaluate(rules, "2026-03-26T00:00:00Z", v3, v2, v1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-03-16T00:00:00Z"), before.NextDue);
        Assert.Equal([Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-03-16T00:00:00Z")], first.Due);
        Assert.Equal(At("2026-03-26T00:00:00Z"), first.NextDue);
        Assert.Equal(
            [Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-03-16T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v2, "nc", "2026-03-26T00:00:00Z")],
            both.Due);
        Assert.Null(both.NextDue);
    }

    [Fact]
    public void The_current_version_is_never_expired_by_a_noncurrent_rule()
    {
        AssertNothing(Evaluate([Rule("nc", noncurrentDays: 1)], "2027-01-01T00:00:00Z", Version("v1", "2026-01-01T10:00:00Z")));
    }

    [Fact]
    public void NewerNoncurrentVersions_keeps_the_newest_noncurrent_versions_whatever_their_age()
    {
        var v5 = Version("v5", "2026-01-05T10:00:00Z");
        var v4 = Version("v4", "2026-01-04T10:00:00Z");
        var v3 = Version("v3", "2026-01-03T10:00:00Z");
        var v2 = Version("v2", "2026-01-02T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");

        var verdict = Evaluate([Rule("keep2", noncurrentDays: 1, newerNoncurrent: 2)], "2027-01-01T00:00:00Z", v5, v4, v3, v2, v1);

        Assert.Equal(
            [Action(LifecycleActionKind.ExpireNoncurrent, v1, "keep2", "2026-01-04T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v2, "keep2", "2026-01-05T00:00:00Z")],
            verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    [Fact]
    public void NewerNoncurrentVersions_still_waits_for_the_noncurrent_days()
    {
        var v4 = Version("v4", "2026-01-04T10:00:00Z");
        var v3 = Version("v3", "2026-01-03T10:00:00Z");
        var v2 = Version("v2", "2026-01-02T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");

        var verdict = Evaluate([Rule("keep2", noncurrentDays: 10, newerNoncurrent: 2)], "2026-01-12T12:00:00Z", v4, v3, v2, v1);

        Assert.Empty(verdict.Due);
        Assert.Equal(At("2026-01-13T00:00:00Z"), verdict.NextDue);
    }

    [Fact]
    public void Noncurrent_delete_markers_expire_too()
    {
        var v2 = Version("v2", "2026-02-01T10:00:00Z");
        var m1 = Marker("m1", "2026-01-20T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");

        var verdict = Evaluate([Rule("nc", noncurrentDays: 1)], "2027-01-01T00:00:00Z", v2, m1, v1);

        Assert.Equal(
            [Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-01-22T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, m1, "nc", "2026-02-03T00:00:00Z")],
            verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    // --- Object lock ---

    [Fact]
    public void A_noncurrent_version_under_legal_hold_is_never_due()
    {
        var v2 = Version("v2", "2026-02-01T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z", lockState: new ObjectLockState(null, true));

        AssertNothing(Evaluate([Rule("nc", noncurrentDays: 1)], "2030-01-01T00:00:00Z", v2, v1));
    }

    [Fact]
    public void A_legal_hold_set_off_does_not_keep_a_version()
    {
        var v2 = Version("v2", "2026-02-01T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z", lockState: new ObjectLockState(null, false));

        var verdict = Evaluate([Rule("nc", noncurrentDays: 1)], "2030-01-01T00:00:00Z", v2, v1);

        Assert.Equal([Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-02-03T00:00:00Z")], verdict.Due);
    }

    [Theory]
    [InlineData("GOVERNANCE")]
    [InlineData("COMPLIANCE")]
    public void A_retention_ending_after_the_days_makes_the_version_due_when_it_ends(string mode)
    {
        var retainUntil = At("2026-05-01T12:34:56.789Z");
        var lockMode = mode == "COMPLIANCE" ? ObjectLockMode.Compliance : ObjectLockMode.Governance;
        var v2 = Version("v2", "2026-03-10T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z", lockState: new ObjectLockState(new ObjectRetention(lockMode, retainUntil), null));
        LifecycleRule[] rules = [Rule("nc", noncurrentDays: 5)];

        var before = Evaluate(rules, "2026-05-01T12:34:56.788Z", v2, v1);
        var at = Evaluate(rules, "2026-05-01T12:34:56.789Z", v2, v1);

        Assert.Empty(before.Due);
        Assert.Equal(retainUntil, before.NextDue);
        Assert.Equal([new LifecycleAction(LifecycleActionKind.ExpireNoncurrent, Key, "v1", "etag-v1", "nc", retainUntil) { VersionLastModified = v1.LastModified }], at.Due);
        Assert.Null(at.NextDue);
    }

    [Fact]
    public void A_retention_ending_before_the_days_does_not_change_when_the_version_is_due()
    {
        var v2 = Version("v2", "2026-03-10T10:00:00Z");
        var retention = new ObjectRetention(ObjectLockMode.Compliance, At("2026-03-12T00:00:00Z"));
        var v1 = Version("v1", "2026-01-01T10:00:00Z", lockState: new ObjectLockState(retention, null));

        var verdict = Evaluate([Rule("nc", noncurrentDays: 5)], "2026-03-13T00:00:00Z", v2, v1);

        Assert.Empty(verdict.Due);
        Assert.Equal(At("2026-03-16T00:00:00Z"), verdict.NextDue);
    }

    // --- The verdict ---

    [Fact]
    public void A_key_without_versions_has_nothing_due()
    {
        var verdict = LifecycleEvaluator.Evaluate(new LifecycleConfiguration([Rule("all", expiration: AfterDays(1), noncurrentDays: 1)]), Key, [],
            At("2027-01-01T00:00:00Z"), Calendar);

        AssertNothing(verdict);
    }

    [Fact]
    public void Due_actions_come_current_first_then_noncurrent_by_due_time()
    {
        var v3 = Version("v3", "2026-03-01T10:00:00Z");
        var v2 = Version("v2", "2026-02-01T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");
        // The noncurrent rule comes first, so the order is the evaluator's, not the rules'.
        LifecycleRule[] rules = [Rule("nc", noncurrentDays: 1), Rule("cur", expiration: AfterDays(400))];

        var verdict = Evaluate(rules, "2027-12-01T00:00:00Z", v3, v2, v1);

        Assert.Equal(
            [Action(LifecycleActionKind.ExpireCurrent, v3, "cur", "2027-04-06T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-02-03T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v2, "nc", "2026-03-03T00:00:00Z")],
            verdict.Due);
        Assert.Null(verdict.NextDue);
    }

    [Fact]
    public void NextDue_is_the_earliest_action_not_yet_due()
    {
        var v3 = Version("v3", "2026-03-01T10:00:00Z");
        var v2 = Version("v2", "2026-02-01T10:00:00Z");
        var v1 = Version("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [Rule("nc", noncurrentDays: 30), Rule("cur", expiration: AfterDays(60))];

        var verdict = Evaluate(rules, "2026-03-10T00:00:00Z", v3, v2, v1);

        Assert.Equal([Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-03-04T00:00:00Z")], verdict.Due);
        Assert.Equal(At("2026-04-01T00:00:00Z"), verdict.NextDue);
    }

    // --- x-amz-expiration ---

    [Fact]
    public void CurrentExpiration_is_the_earliest_matching_rule()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");
        var configuration = new LifecycleConfiguration([
            Rule("r30", expiration: AfterDays(30)),
            Rule("other", new LifecycleFilter { Prefix = "data/" }, AfterDays(1)),
            Rule("r10", expiration: AfterDays(10)),
            Rule("date", expiration: OnDate("2026-02-01T00:00:00Z")),
            Rule("off", expiration: AfterDays(2), enabled: false),
        ]);

        Assert.Equal((At("2026-01-26T00:00:00Z"), "r10"), LifecycleEvaluator.CurrentExpiration(configuration, Key, v1, Calendar));
    }

    [Fact]
    public void CurrentExpiration_can_come_from_a_date()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");
        var configuration = new LifecycleConfiguration([Rule("r30", expiration: AfterDays(30)), Rule("date", expiration: OnDate("2026-02-01T00:00:00Z"))]);

        Assert.Equal((At("2026-02-01T00:00:00Z"), "date"), LifecycleEvaluator.CurrentExpiration(configuration, Key, v1, Calendar));
    }

    [Fact]
    public void CurrentExpiration_is_null_without_an_enabled_matching_days_or_date_rule()
    {
        var v1 = Version("v1", "2026-01-15T10:30:00Z");
        var configuration = new LifecycleConfiguration([
            Rule("other", new LifecycleFilter { Prefix = "data/" }, AfterDays(1)),
            Rule("off", expiration: AfterDays(2), enabled: false),
            Rule("nc", noncurrentDays: 1, abortDays: 1),
            Rule("markers", expiration: ExpiredMarkers(true)),
        ]);

        Assert.Null(LifecycleEvaluator.CurrentExpiration(configuration, Key, v1, Calendar));
        Assert.Null(LifecycleEvaluator.CurrentExpiration(new LifecycleConfiguration([]), Key, v1, Calendar));
    }

    // --- Incomplete multipart uploads ---

    [Fact]
    public void UploadAbort_applies_a_matching_prefix()
    {
        var configuration = new LifecycleConfiguration([Rule("abort", new LifecycleFilter { Prefix = "uploads/" }, abortDays: 7)]);
        var initiated = At("2026-01-15T10:30:00Z");

        Assert.Equal((At("2026-01-23T00:00:00Z"), "abort"), LifecycleEvaluator.UploadAbort(configuration, "uploads/big.bin", initiated, Calendar));
        Assert.Null(LifecycleEvaluator.UploadAbort(configuration, "other/big.bin", initiated, Calendar));
    }

    [Fact]
    public void UploadAbort_is_the_earliest_of_the_enabled_rules_that_abort()
    {
        var configuration = new LifecycleConfiguration([
            Rule("week", abortDays: 7),
            Rule("expire-only", expiration: AfterDays(1), noncurrentDays: 1),
            Rule("off", abortDays: 1, enabled: false),
            Rule("three", abortDays: 3),
            Rule("five", abortDays: 5),
        ]);

        Assert.Equal((At("2026-01-19T00:00:00Z"), "three"), LifecycleEvaluator.UploadAbort(configuration, Key, At("2026-01-15T10:30:00Z"), Calendar));
    }

    [Fact]
    public void UploadAbort_is_null_without_an_enabled_rule_that_aborts()
    {
        var configuration = new LifecycleConfiguration([
            Rule("expire-only", expiration: AfterDays(1), noncurrentDays: 1),
            Rule("off", abortDays: 1, enabled: false),
        ]);

        Assert.Null(LifecycleEvaluator.UploadAbort(configuration, Key, At("2026-01-15T10:30:00Z"), Calendar));
    }

    [Fact]
    public void Days_past_the_calendars_end_are_never_due_and_nothing_overflows()
    {
        var start = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var rule = new LifecycleRule
        {
            Id = "forever",
            Enabled = true,
            Filter = new LifecycleFilter(),
            Expiration = new LifecycleExpiration(int.MaxValue, null, false),
            NoncurrentDays = 21_350_000,
            AbortIncompleteUploadDays = 3_000_000,
        };
        var configuration = new LifecycleConfiguration([rule]);
        var version = new LifecycleVersion("v1", false, 10, "e", start, new Dictionary<string, string>(), default);
        var older = version with { VersionId = "v0", LastModified = start.AddDays(-1) };

        Assert.Equal(LifecycleCalendar.Never, LifecycleCalendar.Standard.After(start, int.MaxValue));
        Assert.Equal(LifecycleCalendar.Never, LifecycleCalendar.Standard.After(start, 21_350_000)); // wrapped to 2025 before
        // On a two-second day the same count of days is about 136 years: a real date.
        Assert.Equal(start.AddSeconds(2.0 * int.MaxValue).Year, new LifecycleCalendar(TimeSpan.FromSeconds(2)).After(start, int.MaxValue).Year);
        var verdict = LifecycleEvaluator.Evaluate(configuration, "k", [version, older], start.AddYears(100), LifecycleCalendar.Standard);
        Assert.Empty(verdict.Due);
        Assert.Null(verdict.NextDue);
        Assert.Null(LifecycleEvaluator.CurrentExpiration(configuration, "k", version, LifecycleCalendar.Standard));
        Assert.Null(LifecycleEvaluator.UploadAbort(configuration, "k", start, LifecycleCalendar.Standard));
    }
}
