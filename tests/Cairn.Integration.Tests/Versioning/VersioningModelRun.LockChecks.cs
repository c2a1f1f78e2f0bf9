using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>The Object Lock reads compared with the model: lock headers on GET and HEAD, GetObjectRetention, GetObjectLegalHold, GetObjectLockConfiguration.</summary>
internal sealed partial class VersioningModelRun
{
    /// <summary>
    /// x-amz-object-lock-mode, -retain-until-date and -legal-hold of a version read: the mode and date when it has a
    /// retention (expired ones too), ON for a legal hold ON; OFF may be sent or left out ("when set").
    /// </summary>
    private void AssertLockHeaders(ModelVersion served)
    {
        var headers = wire.Last!;
        var lockState = served.Lock;
        var mode = headers.Header("x-amz-object-lock-mode");
        var date = headers.Header("x-amz-object-lock-retain-until-date");
        Assert.True(lockState.Mode == mode, $"{_check}: x-amz-object-lock-mode {mode ?? "(absent)"}, expected {lockState.Mode ?? "(absent)"}");
        if (lockState.RetainUntil is { } until)
        {
            var actual = ParseLockDate(date, $"{_check}: x-amz-object-lock-retain-until-date");
            Assert.True(until == actual, $"{_check}: x-amz-object-lock-retain-until-date {date}, expected {ModelLock.FormatDate(until)}");
        }
        else
        {
            Assert.True(date is null, $"{_check}: x-amz-object-lock-retain-until-date {date} on a version without retention");
        }
        var legalHold = headers.Header("x-amz-object-lock-legal-hold");
        var expected = lockState.LegalHold switch
        {
            LegalHoldState.On => legalHold == "ON",
            LegalHoldState.Off or LegalHoldState.OffAtWrite => legalHold is null or "OFF",
            _ => legalHold is null,
        };
        Assert.True(expected, $"{_check}: x-amz-object-lock-legal-hold {legalHold ?? "(absent)"}, legal hold {lockState.LegalHold}");
    }

    /// <summary>GetObjectRetention and GetObjectLegalHold of one version (or the current one, <paramref name="versionId"/> null).</summary>
    private async Task CheckLockReadsAsync(string key, string? versionId)
    {
        if (!_model.ObjectLockEnabled)
        {
            // Without lock, only object versions are asked about (InvalidRequest must not compete with NoSuchKey).
            var versions = _model.Versions(key);
            var isObject = versionId is null
                ? versions.FirstOrDefault() is { IsDeleteMarker: false }
                : versions.Any(v => v.VersionId == versionId && !v.IsDeleteMarker);
            if (!isObject)
            {
                return;
            }
        }
        var (version, error) = _model.ResolveLockTarget(key, versionId);
        var target = $"{key}{(versionId is null ? "" : "?versionId=" + versionId)}";
        _check = $"GetObjectRetention {target}";
        var retentionRequest = new GetObjectRetentionRequest { BucketName = bucket, Key = key, VersionId = versionId };
        var noConfiguration = ExpectedAnswer.Error(HttpStatusCode.NotFound, "NoSuchObjectLockConfiguration");
        if (error is not null || version!.Lock.Mode is null)
        {
            await AssertReadRefusedAsync(error ?? noConfiguration, () => s3.GetObjectRetentionAsync(retentionRequest));
        }
        else
        {
            var retention = (await s3.GetObjectRetentionAsync(retentionRequest)).Retention;
            Assert.Equal(version.Lock.Mode, retention?.Mode?.Value);
            Assert.True(retention!.RetainUntilDate is { } until && AsUtc(until) == version.Lock.RetainUntil,
                $"{_check}: RetainUntilDate {retention.RetainUntilDate:O}, expected {ModelLock.FormatDate(version.Lock.RetainUntil!.Value)}");
        }
        _check = $"GetObjectLegalHold {target}";
        var legalHoldRequest = new GetObjectLegalHoldRequest { BucketName = bucket, Key = key, VersionId = versionId };
        var expected = (error, version?.Lock.LegalHold) switch
        {
            ({ } refused, _) => refused,
            (_, LegalHoldState.NeverSet) => noConfiguration,
            _ => null,
        };
        if (expected is not null)
        {
            await AssertReadRefusedAsync(expected, () => s3.GetObjectLegalHoldAsync(legalHoldRequest));
            return;
        }
        if (version!.Lock.LegalHold == LegalHoldState.OffAtWrite)
        {
            // OFF given at write time: GetObjectLegalHold may say OFF or that none was set.
            try
            {
                Assert.Equal("OFF", (await s3.GetObjectLegalHoldAsync(legalHoldRequest)).LegalHold?.Status?.Value);
            }
            catch (AmazonS3Exception ex) when (noConfiguration.Matches(ex.StatusCode, ex.ErrorCode))
            {
            }
            return;
        }
        var status = (await s3.GetObjectLegalHoldAsync(legalHoldRequest)).LegalHold?.Status?.Value;
        Assert.Equal(version.Lock.LegalHold == LegalHoldState.On ? "ON" : "OFF", status);
    }

    /// <summary>GetObjectLockConfiguration: 404 ObjectLockConfigurationNotFoundError without lock; Enabled, with the default retention if any.</summary>
    private async Task CheckObjectLockConfigurationAsync()
    {
        _check = "GetObjectLockConfiguration";
        var request = new GetObjectLockConfigurationRequest { BucketName = bucket };
        if (!_model.ObjectLockEnabled)
        {
            await AssertReadRefusedAsync(ExpectedAnswer.Error(HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError"),
                () => s3.GetObjectLockConfigurationAsync(request));
            return;
        }
        var configuration = (await s3.GetObjectLockConfigurationAsync(request)).ObjectLockConfiguration;
        Assert.Equal("Enabled", configuration?.ObjectLockEnabled?.Value);
        var retention = configuration!.Rule?.DefaultRetention;
        var actual = retention is null ? null : new ModelDefaultRetention(retention.Mode?.Value!, retention.Days, retention.Years);
        Assert.Equal(_model.DefaultRetention, actual);
    }

    private async Task AssertReadRefusedAsync(ExpectedAnswer expected, Func<Task> request)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(request);
        Assert.True(expected.Matches(error.StatusCode, error.ErrorCode),
            $"{_check}: answered {(int)error.StatusCode} {error.ErrorCode} ({error.Message}), expected {expected}");
    }

    private static DateTime AsUtc(DateTime date) => date.Kind switch
    {
        DateTimeKind.Utc => date,
        DateTimeKind.Local => date.ToUniversalTime(),
        _ => DateTime.SpecifyKind(date, DateTimeKind.Utc),
    };
}
