using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Actions;

/// <summary>PutObjectLegalHold and GetObjectLegalHold, and the bad requests.</summary>
public sealed partial class ObjectLockTests
{
    [Fact(Timeout = 30_000)]
    public async Task PutObjectLegalHold_turns_the_hold_on_and_off_per_version_and_journals_each_change()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var old = await _s3.PutTextAsync(bucket, "k", "old");
        var latest = await _s3.PutTextAsync(bucket, "k", "latest");
        var journal = await JournalAsync(bucket);

        // Act
        var neverSet = await GetLegalHoldAsync(bucket, "k", old.VersionId);
        await PutLegalHoldAsync(bucket, "k", old.VersionId, ObjectLockLegalHoldStatus.On);
        var on = await GetLegalHoldAsync(bucket, "k", old.VersionId);
        var headOn = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", VersionId = old.VersionId });
        var latestUntouched = await GetLegalHoldAsync(bucket, "k", null);
        await PutLegalHoldAsync(bucket, "k", old.VersionId, ObjectLockLegalHoldStatus.Off);
        var off = await GetLegalHoldAsync(bucket, "k", old.VersionId);
        await PutLegalHoldAsync(bucket, "k", null, ObjectLockLegalHoldStatus.On);
        var after = await JournalAsync(bucket);

        // Assert
        Assert.Null(neverSet);
        Assert.Equal("ON", on);
        Assert.Equal(ObjectLockLegalHoldStatus.On, headOn.ObjectLockLegalHoldStatus);
        Assert.Null(headOn.ObjectLockMode);
        Assert.Null(latestUntouched);
        Assert.Equal("OFF", off);
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", latest.VersionId));
        Assert.Equal([("k", old.VersionId), ("k", old.VersionId), ("k", latest.VersionId)],
            after.Skip(journal.Count).Select(static e => (e.Key, e.VersionId)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Legal_hold_requests_in_a_bucket_without_lock_return_InvalidRequest()
    {
        // Arrange
        var plain = await _s3.NewBucketAsync();
        await _s3.PutTextAsync(plain, "k", "v");

        // Act
        var put = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLegalHoldAsync(plain, "k", null, ObjectLockLegalHoldStatus.On), HttpStatusCode.BadRequest, "InvalidRequest");
        var get = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = plain, Key = "k" }), HttpStatusCode.BadRequest, "InvalidRequest");

        // Assert
        Assert.Equal("InvalidRequest", put.ErrorCode);
        Assert.Equal("InvalidRequest", get.ErrorCode);
        Assert.Null((await _s3.GetObjectMetadataAsync(plain, "k")).ObjectLockLegalHoldStatus);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLegalHold_with_a_status_other_than_ON_or_OFF_returns_MalformedXML_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await PutLockedAsync(bucket, "k", null, null, ObjectLockLegalHoldStatus.On);
        var journal = await JournalAsync(bucket);

        // Act: by hand, since the SDK's FindValue matches known values ignoring case (it would send "on" as ON).
        var sdk = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLegalHoldAsync(bucket, "k", put.VersionId, ObjectLockLegalHoldStatus.FindValue("MAYBE")), HttpStatusCode.BadRequest, "MalformedXML");
        var responses = new List<(string Status, WireResponse Response)>();
        foreach (var status in new[] { "on", "", "OFF ON" })
        {
            responses.Add((status, await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId),
                LegalHoldXml(status), Integrity.ContentMd5)));
        }

        // Assert
        Assert.Equal("MalformedXML", sdk.ErrorCode);
        Assert.All(responses, static r => Assert.True(r.Response.Status == 400 && r.Response.BodyText.Contains("<Code>MalformedXML</Code>", StringComparison.Ordinal),
            $"Status '{r.Status}': {r.Response}"));
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
        Assert.Equal(journal.Count, (await JournalAsync(bucket)).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Legal_hold_of_a_delete_marker_a_missing_key_or_version_or_a_malformed_version_id_returns_the_S3_error()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        await _s3.PutTextAsync(bucket, "k", "v");
        var marker = await _s3.DeleteObjectAsync(bucket, "k");
        var cases = new (string Key, string? VersionId, HttpStatusCode Status, string Code)[]
        {
            ("k", marker.VersionId, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed"),
            ("absent", null, HttpStatusCode.NotFound, "NoSuchKey"),
            ("k", AbsentVersionId, HttpStatusCode.NotFound, "NoSuchVersion"),
            ("k", "not an id", HttpStatusCode.BadRequest, "InvalidArgument"),
        };

        // Act
        foreach (var (key, versionId, status, code) in cases)
        {
            await ActionTestExtensions.AssertS3ErrorAsync(() => PutLegalHoldAsync(bucket, key, versionId, ObjectLockLegalHoldStatus.On), status, code);
            await ActionTestExtensions.AssertS3ErrorAsync(
                () => _s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = bucket, Key = key, VersionId = versionId }), status, code);
        }

        // Assert
        var versions = await VersionsAsync(bucket);
        Assert.Equal([true, false], versions.Select(static v => v.IsDeleteMarker));
        Assert.Null(await GetLegalHoldAsync(bucket, "k", versions[1].VersionId));
    }
}
