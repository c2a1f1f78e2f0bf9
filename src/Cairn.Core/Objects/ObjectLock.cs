namespace Cairn.Core;

/// <summary>An S3 Object Lock retention mode.</summary>
public enum ObjectLockMode
{
    /// <summary>Protects a version from most callers: one that asks to bypass governance may delete it or change its retention.</summary>
    Governance,

    /// <summary>Protects a version from everyone until its retain-until date: the date can be extended, never shortened or removed.</summary>
    Compliance,
}

/// <summary>A version's retention: protected in <see cref="Mode"/> until <see cref="RetainUntil"/> (stored to the millisecond).</summary>
public readonly record struct ObjectRetention(ObjectLockMode Mode, DateTimeOffset RetainUntil)
{
    /// <summary>Whether the retention protects the version at <paramref name="now"/>.</summary>
    public bool IsInForce(DateTimeOffset now) => RetainUntil > now;
}

/// <summary>A bucket's default retention: what a new version without its own retention gets (in <see cref="Days"/> or <see cref="Years"/>).</summary>
public sealed record DefaultRetention(ObjectLockMode Mode, int? Days, int? Years)
{
    /// <summary>The retention a version created at <paramref name="createdAt"/> gets.</summary>
    public ObjectRetention For(DateTimeOffset createdAt) =>
        new(Mode, Years is { } years ? createdAt.AddYears(years) : createdAt.AddDays(Days ?? 0));
}

/// <summary>A version's lock state: retention (if any) and legal hold (null: never set; S3 answers a GET of it 404).</summary>
public readonly record struct ObjectLockState(ObjectRetention? Retention, bool? LegalHold)
{
    /// <summary>
    /// Whether the version may not be removed at <paramref name="now"/>: a legal hold on, or a retention in
    /// force that the caller cannot bypass (compliance always; governance unless <paramref name="bypassGovernance"/>).
    /// </summary>
    public bool Protects(DateTimeOffset now, bool bypassGovernance) =>
        LegalHold == true
        || (Retention is { } retention && retention.IsInForce(now) && (retention.Mode == ObjectLockMode.Compliance || !bypassGovernance));

    /// <summary>
    /// Whether the version's retention may become <paramref name="proposed"/> (null: removed) at
    /// <paramref name="now"/>. A retention no longer in force may become anything. One in force may
    /// be kept or extended in the same mode; governance may change in any way with <paramref name="bypassGovernance"/>;
    /// compliance never otherwise.
    /// </summary>
    public bool AllowsRetention(ObjectRetention? proposed, DateTimeOffset now, bool bypassGovernance)
    {
        if (Retention is not { } current || !current.IsInForce(now))
        {
            return true;
        }
        if (proposed is { } next && next.Mode == current.Mode && next.RetainUntil >= current.RetainUntil)
        {
            return true;
        }
        return current.Mode == ObjectLockMode.Governance && bypassGovernance;
    }
}

/// <summary>Object Lock wire names and limits.</summary>
public static class ObjectLockNames
{
    /// <summary>Largest default retention S3 accepts, in days (100 years).</summary>
    public const int MaxDefaultRetentionDays = 36_500;

    /// <summary>Largest default retention S3 accepts, in years.</summary>
    public const int MaxDefaultRetentionYears = 100;

    /// <summary>The wire name of a mode (<c>GOVERNANCE</c>, <c>COMPLIANCE</c>).</summary>
    public static string WireName(ObjectLockMode mode) => mode == ObjectLockMode.Compliance ? "COMPLIANCE" : "GOVERNANCE";

    /// <summary>Parses a mode's wire name (exact, upper case as S3 sends it).</summary>
    public static bool TryParseMode(string? text, out ObjectLockMode mode)
    {
        (var known, mode) = text switch
        {
            "GOVERNANCE" => (true, ObjectLockMode.Governance),
            "COMPLIANCE" => (true, ObjectLockMode.Compliance),
            _ => (false, ObjectLockMode.Governance),
        };
        return known;
    }
}

/// <summary>A bucket's Object Lock configuration (lock enabled), with its default retention if it has one.</summary>
public sealed record ObjectLockConfiguration(DefaultRetention? DefaultRetention);

/// <summary>
/// A change to a version's lock state: its retention when <see cref="SetsRetention"/> (to
/// <see cref="Retention"/>; null removes it), its legal hold when <see cref="LegalHold"/> is set.
/// <see cref="BypassGovernance"/>: the caller asks to bypass governance-mode retention.
/// </summary>
public sealed record ObjectLockChange(bool SetsRetention, ObjectRetention? Retention, bool? LegalHold, bool BypassGovernance)
{
    /// <summary>Replaces the retention (null removes it).</summary>
    public static ObjectLockChange OfRetention(ObjectRetention? retention, bool bypassGovernance) => new(true, retention, null, bypassGovernance);

    /// <summary>Sets the legal hold on or off.</summary>
    public static ObjectLockChange OfLegalHold(bool on) => new(false, null, on, false);
}
