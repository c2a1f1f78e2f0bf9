namespace Cairn.Core.Tests;

/// <summary>
/// The Object Lock rules every layer relies on: what a lock protects from removal, which retention
/// changes it allows, and the default retention a new version gets.
/// </summary>
public sealed class ObjectLockStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ObjectRetention Governance = new(ObjectLockMode.Governance, Now.AddDays(1));
    private static readonly ObjectRetention Compliance = new(ObjectLockMode.Compliance, Now.AddDays(1));

    [Theory]
    [InlineData(null, null, false, false)]
    [InlineData(null, false, false, false)]
    [InlineData(null, true, true, true)]
    [InlineData("GOVERNANCE", null, false, true)]
    [InlineData("GOVERNANCE", null, true, false)]
    [InlineData("COMPLIANCE", null, true, true)]
    [InlineData("GOVERNANCE", true, true, true)]
    public void A_legal_hold_or_an_unbypassed_retention_in_force_protects_a_version(string? mode, bool? legalHold, bool bypass, bool expected)
    {
        var state = new ObjectLockState(mode is null ? null : mode == "GOVERNANCE" ? Governance : Compliance, legalHold);

        Assert.Equal(expected, state.Protects(Now, bypass));
    }

    [Fact]
    public void A_retention_protects_until_its_date_and_not_at_or_after_it()
    {
        var state = new ObjectLockState(Compliance, null);

        Assert.Equal((true, false, false),
            (state.Protects(Compliance.RetainUntil.AddMilliseconds(-1), true), state.Protects(Compliance.RetainUntil, false),
                state.Protects(Compliance.RetainUntil.AddDays(1), false)));
    }

    [Fact]
    public void Compliance_in_force_may_only_be_kept_or_extended_in_its_mode_even_with_bypass()
    {
        var state = new ObjectLockState(Compliance, null);

        Assert.True(state.AllowsRetention(Compliance, Now, bypassGovernance: false));
        Assert.True(state.AllowsRetention(Compliance with { RetainUntil = Now.AddDays(2) }, Now, bypassGovernance: false));
        Assert.False(state.AllowsRetention(Compliance with { RetainUntil = Now.AddHours(1) }, Now, bypassGovernance: true));
        Assert.False(state.AllowsRetention(Governance with { RetainUntil = Now.AddDays(2) }, Now, bypassGovernance: true));
        Assert.False(state.AllowsRetention(null, Now, bypassGovernance: true));
    }

    [Fact]
    public void Governance_in_force_may_be_extended_and_changed_in_any_way_only_with_bypass()
    {
        var state = new ObjectLockState(Governance, null);

        Assert.True(state.AllowsRetention(Governance with { RetainUntil = Now.AddDays(2) }, Now, bypassGovernance: false));
        Assert.False(state.AllowsRetention(Governance with { RetainUntil = Now.AddHours(1) }, Now, bypassGovernance: false));
        Assert.False(state.AllowsRetention(Compliance with { RetainUntil = Now.AddDays(2) }, Now, bypassGovernance: false));
        Assert.False(state.AllowsRetention(null, Now, bypassGovernance: false));
        Assert.True(state.AllowsRetention(Governance with { RetainUntil = Now.AddHours(1) }, Now, bypassGovernance: true));
        Assert.True(state.AllowsRetention(null, Now, bypassGovernance: true));
    }

    [Fact]
    public void An_expired_retention_or_none_allows_any_new_retention()
    {
        var expired = new ObjectLockState(Compliance, null);
        var later = Compliance.RetainUntil.AddSeconds(1);

        Assert.True(expired.AllowsRetention(null, later, bypassGovernance: false));
        Assert.True(expired.AllowsRetention(Governance with { RetainUntil = later.AddDays(1) }, later, bypassGovernance: false));
        Assert.True(default(ObjectLockState).AllowsRetention(Compliance, Now, bypassGovernance: false));
    }

    [Fact]
    public void A_default_retention_counts_days_or_calendar_years_from_the_creation_time()
    {
        var created = new DateTimeOffset(2024, 2, 29, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(new ObjectRetention(ObjectLockMode.Governance, created.AddDays(30)),
            new DefaultRetention(ObjectLockMode.Governance, 30, null).For(created));
        Assert.Equal(new ObjectRetention(ObjectLockMode.Compliance, new DateTimeOffset(2025, 2, 28, 10, 0, 0, TimeSpan.Zero)),
            new DefaultRetention(ObjectLockMode.Compliance, null, 1).For(created));
    }

    [Theory]
    [InlineData("GOVERNANCE", true)]
    [InlineData("COMPLIANCE", true)]
    [InlineData("governance", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Modes_parse_by_their_exact_wire_names(string? text, bool known)
    {
        Assert.Equal(known, ObjectLockNames.TryParseMode(text, out var mode));
        if (known)
        {
            Assert.Equal(text, ObjectLockNames.WireName(mode));
        }
    }
}
