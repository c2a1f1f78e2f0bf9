using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Never accept and ignore (issue 10), as the AWS SDK for .NET sees it: a request for KMS encryption,
/// a storage class, a website redirect or a public ACL fails with the error S3
/// gives (501 NotImplemented; 400 AccessControlListNotSupported for ACLs), stores nothing, and the
/// client's next request works. The whole list is enumerated on the wire in BadInputTests.RefusedHeaders.cs.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "10")]
public sealed class RefusedHeaderTests(ServerFixture fixture)
{
    private readonly IAmazonS3 _s3 = fixture.Server.Client;

    public static TheoryData<string> Refusals => [.. PutRefusals.Keys];

    private static readonly Dictionary<string, Action<PutObjectRequest>> PutRefusals = new()
    {
        ["SSE-KMS"] = static r =>
        {
            r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            r.ServerSideEncryptionKeyManagementServiceKeyId = "alias/cairn";
        },
        ["DSSE-KMS"] = static r => r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMSDSSE,
        ["bucket key"] = static r => r.BucketKeyEnabled = true,
        ["storage class"] = static r => r.StorageClass = S3StorageClass.Glacier,
        ["website redirect"] = static r => r.WebsiteRedirectLocation = "/elsewhere.html",
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Refusals))]
    public async Task PutObject_asking_for_a_feature_Cairn_lacks_returns_NotImplemented_and_stores_nothing(string feature)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var error = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBytesAsync(bucket, "k", [1, 2, 3], PutRefusals[feature]),
            HttpStatusCode.NotImplemented, "NotImplemented");

        // Assert
        Assert.Equal("A header you provided implies functionality that is not implemented", error.Message);
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound, "NotFound");
        Assert.Empty((await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_KMS_encryption_returns_NotImplemented_and_leaves_no_copy()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "source", [1, 2, 3]);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
        }), HttpStatusCode.NotImplemented, "NotImplemented");

        // Assert
        var keys = (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(static o => o.Key);
        Assert.Equal(["source"], keys);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_multipart_upload_with_server_side_encryption_is_refused_at_its_start_and_leaves_no_upload()
    {
        // Arrange: 12 MiB, so TransferUtility uploads in parts (CreateMultipartUpload first).
        var bucket = await _s3.NewBucketAsync();
        var body = new byte[12 * 1024 * 1024];
        new Random(3).NextBytes(body);
        using var transfer = new TransferUtility(_s3);

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = "big",
            InputStream = new MemoryStream(body),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
        }));

        // Assert
        Assert.Equal((HttpStatusCode.NotImplemented, "NotImplemented"), (error.StatusCode, error.ErrorCode));
        Assert.Empty((await _s3.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []);
        Assert.Empty((await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_public_ACL_returns_AccessControlListNotSupported_as_S3_does_for_a_bucket_without_ACLs()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var error = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.PutBytesAsync(bucket, "k", [1], static r => r.CannedACL = S3CannedACL.PublicRead),
            HttpStatusCode.BadRequest, "AccessControlListNotSupported");

        // Assert
        Assert.Equal("The bucket does not allow ACLs", error.Message);
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact(Timeout = 30_000)]
    public async Task ACLs_that_say_the_owner_owns_the_object_and_the_STANDARD_class_are_served()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        await _s3.PutBytesAsync(bucket, "private", [1], static r => r.CannedACL = S3CannedACL.Private);
        await _s3.PutBytesAsync(bucket, "owner", [2], static r => r.CannedACL = S3CannedACL.BucketOwnerFullControl);
        await _s3.PutBytesAsync(bucket, "standard", [3], static r => r.StorageClass = S3StorageClass.Standard);

        // Assert
        Assert.Equal([1], await _s3.GetBytesAsync(bucket, "private"));
        Assert.Equal([2], await _s3.GetBytesAsync(bucket, "owner"));
        Assert.Equal([3], await _s3.GetBytesAsync(bucket, "standard"));
    }
}
