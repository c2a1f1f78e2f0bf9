using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
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

    [Fact(Timeout = 30_000)]
    public async Task Conditional_DeleteObject_deletes_on_a_matching_ETag_and_refuses_others_without_changing_anything()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "body");

        // Act
        var mismatch = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k", IfMatch = "\"0123456789abcdef0123456789abcdef\"" }),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        var stillThere = await _s3.GetBytesAsync(bucket, "k");
        var absent = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "absent", IfMatch = "*" }),
            HttpStatusCode.NotFound, "NoSuchKey");
        var deleted = await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k", IfMatch = put.ETag });

        // Assert
        Assert.NotNull(mismatch);
        Assert.Equal("body"u8.ToArray(), stillThere);
        Assert.NotNull(absent);
        Assert.Equal(HttpStatusCode.NoContent, deleted.HttpStatusCode);
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAsync(bucket, "k"), HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_entries_with_an_ETag_are_conditional_each_on_its_own()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var a = await _s3.PutTextAsync(bucket, "a", "1");
        await _s3.PutTextAsync(bucket, "b", "2");
        await _s3.PutTextAsync(bucket, "c", "3");

        // Act: the SDK reports entries that failed as an exception carrying the whole response.
        var error = await Assert.ThrowsAsync<DeleteObjectsException>(() => _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects =
            [
                new KeyVersion { Key = "a", ETag = a.ETag },
                new KeyVersion { Key = "b", ETag = "\"0123456789abcdef0123456789abcdef\"" },
                new KeyVersion { Key = "absent", ETag = "*" },
                new KeyVersion { Key = "c" },
            ],
        }));
        var response = error.Response;

        // Assert
        Assert.Equal(["a", "c"], response.DeletedObjects.Select(static d => d.Key).Order(StringComparer.Ordinal));
        Assert.Equal([("absent", "NoSuchKey"), ("b", "PreconditionFailed")],
            response.DeleteErrors.Select(static e => (e.Key, e.Code)).OrderBy(static e => e.Key, StringComparer.Ordinal));
        Assert.Equal("2"u8.ToArray(), await _s3.GetBytesAsync(bucket, "b"));
    }
}
