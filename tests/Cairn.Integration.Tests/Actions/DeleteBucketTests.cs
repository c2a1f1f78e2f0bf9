using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class DeleteBucketTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task DeleteBucket_of_an_empty_bucket_returns_204_and_the_bucket_is_gone()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var response = await _s3.DeleteBucketAsync(bucket);

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.HttpStatusCode);
        await ActionTestExtensions.AssertS3StatusAsync(() => _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }), HttpStatusCode.NotFound);
        Assert.DoesNotContain(bucket, ((await _s3.ListBucketsAsync()).Buckets ?? []).Select(b => b.BucketName));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteBucket_of_a_bucket_with_objects_returns_BucketNotEmpty_and_keeps_them()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.DeleteBucketAsync(bucket), HttpStatusCode.Conflict, "BucketNotEmpty");

        // Assert
        Assert.Equal([1, 2, 3], await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteBucket_after_its_last_object_is_deleted_succeeds()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        await _s3.DeleteObjectAsync(bucket, "k");

        // Act
        var response = await _s3.DeleteBucketAsync(bucket);

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.HttpStatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteBucket_of_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.DeleteBucketAsync(bucket);

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteBucket_then_CreateBucket_of_the_same_name_gives_an_empty_bucket()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1]);
        await _s3.DeleteObjectAsync(bucket, "k");
        await _s3.DeleteBucketAsync(bucket);

        // Act
        await _s3.PutBucketAsync(bucket);

        // Assert
        Assert.Empty((await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }
}
