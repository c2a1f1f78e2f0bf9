using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Operations Cairn does not serve yet answer 501 NotImplemented (never 500) and change nothing.</summary>
[Collection(ServerCollection.Name)]
public sealed class NotImplementedTests(ServerFixture fixture)
{
    private const string Key = "k";

    private static readonly Dictionary<string, Func<IAmazonS3, string, Task>> Operations = new()
    {
        ["GetBucketNotification"] = (s3, bucket) => s3.GetBucketNotificationAsync(bucket),
        ["GetBucketWebsite"] = (s3, bucket) => s3.GetBucketWebsiteAsync(bucket),
    };

    public static TheoryData<string> OperationNames => [.. Operations.Keys];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(OperationNames))]
    public async Task Unsupported_operation_returns_NotImplemented_and_changes_nothing(string operation)
    {
        // Arrange
        var s3 = fixture.Server.Client;
        var bucket = await s3.NewBucketAsync();
        await s3.PutBytesAsync(bucket, Key, [1, 2, 3]);

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Operations[operation](s3, bucket));

        // Assert
        Assert.Equal((HttpStatusCode.NotImplemented, "NotImplemented"), (error.StatusCode, error.ErrorCode));
        Assert.Equal([1, 2, 3], await s3.GetBytesAsync(bucket, Key));
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal([Key], keys);
    }
}
