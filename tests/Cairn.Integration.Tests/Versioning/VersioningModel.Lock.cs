using System.Net;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// S3 Object Lock on top of the versioning model, as /work/objectlock-spec.md states it (AWS's behaviour: S3 user
/// guide "Locking objects with Object Lock"; API reference PutObjectLockConfiguration, PutObjectRetention,
/// PutObjectLegalHold, DeleteObject, DeleteObjects). Every decision that depends on whether a retain-until date has
/// passed takes the caller's "now" (the server's clock, which is this machine's) and answers
/// <see cref="LockDecision.Uncertain"/> (null for an answer) within <see cref="ClockMargin"/> of it, so a run
/// never asserts an answer that depends on a race with the clock.
/// </summary>
internal sealed partial class VersioningModel
{
    /// <summary>How close to "now" a retain-until date must be for the model to refuse to call it in force or expired.</summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromSeconds(1);

    private static readonly ExpectedAnswer NoLockConfiguration =
        ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidRequest"); // "Bucket is missing Object Lock Configuration"

    private static readonly ExpectedAnswer AccessDenied = ExpectedAnswer.Error(HttpStatusCode.Forbidden, "AccessDenied");

    /// <summary>Whether the bucket has Object Lock enabled (at creation, or by PutObjectLockConfiguration on an Enabled bucket).</summary>
    public bool ObjectLockEnabled { get; private set; }

    /// <summary>The bucket's default retention, or null (none, or lock not enabled).</summary>
    public ModelDefaultRetention? DefaultRetention { get; private set; }

    /// <summary>CreateBucket with x-amz-bucket-object-lock-enabled: true: lock enabled, versioning Enabled.</summary>
    public void CreatedWithObjectLock()
    {
        ObjectLockEnabled = true;
        State = BucketVersioning.Enabled;
    }

    /// <summary>PutBucketVersioning's answer: Suspended on a lock-enabled bucket is 409 InvalidBucketState (and changes nothing).</summary>
    public ExpectedAnswer SetVersioningAnswer(BucketVersioning state) =>
        ObjectLockEnabled && state == BucketVersioning.Suspended ? ExpectedAnswer.Error(HttpStatusCode.Conflict, "InvalidBucketState") : ExpectedAnswer.Ok;

    /// <summary>
    /// PutObjectLockConfiguration with a well-formed, valid body: 409 InvalidBucketState unless versioning is
    /// Enabled; otherwise lock is enabled (also on a bucket created without it) and the default retention becomes
    /// <paramref name="rule"/> (none removes it).
    /// </summary>
    public ExpectedAnswer PutObjectLockConfiguration(ModelDefaultRetention? rule)
    {
        if (State != BucketVersioning.Enabled)
        {
            return ExpectedAnswer.Error(HttpStatusCode.Conflict, "InvalidBucketState");
        }
        ObjectLockEnabled = true;
        DefaultRetention = rule;
        return ExpectedAnswer.Ok;
    }

    /// <summary>A write with lock headers: 400 InvalidRequest in a bucket without lock; otherwise accepted (valid headers).</summary>
    public ExpectedAnswer LockHeadersAnswer() => ObjectLockEnabled ? ExpectedAnswer.Ok : NoLockConfiguration;

    /// <summary>
    /// The lock a new version gets: the request's retention, else the bucket's default (mode only: its date is the
    /// server's creation time plus the period, which the caller reads back), and the request's legal hold.
    /// </summary>
    public ModelLock NewVersionLock(RequestedLock? requested, out bool usesDefaultRetention)
    {
        usesDefaultRetention = false;
        if (!ObjectLockEnabled)
        {
            return ModelLock.None;
        }
        var legalHold = requested?.LegalHold switch
        {
            "ON" => LegalHoldState.On,
            "OFF" => LegalHoldState.OffAtWrite,
            _ => LegalHoldState.NeverSet,
        };
        if (requested?.Mode is { } mode)
        {
            return new ModelLock(mode, requested.RetainUntil, legalHold);
        }
        if (DefaultRetention is { } rule)
        {
            usesDefaultRetention = true;
            return new ModelLock(rule.Mode, null, legalHold);
        }
        return new ModelLock(null, null, legalHold);
    }

    /// <summary>Replaces the lock state of one version (object versions only).</summary>
    public void SetLock(string key, string versionId, ModelLock lockState)
    {
        var stack = _keys[key];
        var index = stack.FindIndex(v => v.VersionId == versionId);
        if (index < 0 || stack[index].IsDeleteMarker)
        {
            throw new InvalidOperationException($"No object version {versionId} of {key} to lock.");
        }
        stack[index] = stack[index] with { Lock = lockState };
    }

    /// <summary>
    /// The version a ?retention or ?legal-hold request acts on, or its error: 400 InvalidRequest in a bucket without
    /// lock; without a version id the current version (404 NoSuchKey when the key has none; when it is a delete
    /// marker 405 MethodNotAllowed or 404 NoSuchKey, AWS's answer there being undocumented); with one, 404
    /// NoSuchVersion when the key has no such version (NoSuchKey accepted too when the key has no versions at all,
    /// the spec's "unknown key"), 405 MethodNotAllowed for a delete marker.
    /// </summary>
    public (ModelVersion? Version, ExpectedAnswer? Error) ResolveLockTarget(string key, string? versionId)
    {
        if (!ObjectLockEnabled)
        {
            return (null, NoLockConfiguration);
        }
        var versions = Versions(key);
        var noSuchKey = ExpectedAnswer.Error(HttpStatusCode.NotFound, "NoSuchKey");
        var methodNotAllowed = ExpectedAnswer.Error(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        if (versionId is null)
        {
            return versions.FirstOrDefault() switch
            {
                null => (null, noSuchKey),
                { IsDeleteMarker: true } => (null, methodNotAllowed with { Or = noSuchKey }),
                var current => (current, null),
            };
        }
        var noSuchVersion = ExpectedAnswer.Error(HttpStatusCode.NotFound, "NoSuchVersion", versions.Count == 0 ? noSuchKey : null);
        return versions.FirstOrDefault(v => v.VersionId == versionId) switch
        {
            null => (null, noSuchVersion),
            { IsDeleteMarker: true } => (null, methodNotAllowed),
            var version => (version, null),
        };
    }

    /// <summary>Whether a retention is in force at <paramref name="now"/>: its date ahead (Denied stands for "in force"), passed (Allowed), or too close to call.</summary>
    public static LockDecision RetentionInForce(ModelLock lockState, DateTime now)
    {
        if (lockState.Mode is null)
        {
            return LockDecision.Allowed;
        }
        var until = lockState.RetainUntil!.Value;
        return until > now + ClockMargin ? LockDecision.Denied : until < now - ClockMargin ? LockDecision.Allowed : LockDecision.Uncertain;
    }

    /// <summary>
    /// PutObjectRetention's answer (null when it depends on the clock), applied to the model when it succeeds.
    /// Order: a bucket without lock, then the body (a date not in the future: 400 InvalidArgument), then the
    /// version, then the lock rules: in force, COMPLIANCE only takes COMPLIANCE with a date no earlier than the
    /// current one; GOVERNANCE the same with GOVERNANCE, or anything with x-amz-bypass-governance-retention; an
    /// expired retention may be replaced freely. Refusals are 403 AccessDenied.
    /// </summary>
    public ExpectedAnswer? PutRetention(string key, string? versionId, RetentionChange change, bool bypass, DateTime now)
    {
        if (!ObjectLockEnabled)
        {
            return NoLockConfiguration;
        }
        if (change.RetainUntil is { } until)
        {
            if (until < now - ClockMargin)
            {
                return ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidArgument");
            }
            if (until < now + ClockMargin)
            {
                return null;
            }
        }
        var (version, error) = ResolveLockTarget(key, versionId);
        if (error is not null)
        {
            return error;
        }
        var current = version!.Lock;
        var decision = RetentionInForce(current, now) switch
        {
            LockDecision.Allowed => LockDecision.Allowed,
            LockDecision.Uncertain => LockDecision.Uncertain,
            // In force: the same mode with a date no earlier always passes; GOVERNANCE yields to the bypass.
            _ when change.Mode == current.Mode && change.RetainUntil >= current.RetainUntil => LockDecision.Allowed,
            _ when current.Mode == ModelLock.Governance && bypass => LockDecision.Allowed,
            _ => LockDecision.Denied,
        };
        switch (decision)
        {
            case LockDecision.Uncertain:
                return null;
            case LockDecision.Denied:
                return AccessDenied;
            default:
                SetLock(key, version.VersionId, current with { Mode = change.Mode, RetainUntil = change.RetainUntil });
                return ExpectedAnswer.Ok;
        }
    }

    /// <summary>PutObjectLegalHold's answer, applied when it succeeds: a legal hold is never refused by a lock.</summary>
    public ExpectedAnswer PutLegalHold(string key, string? versionId, bool on)
    {
        var (version, error) = ResolveLockTarget(key, versionId);
        if (error is not null)
        {
            return error;
        }
        SetLock(key, version!.VersionId, version.Lock with { LegalHold = on ? LegalHoldState.On : LegalHoldState.Off });
        return ExpectedAnswer.Ok;
    }

    /// <summary>
    /// Whether DeleteObject (or a DeleteObjects entry) with a version id may remove that version: not while it has a
    /// legal hold ON, COMPLIANCE retention in force, or GOVERNANCE retention in force without the bypass header.
    /// Delete markers, ids the key does not have and buckets without lock have nothing to protect.
    /// </summary>
    public LockDecision DeleteVersionDecision(string key, string versionId, bool bypass, DateTime now)
    {
        var version = Versions(key).FirstOrDefault(v => v.VersionId == versionId);
        if (version is null || version.IsDeleteMarker)
        {
            return LockDecision.Allowed;
        }
        if (version.Lock.LegalHold == LegalHoldState.On)
        {
            return LockDecision.Denied;
        }
        return RetentionInForce(version.Lock, now) switch
        {
            LockDecision.Denied when version.Lock.Mode == ModelLock.Governance && bypass => LockDecision.Allowed,
            var inForce => inForce,
        };
    }
}
