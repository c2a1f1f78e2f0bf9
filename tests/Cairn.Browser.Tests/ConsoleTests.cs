using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
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
        await Expect(page.Locator("#upload")).ToContainTextAsync("Upload to reports/2026/:");
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
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Bucket_settings_object_details_versions_tags_and_the_bucket_root_verify()
    {
        // Arrange: a bucket with one object carrying user metadata.
        var bucket = await fixture.CreateBucketAsync("settings");
        const string key = "docs/a.txt";
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "first", Metadata = { ["team"] = "storage" } });
        await using var console = await SignedInAsRootAsync();
        var page = console.Page;

        // Versioning on, from the settings page.
        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/settings/{bucket}");
        await Expect(page.Locator("#versioning-status")).ToHaveTextAsync("Off");
        await page.Locator("#versioning-enable").ClickAsync();
        await Expect(page.Locator("#versioning-status")).ToHaveTextAsync("Enabled");
        Assert.Equal(VersionStatus.Enabled, (await S3.GetBucketVersioningAsync(bucket)).VersioningConfig.Status);

        // A lifecycle rule and a policy saved from their editors; a malformed policy is refused and changes nothing.
        await page.Locator("#lifecycle").FillAsync(
            "<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>");
        await page.Locator("#lifecycle-save").ClickAsync();
        await console.StatusSaysAsync("Lifecycle saved.");
        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Sid":"ReadDocs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/docs/*"}]}""";
        await page.Locator("#policy").FillAsync(policy);
        await page.Locator("#policy-save").ClickAsync();
        await console.StatusSaysAsync("Policy saved.");
        await page.Locator("#policy").FillAsync("{ not json");
        await page.Locator("#policy-save").ClickAsync();
        await console.StatusSaysAsync("MalformedPolicy (400)");
        Assert.Equal("expire-tmp", Assert.Single((await S3.GetLifecycleConfigurationAsync(bucket)).Configuration.Rules).Id);
        Assert.Contains("ReadDocs", (await S3.GetBucketPolicyAsync(bucket)).Policy);

        // The bucket root: folded now, then every stored block checked against it.
        await Expect(page.Locator("#tree-root")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^bafy"));
        var root = await page.Locator("#tree-root").TextContentAsync();
        await page.Locator("#verify").ClickAsync();
        await Expect(page.Locator("#verify-outcome")).ToContainTextAsync("Verified: seq");
        await Expect(page.Locator("#verify-outcome")).ToContainTextAsync($"root {root}; 1 key, 1 manifest, 1 chunk");
        await console.SaveScreenshotAsync("1-settings");

        // A second version; the object's page shows its metadata, both versions, and saves a tag.
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "second", Metadata = { ["team"] = "storage" } });
        var versions = (await S3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = key })).Versions;
        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/o/{bucket}/{Uri.EscapeDataString(key)}");
        await Expect(page.Locator("#metadata")).ToContainTextAsync("x-amz-meta-team");
        await Expect(page.Locator("#metadata")).ToContainTextAsync("storage");
        await Expect(page.Locator("#versions tbody tr")).ToHaveCountAsync(2);
        await Expect(console.Row("data-version", versions[0].VersionId)).ToContainTextAsync("(current)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await page.Locator(".tag-key").FillAsync("project");
        await page.Locator(".tag-value").FillAsync("cairn");
        await page.Locator("#save-tags").ClickAsync();
        await console.StatusSaysAsync("Tags saved.");
        var tags = (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging;
        Assert.Equal(("project", "cairn"), (Assert.Single(tags).Key, tags[0].Value));
        await console.SaveScreenshotAsync("2-object");

        // The older version deleted from its row: only the current one is left.
        await console.Row("data-version", versions[1].VersionId).GetByRole(AriaRole.Button, new() { Name = "Delete version" }).ClickAsync();
        await Expect(page.Locator("#versions tbody tr")).ToHaveCountAsync(1);
        var left = (await S3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = key })).Versions;
        Assert.Equal(versions[0].VersionId, Assert.Single(left).VersionId);

        // Usage and background work read the admin API.
        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();
        await Expect(console.Row("data-bucket", bucket)).ToContainTextAsync("Enabled");
        await page.GetByRole(AriaRole.Link, new() { Name = "Background work" }).ClickAsync();
        await Expect(page.Locator("#workers")).ToContainTextAsync("delete-queue-sweeper");
        await Expect(page.Locator("#delete-queue")).ToContainTextAsync("blobs waiting");
        await Expect(page.Locator("#committer-off")).ToContainTextAsync("No node runs the tree committer"); // the test host runs none
        await console.SaveScreenshotAsync("3-work");
        Assert.True(await page.Locator("#status .error").CountAsync() == 0, console.Log());
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Bad_keys_and_bad_names_are_refused_with_S3s_codes_and_a_user_sees_only_what_it_may()
    {
        var rootBucket = await fixture.CreateBucketAsync("private");
        await using var console = await fixture.OpenConsoleAsync();
        var page = console.Page;

        // A wrong secret and an unknown key: the form says why and nothing is kept.
        await console.SignInAsync(fixture.Cairn.AccessKey, "not-the-secret-0123456789abcdefghijklmnop");
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("SignatureDoesNotMatch");
        await console.SignInAsync("CKNOSUCHKEY000000000", fixture.Cairn.SecretKey);
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("InvalidAccessKeyId");
        await console.SaveScreenshotAsync("1-refused");

        // Signed in as root, the keys live in the page's memory only; a bucket name S3 does not allow is refused and nothing is made.
        await console.SignInAsync(fixture.Cairn.AccessKey, fixture.Cairn.SecretKey);
        await Expect(page.Locator("#who")).ToHaveTextAsync(fixture.Cairn.AccessKey + " (root)");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => sessionStorage.length + localStorage.length + document.cookie.length"));
        await page.Locator("#new-bucket").FillAsync("Bad_Name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create bucket" }).ClickAsync();
        await console.StatusSaysAsync("InvalidBucketName (400)");
        Assert.DoesNotContain("Bad_Name", (await S3.ListBucketsAsync()).Buckets.Select(b => b.BucketName));

        // A user made here, then signed in with its key: no admin panes, and root's bucket is refused.
        var user = NewName("viewer");
        await page.GetByRole(AriaRole.Link, new() { Name = "Users and keys" }).ClickAsync();
        await page.Locator("#new-user").FillAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        var accessKey = await page.Locator("#new-access-key").TextContentAsync();
        var secretKey = await page.Locator("#new-secret-key").TextContentAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await console.SignInAsync(accessKey!, secretKey!);
        await Expect(page.Locator("#who")).ToHaveTextAsync(accessKey!);
        await Expect(page.Locator("main")).ToContainTextAsync("No buckets yet."); // root's are not listed to it
        await page.GetByRole(AriaRole.Link, new() { Name = "Users and keys" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("needs the root credentials");
        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/b/{rootBucket}/");
        await console.StatusSaysAsync("AccessDenied (403)");
        await console.SaveScreenshotAsync("2-user");
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_Web_Crypto_as_on_a_plain_HTTP_page_the_console_signs_with_its_own_SHA_256()
    {
        // Browsers give crypto.subtle to secure contexts only; 127.0.0.1 is one, so it is taken away here.
        var bucket = await fixture.CreateBucketAsync("nocrypto");
        var body = BrowserFixture.RandomBody(70_000, seed: 256);
        await using var console = await fixture.OpenConsoleAsync("Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });");
        var page = console.Page;
        Assert.True(await page.EvaluateAsync<bool>("() => crypto.subtle === undefined"));

        await console.SignInAsync(fixture.Cairn.AccessKey, fixture.Cairn.SecretKey);
        await Expect(page.Locator("#who")).ToHaveTextAsync(fixture.Cairn.AccessKey + " (root)");
        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/b/{bucket}/");
        await page.Locator("#upload-files").SetInputFilesAsync(new FilePayload { Name = "plain.bin", MimeType = "application/octet-stream", Buffer = body });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(console.Row("data-key", "plain.bin")).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            console.Row("data-key", "plain.bin").GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        // A signed configuration document: its payload hash and x-amz-checksum-sha256 both come from sha256.js.
        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/settings/{bucket}");
        await page.Locator("#versioning-enable").ClickAsync();
        await Expect(page.Locator("#versioning-status")).ToHaveTextAsync("Enabled");

        Assert.Equal(body, await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.Equal(body, (await fixture.ReadObjectAsync(bucket, "plain.bin")).Body);
        Assert.Equal(VersionStatus.Enabled, (await S3.GetBucketVersioningAsync(bucket)).VersioningConfig.Status);
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Keys_with_spaces_plus_signs_brackets_and_non_ASCII_letters_upload_list_download_and_delete()
    {
        // SigV4 encodes a path once, byte by byte: the page and the server must agree on every character here.
        var bucket = await fixture.CreateBucketAsync("encoding");
        const string prefix = "dir with space+plus/ünï (1)*/";
        const string fileName = "naïve résumé & notes [v2]!'.txt"; // no '*' here: browsers save it as '_'.
        var body = BrowserFixture.RandomBody(5_000, seed: 42);
        await using var console = await SignedInAsRootAsync();
        var page = console.Page;

        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/b/{bucket}/");
        await page.Locator("#prefix-filter").FillAsync(prefix);
        await page.GetByRole(AriaRole.Button, new() { Name = "Go" }).ClickAsync();
        await Expect(page.Locator("#upload")).ToContainTextAsync($"Upload to {prefix}:");
        await page.Locator("#upload-files").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "text/plain", Buffer = body });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        var row = page.Locator("#objects tbody tr").Filter(new() { HasText = fileName });
        await Expect(row).ToHaveCountAsync(1);
        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        var stored = await fixture.ReadObjectAsync(bucket, prefix + fileName);
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(prefix + fileName);
        await Expect(page.Locator("#metadata")).ToContainTextAsync("text/plain");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.Locator("#empty")).ToBeVisibleAsync(); // back in its folder, now empty

        Assert.Equal(body, stored.Body);
        Assert.Equal(fileName, download.SuggestedFilename);
        Assert.Equal(body, await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.Empty((await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Markup_in_keys_and_metadata_shows_as_text_and_never_runs()
    {
        var bucket = await fixture.CreateBucketAsync("markup");
        const string key = "<img src=x onerror=alert('key')>.html";
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ContentBody = "<script>alert('body')</script>",
            ContentType = "text/html",
            Metadata = { ["note"] = "<script>alert('meta')</script>" },
        });
        await using var console = await SignedInAsRootAsync();
        var page = console.Page;

        await page.GotoAsync($"{fixture.Cairn.Endpoint}/_cairn/console/#/b/{bucket}/");
        await Expect(page.Locator("#objects")).ToContainTextAsync(key);
        await page.Locator("#objects a").Filter(new() { HasText = key }).ClickAsync();
        await Expect(page.Locator("#metadata")).ToContainTextAsync("<script>alert('meta')</script>");
        await Expect(page.Locator("h1")).ToHaveTextAsync(key);
        await console.SaveScreenshotAsync("1-markup-as-text");

        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.Empty(console.Dialogs);
        Assert.Empty(console.PageErrors);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_pages_own_SHA_256_and_HMAC_match_dotNET_across_block_edges_and_long_keys()
    {
        await using var console = await fixture.OpenConsoleAsync();
        var cases = new List<(byte[] Key, byte[] Message)>();
        var random = new Random(180_4);
        foreach (var length in new[] { 0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_000 })
        {
            foreach (var keyLength in new[] { 0, 20, 64, 65, 131 })
            {
                var key = new byte[keyLength];
                var message = new byte[length];
                random.NextBytes(key);
                random.NextBytes(message);
                cases.Add((key, message));
            }
        }

        var answers = await console.Page.EvaluateAsync<string[][]>("""
            async cases => {
              const { sha256, hmacSha256 } = await import('./sha256.js');
              const bytes = b64 => Uint8Array.from(atob(b64), c => c.charCodeAt(0));
              const hex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
              return cases.map(([key, message]) => [hex(sha256(bytes(message))), hex(hmacSha256(bytes(key), bytes(message)))]);
            }
            """, cases.Select(c => new[] { Convert.ToBase64String(c.Key), Convert.ToBase64String(c.Message) }).ToArray());

        Assert.Equal(cases.Count, answers.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(cases[i].Message)), answers[i][0]);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(cases[i].Key, cases[i].Message)), answers[i][1]);
        }
    }
}
