using System.Net;
using System.Text.Json;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Admin;

/// <summary>
/// The web console's files at <c>/_cairn/console/</c> (issue 14) over HTTP: served to anyone (they hold no data;
/// every call the page makes is signed), same-origin only by their Content-Security-Policy, revalidated by ETag,
/// and nothing else answered there. What the console does is tested in a browser (Cairn.Browser.Tests).
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "14")]
public sealed class ConsoleAssetsTests(ServerFixture fixture)
{
    private HttpClient NewHttp() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.Server.Endpoint) };

    [Fact(Timeout = 30_000)]
    public async Task The_console_page_and_its_scripts_are_served_with_a_strict_policy_and_revalidated_by_ETag()
    {
        using var http = NewHttp();

        using var folder = await http.GetAsync("/_cairn/console");
        using var page = await http.GetAsync("/_cairn/console/");
        using var script = await http.GetAsync("/_cairn/console/console.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/_cairn/console/console.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.Tag);
        using var unchanged = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.MovedPermanently, folder.StatusCode);
        Assert.Equal("/_cairn/console/", folder.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script type=\"module\" src=\"console.js\">", await page.Content.ReadAsStringAsync());
        var policy = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Contains("import { CairnClient, CallError } from './s3.js';", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{0}", HttpStatusCode.NotModified)]
    [InlineData("W/{0}", HttpStatusCode.NotModified)]
    [InlineData("\"other\", {0}", HttpStatusCode.NotModified)]
    [InlineData("*", HttpStatusCode.NotModified)]
    [InlineData("\"other\"", HttpStatusCode.OK)]
    public async Task If_None_Match_is_read_as_a_list_of_tags_compared_weakly(string ifNoneMatch, HttpStatusCode expected)
    {
        using var http = NewHttp();
        using var first = await http.GetAsync("/_cairn/console/s3.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/_cairn/console/s3.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, ifNoneMatch, first.Headers.ETag!.Tag));

        using var response = await http.SendAsync(again);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task HEAD_answers_the_headers_of_GET_without_the_body()
    {
        using var http = NewHttp();

        using var get = await http.GetAsync("/_cairn/console/");
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/_cairn/console/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.GetValues("Content-Security-Policy"), head.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal("same-origin", head.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task An_object_read_path_style_shares_the_consoles_origin_and_so_is_served_sandboxed()
    {
        var bucket = CairnServer.NewBucketName("sandbox");
        await fixture.Server.Client.PutBucketAsync(bucket);
        await fixture.Server.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket,
            Key = "page.html",
            ContentBody = "<script>opener.document.title = 'taken'</script>",
            ContentType = "text/html",
        });
        var url = fixture.Server.Client.GetPreSignedURL(new Amazon.S3.Model.GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = "page.html",
            Verb = Amazon.S3.HttpVerb.GET,
            Protocol = Amazon.S3.Protocol.HTTP,
            Expires = DateTime.UtcNow.AddMinutes(5),
        });
        using var http = new HttpClient();

        using var response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        // An opaque origin: its scripts reach neither the console's windows nor the origin's storage.
        Assert.Equal("sandbox allow-scripts allow-forms allow-popups allow-downloads", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact(Timeout = 30_000)]
    public async Task Settings_name_the_region_to_sign_for()
    {
        using var http = NewHttp();

        var settings = JsonDocument.Parse(await http.GetStringAsync("/_cairn/console/settings.json")).RootElement;

        Assert.Equal(CairnServer.Region, settings.GetProperty("region").GetString());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("GET", "/_cairn/console/no-such-file.js", HttpStatusCode.NotFound)]
    [InlineData("GET", "/_cairn/console/index.html.bak", HttpStatusCode.NotFound)]
    [InlineData("POST", "/_cairn/console/", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", "/_cairn/console/console.js", HttpStatusCode.MethodNotAllowed)]
    public async Task Nothing_but_the_console_files_is_answered_there(string method, string path, HttpStatusCode expected)
    {
        using var http = NewHttp();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
    }
}
