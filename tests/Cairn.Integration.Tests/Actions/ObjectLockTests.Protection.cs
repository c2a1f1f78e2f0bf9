using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// What a lock protects: deleting a version by id (DeleteObject and DeleteObjects) under a legal
/// hold or a retention in force, the bypass header, delete markers, and expiry.
/// </summary>
public sealed partial class ObjectLockTests
{
    private const string ProtectedMessage = "Access Denied because object protected by object lock.";

    private Task<DeleteObjectResponse> DeleteVersionAsync(string bucket, string key, string versionId, bool bypass = false) =>
        _s3.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = bucket,
            Key = key,
            VersionId = versionId,
            BypassGovernanceRetention = bypass ? true : null,
        });

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_version_under_COMPLIANCE_retention_returns_AccessDenied_even_with_bypass_and_keeps_it()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Compliance, until);

        // Act
        var plain = await ActionTestExtensions.AssertS3ErrorAsync(
            () => DeleteVersionAsync(bucket, "k", put.VersionId), HttpStatusCode.Forbidden, "AccessDenied");
        var bypassed = await ActionTestExtensions.AssertS3ErrorAsync(
            () => DeleteVersionAsync(bucket, "k", put.VersionId, bypass: true), HttpStatusCode.Forbidden, "AccessDenied");

        // Assert
        Assert.Equal(ProtectedMessage, plain.Message);
        Assert.Equal("AccessDenied", bypassed.ErrorCode);
        Assert.Equal([("k", put.VersionId, false)], await VersionsAsync(bucket));
        Assert.Equal(("COMPLIANCE", until), await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.Equal("locked"u8.ToArray(), await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_a_version_under_GOVERNANCE_retention_needs_the_bypass_header()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);
        var put = await _s3.PutTextAsync(bucket, "k", "v");

        // Act
        var refused = await ActionTestExtensions.AssertS3ErrorAsync(
            () => DeleteVersionAsync(bucket, "k", put.VersionId), HttpStatusCode.Forbidden, "AccessDenied");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            VersionId = put.VersionId,
            BypassGovernanceRetention = false,
        }), HttpStatusCode.Forbidden, "AccessDenied");
        var versionsAfterRefusal = await VersionsAsync(bucket);
        var deleted = await DeleteVersionAsync(bucket, "k", put.VersionId, bypass: true);

        // Assert
        Assert.Equal(ProtectedMessage, refused.Message);
        Assert.Equal([("k", put.VersionId, false)], versionsAfterRefusal);
        Assert.Equal(put.VersionId, deleted.VersionId);
        Assert.Empty(await VersionsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_legal_hold_blocks_deletion_even_with_bypass_until_it_is_turned_off()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await PutLockedAsync(bucket, "k", null, null, ObjectLockLegalHoldStatus.On);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => DeleteVersionAsync(bucket, "k", put.VersionId), HttpStatusCode.Forbidden, "AccessDenied");
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => DeleteVersionAsync(bucket, "k", put.VersionId, bypass: true), HttpStatusCode.Forbidden, "AccessDenied");
        var versionsWhileHeld = await VersionsAsync(bucket);
        await PutLegalHoldAsync(bucket, "k", put.VersionId, ObjectLockLegalHoldStatus.Off);
        await DeleteVersionAsync(bucket, "k", put.VersionId);

        // Assert
        Assert.Equal([("k", put.VersionId, false)], versionsWhileHeld);
        Assert.Empty(await VersionsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_legal_hold_on_a_GOVERNANCE_version_blocks_deletion_with_bypass()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, FromNow(TimeSpan.FromDays(1)), ObjectLockLegalHoldStatus.On);

        // Act
        var refused = await ActionTestExtensions.AssertS3ErrorAsync(
            () => DeleteVersionAsync(bucket, "k", put.VersionId, bypass: true), HttpStatusCode.Forbidden, "AccessDenied");

        // Assert
        Assert.Equal(ProtectedMessage, refused.Message);
        Assert.Equal([("k", put.VersionId, false)], await VersionsAsync(bucket));
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_delete_without_version_id_adds_a_delete_marker_on_a_locked_key_and_the_marker_itself_is_not_locked()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Compliance, FromNow(TimeSpan.FromDays(1)), ObjectLockLegalHoldStatus.On);

        // Act
        var deleted = await _s3.DeleteObjectAsync(bucket, "k");
        var missing = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAsync(bucket, "k"), HttpStatusCode.NotFound, "NoSuchKey");
        using var kept = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = put.VersionId });

        // Assert
        Assert.Equal("true", deleted.DeleteMarker);
        Assert.Equal([("k", deleted.VersionId, true), ("k", put.VersionId, false)], await VersionsAsync(bucket));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal("locked"u8.ToArray(), await kept.ReadAllAsync());
        await DeleteVersionAsync(bucket, "k", deleted.VersionId);
        Assert.Equal([("k", put.VersionId, false)], await VersionsAsync(bucket));
        Assert.Equal("locked"u8.ToArray(), await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_answers_AccessDenied_for_each_protected_version_and_deletes_the_rest()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var held = (await PutLockedAsync(bucket, "held", null, null, ObjectLockLegalHoldStatus.On)).VersionId;
        var compliance = (await PutLockedAsync(bucket, "compliance", ObjectLockMode.Compliance, until)).VersionId;
        var governance = (await PutLockedAsync(bucket, "governance", ObjectLockMode.Governance, until)).VersionId;
        var free = (await _s3.PutTextAsync(bucket, "free", "v")).VersionId;
        List<KeyVersion> Entries() =>
        [
            new() { Key = "held", VersionId = held },
            new() { Key = "compliance", VersionId = compliance },
            new() { Key = "governance", VersionId = governance },
            new() { Key = "free", VersionId = free },
        ];

        // Act: the SDK reports entries that failed as an exception carrying the whole response.
        var first = (await Assert.ThrowsAsync<DeleteObjectsException>(
            () => _s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = Entries() }))).Response;
        var afterFirst = await VersionsAsync(bucket);
        var second = (await Assert.ThrowsAsync<DeleteObjectsException>(() => _s3.DeleteObjectsAsync(
            new DeleteObjectsRequest { BucketName = bucket, Objects = Entries()[..3], BypassGovernanceRetention = true }))).Response;

        // Assert
        Assert.Equal([("free", free)], (first.DeletedObjects ?? []).Select(static d => (d.Key, d.VersionId)));
        Assert.Equal([("compliance", compliance, "AccessDenied"), ("governance", governance, "AccessDenied"), ("held", held, "AccessDenied")],
            (first.DeleteErrors ?? []).Select(static e => (e.Key, e.VersionId, e.Code)).OrderBy(static e => e.Key, StringComparer.Ordinal));
        Assert.Equal(["compliance", "governance", "held"], afterFirst.Select(static v => v.Key));
        Assert.Equal([("governance", governance)], (second.DeletedObjects ?? []).Select(static d => (d.Key, d.VersionId)));
        Assert.Equal([("compliance", "AccessDenied"), ("held", "AccessDenied")],
            (second.DeleteErrors ?? []).Select(static e => (e.Key, e.Code)).OrderBy(static e => e.Key, StringComparer.Ordinal));
        Assert.Equal([("compliance", compliance, false), ("held", held, false)], await VersionsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_without_version_ids_adds_delete_markers_on_locked_keys()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 1);
        var put = await _s3.PutTextAsync(bucket, "k", "v");

        // Act
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "k" }] });

        // Assert
        Assert.Empty(response.DeleteErrors ?? []);
        var marker = Assert.Single(response.DeletedObjects);
        Assert.True(marker.DeleteMarker);
        Assert.Equal([("k", marker.DeleteMarkerVersionId, true), ("k", put.VersionId, false)], await VersionsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_expired_retention_no_longer_protects_and_may_be_replaced_freely()
    {
        // Arrange: COMPLIANCE retentions a few seconds ahead, refused while in force.
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromSeconds(3));
        var deleted = (await PutLockedAsync(bucket, "deleted", ObjectLockMode.Compliance, until)).VersionId;
        var replaced = (await PutLockedAsync(bucket, "replaced", ObjectLockMode.Compliance, until)).VersionId;
        await ActionTestExtensions.AssertS3ErrorAsync(() => DeleteVersionAsync(bucket, "deleted", deleted), HttpStatusCode.Forbidden, "AccessDenied");
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutRetentionAsync(bucket, "replaced", replaced, ObjectLockRetentionMode.Governance, FromNow(TimeSpan.FromDays(1)), bypass: true),
            HttpStatusCode.Forbidden, "AccessDenied");
        for (var waited = 0; DateTime.UtcNow < until.AddMilliseconds(300) && waited < 50; waited++)
        {
            await Task.Delay(100);
        }
        Assert.True(DateTime.UtcNow > until, "the retention did not expire within the wait");

        // Act
        var removed = await DeleteVersionAsync(bucket, "deleted", deleted);
        var newUntil = FromNow(TimeSpan.FromHours(1));
        await PutRetentionAsync(bucket, "replaced", replaced, ObjectLockRetentionMode.Governance, newUntil);

        // Assert
        Assert.Equal(deleted, removed.VersionId);
        Assert.Equal([("replaced", replaced, false)], await VersionsAsync(bucket));
        Assert.Equal(("GOVERNANCE", newUntil), await GetRetentionAsync(bucket, "replaced", replaced));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_in_quiet_mode_still_reports_the_protected_versions()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var held = (await PutLockedAsync(bucket, "held", null, null, ObjectLockLegalHoldStatus.On)).VersionId;
        var free = (await _s3.PutTextAsync(bucket, "free", "v")).VersionId;
        var journal = await JournalAsync(bucket);

        // Act
        var response = (await Assert.ThrowsAsync<DeleteObjectsException>(() => _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Quiet = true,
            Objects = [new KeyVersion { Key = "held", VersionId = held }, new KeyVersion { Key = "free", VersionId = free }],
        }))).Response;

        // Assert
        Assert.Empty(response.DeletedObjects ?? []);
        Assert.Equal([("held", held, "AccessDenied")], (response.DeleteErrors ?? []).Select(static e => (e.Key, e.VersionId, e.Code)));
        Assert.Equal([("held", held, false)], await VersionsAsync(bucket));
        Assert.Equal([("free", free)], (await JournalAsync(bucket)).Skip(journal.Count).Select(static e => (e.Key, e.VersionId)));
    }
}
