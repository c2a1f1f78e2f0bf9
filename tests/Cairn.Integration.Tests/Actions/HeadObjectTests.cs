using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class HeadObjectTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_returns_length_ETag_last_modified_content_type_and_metadata()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(700_000);
        var before = DateTime.UtcNow.AddSeconds(-2);
        await _s3.PutBytesAsync(bucket, "dir/object", body, request =>
        {
            request.ContentType = "application/x-cairn";
            request.Metadata["owner"] = "tests";
        });

        // Act
        var head = await _s3.GetObjectMetadataAsync(bucket, "dir/object");

        // Assert
        Assert.Equal(HttpStatusCode.OK, head.HttpStatusCode);
        Assert.Equal(body.Length, head.ContentLength);
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), head.ETag);
        Assert.Equal("application/x-cairn", head.Headers.ContentType);
        Assert.Equal("bytes", head.AcceptRanges);
        Assert.Equal("tests", head.Metadata["x-amz-meta-owner"]);
        var lastModified = head.LastModified!.Value.ToUniversalTime();
        Assert.InRange(lastModified, before, DateTime.UtcNow.AddSeconds(2));
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_of_a_missing_key_returns_404()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var action = () => _s3.GetObjectMetadataAsync(bucket, "missing");

        // Assert: HEAD errors have no body, so the SDK only knows the status.
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_in_a_missing_bucket_returns_404()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.GetObjectMetadataAsync(bucket, "k");

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_with_If_None_Match_of_the_ETag_returns_304()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);

        // Act
        var action = () => _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", EtagToNotMatch = put.ETag });

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_with_If_Match_of_another_ETag_returns_412()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);

        // Act
        var action = () => _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = bucket,
            Key = "k",
            EtagToMatch = "\"0123456789abcdef0123456789abcdef\"",
        });

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.PreconditionFailed);
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadObject_with_a_range_returns_206_and_the_Content_Range()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(1_000));

        // Act
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", Range = "bytes=10-19" });

        // Assert
        Assert.Equal(HttpStatusCode.PartialContent, head.HttpStatusCode);
        Assert.Equal("bytes 10-19/1000", head.ContentRange);
        Assert.Equal(10, head.ContentLength);
    }
}
