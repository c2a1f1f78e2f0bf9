using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class GetObjectTests(ServerFixture fixture)
{
    // The fixture's chunks are 256 KiB, so this body spans three chunks.
    private const int Size = 600_000;

    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Theory(Timeout = 30_000)]
    [InlineData("bytes=0-9", 0, 9)]
    [InlineData("bytes=10-", 10, Size - 1)]
    [InlineData("bytes=-5", Size - 5, Size - 1)]
    [InlineData("bytes=262140-262150", 262_140, 262_150)] // across the first chunk boundary
    [InlineData("bytes=0-", 0, Size - 1)]
    [InlineData("bytes=599990-700000", 599_990, Size - 1)] // the last position is clipped to the end
    [InlineData("bytes=-700000", 0, Size - 1)] // a suffix longer than the object is the whole object
    public async Task GetObject_with_a_range_returns_206_the_Content_Range_and_those_bytes(string range, int first, int last)
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(Size);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ByteRange = new ByteRange(range) });
        var read = await get.ReadAllAsync();

        // Assert
        Assert.Equal(HttpStatusCode.PartialContent, get.HttpStatusCode);
        Assert.Equal($"bytes {first}-{last}/{Size}", get.ContentRange);
        Assert.Equal(last - first + 1, get.ContentLength);
        Assert.Equal(body[first..(last + 1)], read);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_a_range_of_an_inline_object_returns_those_bytes()
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(3_000);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ByteRange = new ByteRange(100, 199) });
        var read = await get.ReadAllAsync();

        // Assert
        Assert.Equal("bytes 100-199/3000", get.ContentRange);
        Assert.Equal(body[100..200], read);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Size, "bytes=600000-")]
    [InlineData(Size, "bytes=700000-800000")]
    [InlineData(0, "bytes=0-9")]
    [InlineData(0, "bytes=-5")]
    public async Task GetObject_with_an_unsatisfiable_range_returns_InvalidRange(int size, string range)
    {
        // Arrange
        var (bucket, _) = await PutObjectAsync(size);

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(
            () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ByteRange = new ByteRange(range) }));

        // Assert
        Assert.Equal((HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange"), (error.StatusCode, error.ErrorCode));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Match_of_the_ETag_returns_the_object()
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(1_000);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToMatch = ActionTestExtensions.QuotedMd5(body) });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Match_of_another_ETag_returns_PreconditionFailed()
    {
        // Arrange
        var (bucket, _) = await PutObjectAsync(1_000);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToMatch = "\"0123456789abcdef0123456789abcdef\"" });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_None_Match_of_the_ETag_returns_NotModified()
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(1_000);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToNotMatch = ActionTestExtensions.QuotedMd5(body) });

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_None_Match_of_another_ETag_returns_the_object()
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(1_000);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToNotMatch = "\"0123456789abcdef0123456789abcdef\"" });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)] // the very second of the last modification: not modified since
    [InlineData(60)]
    public async Task GetObject_with_If_Modified_Since_at_or_after_the_last_modification_returns_NotModified(int secondsAfter)
    {
        // Arrange
        var (bucket, _) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ModifiedSinceDate = lastModified.AddSeconds(secondsAfter) });

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Modified_Since_before_the_last_modification_returns_the_object()
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ModifiedSinceDate = lastModified.AddMinutes(-5) });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Unmodified_Since_before_the_last_modification_returns_PreconditionFailed()
    {
        // Arrange
        var (bucket, _) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", UnmodifiedSinceDate = lastModified.AddMinutes(-5) });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(60)]
    public async Task GetObject_with_If_Unmodified_Since_at_or_after_the_last_modification_returns_the_object(int secondsAfter)
    {
        // Arrange
        var (bucket, body) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", UnmodifiedSinceDate = lastModified.AddSeconds(secondsAfter) });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Match_true_and_If_Unmodified_Since_false_returns_the_object()
    {
        // Arrange: the S3 API reference: this pair answers 200 OK (If-Match wins).
        var (bucket, body) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            EtagToMatch = ActionTestExtensions.QuotedMd5(body),
            UnmodifiedSinceDate = lastModified.AddMinutes(-5),
        });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_None_Match_false_and_If_Modified_Since_true_returns_NotModified()
    {
        // Arrange: the S3 API reference: this pair answers 304 Not Modified (If-None-Match wins).
        var (bucket, body) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            EtagToNotMatch = ActionTestExtensions.QuotedMd5(body),
            ModifiedSinceDate = lastModified.AddMinutes(-5),
        });

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_None_Match_true_and_If_Modified_Since_false_returns_the_object()
    {
        // Arrange: RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        var (bucket, body) = await PutObjectAsync(1_000);
        var lastModified = await LastModifiedAsync(bucket);

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            EtagToNotMatch = "\"0123456789abcdef0123456789abcdef\"",
            ModifiedSinceDate = lastModified.AddMinutes(5),
        });

        // Assert
        Assert.Equal(body, await get.ReadAllAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_If_Match_false_and_If_None_Match_false_returns_PreconditionFailed()
    {
        // Arrange: RFC 9110 13.2.2: If-Match is evaluated first, so 412 wins over 304.
        var (bucket, body) = await PutObjectAsync(1_000);

        // Act
        var action = () => _s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            EtagToMatch = "\"0123456789abcdef0123456789abcdef\"",
            EtagToNotMatch = ActionTestExtensions.QuotedMd5(body),
        });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_response_header_overrides_returns_those_headers()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(1_000);
        await _s3.PutBytesAsync(bucket, "k", body, request =>
        {
            request.ContentType = "application/octet-stream";
            request.Headers.CacheControl = "max-age=60";
        });
        var overrides = new ResponseHeaderOverrides
        {
            ContentType = "text/csv",
            ContentLanguage = "fr-CA",
            Expires = "Thu, 01 Dec 2033 16:00:00 GMT",
            CacheControl = "no-cache",
            ContentDisposition = "attachment; filename=\"data.csv\"",
            ContentEncoding = "identity",
        };

        // Act
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ResponseHeaderOverrides = overrides });
        var read = await get.ReadAllAsync();

        // Assert
        Assert.Equal(body, read);
        Assert.Equal("text/csv", get.Headers.ContentType);
        Assert.Equal("fr-CA", get.Headers.ContentLanguage);
        Assert.Equal("Thu, 01 Dec 2033 16:00:00 GMT", get.ExpiresString);
        Assert.Equal("no-cache", get.Headers.CacheControl);
        Assert.Equal("attachment; filename=\"data.csv\"", get.Headers.ContentDisposition);
        Assert.Equal("identity", get.Headers.ContentEncoding);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_of_a_missing_key_returns_NoSuchKey()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var action = () => _s3.GetObjectAsync(bucket, "missing");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_in_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.GetObjectAsync(bucket, "k");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    private async Task<(string Bucket, byte[] Body)> PutObjectAsync(int size)
    {
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(size);
        await _s3.PutBytesAsync(bucket, "k", body);
        return (bucket, body);
    }

    private async Task<DateTime> LastModifiedAsync(string bucket)
    {
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");
        return head.LastModified!.Value.ToUniversalTime();
    }
}
