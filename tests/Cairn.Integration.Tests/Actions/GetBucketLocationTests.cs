using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class GetBucketLocationTests(ServerFixture fixture, OtherRegionServerFixture otherRegion) : IClassFixture<OtherRegionServerFixture>
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task GetBucketLocation_in_us_east_1_returns_an_empty_LocationConstraint()
    {
        // Arrange: "Buckets in Region us-east-1 have a LocationConstraint of null" (S3 API reference).
        var bucket = await _s3.NewBucketAsync();
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var response = await s3.GetBucketLocationAsync(bucket);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        var xml = XDocument.Parse(Assert.Single(wire.Exchanges).Body!);
        Assert.Equal(("LocationConstraint", ""), (xml.Root!.Name.LocalName, xml.Root.Value));
        Assert.Equal("http://s3.amazonaws.com/doc/2006-03-01/", xml.Root.Name.NamespaceName);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetBucketLocation_in_another_region_returns_that_region()
    {
        // Arrange
        var s3 = otherRegion.Client;
        var bucket = CairnServer.NewBucketName();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = OtherRegionServerFixture.Region });

        // Act
        var response = await s3.GetBucketLocationAsync(bucket);

        // Assert
        Assert.Equal(OtherRegionServerFixture.Region, response.Location.Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetBucketLocation_of_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.GetBucketLocationAsync(bucket);

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }
}
