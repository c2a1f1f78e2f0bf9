using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// CORS (issue 14) as a browser meets it, over real HTTP: the configuration calls with the AWS SDK
/// and their bad inputs; preflights (unsigned OPTIONS) allowed and refused with S3's codes; the
/// Access-Control-* headers on an actual request, an error answer included.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class CorsTests(AccessFixture fixture)
{
    private const string App = "https://app.example.com";

    private CairnServer Server => fixture.Server;


    private static CORSConfiguration Configuration(string method = "PUT", string origin = App) => new()
    {
        Rules =
        [
            new CORSRule
            {
                Id = "app",
                AllowedOrigins = [origin],
                AllowedMethods = ["GET", method],
                AllowedHeaders = ["content-type", "x-amz-*"],
                ExposeHeaders = ["ETag"],
                MaxAgeSeconds = 600,
            },
        ],
    };

    private async Task<HttpResponseMessage> PreflightAsync(string bucket, string? origin, string? method, string? headers = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{Server.Endpoint}/{bucket}/upload.bin");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (method is not null)
        {
            request.Headers.Add("Access-Control-Request-Method", method);
        }
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }
        return await http.SendAsync(request);
    }

    private static async Task AssertCorsRefusalAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<Code>{code}</Code>", body, StringComparison.Ordinal);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_configuration_is_put_read_and_deleted_and_bad_ones_are_refused()
    {
        var s3 = Server.Client;
        var bucket = CairnServer.NewBucketName("cors");
        await s3.PutBucketAsync(bucket);

        await s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = bucket, Configuration = Configuration() });
        var read = Assert.Single((await s3.GetCORSConfigurationAsync(bucket)).Configuration.Rules);
        Assert.Equal(("app", 600), (read.Id, read.MaxAgeSeconds));
        Assert.Equal([App], read.AllowedOrigins);
        Assert.Equal(["GET", "PUT"], read.AllowedMethods);
        Assert.Equal(["content-type", "x-amz-*"], read.AllowedHeaders);
        Assert.Equal(["ETag"], read.ExposeHeaders);

        var unsupported = await AccessFixture.RefusedAsync(() => s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = Configuration(method: "PATCH"),
        }), HttpStatusCode.BadRequest, "InvalidRequest");
        Assert.Equal("Found unsupported HTTP method in CORS config. Unsupported method is PATCH", unsupported.Message);
        await AccessFixture.RefusedAsync(() => s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = Configuration(origin: "https://*.*.example.com"),
        }), HttpStatusCode.BadRequest, "InvalidRequest");
        await AccessFixture.RefusedAsync(() => s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = CairnServer.NewBucketName("nocors"),
            Configuration = Configuration(),
        }), HttpStatusCode.NotFound, "NoSuchBucket");
        Assert.Equal(["GET", "PUT"], Assert.Single((await s3.GetCORSConfigurationAsync(bucket)).Configuration.Rules).AllowedMethods);

        await s3.DeleteCORSConfigurationAsync(bucket);
        await s3.DeleteCORSConfigurationAsync(bucket);
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, App, "PUT"), HttpStatusCode.Forbidden, "AccessForbidden",
            "CORS is not enabled for this bucket");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_preflight_is_answered_by_the_rules_without_a_signature()
    {
        var s3 = Server.Client;
        var bucket = CairnServer.NewBucketName("preflight");
        await s3.PutBucketAsync(bucket);
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, App, "PUT"), HttpStatusCode.Forbidden, "AccessForbidden",
            "CORS is not enabled for this bucket");
        await s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = bucket, Configuration = Configuration() });

        using var allowed = await PreflightAsync(bucket, App, "PUT", "Content-Type, X-Amz-Date");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(App, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET, PUT", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("content-type, x-amz-date", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("600", allowed.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal("ETag", allowed.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.Equal("true", allowed.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        const string NotAllowed = "This CORS request is not allowed";
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, "https://evil.example.net", "PUT"), HttpStatusCode.Forbidden, "AccessForbidden", NotAllowed);
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, App, "DELETE"), HttpStatusCode.Forbidden, "AccessForbidden", NotAllowed);
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, App, "PUT", "authorization"), HttpStatusCode.Forbidden, "AccessForbidden", NotAllowed);
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, null, "PUT"), HttpStatusCode.BadRequest, "BadRequest", "Origin request header needed");
        await AssertCorsRefusalAsync(await PreflightAsync(bucket, App, null), HttpStatusCode.BadRequest, "BadRequest", "Invalid Access-Control-Request-Method");
        await AssertCorsRefusalAsync(await PreflightAsync(CairnServer.NewBucketName("nobucket"), App, "PUT"), HttpStatusCode.Forbidden, "AccessForbidden",
            "Bucket not found");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_actual_request_from_an_allowed_origin_carries_the_CORS_headers_errors_included()
    {
        var s3 = Server.Client;
        var bucket = CairnServer.NewBucketName("actual");
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a.txt", ContentBody = "hello" });
        await s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = bucket, Configuration = Configuration() });
        string Url(string key) => s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Protocol = Protocol.HTTP,
        });
        using var http = new HttpClient();

        async Task<HttpResponseMessage> GetAsync(string key, string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(key));
            request.Headers.Add("Origin", origin);
            return await http.SendAsync(request);
        }

        using var ok = await GetAsync("a.txt", App);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("hello", await ok.Content.ReadAsStringAsync());
        Assert.Equal(App, ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("ETag", ok.Headers.GetValues("Access-Control-Expose-Headers").Single());

        using var missing = await GetAsync("absent.txt", App);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(App, missing.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var other = await GetAsync("a.txt", "https://evil.example.net");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode); // the request itself is allowed; the browser withholds the answer
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
