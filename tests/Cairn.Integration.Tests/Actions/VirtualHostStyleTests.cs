using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Requests that name the bucket in the Host header (bucket.localhost:port), loopback only.</summary>
[Collection(ServerCollection.Name)]
public sealed class VirtualHostStyleTests(VirtualHostServerFixture fixture) : IClassFixture<VirtualHostServerFixture>
{
    private readonly AmazonS3Client _s3 = fixture.Client;

    [Fact(Timeout = 30_000)]
    public async Task VirtualHostStyle_SDK_creates_a_bucket_puts_gets_lists_and_deletes_with_the_bucket_in_the_Host()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");
        var body = RandomNumberGenerator.GetBytes(600_000);
        fixture.Wire.Exchanges.Clear();

        // Act
        await _s3.PutBucketAsync(bucket);
        await _s3.PutBytesAsync(bucket, "dir/a b+c.bin", body);
        var read = await _s3.GetBytesAsync(bucket, "dir/a b+c.bin");
        var listing = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "dir/" });
        await _s3.DeleteObjectAsync(bucket, "dir/a b+c.bin");
        await _s3.DeleteBucketAsync(bucket);

        // Assert
        Assert.Equal(body, read);
        Assert.Equal(["dir/a b+c.bin"], listing.S3Objects.Select(o => o.Key));
        var exchanges = fixture.Wire.Exchanges.ToList();
        Assert.Equal(6, exchanges.Count);
        Assert.All(exchanges, e => Assert.Equal($"{bucket}.{VirtualHostServerFixture.BaseDomain}:{fixture.Port}", e.Host));
        Assert.All(exchanges, e => Assert.DoesNotContain(bucket, e.Uri.AbsolutePath, StringComparison.Ordinal));
        await ActionTestExtensions.AssertS3StatusAsync(() => fixture.Server.Client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }),
            HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task VirtualHostStyle_and_path_style_requests_reach_the_same_bucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");
        await _s3.PutBucketAsync(bucket);
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        var pathStyle = fixture.Server.Client; // http://127.0.0.1:port/bucket/key

        // Act
        var read = await pathStyle.GetBytesAsync(bucket, "k");
        await pathStyle.PutBytesAsync(bucket, "k2", [4, 5]);

        // Assert
        Assert.Equal([1, 2, 3], read);
        Assert.Equal([4, 5], await _s3.GetBytesAsync(bucket, "k2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task VirtualHostStyle_ListBuckets_on_the_base_domain_itself_is_a_service_request()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");
        await _s3.PutBucketAsync(bucket);
        fixture.Wire.Exchanges.Clear();

        // Act
        var response = await _s3.ListBucketsAsync();

        // Assert
        Assert.Contains(bucket, response.Buckets.Select(b => b.BucketName));
        Assert.Equal($"{VirtualHostServerFixture.BaseDomain}:{fixture.Port}", Assert.Single(fixture.Wire.Exchanges).Host);
    }

    [Fact(Timeout = 30_000)]
    public async Task VirtualHostStyle_presigned_GET_sent_to_127_0_0_1_with_an_explicit_Host_header_returns_the_object()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");
        await _s3.PutBucketAsync(bucket);
        var body = RandomNumberGenerator.GetBytes(5_000);
        await _s3.PutBytesAsync(bucket, "k", body);
        var url = new Uri(_s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = "k",
            Verb = HttpVerb.GET,
            Protocol = Protocol.HTTP,
            Expires = DateTime.UtcNow.AddMinutes(5),
        }));
        Assert.Equal($"{bucket}.{VirtualHostServerFixture.BaseDomain}", url.Host);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(url) { Host = "127.0.0.1" }.Uri);
        request.Headers.Host = url.Authority;

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task VirtualHostStyle_request_for_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");

        // Act
        var action = () => _s3.GetObjectAsync(bucket, "k");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }
}
