using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Versioning through the AWS SDK: PutBucketVersioning and GetBucketVersioning, version ids on
/// PUT, GET/HEAD/DELETE/copy by version id, delete markers, DeleteObjects with version ids, and
/// the bad inputs with their S3 error codes (nothing changed after them).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class VersioningTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    /// <summary>Has the form of a version id this server gives, but names no version.</summary>
    private const string AbsentVersionId = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private async Task<string> NewVersionedBucketAsync(VersionStatus status)
    {
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = status },
        });
        return bucket;
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_put_to_an_enabled_bucket_gets_a_version_id_and_every_version_reads_back_by_id()
    {
        // Arrange
        var bucket = await NewVersionedBucketAsync(VersionStatus.Enabled);

        // Act
        var first = await _s3.PutTextAsync(bucket, "k", "one");
        var second = await _s3.PutTextAsync(bucket, "k", "two");
        var status = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        using var old = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = first.VersionId });
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", VersionId = first.VersionId });
        using var latest = await _s3.GetObjectAsync(bucket, "k");

        // Assert
        Assert.Equal(VersionStatus.Enabled, status.VersioningConfig.Status);
        Assert.False(string.IsNullOrEmpty(first.VersionId));
        Assert.NotEqual("null", first.VersionId);
        Assert.NotEqual(first.VersionId, second.VersionId);
        Assert.Equal("one"u8.ToArray(), await old.ReadAllAsync());
        Assert.Equal(first.VersionId, old.VersionId);
        Assert.Equal((3L, first.VersionId), (head.ContentLength, head.VersionId));
        Assert.Equal("two"u8.ToArray(), await latest.ReadAllAsync());
        Assert.Equal(second.VersionId, latest.VersionId);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_delete_adds_a_marker_GET_answers_404_with_the_marker_and_the_marker_by_id_answers_405()
    {
        // Arrange
        var bucket = await NewVersionedBucketAsync(VersionStatus.Enabled);
        var kept = await _s3.PutTextAsync(bucket, "k", "one");

        // Act
        var deleted = await _s3.DeleteObjectAsync(bucket, "k");
        var missing = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAsync(bucket, "k"), HttpStatusCode.NotFound, "NoSuchKey");
        var byId = await ActionTestExtensions.AssertS3StatusAsync(
            () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = deleted.VersionId }),
            HttpStatusCode.MethodNotAllowed);
        var versions = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });

        // Assert
        Assert.Equal("true", deleted.DeleteMarker);
        Assert.False(string.IsNullOrEmpty(deleted.VersionId));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, byId.StatusCode);
        Assert.Equal([(deleted.VersionId, true, true), (kept.VersionId, false, false)],
            versions.Versions.Select(static v => (v.VersionId, v.IsDeleteMarker == true, v.IsLatest == true)));
        Assert.Empty((await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact(Timeout = 30_000)]
    public async Task Emptying_a_versioned_bucket_as_tools_do_deletes_every_version_and_marker_and_then_the_bucket()
    {
        // Arrange
        var bucket = await NewVersionedBucketAsync(VersionStatus.Enabled);
        await _s3.PutTextAsync(bucket, "a", "1");
        await _s3.PutTextAsync(bucket, "a", "2");
        await _s3.DeleteObjectAsync(bucket, "a");
        await _s3.PutTextAsync(bucket, "b", "3");
        var notEmpty = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.DeleteBucketAsync(bucket), HttpStatusCode.Conflict, "BucketNotEmpty");

        // Act
        var versions = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        var deleted = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = versions.Versions.Select(static v => new KeyVersion { Key = v.Key, VersionId = v.VersionId }).ToList(),
        });

        // Assert
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        Assert.Equal(4, deleted.DeletedObjects.Count);
        var marker = Assert.Single(deleted.DeletedObjects, static d => d.DeleteMarker == true);
        Assert.Equal(marker.VersionId, marker.DeleteMarkerVersionId);
        Assert.Empty((await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket })).Versions ?? []);
        await _s3.DeleteBucketAsync(bucket);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_from_an_older_version_copies_that_version_and_names_it()
    {
        // Arrange
        var bucket = await NewVersionedBucketAsync(VersionStatus.Enabled);
        var first = await _s3.PutTextAsync(bucket, "src", "first");
        await _s3.PutTextAsync(bucket, "src", "second");

        // Act
        var copied = await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "src",
            SourceVersionId = first.VersionId,
            DestinationBucket = bucket,
            DestinationKey = "dst",
        });

        // Assert
        Assert.Equal(first.VersionId, copied.SourceVersionId);
        Assert.False(string.IsNullOrEmpty(copied.VersionId));
        Assert.Equal("first"u8.ToArray(), await _s3.GetBytesAsync(bucket, "dst"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Writes_to_a_suspended_bucket_replace_the_null_version_and_keep_versions_with_ids()
    {
        // Arrange
        var bucket = await NewVersionedBucketAsync(VersionStatus.Enabled);
        var withId = await _s3.PutTextAsync(bucket, "k", "versioned");
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        });

        // Act
        await _s3.PutTextAsync(bucket, "k", "null one");
        await _s3.PutTextAsync(bucket, "k", "null two");
        var versions = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        var status = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });

        // Assert
        Assert.Equal(VersionStatus.Suspended, status.VersioningConfig.Status);
        Assert.Equal(["null", withId.VersionId], versions.Versions.Select(static v => v.VersionId));
        Assert.Equal("null two"u8.ToArray(), await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_versioning_requests_answer_S3_errors_and_change_nothing()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutTextAsync(bucket, "k", "body");

        // Act
        var unknownVersion = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = AbsentVersionId }),
            HttpStatusCode.NotFound, "NoSuchVersion");
        var malformedVersion = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = "not an id" }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        var missingBucket = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket + "-absent",
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        }), HttpStatusCode.NotFound, "NoSuchBucket");
        var badStatus = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.FindValue("Sometimes") },
        }), HttpStatusCode.BadRequest, "MalformedXML");
        var unknownCopySource = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            SourceVersionId = AbsentVersionId,
            DestinationBucket = bucket,
            DestinationKey = "copy",
        }), HttpStatusCode.NotFound, "NoSuchVersion");

        // Assert
        Assert.Equal("NoSuchVersion", unknownVersion.ErrorCode);
        Assert.Equal("InvalidArgument", malformedVersion.ErrorCode);
        Assert.Equal("NoSuchBucket", missingBucket.ErrorCode);
        Assert.Equal("MalformedXML", badStatus.ErrorCode);
        Assert.Equal("NoSuchVersion", unknownCopySource.ErrorCode);
        var status = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        Assert.Equal(VersionStatus.Off, status.VersioningConfig.Status ?? VersionStatus.Off);
        Assert.Equal(["k"], (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(static o => o.Key));
    }
}
