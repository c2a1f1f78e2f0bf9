using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Workers;
using Cairn.Integration.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class CopyObjectTests(ServerFixture fixture)
{
    private const string OtherETag = "\"0123456789abcdef0123456789abcdef\"";

    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_COPY_keeps_the_source_body_content_headers_and_metadata()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(700_000);
        await _s3.PutBytesAsync(bucket, "source", body, request =>
        {
            request.ContentType = "image/png";
            request.Headers.CacheControl = "max-age=3600";
            request.Metadata["origin"] = "camera";
        });
        var copy = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            MetadataDirective = S3MetadataDirective.COPY,
        };
        // With COPY, S3 ignores metadata sent with the request.
        copy.Metadata["ignored"] = "yes";

        // Act
        var response = await _s3.CopyObjectAsync(copy);
        var head = await _s3.GetObjectMetadataAsync(bucket, "copy");

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), response.ETag);
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "copy"));
        Assert.Equal("image/png", head.Headers.ContentType);
        Assert.Equal("max-age=3600", head.Headers.CacheControl);
        Assert.Equal("camera", head.Metadata["x-amz-meta-origin"]);
        Assert.Equal(1, head.Metadata.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_REPLACE_takes_the_new_content_headers_and_metadata()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(5_000);
        await _s3.PutBytesAsync(bucket, "source", body, request =>
        {
            request.ContentType = "image/png";
            request.Metadata["origin"] = "camera";
        });
        var copy = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = "text/plain",
        };
        copy.Metadata["reviewed"] = "true";

        // Act
        await _s3.CopyObjectAsync(copy);
        var head = await _s3.GetObjectMetadataAsync(bucket, "copy");

        // Assert
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "copy"));
        Assert.Equal("text/plain", head.Headers.ContentType);
        Assert.Equal("true", head.Metadata["x-amz-meta-reviewed"]);
        Assert.Equal(1, head.Metadata.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_onto_itself_with_REPLACE_changes_the_metadata_and_keeps_the_body()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(300_000);
        await _s3.PutBytesAsync(bucket, "k", body, request => request.Metadata["version"] = "1");
        var copy = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            DestinationBucket = bucket,
            DestinationKey = "k",
            MetadataDirective = S3MetadataDirective.REPLACE,
        };
        copy.Metadata["version"] = "2";

        // Act
        var response = await _s3.CopyObjectAsync(copy);
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), response.ETag);
        Assert.Equal("2", head.Metadata["x-amz-meta-version"]);
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_onto_itself_without_REPLACE_returns_InvalidRequest()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);

        // Act
        var action = () => _s3.CopyObjectAsync(bucket, "k", bucket, "k");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.BadRequest, "InvalidRequest");
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_across_buckets_copies_a_key_with_spaces_plus_signs_and_unicode()
    {
        // Arrange: x-amz-copy-source is URL-encoded by the SDK; the server must decode it exactly.
        var source = await _s3.NewBucketAsync();
        var destination = await _s3.NewBucketAsync();
        const string Key = "dir one/ü+ñ?&=%20.bin";
        var body = RandomNumberGenerator.GetBytes(400_000);
        await _s3.PutBytesAsync(source, Key, body);

        // Act
        var response = await _s3.CopyObjectAsync(source, Key, destination, Key);

        // Assert
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), response.ETag);
        Assert.Equal(body, await _s3.GetBytesAsync(destination, Key));
        Assert.Equal(body, await _s3.GetBytesAsync(source, Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_keeps_the_source_checksum()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(300_000);
        var sha256 = IndependentChecksums.Base64("SHA256", body);
        await _s3.PutBytesAsync(bucket, "source", body, request => request.ChecksumSHA256 = sha256);

        // Act
        var response = await _s3.CopyObjectAsync(bucket, "source", bucket, "copy");
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "copy", ChecksumMode = ChecksumMode.ENABLED });

        // Assert
        Assert.Equal(sha256, response.ChecksumSHA256);
        Assert.Equal(sha256, head.ChecksumSHA256);
    }

    public static TheoryData<string> FailingSourceConditions => ["if-match", "if-none-match", "if-modified-since", "if-unmodified-since"];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(FailingSourceConditions))]
    public async Task CopyObject_with_a_failing_copy_source_condition_returns_PreconditionFailed_and_copies_nothing(string condition)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutBytesAsync(bucket, "source", RandomNumberGenerator.GetBytes(1_000));
        var lastModified = (await _s3.GetObjectMetadataAsync(bucket, "source")).LastModified!.Value.ToUniversalTime();
        var copy = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "copy" };
        switch (condition)
        {
            case "if-match": copy.ETagToMatch = OtherETag; break;
            case "if-none-match": copy.ETagToNotMatch = put.ETag; break;
            case "if-modified-since": copy.ModifiedSinceDate = lastModified.AddMinutes(5); break;
            default: copy.UnmodifiedSinceDate = lastModified.AddMinutes(-5); break;
        }

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.CopyObjectAsync(copy), HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(() => _s3.GetObjectMetadataAsync(bucket, "copy"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_copy_source_conditions_that_hold_copies()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutBytesAsync(bucket, "source", RandomNumberGenerator.GetBytes(1_000));
        var lastModified = (await _s3.GetObjectMetadataAsync(bucket, "source")).LastModified!.Value.ToUniversalTime();

        // Act
        var response = await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ETagToMatch = put.ETag,
            ModifiedSinceDate = lastModified.AddMinutes(-5),
        });

        // Assert
        Assert.Equal(put.ETag, response.ETag);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_if_match_true_and_if_unmodified_since_false_copies()
    {
        // Arrange: the S3 API reference: this pair answers 200 OK and copies.
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutBytesAsync(bucket, "source", RandomNumberGenerator.GetBytes(1_000));
        var lastModified = (await _s3.GetObjectMetadataAsync(bucket, "source")).LastModified!.Value.ToUniversalTime();

        // Act
        var response = await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ETagToMatch = put.ETag,
            UnmodifiedSinceDate = lastModified.AddMinutes(-5),
        });

        // Assert
        Assert.Equal(put.ETag, response.ETag);
        Assert.Equal(put.ETag, (await _s3.GetObjectMetadataAsync(bucket, "copy")).ETag);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_if_none_match_false_and_if_modified_since_true_returns_PreconditionFailed()
    {
        // Arrange: the S3 API reference: this pair answers 412 Precondition Failed.
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutBytesAsync(bucket, "source", RandomNumberGenerator.GetBytes(1_000));
        var lastModified = (await _s3.GetObjectMetadataAsync(bucket, "source")).LastModified!.Value.ToUniversalTime();

        // Act
        var action = () => _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "source",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ETagToNotMatch = put.ETag,
            ModifiedSinceDate = lastModified.AddMinutes(-5),
        });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_If_None_Match_star_onto_an_existing_key_returns_PreconditionFailed()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "source", [1]);
        await _s3.PutBytesAsync(bucket, "copy", [2]);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = bucket,
                SourceKey = "source",
                DestinationBucket = bucket,
                DestinationKey = "copy",
                IfNoneMatch = "*",
            }),
            HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        // Assert
        Assert.Equal([2], await _s3.GetBytesAsync(bucket, "copy"));
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_of_a_missing_source_key_returns_NoSuchKey()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var action = () => _s3.CopyObjectAsync(bucket, "missing", bucket, "copy");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_from_a_missing_source_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var action = () => _s3.CopyObjectAsync(CairnServer.NewBucketName(), "k", bucket, "copy");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_into_a_missing_destination_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1]);

        // Act
        var action = () => _s3.CopyObjectAsync(bucket, "k", CairnServer.NewBucketName(), "copy");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact(Timeout = 60_000)]
    public async Task CopyObject_reads_back_byte_exact_after_the_source_is_deleted_and_swept()
    {
        // Arrange: no grace delay, so a chunk that lost its last reference is deleted by the next sweep.
        await using var server = await CairnServer.StartAsync(["--chunk-size", "256KiB", "--Engine:GracePeriod=00:00:00"]);
        var s3 = server.Client;
        var sweeper = server.Services.GetRequiredService<DeleteQueueSweeper>();
        var blobs = Path.Combine(server.DataDirectory, "blobs");
        int CountBlobFiles() => Directory.Exists(blobs) ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count() : 0;
        var bucket = await s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(700_000); // three chunks
        await s3.PutBytesAsync(bucket, "source", body);
        await s3.CopyObjectAsync(bucket, "source", bucket, "copy");
        Assert.Equal(3, CountBlobFiles()); // the copy shares the source's chunks

        // Act
        await s3.DeleteObjectAsync(bucket, "source");
        var sweptWhileShared = await sweeper.SweepAllDueAsync(CancellationToken.None);
        var copy = await s3.GetBytesAsync(bucket, "copy");

        // Assert
        Assert.Equal(0, sweptWhileShared);
        Assert.Equal(body, copy);
        // And the chunks do go once the last reference is dropped, so the sweep above could have deleted them.
        await s3.DeleteObjectAsync(bucket, "copy");
        Assert.Equal(3, await sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Equal(0, CountBlobFiles());
    }
}
