using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Requests real clients send that the first S3 core mishandled (found in review).</summary>
[Collection(ServerCollection.Name)]
public sealed class WireCompatibilityTests(ServerFixture fixture)
{
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    private AmazonS3Client S3 => fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task Presigned_PutObject_with_metadata_in_the_query_stores_the_metadata()
    {
        // Arrange: presigners (JS SDK v3 among them) move x-amz-meta-* into the signed query string.
        var bucket = await NewBucketAsync();
        using var wire = new WireClient(fixture.Server.Endpoint);
        var request = wire.Request("PUT", WireSigner.PathOf(bucket, "k"), "x-amz-meta-color=blue");
        request.Body = [1, 2, 3];
        _signer.Presign(request, DateTimeOffset.UtcNow, 300);

        // Act
        var response = await wire.SendAsync(request);

        // Assert
        Assert.Equal(200, response.Status);
        var head = await S3.GetObjectMetadataAsync(bucket, "k");
        Assert.Equal("blue", head.Metadata["x-amz-meta-color"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_a_UTF8_response_content_disposition_returns_it()
    {
        // Arrange
        var bucket = await NewBucketAsync();
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });
        var url = S3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = "k",
            Verb = HttpVerb.GET,
            Protocol = Protocol.HTTP,
            Expires = DateTime.UtcNow.AddMinutes(5),
            ResponseHeaderOverrides = { ContentDisposition = "attachment; filename=\"é.txt\"" },
        });
        using var http = new HttpClient();

        // Act
        using var response = await http.GetAsync(url);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment; filename=\"é.txt\"",
            System.Text.Encoding.UTF8.GetString(System.Text.Encoding.Latin1.GetBytes(string.Join(",", response.Content.Headers.GetValues("Content-Disposition")))));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("*")]
    [InlineData("\"0000\", ETAG")]
    public async Task PutObject_with_If_Match_star_or_a_list_containing_the_ETag_overwrites(string ifMatchTemplate)
    {
        // Arrange
        var bucket = await NewBucketAsync();
        var first = await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "one" });

        // Act
        var second = await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            ContentBody = "two",
            IfMatch = ifMatchTemplate.Replace("ETAG", first.ETag, StringComparison.Ordinal),
        });

        // Assert
        Assert.Equal(HttpStatusCode.OK, second.HttpStatusCode);
        using var get = await S3.GetObjectAsync(bucket, "k");
        Assert.Equal("two", await new StreamReader(get.ResponseStream).ReadToEndAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_without_Content_Length_and_without_a_body_succeeds()
    {
        // Arrange: generic HTTP clients send a bodiless PUT with no Content-Length (RFC 9112 §6.3: no body).
        var bucket = CairnServer.NewBucketName("nolength");
        using var wire = new WireClient(fixture.Server.Endpoint);
        var request = wire.Request("PUT", WireSigner.PathOf(bucket));
        _signer.SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));

        // Act: written by hand, since WireClient always adds a Content-Length.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, new Uri(fixture.Server.Endpoint).Port);
        var head = new System.Text.StringBuilder($"PUT {request.Target} HTTP/1.1\r\n");
        foreach (var (name, value) in request.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(head.Append("connection: close\r\n\r\n").ToString()));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        // Assert
        Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await S3.GetBucketLocationAsync(bucket)).HttpStatusCode);
    }

    private async Task<string> NewBucketAsync()
    {
        var bucket = CairnServer.NewBucketName("compat");
        await S3.PutBucketAsync(bucket);
        return bucket;
    }
}
