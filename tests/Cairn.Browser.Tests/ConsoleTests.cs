using System.Net;
using Amazon.S3;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Browser.Tests;

/// <summary>
/// Cairn's web console at <c>/_cairn/console/</c> in headless Chromium, used as a person would: sign in, make a
/// bucket, upload, browse, download, delete, make a user and a key. What the console did is then read back with
/// the AWS SDK, never from the page alone. Screenshots of each step go to <c>screenshots/ConsoleTests/</c>.
/// </summary>
[Trait("Issue", "14")]
public sealed class ConsoleTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private AmazonS3Client S3 => fixture.S3;

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<ConsolePage> SignedInAsRootAsync()
    {
        var console = await fixture.OpenConsoleAsync();
        await console.SignInAsync(fixture.Cairn.AccessKey, fixture.Cairn.SecretKey);
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Buckets" })).ToBeVisibleAsync();
        return console;
    }

    [Fact(Timeout = 120_000)]
    public async Task Sign_in_create_a_bucket_upload_browse_download_delete_and_make_a_user_with_a_key()
    {
        var bucket = NewName("console");
        var body = BrowserFixture.RandomBody(300_000, seed: 14);
        await using var console = await fixture.OpenConsoleAsync();
        var page = console.Page;

        // Sign in with the root keys.
        await console.SaveScreenshotAsync("1-sign-in");
        await console.SignInAsync(fixture.Cairn.AccessKey, fixture.Cairn.SecretKey);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Buckets" })).ToBeVisibleAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync(fixture.Cairn.AccessKey + " (root)");

        // Create a bucket.
        await page.Locator("#new-bucket").FillAsync(bucket);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create bucket" }).ClickAsync();
        await Expect(console.Row("data-bucket", bucket)).ToBeVisibleAsync();
        await console.SaveScreenshotAsync("2-bucket-created");
        Assert.Contains(bucket, (await S3.ListBucketsAsync()).Buckets.Select(b => b.BucketName));

        // Upload a file under a prefix: go to the prefix, choose the file, upload.
        await console.Row("data-bucket", bucket).GetByRole(AriaRole.Link, new() { Name = bucket }).ClickAsync();
        await page.Locator("#prefix-filter").FillAsync("reports/2026/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Go" }).ClickAsync();
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();
        await page.Locator("#upload-files").SetInputFilesAsync(new FilePayload { Name = "report.bin", MimeType = "application/x-report", Buffer = body });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        const string key = "reports/2026/report.bin";
        await Expect(console.Row("data-key", key)).ToBeVisibleAsync();
        await console.SaveScreenshotAsync("3-uploaded");
        var stored = await fixture.ReadObjectAsync(bucket, key);
        Assert.Equal(body, stored.Body);
        Assert.Equal("application/x-report", stored.ContentType);

        // Browse from the bucket's top: the prefix shows as a folder, then the object inside it.
        await page.Locator(".crumbs").GetByRole(AriaRole.Link, new() { Name = bucket }).ClickAsync();
        await Expect(console.Row("data-prefix", "reports/")).ToBeVisibleAsync();
        await console.Row("data-prefix", "reports/").GetByRole(AriaRole.Link).ClickAsync();
        await console.Row("data-prefix", "reports/2026/").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(console.Row("data-key", key)).ToContainTextAsync("report.bin");
        await console.SaveScreenshotAsync("4-browsed");

        // Download: the browser saves the file; its bytes are the upload's.
        var download = await page.RunAndWaitForDownloadAsync(() =>
            console.Row("data-key", key).GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        Assert.Equal("report.bin", download.SuggestedFilename);
        var saved = await download.PathAsync();
        Assert.Equal(body, await File.ReadAllBytesAsync(saved));

        // Delete it (the confirmation is accepted): gone from the page and from the bucket.
        await console.Row("data-key", key).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();
        await console.SaveScreenshotAsync("5-deleted");
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.GetObjectMetadataAsync(bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Make a user (its first key is shown once), then a second key for it.
        var user = NewName("user");
        await page.GetByRole(AriaRole.Link, new() { Name = "Users and keys" }).ClickAsync();
        await page.Locator("#new-user").FillAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(console.Row("data-user", user)).ToBeVisibleAsync();
        var firstKey = await page.Locator("#new-access-key").TextContentAsync();
        await console.Row("data-user", user).GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await Expect(page.Locator("#new-access-key")).Not.ToHaveTextAsync(firstKey!);
        var accessKey = await page.Locator("#new-access-key").TextContentAsync();
        var secretKey = await page.Locator("#new-secret-key").TextContentAsync();
        await Expect(console.Row("data-access-key", accessKey!)).ToContainTextAsync(user);
        await Expect(console.Row("data-access-key", firstKey!)).ToContainTextAsync("active");
        await console.SaveScreenshotAsync("6-user-and-key");

        // The new key works: the user lists (no) buckets with it, and makes one of its own.
        using var asUser = fixture.Cairn.CreateClient(accessKey, secretKey);
        Assert.Empty((await asUser.ListBucketsAsync()).Buckets ?? []);
        var own = NewName("own");
        await asUser.PutBucketAsync(own);
        Assert.Contains(own, (await asUser.ListBucketsAsync()).Buckets.Select(b => b.BucketName));
        Assert.True(await page.Locator("#status .error").CountAsync() == 0, console.Log());
    }
}
