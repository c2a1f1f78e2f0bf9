using System.Net;
using System.Security.Cryptography;
using System.Web;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Presigned URLs made by the SDK and fetched by a plain HttpClient (no SDK on the request path).</summary>
[Collection(ServerCollection.Name)]
public sealed class PresignedUrlTests(ServerFixture fixture) : IDisposable
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_GET_returns_the_object_bytes()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(700_000);
        await _s3.PutBytesAsync(bucket, "dir/k v.bin", body);
        var url = Presign(bucket, "dir/k v.bin", HttpVerb.GET, DateTime.UtcNow.AddMinutes(5));

        // Act
        using var response = await _http.GetAsync(url);
        var read = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, read);
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), response.Headers.ETag?.ToString());
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(3_000)]
    [InlineData(1_500_000)] // several chunks
    public async Task PresignedUrl_PUT_stores_the_bytes(int size)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(size);
        var url = Presign(bucket, "uploaded", HttpVerb.PUT, DateTime.UtcNow.AddMinutes(5));

        // Act
        using var response = await _http.PutAsync(url, new ByteArrayContent(body));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), response.Headers.ETag?.ToString());
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, "uploaded"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_GET_with_response_header_overrides_returns_those_headers()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        var url = _s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = "k",
            Verb = HttpVerb.GET,
            Protocol = Protocol.HTTP,
            Expires = DateTime.UtcNow.AddMinutes(5),
            ResponseHeaderOverrides = { ContentType = "text/plain", ContentDisposition = "attachment; filename=\"k.txt\"" },
        });

        // Act
        using var response = await _http.GetAsync(url);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"k.txt\"", response.Content.Headers.ContentDisposition?.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_GET_after_it_expired_returns_AccessDenied()
    {
        // Arrange: a few seconds' expiry (X-Amz-Date is whole seconds, so at least one second of it is
        // left for the first fetch); fetched once before and once after it lapses.
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        var url = Presign(bucket, "k", HttpVerb.GET, DateTime.UtcNow.AddSeconds(3));
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        var signedAt = DateTime.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", null,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var expiresAt = signedAt.AddSeconds(int.Parse(query["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture));
        using (var fresh = await _http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        var wait = expiresAt.AddMilliseconds(1_100) - DateTime.UtcNow;
        // A guard against a URL that would take long to lapse, not a timing: the SDK rounds the
        // expiry up to whole seconds and may sign with its own skew-corrected clock (5.3 s was seen).
        Assert.InRange(wait, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        await Task.Delay(wait);

        // Act
        using var response = await _http.GetAsync(url);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("AccessDenied", await ErrorCodeAsync(response));
    }

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_with_a_tampered_signature_returns_SignatureDoesNotMatch()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        var url = Presign(bucket, "k", HttpVerb.GET, DateTime.UtcNow.AddMinutes(5));
        var signature = HttpUtility.ParseQueryString(new Uri(url).Query)["X-Amz-Signature"]!;
        var tampered = url.Replace(signature, (signature[0] == '0' ? "1" : "0") + signature[1..], StringComparison.Ordinal);

        // Act
        using var response = await _http.GetAsync(tampered);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", await ErrorCodeAsync(response));
    }

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_PUT_used_for_another_key_returns_SignatureDoesNotMatch_and_writes_nothing()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var url = Presign(bucket, "allowed", HttpVerb.PUT, DateTime.UtcNow.AddMinutes(5));
        var other = url.Replace("/allowed?", "/other?", StringComparison.Ordinal);

        // Act
        using var response = await _http.PutAsync(other, new ByteArrayContent([1, 2, 3]));

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", await ErrorCodeAsync(response));
        await ActionTestExtensions.AssertS3StatusAsync(() => _s3.GetObjectMetadataAsync(bucket, "other"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task PresignedUrl_GET_of_a_missing_key_returns_NoSuchKey()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var url = Presign(bucket, "missing", HttpVerb.GET, DateTime.UtcNow.AddMinutes(5));

        // Act
        using var response = await _http.GetAsync(url);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NoSuchKey", await ErrorCodeAsync(response));
    }

    private string Presign(string bucket, string key, HttpVerb verb, DateTime expires) => _s3.GetPreSignedURL(new GetPreSignedUrlRequest
    {
        BucketName = bucket,
        Key = key,
        Verb = verb,
        Protocol = Protocol.HTTP,
        Expires = expires,
    });

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        return xml.Root?.Element("Code")?.Value;
    }
}
