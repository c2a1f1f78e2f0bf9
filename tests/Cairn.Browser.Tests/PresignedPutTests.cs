using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Browser.Tests;

/// <summary>
/// A presigned PUT sent by a page's <c>fetch</c> from another origin. Its <c>content-type</c> header makes it a
/// non-simple request, so Chromium asks the bucket's CORS rules first (an OPTIONS preflight) and sends the PUT only
/// when they allow it (https://fetch.spec.whatwg.org/#cors-preflight-fetch).
/// </summary>
[Trait("Issue", "14")]
public sealed class PresignedPutTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Key = "from-browser.txt";

    private AmazonS3Client S3 => fixture.S3;

    private Task<string> PresignedPutUrlAsync(string bucket) => S3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
    {
        BucketName = bucket,
        Key = Key,
        Verb = HttpVerb.PUT,
        ContentType = "text/plain",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Protocol = Protocol.HTTP,
    });

    [Fact(Timeout = 60_000)]
    public async Task A_presigned_PUT_allowed_by_the_CORS_rules_passes_the_preflight_and_stores_the_bytes()
    {
        // Arrange
        var bucket = await fixture.CreateBucketAsync("put", new CORSRule
        {
            AllowedOrigins = [fixture.Pages.Origin],
            AllowedMethods = ["PUT"],
            AllowedHeaders = ["content-type"],
            ExposeHeaders = ["ETag"],
        });
        var body = BrowserFixture.RandomBody(4096, seed: 1);
        var url = await PresignedPutUrlAsync(bucket);
        await using var page = await fixture.OpenUploadPageAsync();

        // Act
        var outcome = await page.PutAsync(url, "text/plain", body);
        await page.SaveScreenshotAsync(nameof(PresignedPutTests));

        // Assert
        Assert.True(outcome.Status == 200, page.Describe(outcome));
        var stored = await fixture.ReadObjectAsync(bucket, Key);
        Assert.Equal(body, stored.Body);
        Assert.Equal("text/plain", stored.ContentType);
        Assert.Equal(stored.ETag, outcome.ETag); // readable in the page because the rule exposes it
    }

    [Fact(Timeout = 60_000)]
    public async Task A_presigned_PUT_to_a_bucket_without_CORS_rules_is_refused_by_the_browser_and_stores_nothing()
    {
        // Arrange
        var bucket = await fixture.CreateBucketAsync("put-nocors");
        var url = await PresignedPutUrlAsync(bucket);
        await using var page = await fixture.OpenUploadPageAsync();

        // Act
        var outcome = await page.PutAsync(url, "text/plain", BrowserFixture.RandomBody(4096, seed: 2));
        await page.SaveScreenshotAsync(nameof(PresignedPutTests));

        // Assert
        Assert.Equal(new UploadOutcome { Error = "TypeError: Failed to fetch" }, outcome);
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.GetObjectMetadataAsync(bucket, Key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(0, (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount);
    }
}
