namespace Cairn.Core.Tests;

/// <summary>
/// Transitions to named cold tiers (issue 13), current and noncurrent, on the same fixed clock:
/// the day rounding, the latest due transition winning, S3's 128 KiB default, what is never moved,
/// and how transitions stand beside expirations.
/// </summary>
public sealed partial class LifecycleEvaluatorTests
{
    /// <summary>Over S3's 128 KiB default minimum: a size transitions apply to without a size filter.</summary>
    private const long Big = 200_000;

    private static LifecycleRule Moves(string id, params LifecycleTransition[] transitions) => Rule(id) with { Transitions = transitions };

    private static LifecycleRule NoncurrentMoves(string id, params LifecycleNoncurrentTransition[] transitions) =>
        Rule(id) with { NoncurrentTransitions = transitions };

    private static LifecycleTransition AfterDaysTo(int days, string tier) => new(days, null, tier);

    private static LifecycleTransition OnDateTo(string date, string tier) => new(null, At(date), tier);

    private static LifecycleVersion BigVersion(string id, string created, string? storageClass = null, ObjectLockState lockState = default) =>
        Version(id, created, Big, lockState: lockState) with { StorageClass = storageClass };

    private static LifecycleAction Moved(LifecycleActionKind kind, LifecycleVersion version, string ruleId, string due, string tier) =>
        Action(kind, version, ruleId, due) with { StorageClass = tier };

    [Fact]
    public void A_days_transition_is_due_at_the_rounded_day_with_its_tier_and_not_before()
    {
        var v1 = BigVersion("v1", "2026-01-15T10:30:00Z");
        LifecycleRule[] rules = [Moves("cold", AfterDaysTo(30, "A"))];

        var before = Evaluate(rules, "2026-02-14T23:59:59.999Z", v1);
        var at = Evaluate(rules, "2026-02-15T00:00:00Z", v1);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-02-15T00:00:00Z"), before.NextDue);
        Assert.Equal(new LifecycleAction(LifecycleActionKind.TransitionCurrent, Key, "v1", "etag-v1", "cold", At("2026-02-15T00:00:00Z"))
        {
            VersionLastModified = v1.LastModified,
            StorageClass = "A",
        }, Assert.Single(at.Due));
        Assert.Null(at.NextDue);
    }

    [Fact]
    public void A_zero_days_transition_is_due_at_the_next_day_boundary()
    {
        var v1 = BigVersion("v1", "2026-01-15T10:30:00Z");

        var verdict = Evaluate([Moves("now", AfterDaysTo(0, "A"))], "2026-01-16T00:00:00Z", v1);

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "now", "2026-01-16T00:00:00Z", "A")], verdict.Due);
    }

    [Fact]
    public void A_date_transition_is_due_on_the_date_and_at_once_for_an_object_made_after_it()
    {
        var old = BigVersion("v1", "2025-06-01T08:00:00Z");
        var late = BigVersion("v2", "2026-04-10T12:00:00Z");
        LifecycleRule[] rules = [Moves("by-date", OnDateTo("2026-03-01T00:00:00Z", "A"))];

        var before = Evaluate(rules, "2026-02-28T23:59:59Z", old);
        var on = Evaluate(rules, "2026-03-01T00:00:00Z", old);
        var after = Evaluate(rules, "2026-04-10T12:00:00Z", late);

        Assert.Empty(before.Due);
        Assert.Equal(At("2026-03-01T00:00:00Z"), before.NextDue);
        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, old, "by-date", "2026-03-01T00:00:00Z", "A")], on.Due);
        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, late, "by-date", "2026-03-01T00:00:00Z", "A")], after.Due);
    }

    [Fact]
    public void A_chain_of_tiers_moves_to_the_latest_due_and_nothing_once_there()
    {
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [Moves("chain", AfterDaysTo(30, "A"), AfterDaysTo(90, "B"))];

        var at40 = Evaluate(rules, "2026-02-10T00:00:00Z", v1);
        var inAAt40 = Evaluate(rules, "2026-02-10T00:00:00Z", v1 with { StorageClass = "A" });
        var at100 = Evaluate(rules, "2026-04-11T00:00:00Z", v1);
        var inAAt100 = Evaluate(rules, "2026-04-11T00:00:00Z", v1 with { StorageClass = "A" });
        var inBAt100 = Evaluate(rules, "2026-04-11T00:00:00Z", v1 with { StorageClass = "B" });

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "chain", "2026-02-01T00:00:00Z", "A")], at40.Due);
        Assert.Equal(At("2026-04-02T00:00:00Z"), at40.NextDue);
        Assert.Empty(inAAt40.Due);
        Assert.Equal(At("2026-04-02T00:00:00Z"), inAAt40.NextDue);
        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "chain", "2026-04-02T00:00:00Z", "B")], at100.Due);
        Assert.Null(at100.NextDue);
        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "chain", "2026-04-02T00:00:00Z", "B")], inAAt100.Due);
        AssertNothing(inBAt100);
    }

    [Fact]
    public void Of_transitions_due_in_several_rules_the_latest_wins_and_a_tie_goes_to_the_first_rule()
    {
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] latest = [Moves("thirty", AfterDaysTo(30, "A")), Moves("ten", AfterDaysTo(10, "B"))];
        LifecycleRule[] tied = [Moves("first", AfterDaysTo(30, "A")), Moves("second", AfterDaysTo(30, "B"))];

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "thirty", "2026-02-01T00:00:00Z", "A")],
            Evaluate(latest, "2026-03-01T00:00:00Z", v1).Due);
        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "first", "2026-02-01T00:00:00Z", "A")],
            Evaluate(tied, "2026-03-01T00:00:00Z", v1).Due);
    }

    [Fact]
    public void A_noncurrent_transition_counts_from_the_successor_and_keeps_the_newest_noncurrent_versions()
    {
        var v4 = BigVersion("v4", "2026-03-20T10:00:00Z");
        var v3 = BigVersion("v3", "2026-03-10T10:00:00Z");
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z");
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [NoncurrentMoves("nc", new LifecycleNoncurrentTransition(10, 1, "A"))];

        var first = Evaluate(rules, "2026-02-12T00:00:00Z", v4, v3, v2, v1);
        var both = Evaluate(rules, "2027-01-01T00:00:00Z", v4, v3, v2, v1);

        // v3 is the one newest noncurrent version kept; v1 became noncurrent when v2 was made.
        Assert.Equal([Moved(LifecycleActionKind.TransitionNoncurrent, v1, "nc", "2026-02-12T00:00:00Z", "A")], first.Due);
        Assert.Equal(At("2026-03-21T00:00:00Z"), first.NextDue);
        Assert.Equal(
            [Moved(LifecycleActionKind.TransitionNoncurrent, v1, "nc", "2026-02-12T00:00:00Z", "A"),
                Moved(LifecycleActionKind.TransitionNoncurrent, v2, "nc", "2026-03-21T00:00:00Z", "A")],
            both.Due);
        Assert.Null(both.NextDue);
    }

    [Fact]
    public void Current_transitions_do_not_move_noncurrent_versions_nor_noncurrent_ones_the_current()
    {
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z");
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");

        var current = Evaluate([Moves("cur", AfterDaysTo(1, "A"))], "2027-01-01T00:00:00Z", v2, v1);
        var noncurrent = Evaluate([NoncurrentMoves("nc", new LifecycleNoncurrentTransition(1, null, "B"))], "2027-01-01T00:00:00Z", v2, v1);

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v2, "cur", "2026-02-03T00:00:00Z", "A")], current.Due);
        Assert.Equal([Moved(LifecycleActionKind.TransitionNoncurrent, v1, "nc", "2026-02-03T00:00:00Z", "B")], noncurrent.Due);
    }

    [Theory]
    [InlineData(131_071, false)]
    [InlineData(131_072, true)]
    [InlineData(100, false)]
    public void Versions_under_128_KiB_are_not_moved_by_default(long size, bool moved)
    {
        var v1 = Version("v1", "2026-01-01T10:00:00Z", size);

        var verdict = Evaluate([Moves("cold", AfterDaysTo(1, "A"))], "2027-01-01T00:00:00Z", v1);

        if (moved)
        {
            Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, v1, "cold", "2026-01-03T00:00:00Z", "A")], verdict.Due);
        }
        else
        {
            AssertNothing(verdict);
        }
    }

    [Theory]
    [InlineData(10L, null)]
    [InlineData(null, 1000L)]
    public void A_size_filter_lifts_the_128_KiB_default(long? above, long? below)
    {
        var small = Version("v1", "2026-01-01T10:00:00Z", 100);
        var rule = Moves("small", AfterDaysTo(1, "A")) with { Filter = new LifecycleFilter { SizeGreaterThan = above, SizeLessThan = below } };

        var verdict = Evaluate([rule], "2027-01-01T00:00:00Z", small);

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, small, "small", "2026-01-03T00:00:00Z", "A")], verdict.Due);
    }

    [Fact]
    public void A_body_kept_in_the_catalog_is_never_moved()
    {
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z") with { BodyInCatalog = true };
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z") with { BodyInCatalog = true };
        LifecycleRule[] rules = [Moves("cur", AfterDaysTo(1, "A")) with { NoncurrentTransitions = [new LifecycleNoncurrentTransition(1, null, "B")] }];

        AssertNothing(Evaluate(rules, "2027-01-01T00:00:00Z", v2, v1));
    }

    [Fact]
    public void Delete_markers_are_never_moved_but_the_versions_under_them_are()
    {
        var m3 = Marker("m3", "2026-03-01T10:00:00Z");
        var m2 = Marker("m2", "2026-02-01T10:00:00Z");
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [Moves("cur", AfterDaysTo(1, "A")) with { NoncurrentTransitions = [new LifecycleNoncurrentTransition(1, null, "B")] }];

        var verdict = Evaluate(rules, "2027-01-01T00:00:00Z", m3, m2, v1);

        Assert.Equal([Moved(LifecycleActionKind.TransitionNoncurrent, v1, "cur", "2026-02-03T00:00:00Z", "B")], verdict.Due);
        Assert.Null(verdict.NextDue);
        AssertNothing(Evaluate(rules, "2027-01-01T00:00:00Z", m3));
    }

    [Fact]
    public void An_expiration_due_by_now_beats_a_transition_of_the_same_version()
    {
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z");
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules =
        [
            Moves("cold", AfterDaysTo(30, "A")) with
            {
                Expiration = AfterDays(60),
                NoncurrentDays = 60,
                NoncurrentTransitions = [new LifecycleNoncurrentTransition(30, null, "B")],
            },
        ];

        var moved = Evaluate(rules, "2026-03-10T00:00:00Z", v2, v1);
        var expired = Evaluate(rules, "2026-06-01T00:00:00Z", v2, v1);

        Assert.Equal(
            [Moved(LifecycleActionKind.TransitionCurrent, v2, "cold", "2026-03-04T00:00:00Z", "A"),
                Moved(LifecycleActionKind.TransitionNoncurrent, v1, "cold", "2026-03-04T00:00:00Z", "B")],
            moved.Due);
        Assert.Equal(At("2026-04-03T00:00:00Z"), moved.NextDue); // both expirations
        Assert.Equal(
            [Action(LifecycleActionKind.ExpireCurrent, v2, "cold", "2026-04-03T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v1, "cold", "2026-04-03T00:00:00Z")],
            expired.Due);
        Assert.Null(expired.NextDue);
    }

    [Fact]
    public void Transitions_come_after_the_expirations_and_the_next_due_is_the_earliest_of_both()
    {
        var v3 = BigVersion("v3", "2026-03-01T10:00:00Z");
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z");
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");
        LifecycleRule[] rules = [Moves("cur", AfterDaysTo(5, "A"), AfterDaysTo(100, "B")), Rule("nc", noncurrentDays: 1)];

        var verdict = Evaluate(rules, "2026-03-10T00:00:00Z", v3, v2, v1);

        Assert.Equal(
            [Action(LifecycleActionKind.ExpireNoncurrent, v1, "nc", "2026-02-03T00:00:00Z"),
                Action(LifecycleActionKind.ExpireNoncurrent, v2, "nc", "2026-03-03T00:00:00Z"),
                Moved(LifecycleActionKind.TransitionCurrent, v3, "cur", "2026-03-07T00:00:00Z", "A")],
            verdict.Due);
        Assert.Equal(At("2026-06-10T00:00:00Z"), verdict.NextDue);
    }

    [Fact]
    public void A_tag_filter_applies_to_transitions()
    {
        var rule = Moves("tagged", AfterDaysTo(1, "A")) with { Filter = new LifecycleFilter { Tags = [new("class", "cold")] } };
        var tagged = Version("v1", "2026-01-01T10:00:00Z", Big, new Dictionary<string, string> { ["class"] = "cold" });
        var other = Version("v1", "2026-01-01T10:00:00Z", Big, new Dictionary<string, string> { ["class"] = "hot" });

        Assert.Equal([Moved(LifecycleActionKind.TransitionCurrent, tagged, "tagged", "2026-01-03T00:00:00Z", "A")],
            Evaluate([rule], "2027-01-01T00:00:00Z", tagged).Due);
        AssertNothing(Evaluate([rule], "2027-01-01T00:00:00Z", other));
        AssertNothing(Evaluate([rule], "2027-01-01T00:00:00Z", BigVersion("v1", "2026-01-01T10:00:00Z")));
    }

    [Fact]
    public void Locks_do_not_stop_a_transition()
    {
        var retention = new ObjectRetention(ObjectLockMode.Compliance, At("2030-01-01T00:00:00Z"));
        var v2 = BigVersion("v2", "2026-02-01T10:00:00Z", lockState: new ObjectLockState(retention, true));
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z", lockState: new ObjectLockState(null, true));
        LifecycleRule[] rules = [Moves("cur", AfterDaysTo(1, "A")) with { NoncurrentTransitions = [new LifecycleNoncurrentTransition(1, null, "B")] }];

        var verdict = Evaluate(rules, "2027-01-01T00:00:00Z", v2, v1);

        Assert.Equal(
            [Moved(LifecycleActionKind.TransitionCurrent, v2, "cur", "2026-02-03T00:00:00Z", "A"),
                Moved(LifecycleActionKind.TransitionNoncurrent, v1, "cur", "2026-02-03T00:00:00Z", "B")],
            verdict.Due);
    }

    [Fact]
    public void A_disabled_rule_or_days_past_the_calendars_end_move_nothing()
    {
        var v1 = BigVersion("v1", "2026-01-01T10:00:00Z");

        AssertNothing(Evaluate([Moves("off", AfterDaysTo(1, "A")) with { Enabled = false }], "2027-01-01T00:00:00Z", v1));
        AssertNothing(Evaluate([Moves("forever", AfterDaysTo(int.MaxValue, "A"))], "2027-01-01T00:00:00Z", v1));
    }

    [Fact]
    public void CurrentExpiration_is_not_changed_by_transitions()
    {
        var v1 = BigVersion("v1", "2026-01-15T10:30:00Z");
        var configuration = new LifecycleConfiguration([Moves("cold", AfterDaysTo(1, "A"))]);

        Assert.Null(LifecycleEvaluator.CurrentExpiration(configuration, Key, v1, Calendar));
    }
}
