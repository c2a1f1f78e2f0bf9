using System.Globalization;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// A version's legal hold: never set, ON, OFF (set by PutObjectLegalHold), or OFF given as
/// x-amz-object-lock-legal-hold on the write that made the version. The spec does not say whether OFF at write
/// time counts as "set" for GetObjectLegalHold, so <see cref="OffAtWrite"/> accepts both answers.
/// </summary>
internal enum LegalHoldState
{
    NeverSet,
    On,
    Off,
    OffAtWrite,
}

/// <summary>
/// The Object Lock state of one version (objectlock-spec.md, "Retention", "Legal hold"): a retention mode with its
/// retain-until date (both or neither) and a legal hold. A retention stays on the version after its date passes
/// (GET/HEAD still show it); it only stops protecting.
/// </summary>
internal sealed record ModelLock(string? Mode, DateTime? RetainUntil, LegalHoldState LegalHold)
{
    public const string Governance = "GOVERNANCE";
    public const string Compliance = "COMPLIANCE";

    public static readonly ModelLock None = new(null, null, LegalHoldState.NeverSet);

    public bool IsNone => Mode is null && LegalHold == LegalHoldState.NeverSet;

    public override string ToString() =>
        (Mode is null ? "" : $"{Mode} until {FormatDate(RetainUntil!.Value)}")
        + (LegalHold == LegalHoldState.NeverSet ? "" : $"{(Mode is null ? "" : ", ")}legal hold {LegalHold}");

    /// <summary>ISO 8601 in UTC with milliseconds, as S3 writes x-amz-object-lock-retain-until-date.</summary>
    public static string FormatDate(DateTime date) => date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A bucket's default retention (ObjectLockConfiguration Rule/DefaultRetention): a mode and exactly one of Days and Years.</summary>
internal sealed record ModelDefaultRetention(string Mode, int? Days, int? Years)
{
    public override string ToString() => $"{Mode} {(Days is { } d ? $"{d} days" : $"{Years} years")}";
}

/// <summary>A PutObjectRetention body: a mode and a date, or neither (an empty Retention, which removes the retention).</summary>
internal sealed record RetentionChange(string? Mode, DateTime? RetainUntil)
{
    public static readonly RetentionChange Remove = new(null, null);

    public bool IsRemoval => Mode is null && RetainUntil is null;

    public override string ToString() => IsRemoval ? "remove" : $"{Mode} until {ModelLock.FormatDate(RetainUntil!.Value)}";
}

/// <summary>Lock headers of a PutObject or CopyObject: mode and date (both or neither), and a legal hold (ON, OFF or none).</summary>
internal sealed record RequestedLock(string? Mode, DateTime? RetainUntil, string? LegalHold)
{
    public override string ToString() =>
        string.Join(" ", new[] { Mode is null ? null : $"mode={Mode} until={ModelLock.FormatDate(RetainUntil!.Value)}", LegalHold is null ? null : $"legal-hold={LegalHold}" }.Where(static s => s is not null));
}
