using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// PutObjectRetention and GetObjectRetention: setting a retention, the rules for changing one in
/// force (COMPLIANCE: only extend; GOVERNANCE: only extend unless bypassing), and the bad requests.
/// </summary>
public sealed partial class ObjectLockTests
{
    private Task<WireResponse> RemoveRetentionAsync(string bucket, string key, string versionId, bool bypass) =>
        SendXmlAsync("PUT", WireSigner.PathOf(bucket, key), VersionQuery("retention", versionId), $"<Retention xmlns=\"{S3Namespace}\"/>",
            Integrity.ContentMd5, request =>
            {
                if (bypass)
                {
                    request.Headers["x-amz-bypass-governance-retention"] = "true";
                }
            });

    [Fact(Timeout = 30_000)]
    public async Task PutObjectRetention_sets_a_retention_that_GET_HEAD_and_GetObjectRetention_return_and_journals_it()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var old = await _s3.PutTextAsync(bucket, "k", "old");
        var latest = await _s3.PutTextAsync(bucket, "k", "latest");
        var journal = await JournalAsync(bucket);
        var until = FromNow(TimeSpan.FromDays(1));

        // Act
        await PutRetentionAsync(bucket, "k", old.VersionId, ObjectLockRetentionMode.Compliance, until);
        await PutRetentionAsync(bucket, "k", versionId: null, ObjectLockRetentionMode.Governance, until.AddDays(1));
        var response = await _s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = "k", VersionId = old.VersionId });
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", VersionId = old.VersionId });
        var after = await JournalAsync(bucket);

        // Assert
        Assert.Equal((ObjectLockRetentionMode.Compliance, until), (response.Retention.Mode, Utc(response.Retention.RetainUntilDate)));
        Assert.Equal((ObjectLockMode.Compliance, until), (head.ObjectLockMode, Utc(head.ObjectLockRetainUntilDate)));
        Assert.Equal(("GOVERNANCE", until.AddDays(1)), await GetRetentionAsync(bucket, "k", null));
        Assert.Equal(("GOVERNANCE", until.AddDays(1)), await GetRetentionAsync(bucket, "k", latest.VersionId));
        Assert.Equal([("k", old.VersionId), ("k", latest.VersionId)], after.Skip(journal.Count).Select(static e => (e.Key, e.VersionId)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Retention_requests_in_a_bucket_without_lock_return_InvalidRequest()
    {
        // Arrange
        var plain = await _s3.NewBucketAsync();
        await _s3.PutTextAsync(plain, "k", "v");

        // Act
        var put = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutRetentionAsync(plain, "k", null, ObjectLockRetentionMode.Governance, FromNow(TimeSpan.FromDays(1))),
            HttpStatusCode.BadRequest, "InvalidRequest");
        var get = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = plain, Key = "k" }),
            HttpStatusCode.BadRequest, "InvalidRequest");

        // Assert
        Assert.Equal("InvalidRequest", put.ErrorCode);
        Assert.Equal("InvalidRequest", get.ErrorCode);
        var head = await _s3.GetObjectMetadataAsync(plain, "k");
        Assert.Null(head.ObjectLockMode);
    }

    public static TheoryData<string, string?, double?, HttpStatusCode, string> BadRetentions => new()
    {
        { "mode without date", "GOVERNANCE", null, HttpStatusCode.BadRequest, "MalformedXML" },
        { "date without mode", null, 2, HttpStatusCode.BadRequest, "MalformedXML" },
        { "unknown mode", "FOREVER", 2, HttpStatusCode.BadRequest, "MalformedXML" },
        { "date in the past", "GOVERNANCE", -1, HttpStatusCode.BadRequest, "InvalidArgument" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadRetentions))]
    public async Task PutObjectRetention_with_a_bad_retention_returns_an_S3_error_and_changes_nothing(
        string name, string? mode, double? days, HttpStatusCode status, string code)
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until);
        var journal = await JournalAsync(bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = bucket,
            Key = "k",
            VersionId = put.VersionId,
            Retention = new ObjectLockRetention
            {
                Mode = mode is null ? null : ObjectLockRetentionMode.FindValue(mode),
                RetainUntilDate = days is null ? null : FromNow(TimeSpan.FromDays(days.Value)),
            },
        }), status, code);

        // Assert
        Assert.Equal(("GOVERNANCE", until), await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.True(journal.Count == (await JournalAsync(bucket)).Count, name);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_COMPLIANCE_retention_in_force_can_only_be_kept_or_extended_even_with_bypass()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(2));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Compliance, until);
        var v = put.VersionId;

        // Act
        await PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Compliance, until);
        var journal = await JournalAsync(bucket);
        foreach (var bypass in new[] { false, true })
        {
            await ActionTestExtensions.AssertS3ErrorAsync(
                () => PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Compliance, until.AddDays(-1), bypass), HttpStatusCode.Forbidden, "AccessDenied");
            await ActionTestExtensions.AssertS3ErrorAsync(
                () => PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Governance, until.AddDays(5), bypass), HttpStatusCode.Forbidden, "AccessDenied");
            S3ErrorAssert.Error(await RemoveRetentionAsync(bucket, "k", v, bypass), 403, "AccessDenied");
        }
        var unchanged = await GetRetentionAsync(bucket, "k", v);
        var journalAfterRefusals = await JournalAsync(bucket);
        await PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Compliance, until.AddDays(3));

        // Assert
        Assert.Equal(("COMPLIANCE", until), unchanged);
        Assert.Equal(journal.Count, journalAfterRefusals.Count);
        Assert.Equal(("COMPLIANCE", until.AddDays(3)), await GetRetentionAsync(bucket, "k", v));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_GOVERNANCE_retention_in_force_can_only_be_extended_without_bypass()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(2));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until);
        var v = put.VersionId;

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Governance, until.AddHours(-1)), HttpStatusCode.Forbidden, "AccessDenied");
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Compliance, until.AddDays(1)), HttpStatusCode.Forbidden, "AccessDenied");
        var removal = await RemoveRetentionAsync(bucket, "k", v, bypass: false);
        var unchanged = await GetRetentionAsync(bucket, "k", v);
        await PutRetentionAsync(bucket, "k", v, ObjectLockRetentionMode.Governance, until.AddDays(1));

        // Assert
        S3ErrorAssert.Error(removal, 403, "AccessDenied");
        Assert.Equal(("GOVERNANCE", until), unchanged);
        Assert.Equal(("GOVERNANCE", until.AddDays(1)), await GetRetentionAsync(bucket, "k", v));
    }

    [Fact(Timeout = 30_000)]
    public async Task With_bypass_a_GOVERNANCE_retention_can_be_shortened_switched_to_COMPLIANCE_or_removed()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(2));
        var shortened = (await PutLockedAsync(bucket, "a", ObjectLockMode.Governance, until)).VersionId;
        var switched = (await PutLockedAsync(bucket, "b", ObjectLockMode.Governance, until)).VersionId;
        var removed = (await PutLockedAsync(bucket, "c", ObjectLockMode.Governance, until)).VersionId;

        // Act
        await PutRetentionAsync(bucket, "a", shortened, ObjectLockRetentionMode.Governance, until.AddDays(-1), bypass: true);
        await PutRetentionAsync(bucket, "b", switched, ObjectLockRetentionMode.Compliance, until.AddDays(-1), bypass: true);
        var removal = await RemoveRetentionAsync(bucket, "c", removed, bypass: true);

        // Assert
        Assert.Equal(("GOVERNANCE", until.AddDays(-1)), await GetRetentionAsync(bucket, "a", shortened));
        Assert.Equal(("COMPLIANCE", until.AddDays(-1)), await GetRetentionAsync(bucket, "b", switched));
        Assert.True(removal.Status == 200, removal.ToString());
        Assert.Null(await GetRetentionAsync(bucket, "c", removed));
        var head = await _s3.GetObjectMetadataAsync(bucket, "c");
        Assert.Null(head.ObjectLockMode);
        Assert.Null(head.ObjectLockRetainUntilDate);
    }

    [Fact(Timeout = 30_000)]
    public async Task Retention_of_a_delete_marker_a_missing_key_or_version_or_a_malformed_version_id_returns_the_S3_error()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        await _s3.PutTextAsync(bucket, "k", "v");
        var marker = await _s3.DeleteObjectAsync(bucket, "k");
        var until = FromNow(TimeSpan.FromDays(1));
        var cases = new (string? Key, string? VersionId, HttpStatusCode Status, string Code)[]
        {
            ("k", marker.VersionId, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed"),
            ("absent", null, HttpStatusCode.NotFound, "NoSuchKey"),
            ("k", AbsentVersionId, HttpStatusCode.NotFound, "NoSuchVersion"),
            ("k", "not an id", HttpStatusCode.BadRequest, "InvalidArgument"),
        };

        // Act
        foreach (var (key, versionId, status, code) in cases)
        {
            await ActionTestExtensions.AssertS3ErrorAsync(
                () => PutRetentionAsync(bucket, key!, versionId, ObjectLockRetentionMode.Governance, until), status, code);
            await ActionTestExtensions.AssertS3ErrorAsync(
                () => _s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = key, VersionId = versionId }), status, code);
        }

        // Assert
        var versions = await VersionsAsync(bucket);
        Assert.Equal([true, false], versions.Select(static v => v.IsDeleteMarker));
        Assert.Null(await GetRetentionAsync(bucket, "k", versions[1].VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Retention_and_legal_hold_bodies_that_are_not_well_formed_return_MalformedXML_and_change_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until, ObjectLockLegalHoldStatus.On);
        var journal = await JournalAsync(bucket);

        // Act
        var retention = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId),
            $"<Retention xmlns=\"{S3Namespace}\"><Mode>GOVERNANCE</Mode><RetainUntilDate>{Iso8601(until.AddDays(1))}</RetainUntilDate>", Integrity.ContentMd5);
        var legalHold = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId),
            $"<LegalHold xmlns=\"{S3Namespace}\"><Status>OFF</Status>", Integrity.ContentMd5);
        var wrongRoot = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId),
            $"<Retention xmlns=\"{S3Namespace}\"><Status>OFF</Status></Retention>", Integrity.ContentMd5);

        // Assert
        S3ErrorAssert.Error(retention, 400, "MalformedXML");
        S3ErrorAssert.Error(legalHold, 400, "MalformedXML");
        S3ErrorAssert.Error(wrongRoot, 400, "MalformedXML");
        Assert.Equal(("GOVERNANCE", until), await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
        Assert.Equal(journal.Count, (await JournalAsync(bucket)).Count);
    }
}
