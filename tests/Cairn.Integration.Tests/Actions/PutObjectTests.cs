using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class PutObjectTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Theory(Timeout = 60_000)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3_000)] // inline: under the 4 KiB threshold
    [InlineData(256 * 1024)] // exactly one chunk
    [InlineData(256 * 1024 + 1)] // one chunk and one byte
    [InlineData(2_621_440 + 12_345)] // ten chunks and a partial one
    public async Task PutObject_then_GetObject_returns_the_same_bytes_and_the_MD5_ETag(int size)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(size);

        // Act
        var put = await _s3.PutBytesAsync(bucket, "object", body);
        using var get = await _s3.GetObjectAsync(bucket, "object");
        var read = await get.ReadAllAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), put.ETag);
        Assert.Equal(put.ETag, get.ETag);
        Assert.Equal(size, get.ContentLength);
        Assert.Equal(body, read);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_over_an_existing_key_replaces_the_body()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(600_000));
        var second = RandomNumberGenerator.GetBytes(100);

        // Act
        var put = await _s3.PutBytesAsync(bucket, "k", second);

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(second), put.ETag);
        Assert.Equal(second, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_stores_user_metadata_and_content_headers_and_GetObject_and_HeadObject_return_them()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var expires = new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = "report.txt",
            InputStream = new MemoryStream(Encoding.UTF8.GetBytes("hello")),
            ContentType = "text/plain; charset=utf-8",
        };
        request.Metadata["color"] = "blue";
        request.Metadata["Project-Name"] = "cairn";
        request.Headers.ContentEncoding = "gzip";
        request.Headers.ContentDisposition = "attachment; filename=\"report.txt\"";
        request.Headers.ContentLanguage = "de-DE";
        request.Headers.CacheControl = "max-age=60, private";
        request.Headers.Expires = expires;

        // Act
        await _s3.PutObjectAsync(request);
        using var get = await _s3.GetObjectAsync(bucket, "report.txt");
        var head = await _s3.GetObjectMetadataAsync(bucket, "report.txt");

        // Assert
        foreach (var (headers, metadata, expiresString) in new[] { (get.Headers, get.Metadata, get.ExpiresString), (head.Headers, head.Metadata, head.ExpiresString) })
        {
            Assert.Equal("text/plain; charset=utf-8", headers.ContentType);
            // The SDK sends "gzip,aws-chunked"; aws-chunked is the transfer framing and is not stored.
            Assert.Equal("gzip", headers.ContentEncoding);
            Assert.Equal("attachment; filename=\"report.txt\"", headers.ContentDisposition);
            Assert.Equal("de-DE", headers.ContentLanguage);
            Assert.Equal("max-age=60, private", headers.CacheControl);
            Assert.Equal("Tue, 06 May 2031 07:08:09 GMT", expiresString);
            Assert.Equal("blue", metadata["x-amz-meta-color"]);
            Assert.Equal("cairn", metadata["x-amz-meta-project-name"]);
            Assert.Equal(2, metadata.Count);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("CRC32", true)] // the SDK computes it and sends it in the aws-chunked trailer
    [InlineData("CRC32C", true)] // AWSSDK.Core 4.1 computes CRC32C and CRC64NVME itself (System.IO.Hashing), no CRT package
    [InlineData("CRC64NVME", true)]
    [InlineData("SHA1", true)]
    [InlineData("SHA256", true)]
    [InlineData("CRC32", false)] // the value is sent up front in the x-amz-checksum-* header
    [InlineData("CRC32C", false)]
    [InlineData("CRC64NVME", false)]
    [InlineData("SHA1", false)]
    [InlineData("SHA256", false)]
    public async Task PutObject_with_a_checksum_stores_it_and_GetObject_and_HeadObject_return_it(string algorithm, bool sdkComputes)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(600_000);
        var expected = IndependentChecksums.Base64(algorithm, body);
        Action<PutObjectRequest> configure = sdkComputes
            ? request => request.ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm)
            : request => SetChecksum(request, algorithm, expected);

        // Act
        var put = await _s3.PutBytesAsync(bucket, "k", body, configure);
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        var read = await get.ReadAllAsync();
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });

        // Assert
        Assert.Equal(body, read);
        Assert.Equal(expected, ChecksumOf(algorithm, put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256));
        Assert.Equal(expected, ChecksumOf(algorithm, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256));
        Assert.Equal(expected, ChecksumOf(algorithm, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256));
        Assert.Equal(ChecksumType.FULL_OBJECT, head.ChecksumType);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("CRC32", "y/Q5Jg==")] // 0xCBF43926
    [InlineData("CRC32C", "4waSgw==")] // 0xE3069283
    [InlineData("CRC64NVME", "rosUhgp5mIg=")] // 0xAE8B14860A799888
    public Task Reference_checksum_matches_the_published_check_value_of_123456789(string algorithm, string expected)
    {
        // Arrange
        var data = "123456789"u8.ToArray();

        // Act
        var actual = IndependentChecksums.Base64(algorithm, data);

        // Assert
        Assert.Equal(expected, actual);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_2_KB_of_metadata_is_accepted_and_one_byte_more_returns_MetadataTooLarge()
    {
        // Arrange: the limit is the UTF-8 bytes of every name (without x-amz-meta-) and value, 2048 in all.
        var bucket = await _s3.NewBucketAsync();

        // Act
        await _s3.PutBytesAsync(bucket, "fits", [1], request => request.Metadata["k"] = new string('v', 2047));
        var error = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.PutBytesAsync(bucket, "too-large", [1], request => request.Metadata["k"] = new string('v', 2048)),
            HttpStatusCode.BadRequest, "MetadataTooLarge");

        // Assert
        Assert.NotNull(error);
        Assert.Equal(2047, (await _s3.GetObjectMetadataAsync(bucket, "fits")).Metadata["x-amz-meta-k"].Length);
        await ActionTestExtensions.AssertS3StatusAsync(() => _s3.GetObjectMetadataAsync(bucket, "too-large"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_If_None_Match_star_on_an_existing_key_returns_PreconditionFailed_and_keeps_the_object()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var original = RandomNumberGenerator.GetBytes(1_000);
        await _s3.PutBytesAsync(bucket, "k", original);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(600_000), request => request.IfNoneMatch = "*"),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        // Assert
        Assert.Equal(original, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_If_None_Match_star_on_a_new_key_creates_it()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(300_000);

        // Act
        var put = await _s3.PutBytesAsync(bucket, "k", body, request => request.IfNoneMatch = "*");

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), put.ETag);
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_If_Match_of_the_current_ETag_replaces_the_object()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var first = await _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(1_000));
        var second = RandomNumberGenerator.GetBytes(2_000);

        // Act
        var put = await _s3.PutBytesAsync(bucket, "k", second, request => request.IfMatch = first.ETag);

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(second), put.ETag);
        Assert.Equal(second, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_If_Match_of_another_ETag_returns_PreconditionFailed_and_keeps_the_object()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var original = RandomNumberGenerator.GetBytes(1_000);
        await _s3.PutBytesAsync(bucket, "k", original);
        var otherETag = ActionTestExtensions.QuotedMd5([1, 2, 3]);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.PutBytesAsync(bucket, "k", RandomNumberGenerator.GetBytes(1_000), request => request.IfMatch = otherETag),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        // Assert
        Assert.Equal(original, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_to_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutBytesAsync(bucket, "k", [1, 2, 3]));

        // Assert
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchBucket"), (error.StatusCode, error.ErrorCode));
    }

    private static void SetChecksum(PutObjectRequest request, string algorithm, string value)
    {
        switch (algorithm)
        {
            case "CRC32": request.ChecksumCRC32 = value; break;
            case "CRC32C": request.ChecksumCRC32C = value; break;
            case "CRC64NVME": request.ChecksumCRC64NVME = value; break;
            case "SHA1": request.ChecksumSHA1 = value; break;
            case "SHA256": request.ChecksumSHA256 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(algorithm));
        }
    }

    private static string? ChecksumOf(string algorithm, string? crc32, string? crc32C, string? crc64Nvme, string? sha1, string? sha256) => algorithm switch
    {
        "CRC32" => crc32,
        "CRC32C" => crc32C,
        "CRC64NVME" => crc64Nvme,
        "SHA1" => sha1,
        "SHA256" => sha256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
