using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Cairn.Testing;

namespace SampleApp.Tests;

/// <summary>What a .NET user's tests look like with Cairn.Testing: the AWS SDK against a real S3 server in the test process.</summary>
public sealed class SampleTests(CairnFixture fixture) : IClassFixture<CairnFixture>
{
    private AmazonS3Client S3 => fixture.Cairn.Client;

    [Fact(Timeout = 60_000)]
    public async Task An_object_put_is_read_back_and_listed()
    {
        var bucket = "sample-" + Guid.NewGuid().ToString("N")[..12];
        await S3.PutBucketAsync(bucket);

        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "greetings/hello.txt", ContentBody = "hello, world" });

        using var read = await S3.GetObjectAsync(bucket, "greetings/hello.txt");
        using var reader = new StreamReader(read.ResponseStream);
        Assert.Equal("hello, world", await reader.ReadToEndAsync());
        var listing = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "greetings/" });
        Assert.Equal(["greetings/hello.txt"], listing.S3Objects.Select(entry => entry.Key));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_large_upload_goes_through_TransferUtility_in_parts()
    {
        var bucket = "sample-" + Guid.NewGuid().ToString("N")[..12];
        await S3.PutBucketAsync(bucket);
        var body = new byte[20 * 1024 * 1024]; // over TransferUtility's 16 MiB threshold for multipart
        new Random(11).NextBytes(body);

        using var transfer = new TransferUtility(S3);
        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = "big.bin",
            InputStream = new MemoryStream(body),
            PartSize = 5 * 1024 * 1024,
        });

        var head = await S3.GetObjectMetadataAsync(bucket, "big.bin");
        Assert.Equal(body.Length, head.ContentLength);
        Assert.EndsWith("-4\"", head.ETag, StringComparison.Ordinal); // four parts of 5 MiB
        using var read = await S3.GetObjectAsync(bucket, "big.bin");
        using var copy = new MemoryStream();
        await read.ResponseStream.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_key_is_the_S3_error_the_code_under_test_must_handle()
    {
        var bucket = "sample-" + Guid.NewGuid().ToString("N")[..12];
        await S3.PutBucketAsync(bucket);

        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => S3.GetObjectAsync(bucket, "absent"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("NoSuchKey", error.ErrorCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Each_host_is_its_own_server_and_leaves_nothing_behind()
    {
        string directory;
        await using (var other = await CairnTestHost.StartAsync())
        {
            directory = other.DataDirectory;
            Assert.NotEqual(fixture.Cairn.Endpoint, other.Endpoint);
            await other.Client.PutBucketAsync("only-here");
            Assert.Equal(["only-here"], (await other.Client.ListBucketsAsync()).Buckets.Select(entry => entry.BucketName));
            Assert.DoesNotContain("only-here", (await S3.ListBucketsAsync()).Buckets?.Select(entry => entry.BucketName) ?? []);
            // Another host's keys are not this one's.
            using var stranger = fixture.Cairn.CreateClient(other.AccessKey, other.SecretKey);
            var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stranger.ListBucketsAsync());
            Assert.Equal("InvalidAccessKeyId", refused.ErrorCode);
        }
        Assert.False(Directory.Exists(directory));
    }
}
