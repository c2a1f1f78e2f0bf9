using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// The Object Lock operations of a run (<see cref="ObjectLockScenario"/> other than None): puts and copies with lock
/// headers, PutObjectRetention, PutObjectLegalHold, PutObjectLockConfiguration, invalid lock headers, and waiting
/// for a short retention to pass. Retain-until dates are whole seconds, either hours ahead ("in force" for the
/// whole run) or a few seconds ahead (they expire during the run; the model calls nothing within
/// <see cref="VersioningModel.ClockMargin"/> of the date).
/// </summary>
internal sealed partial class VersioningModelRun
{
    /// <summary>
    /// How far ahead a retain-until date may be for a run to wait for it, once (plus <see cref="VersioningModel.ClockMargin"/>):
    /// short dates are 2 to 3 seconds ahead when written, and the model test's time budget allows about this per run.
    /// </summary>
    private static readonly TimeSpan MaxExpiryWait = TimeSpan.FromSeconds(3);

    private bool _waitedForExpiry;

    private async Task<string[]> OperateWithLockAsync()
    {
        if (!_waitedForExpiry && ExpiringSoon() is { Version: not null } && _random.Next(100) < 15)
        {
            return await WaitForExpiryAsync();
        }
        var roll = _random.Next(100);
        return roll switch
        {
            < 17 => await PutAsync(PickKey()),
            < 23 => await CopyAsync(),
            < 30 => await DeleteCurrentAsync(),
            < 44 => await DeleteVersionAsync(),
            < 50 => await DeleteObjectsAsync(),
            < 54 => await SetVersioningAsync(PickState()),
            < 66 => await PutObjectRetentionAsync(),
            < 74 => await PutObjectLegalHoldAsync(),
            // Until lock is on in a Later run, half of these turn versioning on first, so lock is reached early enough.
            < 78 when !_model.ObjectLockEnabled && _model.State != BucketVersioning.Enabled && _random.Next(2) == 0 =>
                await SetVersioningAsync(BucketVersioning.Enabled),
            < 78 => await PutObjectLockConfigurationAsync(),
            < 81 => await PutWithInvalidLockHeadersAsync(),
            _ => [PickKey()],
        };
    }

    /// <summary>Lock headers for a put or copy in a lock run (none in other runs): often none, else a retention, a legal hold or both.</summary>
    private RequestedLock? PickRequestedLock()
    {
        if (objectLock == ObjectLockScenario.None || _random.Next(100) < 45)
        {
            return null;
        }
        var legalHold = _random.Next(100) switch
        {
            < 25 => "ON",
            < 40 => "OFF",
            _ => null,
        };
        if (legalHold is not null && _random.Next(100) < 35)
        {
            return new RequestedLock(null, null, legalHold);
        }
        return new RequestedLock(PickMode(), PickRetainUntil(), legalHold);
    }

    private string PickMode() => _random.Next(100) < 70 ? ModelLock.Governance : ModelLock.Compliance;

    /// <summary>A whole-second date: mostly hours ahead, sometimes 2 to 3 seconds ahead (so a run can wait for it to pass).</summary>
    private DateTime PickRetainUntil(bool allowShort = true) =>
        WholeSeconds(allowShort && _random.Next(100) < 20
            ? DateTime.UtcNow.AddSeconds(3)
            : DateTime.UtcNow.AddMinutes(60 + _random.Next(48 * 60)));

    private static DateTime WholeSeconds(DateTime date) => new(date.Ticks - (date.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static void SetLockHeaders(PutObjectRequest request, RequestedLock? requested)
    {
        if (requested is null)
        {
            return;
        }
        request.ObjectLockMode = requested.Mode is null ? null : ObjectLockMode.FindValue(requested.Mode);
        request.ObjectLockRetainUntilDate = requested.RetainUntil;
        request.ObjectLockLegalHoldStatus = requested.LegalHold is null ? null : ObjectLockLegalHoldStatus.FindValue(requested.LegalHold);
    }

    private static void SetLockHeaders(CopyObjectRequest request, RequestedLock? requested)
    {
        if (requested is null)
        {
            return;
        }
        request.ObjectLockMode = requested.Mode is null ? null : ObjectLockMode.FindValue(requested.Mode);
        request.ObjectLockRetainUntilDate = requested.RetainUntil;
        request.ObjectLockLegalHoldStatus = requested.LegalHold is null ? null : ObjectLockLegalHoldStatus.FindValue(requested.LegalHold);
    }

    /// <summary>
    /// Gives a version just written its lock in the model: the request's, or the bucket's default retention, whose
    /// date the server computes (creation time plus Days or Years): it is read back with HEAD and must lie within the
    /// request's time window, give or take two seconds.
    /// </summary>
    private async Task RecordLockOfNewVersionAsync(string key, string versionId, RequestedLock? requested, DateTime before)
    {
        var lockState = _model.NewVersionLock(requested, out var usesDefaultRetention);
        if (usesDefaultRetention)
        {
            var after = DateTime.UtcNow;
            var rule = _model.DefaultRetention!;
            await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, VersionId = versionId });
            var headers = wire.Last!;
            Assert.True(rule.Mode == headers.Header("x-amz-object-lock-mode"),
                $"new version {versionId} of {key}: x-amz-object-lock-mode {headers.Header("x-amz-object-lock-mode") ?? "(absent)"}, the default retention is {rule}");
            var until = ParseLockDate(headers.Header("x-amz-object-lock-retain-until-date"), "x-amz-object-lock-retain-until-date");
            var (low, high) = rule.Days is { } days
                ? (before.AddDays(days), after.AddDays(days))
                : (Min(before.AddYears(rule.Years!.Value), before.AddDays(365 * rule.Years.Value)), Max(after.AddYears(rule.Years.Value), after.AddDays(365 * rule.Years.Value)));
            Assert.True(until >= low.AddSeconds(-2) && until <= high.AddSeconds(2),
                $"new version {versionId} of {key} under default retention {rule}, written between {ModelLock.FormatDate(before)} and {ModelLock.FormatDate(after)}: retain-until {ModelLock.FormatDate(until)}");
            lockState = lockState with { RetainUntil = until };
        }
        if (!lockState.IsNone)
        {
            _model.SetLock(key, versionId, lockState);
            Trace($"  lock: {lockState}");
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    /// <summary>An ISO 8601 date as S3 writes it in lock headers (UTC, with or without fraction).</summary>
    private static DateTime ParseLockDate(string? value, string what)
    {
        Assert.False(value is null, $"{what} is absent");
        Assert.True(DateTime.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date), $"{what} '{value}' is not an ISO 8601 UTC date");
        return date;
    }

    /// <summary>The request fails with the expected answer (nothing changes in the model).</summary>
    private async Task AssertRefusedAsync(ExpectedAnswer expected, Func<Task> request)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(request);
        Assert.True(expected.Matches(error.StatusCode, error.ErrorCode),
            $"answered {(int)error.StatusCode} {error.ErrorCode} ({error.Message}), expected {expected}");
        TraceRefusal((int)error.StatusCode, error.ErrorCode);
    }

    /// <summary>Counts operations on a version whose retention has passed (for the summary: the run did reach them).</summary>
    private void NoteExpiredRetention(ModelVersion? version)
    {
        if (version?.Lock.Mode is not null && VersioningModel.RetentionInForce(version.Lock, DateTime.UtcNow) == LockDecision.Allowed)
        {
            _refusals["(on an expired retention)"] = _refusals.GetValueOrDefault("(on an expired retention)") + 1;
        }
    }

    private void TraceRefusal(int status, string? code)
    {
        Trace($"  -> {status} {code}");
        var kind = $"{status} {code}";
        _refusals[kind] = _refusals.GetValueOrDefault(kind) + 1;
    }

    /// <summary>
    /// A key and version id for ?retention or ?legal-hold: mostly an object version (sometimes named as the
    /// current version, without id), else a delete marker, an id the key does not have, or a key without versions.
    /// In a bucket without lock, only object versions: the InvalidRequest must not compete with other errors.
    /// </summary>
    private (string Key, string? VersionId, ModelVersion? Version) PickLockTarget()
    {
        var all = _model.Keys.SelectMany(k => _model.Versions(k).Select(v => (Key: k, Version: v))).ToArray();
        var objects = all.Where(static e => !e.Version.IsDeleteMarker).ToArray();
        var markers = all.Where(static e => e.Version.IsDeleteMarker).ToArray();
        var roll = _random.Next(100);
        if (objects.Length > 0 && (roll < 78 || !_model.ObjectLockEnabled))
        {
            var (key, version) = objects[_random.Next(objects.Length)];
            var isCurrent = _model.Versions(key)[0] == version;
            return (key, isCurrent && _random.Next(100) < 30 ? null : version.VersionId, version);
        }
        if (!_model.ObjectLockEnabled)
        {
            return (PickKey(), null, null); // no object version: the caller puts instead
        }
        if (markers.Length > 0 && roll < 86)
        {
            var (key, marker) = markers[_random.Next(markers.Length)];
            var isCurrent = _model.Versions(key)[0] == marker;
            return (key, isCurrent && _random.Next(100) < 30 ? null : marker.VersionId, marker);
        }
        var target = PickKey();
        var versions = _model.Versions(target);
        return roll < 94 || versions.Count == 0 ? (target, PickMissingVersionId(target), null) : (target, null, versions[0]);
    }

    /// <summary>PutObjectRetention: extend, keep, shorten, switch mode, remove, or a date in the past; with or without the bypass header.</summary>
    private async Task<string[]> PutObjectRetentionAsync(string? chosenKey = null, string? chosenVersionId = null, RetentionChange? chosenChange = null)
    {
        var (key, versionId, target) = chosenKey is null
            ? PickLockTarget()
            : (chosenKey, chosenVersionId, _model.Versions(chosenKey).FirstOrDefault(v => v.VersionId == chosenVersionId));
        if (target is null && !_model.ObjectLockEnabled)
        {
            return await PutAsync(key);
        }
        var bypass = chosenKey is null && _random.Next(100) < 40;
        var change = chosenChange ?? PickRetentionChange(target);
        var expected = _model.PutRetention(key, versionId, change, bypass, DateTime.UtcNow);
        if (expected is null)
        {
            return [key]; // the answer would depend on the clock
        }
        Trace($"PUT-RETENTION {key}{(versionId is null ? "" : "?versionId=" + versionId)} {change}{(bypass ? " bypass-governance" : "")} (was {target?.Lock.ToString() ?? "not there"})");
        NoteExpiredRetention(target);
        var request = new PutObjectRetentionRequest
        {
            BucketName = bucket,
            Key = key,
            VersionId = versionId,
            BypassGovernanceRetention = bypass ? true : null,
            Retention = change.IsRemoval
                ? new ObjectLockRetention()
                : new ObjectLockRetention { Mode = ObjectLockRetentionMode.FindValue(change.Mode!), RetainUntilDate = change.RetainUntil },
        };
        if (expected.IsOk)
        {
            await s3.PutObjectRetentionAsync(request);
            Trace("  -> OK");
        }
        else
        {
            await AssertRefusedAsync(expected, () => s3.PutObjectRetentionAsync(request));
        }
        return [key];
    }

    private RetentionChange PickRetentionChange(ModelVersion? target)
    {
        var now = DateTime.UtcNow;
        var current = target?.Lock;
        var roll = _random.Next(100);
        if (roll < 6 && target is { IsDeleteMarker: false } && _model.ObjectLockEnabled)
        {
            // Not in the future: 400 InvalidArgument, checked before the version and its lock.
            return new RetentionChange(PickMode(), WholeSeconds(now.AddMinutes(-60 - _random.Next(600))));
        }
        if (roll < 22)
        {
            return RetentionChange.Remove;
        }
        if (current?.RetainUntil is not { } until)
        {
            return new RetentionChange(PickMode(), PickRetainUntil());
        }
        var mode = _random.Next(100) < 70 ? current.Mode : (current.Mode == ModelLock.Governance ? ModelLock.Compliance : ModelLock.Governance);
        var date = _random.Next(100) switch
        {
            < 40 => WholeSeconds((until > now ? until : now).AddMinutes(1 + _random.Next(300))), // later
            < 55 => until, // the same date
            < 80 when until > now.AddMinutes(40) => WholeSeconds(Max(now.AddMinutes(30), until.AddMinutes(-1 - _random.Next(300)))), // earlier, still hours ahead
            _ => PickRetainUntil(), // anything, sometimes seconds ahead
        };
        return new RetentionChange(mode, date);
    }

    /// <summary>PutObjectLegalHold ON or OFF: never refused by a lock.</summary>
    private async Task<string[]> PutObjectLegalHoldAsync()
    {
        var (key, versionId, target) = PickLockTarget();
        if (target is null && !_model.ObjectLockEnabled)
        {
            return await PutAsync(key);
        }
        var on = _random.Next(100) < 55;
        Trace($"PUT-LEGAL-HOLD {key}{(versionId is null ? "" : "?versionId=" + versionId)} {(on ? "ON" : "OFF")} (was {target?.Lock.ToString() ?? "not there"})");
        var expected = _model.PutLegalHold(key, versionId, on);
        var request = new PutObjectLegalHoldRequest
        {
            BucketName = bucket,
            Key = key,
            VersionId = versionId,
            LegalHold = new ObjectLockLegalHold { Status = on ? ObjectLockLegalHoldStatus.On : ObjectLockLegalHoldStatus.Off },
        };
        if (expected.IsOk)
        {
            await s3.PutObjectLegalHoldAsync(request);
            Trace("  -> OK");
        }
        else
        {
            await AssertRefusedAsync(expected, () => s3.PutObjectLegalHoldAsync(request));
        }
        return [key];
    }

    /// <summary>
    /// PutObjectLockConfiguration: with no rule (removes the default retention), a default retention, or (only on an
    /// Enabled bucket, where the state check cannot compete) an invalid one: Days or Years out of range (400
    /// InvalidArgument), both Days and Years, or no ObjectLockEnabled (400 MalformedXML).
    /// </summary>
    private async Task<string[]> PutObjectLockConfigurationAsync()
    {
        var roll = _random.Next(100);
        var configuration = new ObjectLockConfiguration { ObjectLockEnabled = ObjectLockEnabled.Enabled };
        ModelDefaultRetention? rule = null;
        ExpectedAnswer? invalid = null;
        if (roll < 12 && _model.State == BucketVersioning.Enabled)
        {
            var retention = new DefaultRetention { Mode = ObjectLockRetentionMode.Governance };
            (invalid, var what) = _random.Next(5) switch
            {
                0 => (ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidArgument"), "Days 0"),
                1 => (ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidArgument"), "Days 36501"),
                2 => (ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidArgument"), "Years 101"),
                3 => (ExpectedAnswer.Error(HttpStatusCode.BadRequest, "MalformedXML"), "Days 1 and Years 1"),
                _ => (ExpectedAnswer.Error(HttpStatusCode.BadRequest, "MalformedXML"), "no ObjectLockEnabled"),
            };
            switch (what)
            {
                case "Days 0": retention.Days = 0; break;
                case "Days 36501": retention.Days = 36501; break;
                case "Years 101": retention.Years = 101; break;
                case "Days 1 and Years 1": retention.Days = 1; retention.Years = 1; break;
                default: configuration.ObjectLockEnabled = null; retention.Days = 1; break;
            }
            configuration.Rule = new ObjectLockRule { DefaultRetention = retention };
            Trace($"PUT-LOCK-CONFIGURATION invalid: {what}");
        }
        else
        {
            if (roll >= 45)
            {
                var mode = _random.Next(100) < 80 ? ModelLock.Governance : ModelLock.Compliance;
                rule = _random.Next(100) < 75 ? new ModelDefaultRetention(mode, 1 + _random.Next(3), null) : new ModelDefaultRetention(mode, null, 1);
                configuration.Rule = new ObjectLockRule
                {
                    DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.FindValue(mode), Days = rule.Days, Years = rule.Years },
                };
            }
            Trace($"PUT-LOCK-CONFIGURATION {(rule is null ? "no rule" : rule.ToString())}");
        }
        var expected = invalid ?? _model.PutObjectLockConfiguration(rule);
        var request = new PutObjectLockConfigurationRequest { BucketName = bucket, ObjectLockConfiguration = configuration };
        if (expected.IsOk)
        {
            await s3.PutObjectLockConfigurationAsync(request);
            Trace("  -> OK");
        }
        else
        {
            await AssertRefusedAsync(expected, () => s3.PutObjectLockConfigurationAsync(request));
        }
        await CheckObjectLockConfigurationAsync();
        return [PickKey()];
    }

    /// <summary>
    /// A PutObject with invalid lock headers in a lock-enabled bucket: 400 InvalidArgument, nothing written: a mode
    /// without a date, a date without a mode, a date in the past, an unknown mode, a legal hold other than ON/OFF.
    /// </summary>
    private async Task<string[]> PutWithInvalidLockHeadersAsync()
    {
        var key = PickKey();
        if (!_model.ObjectLockEnabled)
        {
            return await PutAsync(key);
        }
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(NextBody()) };
        var far = WholeSeconds(DateTime.UtcNow.AddHours(2));
        var what = _random.Next(5) switch
        {
            0 => "mode without date",
            1 => "date without mode",
            2 => "date in the past",
            3 => "unknown mode",
            _ => "unknown legal hold",
        };
        switch (what)
        {
            case "mode without date": request.ObjectLockMode = ObjectLockMode.Governance; break;
            case "date without mode": request.ObjectLockRetainUntilDate = far; break;
            case "date in the past": request.ObjectLockMode = ObjectLockMode.Governance; request.ObjectLockRetainUntilDate = far.AddDays(-1); break;
            case "unknown mode": request.ObjectLockMode = ObjectLockMode.FindValue("FOREVER"); request.ObjectLockRetainUntilDate = far; break;
            default: request.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.FindValue("MAYBE"); break;
        }
        Trace($"PUT-INVALID-LOCK {key} {what}");
        await AssertRefusedAsync(ExpectedAnswer.Error(HttpStatusCode.BadRequest, "InvalidArgument"), () => s3.PutObjectAsync(request));
        return [key];
    }

    /// <summary>The version whose retain-until date comes next, if it is less than <see cref="MaxExpiryWait"/> ahead.</summary>
    private (string Key, ModelVersion? Version) ExpiringSoon()
    {
        var now = DateTime.UtcNow;
        return _model.Keys
            .SelectMany(k => _model.Versions(k).Where(v => v.Lock.RetainUntil > now && v.Lock.RetainUntil < now + MaxExpiryWait).Select(v => (Key: k, Version: (ModelVersion?)v)))
            .OrderBy(static e => e.Version!.Lock.RetainUntil)
            .FirstOrDefault();
    }

    /// <summary>
    /// Once a run: when a short retention is about to pass, waits until it has, then acts on that version without
    /// the bypass header as a lock in force would refuse: a DELETE by version id, or a PutObjectRetention that
    /// switches the mode or removes the retention ("expired retention may be replaced freely").
    /// </summary>
    private async Task<string[]> WaitForExpiryAsync()
    {
        var now = DateTime.UtcNow;
        var (key, version) = ExpiringSoon();
        if (version is null)
        {
            return [PickKey()];
        }
        _waitedForExpiry = true;
        Trace($"WAIT until {ModelLock.FormatDate(version.Lock.RetainUntil!.Value)} has passed ({key} {version.VersionId})");
        await Task.Delay(version.Lock.RetainUntil!.Value - now + VersioningModel.ClockMargin + TimeSpan.FromMilliseconds(100));
        if (_random.Next(2) == 0)
        {
            return await DeleteVersionAsync(key, version.VersionId);
        }
        var change = _random.Next(2) == 0
            ? RetentionChange.Remove
            : new RetentionChange(version.Lock.Mode == ModelLock.Governance ? ModelLock.Compliance : ModelLock.Governance, PickRetainUntil(allowShort: false));
        return await PutObjectRetentionAsync(key, version.VersionId, change);
    }
}
