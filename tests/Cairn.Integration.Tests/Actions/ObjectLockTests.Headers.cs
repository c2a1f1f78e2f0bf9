using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// The lock headers (x-amz-object-lock-mode, -retain-until-date, -legal-hold) on PutObject,
/// CopyObject and CreateMultipartUpload, the bucket's default retention, and the headers GET and
/// HEAD return.
/// </summary>
public sealed partial class ObjectLockTests
{
    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_lock_headers_stores_them_and_GET_and_HEAD_return_them()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(2));

        // Act
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until, ObjectLockLegalHoldStatus.On);
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = put.VersionId });
        var retention = await GetRetentionAsync(bucket, "k", put.VersionId);
        var legalHold = await GetLegalHoldAsync(bucket, "k", put.VersionId);
        var wireHead = await SendSignedAsync("HEAD", WireSigner.PathOf(bucket, "k"), "", [], Integrity.None);

        // Assert
        Assert.Equal((ObjectLockMode.Governance, until, ObjectLockLegalHoldStatus.On),
            (head.ObjectLockMode, Utc(head.ObjectLockRetainUntilDate), head.ObjectLockLegalHoldStatus));
        Assert.Equal((ObjectLockMode.Governance, until, ObjectLockLegalHoldStatus.On),
            (get.ObjectLockMode, Utc(get.ObjectLockRetainUntilDate), get.ObjectLockLegalHoldStatus));
        Assert.Equal(("GOVERNANCE", until), retention);
        Assert.Equal("ON", legalHold);
        Assert.Equal(200, wireHead.Status);
        Assert.Equal("GOVERNANCE", wireHead.Header("x-amz-object-lock-mode"));
        Assert.Equal(Iso8601(until), wireHead.Header("x-amz-object-lock-retain-until-date"));
        Assert.Equal("ON", wireHead.Header("x-amz-object-lock-legal-hold"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_version_without_lock_has_no_lock_headers_and_its_retention_and_legal_hold_are_NoSuchObjectLockConfiguration()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "v");

        // Act
        var head = await SendSignedAsync("HEAD", WireSigner.PathOf(bucket, "k"), "", [], Integrity.None);
        var retention = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = "k", VersionId = put.VersionId }),
            HttpStatusCode.NotFound, "NoSuchObjectLockConfiguration");
        var legalHold = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = bucket, Key = "k", VersionId = put.VersionId }),
            HttpStatusCode.NotFound, "NoSuchObjectLockConfiguration");

        // Assert
        Assert.Equal(200, head.Status);
        Assert.Null(head.Header("x-amz-object-lock-mode"));
        Assert.Null(head.Header("x-amz-object-lock-retain-until-date"));
        Assert.Null(head.Header("x-amz-object-lock-legal-hold"));
        Assert.Equal("NoSuchObjectLockConfiguration", retention.ErrorCode);
        Assert.Equal("NoSuchObjectLockConfiguration", legalHold.ErrorCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("GOVERNANCE", 1, null)]
    [InlineData("COMPLIANCE", 3, null)]
    [InlineData("GOVERNANCE", null, 1)]
    public async Task A_PUT_without_lock_headers_gets_the_default_retention_counted_from_its_creation(string mode, int? days, int? years)
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.FindValue(mode), days, years);

        // Act
        var put = await _s3.PutTextAsync(bucket, "k", "v");
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");
        var retention = await GetRetentionAsync(bucket, "k", put.VersionId);

        // Assert
        var created = Utc(head.LastModified);
        var expected = years is null ? created.AddDays(days!.Value) : created.AddYears(years.Value);
        Assert.Equal(mode, head.ObjectLockMode?.Value);
        AssertWithinASecond(expected, head.ObjectLockRetainUntilDate);
        Assert.Equal(mode, retention?.Mode);
        AssertWithinASecond(expected, retention?.Until);
        Assert.Null(await GetLegalHoldAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Explicit_lock_headers_take_the_place_of_the_default_retention()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 30);
        var until = FromNow(TimeSpan.FromHours(5));

        // Act
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until);

        // Assert
        Assert.Equal(("GOVERNANCE", until), await GetRetentionAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_legal_hold_header_alone_keeps_the_default_retention_too()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);

        // Act
        var put = await PutLockedAsync(bucket, "k", mode: null, until: null, ObjectLockLegalHoldStatus.On);
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");

        // Assert
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
        Assert.Equal("GOVERNANCE", (await GetRetentionAsync(bucket, "k", put.VersionId))?.Mode);
        AssertWithinASecond(Utc(head.LastModified).AddDays(1), head.ObjectLockRetainUntilDate);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_multipart_upload_gets_the_lock_headers_of_CreateMultipartUpload()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 9);
        var until = FromNow(TimeSpan.FromDays(3));
        var uploadId = await _s3.CreateUploadAsync(bucket, "k", request =>
        {
            request.ObjectLockMode = ObjectLockMode.Governance;
            request.ObjectLockRetainUntilDate = until;
            request.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On;
        });
        var parts = await _s3.UploadPartsAsync(bucket, "k", uploadId, "part one"u8.ToArray());

        // Act
        var completed = await _s3.CompleteAsync(bucket, "k", uploadId, parts);
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");

        // Assert
        Assert.Equal(("GOVERNANCE", until), await GetRetentionAsync(bucket, "k", completed.VersionId));
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", completed.VersionId));
        Assert.Equal((ObjectLockMode.Governance, until, ObjectLockLegalHoldStatus.On),
            (head.ObjectLockMode, Utc(head.ObjectLockRetainUntilDate), head.ObjectLockLegalHoldStatus));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_multipart_upload_without_lock_headers_gets_the_default_retention()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 2);
        var uploadId = await _s3.CreateUploadAsync(bucket, "k");
        var parts = await _s3.UploadPartsAsync(bucket, "k", uploadId, "only part"u8.ToArray());

        // Act
        var completed = await _s3.CompleteAsync(bucket, "k", uploadId, parts);
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", VersionId = completed.VersionId });

        // Assert
        Assert.Equal(ObjectLockMode.Governance, head.ObjectLockMode);
        AssertWithinASecond(Utc(head.LastModified).AddDays(2), head.ObjectLockRetainUntilDate);
        Assert.Equal("GOVERNANCE", (await GetRetentionAsync(bucket, "k", completed.VersionId))?.Mode);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_does_not_copy_the_source_lock_and_gives_the_destination_the_request_headers()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        await PutLockedAsync(bucket, "src", ObjectLockMode.Governance, FromNow(TimeSpan.FromDays(1)), ObjectLockLegalHoldStatus.On);
        var until = FromNow(TimeSpan.FromDays(4));

        // Act
        var plain = await _s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "plain" });
        var locked = await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "src",
            DestinationBucket = bucket,
            DestinationKey = "locked",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = until,
            ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.Off,
        });
        var head = await _s3.GetObjectMetadataAsync(bucket, "locked");

        // Assert
        Assert.Null(await GetRetentionAsync(bucket, "plain", plain.VersionId));
        Assert.Null(await GetLegalHoldAsync(bucket, "plain", plain.VersionId));
        Assert.Equal(("COMPLIANCE", until), await GetRetentionAsync(bucket, "locked", locked.VersionId));
        Assert.Equal("OFF", await GetLegalHoldAsync(bucket, "locked", locked.VersionId));
        Assert.Equal((ObjectLockMode.Compliance, until, ObjectLockLegalHoldStatus.Off),
            (head.ObjectLockMode, Utc(head.ObjectLockRetainUntilDate), head.ObjectLockLegalHoldStatus));
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_without_lock_headers_gets_the_destination_bucket_default_retention()
    {
        // Arrange
        var source = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 20);
        var destination = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);
        var plain = await _s3.NewBucketAsync();
        await _s3.PutTextAsync(source, "src", "body");

        // Act
        var copied = await _s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = source, SourceKey = "src", DestinationBucket = destination, DestinationKey = "dst" });
        var head = await _s3.GetObjectMetadataAsync(destination, "dst");
        await _s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = source, SourceKey = "src", DestinationBucket = plain, DestinationKey = "dst" });
        var plainHead = await _s3.GetObjectMetadataAsync(plain, "dst");

        // Assert
        Assert.Equal("GOVERNANCE", (await GetRetentionAsync(destination, "dst", copied.VersionId))?.Mode);
        Assert.Equal(ObjectLockMode.Governance, head.ObjectLockMode);
        AssertWithinASecond(Utc(head.LastModified).AddDays(1), head.ObjectLockRetainUntilDate);
        Assert.Null(plainHead.ObjectLockMode);
        Assert.Null(plainHead.ObjectLockRetainUntilDate);
    }

    [Fact(Timeout = 30_000)]
    public async Task Lock_headers_in_a_bucket_without_lock_return_InvalidRequest_on_put_copy_and_multipart_and_store_nothing()
    {
        // Arrange
        var plain = await _s3.NewBucketAsync();
        await _s3.PutTextAsync(plain, "src", "body");
        var until = FromNow(TimeSpan.FromDays(1));

        // Act
        var put = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLockedAsync(plain, "k", ObjectLockMode.Governance, until), HttpStatusCode.BadRequest, "InvalidRequest");
        var legalHold = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLockedAsync(plain, "k", null, null, ObjectLockLegalHoldStatus.On), HttpStatusCode.BadRequest, "InvalidRequest");
        var copy = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = plain,
            SourceKey = "src",
            DestinationBucket = plain,
            DestinationKey = "k",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = until,
        }), HttpStatusCode.BadRequest, "InvalidRequest");
        var multipart = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CreateUploadAsync(plain, "k", request =>
        {
            request.ObjectLockMode = ObjectLockMode.Governance;
            request.ObjectLockRetainUntilDate = until;
        }), HttpStatusCode.BadRequest, "InvalidRequest");

        // Assert
        Assert.Equal("Bucket is missing Object Lock Configuration", put.Message);
        Assert.Equal("InvalidRequest", legalHold.ErrorCode);
        Assert.Equal("InvalidRequest", copy.ErrorCode);
        Assert.Equal("InvalidRequest", multipart.ErrorCode);
        Assert.Equal(["src"], (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = plain })).S3Objects.Select(static o => o.Key));
        Assert.Empty((await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = plain })).MultipartUploads ?? []);
    }

    /// <summary>The bad lock header combinations; each row sets mode, retain-until (days from now) and legal hold.</summary>
    public static TheoryData<string, string?, double?, string?> BadLockHeaders => new()
    {
        { "mode without date", "GOVERNANCE", null, null },
        { "date without mode", null, 1, null },
        { "unknown mode", "FOREVER", 1, null },
        { "date in the past", "GOVERNANCE", -1, null },
        { "legal hold not ON or OFF", null, null, "MAYBE" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadLockHeaders))]
    public async Task Bad_lock_headers_return_InvalidArgument_on_put_copy_and_multipart_and_store_nothing(
        string name, string? mode, double? days, string? legalHold)
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var source = await NewLockBucketAsync();
        await _s3.PutTextAsync(source, "src", "body");
        var lockMode = mode is null ? null : ObjectLockMode.FindValue(mode);
        DateTime? until = days is null ? null : FromNow(TimeSpan.FromDays(days.Value));
        var hold = legalHold is null ? null : ObjectLockLegalHoldStatus.FindValue(legalHold);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => PutLockedAsync(bucket, "k", lockMode, until, hold), HttpStatusCode.BadRequest, "InvalidArgument");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = source,
            SourceKey = "src",
            DestinationBucket = bucket,
            DestinationKey = "k",
            ObjectLockMode = lockMode,
            ObjectLockRetainUntilDate = until,
            ObjectLockLegalHoldStatus = hold,
        }), HttpStatusCode.BadRequest, "InvalidArgument");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CreateUploadAsync(bucket, "k", request =>
        {
            request.ObjectLockMode = lockMode;
            request.ObjectLockRetainUntilDate = until;
            request.ObjectLockLegalHoldStatus = hold;
        }), HttpStatusCode.BadRequest, "InvalidArgument");

        // Assert
        Assert.True((await VersionsAsync(bucket)).Count == 0, name);
        Assert.Empty((await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket })).MultipartUploads ?? []);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_PUT_to_a_locked_key_adds_a_version_and_the_locked_version_stays()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var locked = await PutLockedAsync(bucket, "k", ObjectLockMode.Compliance, until, body: "first");

        // Act
        var second = await _s3.PutTextAsync(bucket, "k", "second");
        using var old = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = locked.VersionId });

        // Assert
        Assert.NotEqual(locked.VersionId, second.VersionId);
        Assert.Equal([second.VersionId, locked.VersionId], (await VersionsAsync(bucket)).Select(static v => v.VersionId));
        Assert.Equal("first"u8.ToArray(), await old.ReadAllAsync());
        Assert.Equal(("COMPLIANCE", until), await GetRetentionAsync(bucket, "k", locked.VersionId));
        Assert.Null(await GetRetentionAsync(bucket, "k", second.VersionId));
        Assert.Equal("second"u8.ToArray(), await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_PUTs_each_get_the_default_retention()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);
        var keys = Enumerable.Range(0, 24).Select(static i => $"k{i:D2}").ToList();

        // Act
        await _s3.PutEmptyObjectsAsync(bucket, keys, parallelism: 12);
        var versions = await VersionsAsync(bucket);
        var modes = new List<string?>();
        foreach (var (key, versionId, _) in versions)
        {
            modes.Add((await GetRetentionAsync(bucket, key, versionId))?.Mode);
        }

        // Assert
        Assert.Equal(keys, versions.Select(static v => v.Key));
        Assert.All(modes, static mode => Assert.Equal("GOVERNANCE", mode));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_default_retention_applies_to_versions_created_after_it_only()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var before = await _s3.PutTextAsync(bucket, "k", "before");

        // Act
        await PutLockConfigurationAsync(bucket, ObjectLockRetentionMode.Compliance, days: 1);
        var after = await _s3.PutTextAsync(bucket, "k", "after");

        // Assert
        Assert.Null(await GetRetentionAsync(bucket, "k", before.VersionId));
        Assert.Equal("COMPLIANCE", (await GetRetentionAsync(bucket, "k", after.VersionId))?.Mode);
        await DeleteVersionAsync(bucket, "k", before.VersionId);
        Assert.Equal([("k", after.VersionId, false)], await VersionsAsync(bucket));
    }
}
