using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Web;
using System.Xml.Linq;
using Amazon.S3;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Signature Version 2 from real clients over HTTP on 127.0.0.1: the AWS CLI v1's `aws s3 presign` with its
/// default signer, and botocore's SigV2 signer (signature_version 's3') for header-signed PUT and GET, path and
/// virtual-hosted style, and presigned URLs. Each test checks the client really signed with SigV2.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "10")]
public sealed class SigV2ClientTests(ServerFixture fixture, VirtualHostServerFixture virtualHost)
    : IClassFixture<VirtualHostServerFixture>, IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs botocore operations, one JSON object per operation in (on stdin) and out. Every client signs with SigV2
    /// (signature_version 's3'); the Authorization scheme and Host of each request sent are reported back.
    /// </summary>
    private const string BotocoreScript = """
        import binascii, json, socket, sys
        from urllib.parse import urlsplit
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError

        args = json.loads(sys.stdin.read())
        if args["addressing"] == "virtual":
            # *.localhost does not resolve everywhere; the test server listens on 127.0.0.1.
            resolve = socket.getaddrinfo
            def loopback(host, *rest, **kwargs):
                if host == "localhost" or str(host).endswith(".localhost"):
                    host = "127.0.0.1"
                return resolve(host, *rest, **kwargs)
            socket.getaddrinfo = loopback

        sent = []
        def remember(request, **kwargs):
            value = request.headers.get("Authorization") or b""
            value = value.decode() if isinstance(value, bytes) else value
            sent.append({"scheme": value.split(" ")[0], "host": urlsplit(request.url).netloc})

        clients = {}
        def client_for(op):
            keys = (op.get("access_key", args["access_key"]), op.get("secret_key", args["secret_key"]))
            if keys not in clients:
                client = boto3.client(
                    "s3", endpoint_url=args["endpoint"], region_name="us-east-1",
                    aws_access_key_id=keys[0], aws_secret_access_key=keys[1],
                    config=Config(signature_version="s3", s3={"addressing_style": args["addressing"]},
                                  retries={"max_attempts": 1}))
                client.meta.events.register("before-send.s3.*", remember)
                clients[keys] = client
            return clients[keys]

        results = []
        for op in args["ops"]:
            sent.clear()
            client = client_for(op)
            try:
                if op["op"] == "put":
                    response = client.put_object(Bucket=op["bucket"], Key=op["key"], Body=binascii.unhexlify(op["body"]),
                                                 ContentType=op["content_type"], Metadata=op["metadata"])
                    result = {"etag": response["ETag"]}
                elif op["op"] == "get":
                    response = client.get_object(Bucket=op["bucket"], Key=op["key"])
                    result = {"body": binascii.hexlify(response["Body"].read()).decode(),
                              "content_type": response["ContentType"], "metadata": response["Metadata"]}
                elif op["op"] == "presign":
                    params = {"Bucket": op["bucket"], "Key": op["key"], **op.get("params", {})}
                    result = {"url": client.generate_presigned_url(op["method"], Params=params, ExpiresIn=op["expires"])}
                result["status"] = 200 if op["op"] == "presign" else response["ResponseMetadata"]["HTTPStatusCode"]
            except ClientError as error:
                result = {"status": error.response["ResponseMetadata"]["HTTPStatusCode"], "code": error.response["Error"]["Code"]}
            result["sent"] = list(sent)
            results.append(result)
        print(json.dumps(results))
        """;

    private readonly AmazonS3Client _s3 = fixture.Server.Client;
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact(Timeout = 90_000)]
    public async Task AwsCli_v1_presign_with_its_default_signer_is_SigV2_and_downloads_the_object()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(700_000);
        await _s3.PutBytesAsync(bucket, "dir/k v+1.bin", body);

        // Act
        var url = (await AwsCliPresignAsync($"s3://{bucket}/dir/k v+1.bin")).Trim();
        using var response = await _http.GetAsync(new Uri(url));

        // Assert: the CLI's default on this machine is SigV2 (a v2 CLI would presign SigV4 and fail here, not pass).
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        Assert.NotNull(query["AWSAccessKeyId"]);
        Assert.NotNull(query["Signature"]);
        Assert.NotNull(query["Expires"]);
        Assert.Null(query["X-Amz-Algorithm"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = 90_000)]
    public async Task AwsCli_v1_presigned_URL_used_after_its_Expires_returns_AccessDenied_Request_has_expired()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1, 2, 3]);
        var url = (await AwsCliPresignAsync($"s3://{bucket}/k", "--expires-in", "1")).Trim();
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(HttpUtility.ParseQueryString(new Uri(url).Query)["Expires"]!, CultureInfo.InvariantCulture));
        var wait = expires.AddMilliseconds(1_100) - DateTimeOffset.UtcNow;
        Assert.InRange(wait, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await Task.Delay(wait);

        // Act
        using var response = await _http.GetAsync(new Uri(url));

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("AccessDenied", error.Element("Code")?.Value);
        Assert.Equal("Request has expired", error.Element("Message")?.Value);
        Assert.Equal(expires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), error.Element("Expires")?.Value);
    }

    [Fact(Timeout = 90_000)]
    public async Task Botocore_SigV2_header_signed_PUT_and_GET_round_trip_path_style()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(600_000);
        const string Key = "dir/a b+c=d.txt";

        // Act
        var results = await BotocoreAsync(fixture.Server.Endpoint, "path",
            Put(bucket, Key, body),
            new { op = "get", bucket, key = Key });

        // Assert
        AssertSignedWithSigV2(results);
        Assert.Equal(200, results[0].GetProperty("status").GetInt32());
        Assert.Equal(ActionTestExtensions.QuotedMd5(body), results[0].GetProperty("etag").GetString());
        Assert.Equal(Convert.ToHexStringLower(body), results[1].GetProperty("body").GetString());
        Assert.Equal("text/plain", results[1].GetProperty("content_type").GetString());
        Assert.Equal("me", results[1].GetProperty("metadata").GetProperty("who").GetString());
        Assert.All(Sent(results), s => Assert.Equal(new Uri(fixture.Server.Endpoint).Authority, s.Host));
        Assert.Equal(body, await _s3.GetBytesAsync(bucket, Key)); // and SigV4 reads what SigV2 wrote
    }

    [Fact(Timeout = 90_000)]
    public async Task Botocore_SigV2_header_signed_PUT_and_GET_round_trip_virtual_hosted_style()
    {
        // Arrange
        var bucket = await virtualHost.Client.NewBucketAsync("vh");
        var body = RandomNumberGenerator.GetBytes(300_000);

        // Act
        var results = await BotocoreAsync($"http://{VirtualHostServerFixture.BaseDomain}:{virtualHost.Port}", "virtual",
            Put(bucket, "photos/puppy.jpg", body),
            new { op = "get", bucket, key = "photos/puppy.jpg" });

        // Assert: the bucket travelled in the Host header, and SigV2 signed it in front of the path.
        AssertSignedWithSigV2(results);
        Assert.All(Sent(results), s => Assert.Equal($"{bucket}.{VirtualHostServerFixture.BaseDomain}:{virtualHost.Port}", s.Host));
        Assert.Equal(200, results[0].GetProperty("status").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(body), results[1].GetProperty("body").GetString());
    }

    [Fact(Timeout = 90_000)]
    public async Task Botocore_SigV2_presigned_PUT_stores_the_bytes_and_presigned_GET_applies_response_overrides()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(400_000);
        var presigned = await BotocoreAsync(fixture.Server.Endpoint, "path",
            new { op = "presign", method = "put_object", bucket, key = "up.bin", expires = 300 },
            new
            {
                op = "presign",
                method = "get_object",
                bucket,
                key = "up.bin",
                expires = 300,
                @params = new { ResponseContentDisposition = "attachment; filename=\"up.bin\"", ResponseContentType = "application/x-up" },
            });
        var putUrl = new Uri(presigned[0].GetProperty("url").GetString()!);
        var getUrl = new Uri(presigned[1].GetProperty("url").GetString()!);

        // Act
        using var put = await _http.PutAsync(putUrl, new ByteArrayContent(body));
        using var get = await _http.GetAsync(getUrl);

        // Assert
        Assert.Contains("AWSAccessKeyId=", putUrl.Query, StringComparison.Ordinal);
        Assert.Contains("AWSAccessKeyId=", getUrl.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment; filename=\"up.bin\"", get.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal("application/x-up", get.Content.Headers.ContentType?.ToString());
    }

    [Fact(Timeout = 90_000)]
    public async Task Botocore_SigV2_overwrite_with_a_wrong_secret_or_unknown_key_is_refused_and_the_object_is_unchanged()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var original = RandomNumberGenerator.GetBytes(300_000);
        await _s3.PutBytesAsync(bucket, "k", original);

        // Act
        var results = await BotocoreAsync(fixture.Server.Endpoint, "path",
            Put(bucket, "k", RandomNumberGenerator.GetBytes(300_000), secretKey: CairnServer.SecretKey + "x"),
            Put(bucket, "k", RandomNumberGenerator.GetBytes(300_000), accessKey: "AKIDUNKNOWN000000000"),
            Put(bucket, "new", [1, 2, 3], secretKey: CairnServer.SecretKey + "x"));

        // Assert
        AssertSignedWithSigV2(results);
        Assert.Equal((403, "SignatureDoesNotMatch"), Refusal(results[0]));
        Assert.Equal((403, "InvalidAccessKeyId"), Refusal(results[1]));
        Assert.Equal((403, "SignatureDoesNotMatch"), Refusal(results[2]));
        Assert.Equal(original, await _s3.GetBytesAsync(bucket, "k"));
        var listing = await _s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["k"], listing.S3Objects.Select(o => o.Key));
    }

    private static object Put(string bucket, string key, byte[] body, string? accessKey = null, string? secretKey = null) => new
    {
        op = "put",
        bucket,
        key,
        body = Convert.ToHexStringLower(body),
        content_type = "text/plain",
        metadata = new { who = "me" },
        access_key = accessKey ?? CairnServer.AccessKey,
        secret_key = secretKey ?? CairnServer.SecretKey,
    };

    private static (int Status, string? Code) Refusal(JsonElement result) =>
        (result.GetProperty("status").GetInt32(), result.TryGetProperty("code", out var code) ? code.GetString() : null);

    private static IEnumerable<(string Scheme, string Host)> Sent(List<JsonElement> results) =>
        results.SelectMany(static r => r.GetProperty("sent").EnumerateArray())
            .Select(static s => (s.GetProperty("scheme").GetString()!, s.GetProperty("host").GetString()!));

    /// <summary>Every request the operations sent carried <c>Authorization: AWS ...</c>.</summary>
    private static void AssertSignedWithSigV2(List<JsonElement> results)
    {
        var sent = Sent(results).ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, s => Assert.Equal("AWS", s.Scheme));
    }

    /// <summary>`aws s3 presign` against the path-style server, with the CLI's default signer.</summary>
    private Task<string> AwsCliPresignAsync(string s3Uri, params string[] extra) =>
        ClientProcess.RunAsync("aws", ["s3", "presign", s3Uri, "--endpoint-url", fixture.Server.Endpoint, .. extra],
            CairnServer.AccessKey, CairnServer.SecretKey, ClientTimeout);

    private async Task<List<JsonElement>> BotocoreAsync(string endpoint, string addressing, params object[] ops)
    {
        var input = JsonSerializer.Serialize(new
        {
            endpoint,
            addressing,
            access_key = CairnServer.AccessKey,
            secret_key = CairnServer.SecretKey,
            ops,
        });
        var output = await ClientProcess.RunAsync("python3", ["-c", BotocoreScript], CairnServer.AccessKey, CairnServer.SecretKey,
            ClientTimeout, input);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
    }
}
