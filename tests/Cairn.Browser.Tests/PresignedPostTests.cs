using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Browser.Tests;

/// <summary>
/// A browser upload with a presigned POST form (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
/// the AWS SDK signs a policy and hands out the URL and the form fields; the page sends them in order with the file as
/// the last field, named <c>file</c>, from another origin. A form POST is a simple request (no preflight), but the
/// page can read the answer only when the bucket's CORS rules allow its origin.
/// </summary>
[Trait("Issue", "14")]
public sealed class PresignedPostTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Key = "uploads/hello.txt";

    private AmazonS3Client S3 => fixture.S3;

    private Task<string> BucketAllowingPostsAsync() => fixture.CreateBucketAsync("post", new CORSRule
    {
        AllowedOrigins = [fixture.Pages.Origin],
        AllowedMethods = ["POST"],
        ExposeHeaders = ["ETag"],
    });

    private Task<CreatePresignedPostResponse> PresignAsync(string bucket, Dictionary<string, string> fields) => S3.CreatePresignedPostAsync(new CreatePresignedPostRequest
    {
        BucketName = bucket,
        Key = Key,
        Expires = DateTime.UtcNow.AddMinutes(5),
        Fields = fields, // each becomes an exact-match condition of the signed policy too
        Conditions = [S3PostCondition.ContentLengthRange(1, 1024 * 1024)],
    });

    [Fact(Timeout = 60_000)]
    public async Task A_presigned_POST_form_stores_the_file_and_answers_204_with_no_body()
    {
        // Arrange
        var bucket = await BucketAllowingPostsAsync();
        var post = await PresignAsync(bucket, new() { ["Content-Type"] = "text/plain" });
        var body = BrowserFixture.RandomBody(4096, seed: 3);
        await using var page = await fixture.OpenUploadPageAsync();

        // Act
        var outcome = await page.PostAsync(post.Url, post.Fields, "hello.txt", "text/plain", body);
        await page.SaveScreenshotAsync(nameof(PresignedPostTests));

        // Assert
        Assert.True(outcome.Status == 204, page.Describe(outcome)); // without success_action_status: 204
        Assert.Equal("", outcome.Body);
        var stored = await fixture.ReadObjectAsync(bucket, Key);
        Assert.Equal(body, stored.Body);
        Assert.Equal("text/plain", stored.ContentType); // from the Content-Type field, as on PUT from the header
        Assert.Equal(stored.ETag, outcome.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_presigned_POST_form_with_success_action_status_201_answers_the_PostResponse_document()
    {
        // Arrange
        var bucket = await BucketAllowingPostsAsync();
        var post = await PresignAsync(bucket, new() { ["Content-Type"] = "text/plain", ["success_action_status"] = "201" });
        var body = BrowserFixture.RandomBody(4096, seed: 4);
        await using var page = await fixture.OpenUploadPageAsync();

        // Act
        var outcome = await page.PostAsync(post.Url, post.Fields, "hello.txt", "text/plain", body);
        await page.SaveScreenshotAsync(nameof(PresignedPostTests));

        // Assert
        Assert.True(outcome.Status == 201, page.Describe(outcome));
        var stored = await fixture.ReadObjectAsync(bucket, Key);
        Assert.Equal(body, stored.Body);
        var answer = await page.ReadPostResponseAsync(outcome.Body!);
        Assert.Equal(("PostResponse", bucket, Key, stored.ETag), (answer.Root, answer.Bucket, answer.Key, answer.ETag));
        Assert.True(Uri.IsWellFormedUriString(answer.Location, UriKind.Absolute), $"Location: {answer.Location}");
    }
}
