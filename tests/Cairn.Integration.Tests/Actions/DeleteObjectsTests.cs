using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class DeleteObjectsTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_verbose_reports_every_key_as_deleted_including_missing_ones()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a", "b & <c>", "ü/ключ", "keep"]);
        string[] requested = ["a", "b & <c>", "ü/ключ", "missing"];

        // Act
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [.. requested.Select(key => new KeyVersion { Key = key })],
        });

        // Assert
        Assert.Equal(requested.Order(StringComparer.Ordinal), (response.DeletedObjects ?? []).Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Empty(response.DeleteErrors ?? []);
        Assert.Equal(["keep"], await KeysAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_quiet_reports_nothing_and_deletes_the_keys()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a", "b", "keep"]);

        // Act
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Quiet = true,
            Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "b" }, new KeyVersion { Key = "missing" }],
        });

        // Assert
        Assert.Empty(response.DeletedObjects ?? []);
        Assert.Empty(response.DeleteErrors ?? []);
        Assert.Equal(["keep"], await KeysAsync(bucket));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteObjects_with_1000_keys_deletes_them_all()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var keys = Enumerable.Range(0, 1000).Select(i => $"k/{i:D4}").ToList();
        await _s3.PutEmptyObjectsAsync(bucket, keys);

        // Act
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [.. keys.Select(key => new KeyVersion { Key = key })],
        });

        // Assert
        Assert.Equal(1000, response.DeletedObjects.Count);
        Assert.Empty(await KeysAsync(bucket));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteObjects_with_1001_keys_returns_MalformedXML_and_deletes_nothing()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k/0000"]);

        // Act
        var action = () => _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [.. Enumerable.Range(0, 1001).Select(i => new KeyVersion { Key = $"k/{i:D4}" })],
        });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.BadRequest, "MalformedXML");
        Assert.Equal(["k/0000"], await KeysAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_in_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "k" }] });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    private async Task<List<string>> KeysAsync(string bucket)
    {
        var keys = new List<string>();
        await foreach (var item in _s3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = bucket }).S3Objects)
        {
            keys.Add(item.Key);
        }
        return keys;
    }
}
