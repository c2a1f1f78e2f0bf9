using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class HeadBucketTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task HeadBucket_of_an_existing_bucket_returns_200_and_its_region()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var response = await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket });

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal(CairnServer.Region, response.BucketRegion);
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadBucket_of_a_missing_bucket_returns_404()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket });

        // Assert: HEAD errors have no body, so the SDK only knows the status.
        await ActionTestExtensions.AssertS3StatusAsync(action, HttpStatusCode.NotFound);
    }
}
