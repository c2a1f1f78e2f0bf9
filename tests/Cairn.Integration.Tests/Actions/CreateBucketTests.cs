using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class CreateBucketTests(ServerFixture fixture, OtherRegionServerFixture otherRegion) : IClassFixture<OtherRegionServerFixture>
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_creates_an_empty_bucket_that_HeadBucket_and_ListBuckets_find()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var response = await _s3.PutBucketAsync(bucket);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket })).HttpStatusCode);
        Assert.Contains(bucket, (await _s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName));
        Assert.Empty((await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_again_for_a_bucket_you_own_in_us_east_1_returns_200_and_keeps_its_objects()
    {
        // Arrange: AWS's legacy us-east-1 behaviour answers 200 to the owner re-creating a bucket.
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);

        // Act
        var response = await _s3.PutBucketAsync(bucket);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal([1, 2, 3], await _s3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_in_eu_west_1_accepts_the_legacy_EU_location_constraint_the_SDK_sends()
    {
        // Arrange: the SDK writes <LocationConstraint>EU</LocationConstraint> for eu-west-1; S3 documents EU as eu-west-1.
        var s3 = otherRegion.Client;
        var bucket = CairnServer.NewBucketName();

        // Act
        var response = await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegion = S3Region.EUWest1 });

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal(OtherRegionServerFixture.Region, (await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket })).BucketRegion);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_again_for_a_bucket_you_own_outside_us_east_1_returns_BucketAlreadyOwnedByYou()
    {
        // Arrange
        var s3 = otherRegion.Client;
        var bucket = CairnServer.NewBucketName();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = OtherRegionServerFixture.Region });

        // Act
        var action = () => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = OtherRegionServerFixture.Region });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.Conflict, "BucketAlreadyOwnedByYou");
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_with_the_location_constraint_of_another_region_returns_IllegalLocationConstraintException()
    {
        // Arrange
        var s3 = otherRegion.Client;
        var bucket = CairnServer.NewBucketName();

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "ap-southeast-2" }),
            HttpStatusCode.BadRequest, "IllegalLocationConstraintException");

        // Assert
        await ActionTestExtensions.AssertS3StatusAsync(() => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }), HttpStatusCode.NotFound);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("ab")] // too short
    [InlineData("a-bucket-name-that-is-sixty-four-characters-long-which-is-1-over")] // too long
    [InlineData("Upper-case")]
    [InlineData("under_score")]
    [InlineData("-leading-hyphen")]
    [InlineData("trailing-hyphen-")]
    [InlineData("double..dot")]
    [InlineData("192.168.5.4")] // formatted as an IP address
    [InlineData("xn--reserved-prefix")]
    [InlineData("reserved-suffix-s3alias")]
    public async Task CreateBucket_with_an_invalid_name_returns_InvalidBucketName(string name)
    {
        // Arrange
        var before = ((await _s3.ListBucketsAsync()).Buckets ?? []).Count;

        // Act
        var action = () => _s3.PutBucketAsync(name);

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.BadRequest, "InvalidBucketName");
        Assert.Equal(before, ((await _s3.ListBucketsAsync()).Buckets ?? []).Count);
    }
}
