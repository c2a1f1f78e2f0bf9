using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class DeleteObjectTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task DeleteObject_of_an_existing_key_returns_204_and_the_key_is_gone()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(600_000));
        await _s3.PutBytesAsync(bucket, "other", [1]);

        // Act
        var response = await _s3.DeleteObjectAsync(bucket, "k");

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.HttpStatusCode);
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAsync(bucket, "k"), HttpStatusCode.NotFound, "NoSuchKey");
        var listing = await _s3.ListObjectsV2Async(new() { BucketName = bucket });
        Assert.Equal(["other"], listing.S3Objects.Select(o => o.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObject_of_an_absent_key_returns_204()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var response = await _s3.DeleteObjectAsync(bucket, "never-written");

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.HttpStatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObject_then_PutObject_of_the_same_key_stores_the_new_body()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(300_000));
        await _s3.DeleteObjectAsync(bucket, "k");
        var body = RandomNumberGenerator.GetBytes(300_000);

        // Act
        await _s3.PutBytesAsync(bucket, "k", body);

        // Assert
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObject_in_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.DeleteObjectAsync(bucket, "k");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }
}
