using System.Net;
using Amazon.S3;
using Cairn.Integration.Tests.Actions;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Observability;

/// <summary>
/// With a base domain, <c>bucket.base/_cairn/...</c> is an object key in that bucket: only the bare
/// endpoint host serves the admin endpoints.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AdminVirtualHostTests(VirtualHostServerFixture fixture) : IClassFixture<VirtualHostServerFixture>
{
    private readonly AmazonS3Client _s3 = fixture.Client;

    [Fact(Timeout = 30_000)]
    public async Task On_a_bucket_host_an_admin_path_is_an_object_key()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("vh");
        await _s3.PutBucketAsync(bucket);
        fixture.Wire.Exchanges.Clear();

        // Act: the SDK sends GET http://bucket.localhost:port/_cairn/health/live.
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync(bucket, "_cairn/health/live"));
        await _s3.PutTextAsync(bucket, "_cairn/health/live", "an object, not a health check");
        var stored = await _s3.GetBytesAsync(bucket, "_cairn/health/live");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal("an object, not a health check", System.Text.Encoding.UTF8.GetString(stored));
        var exchange = fixture.Wire.Exchanges.First();
        Assert.Equal($"{bucket}.{VirtualHostServerFixture.BaseDomain}:{fixture.Port}", exchange.Host);
        Assert.Equal("/_cairn/health/live", exchange.Uri.AbsolutePath);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unsigned_request_on_a_bucket_host_gets_an_S3_error_and_the_bare_host_gets_the_health_check()
    {
        // Arrange: connect to 127.0.0.1 and name the host in the Host header.
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{fixture.Port}/_cairn/health/live";
        using var onBucket = new HttpRequestMessage(HttpMethod.Get, url);
        onBucket.Headers.Host = $"some-bucket.{VirtualHostServerFixture.BaseDomain}:{fixture.Port}";
        using var onEndpoint = new HttpRequestMessage(HttpMethod.Get, url);
        onEndpoint.Headers.Host = $"{VirtualHostServerFixture.BaseDomain}:{fixture.Port}";

        // Act
        using var s3Answer = await http.SendAsync(onBucket);
        using var adminAnswer = await http.SendAsync(onEndpoint);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, s3Answer.StatusCode);
        Assert.True(s3Answer.Headers.Contains("x-amz-request-id"));
        Assert.Contains("<Code>AccessDenied</Code>", await s3Answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, adminAnswer.StatusCode);
        Assert.Equal("ok", await adminAnswer.Content.ReadAsStringAsync());
    }
}
