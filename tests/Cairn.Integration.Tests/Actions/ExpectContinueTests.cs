using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// <c>Expect: 100-continue</c> on the wire: the server says 100 Continue before a body it will read,
/// and answers at once, without 100, a request it rejects before the body (the client never sends it).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ExpectContinueTests(ServerFixture fixture)
{
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_Expect_100_continue_gets_100_then_200_and_stores_the_body()
    {
        var bucket = CairnServer.NewBucketName("expect");
        await fixture.Server.Client.PutBucketAsync(bucket);
        var body = RandomNumberGenerator.GetBytes(100 * 1024);
        using var socket = await ConnectAsync();
        await using var stream = new NetworkStream(socket);

        await stream.WriteAsync(Head(bucket, body.Length));
        var interim = await ReadHeadAsync(stream);
        await stream.WriteAsync(body);
        var final = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 100 Continue", interim, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", final, StringComparison.Ordinal);
        using var stored = await fixture.Server.Client.GetObjectAsync(bucket, "k");
        using var copy = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_Expect_100_continue_into_a_missing_bucket_is_answered_404_without_the_body()
    {
        var bucket = CairnServer.NewBucketName("expect-missing");
        using var socket = await ConnectAsync();
        await using var stream = new NetworkStream(socket);

        await stream.WriteAsync(Head(bucket, 100 * 1024));
        var response = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_error_answered_without_100_continue_closes_the_connection_so_the_unsent_body_cannot_swallow_the_next_request()
    {
        // Arrange: a refused header, answered before the body. The client, told no 100, sends no
        // body; on a kept connection the server would take the next request's bytes for it. So the
        // answer says Connection: close, and the client opens a new connection.
        var bucket = CairnServer.NewBucketName("expect-refused");
        await fixture.Server.Client.PutBucketAsync(bucket);
        using var socket = await ConnectAsync();
        await using var stream = new NetworkStream(socket);

        // Act
        await stream.WriteAsync(Head(bucket, 100 * 1024, ("x-amz-server-side-encryption", "aws:kms")));
        var response = await ReadHeadAsync(stream);

        // Assert
        Assert.StartsWith("HTTP/1.1 501", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => fixture.Server.Client.GetObjectMetadataAsync(bucket, "k"));
    }

    private async Task<Socket> ConnectAsync()
    {
        var uri = new Uri(fixture.Server.Endpoint);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", uri.Port);
        return socket;
    }

    private byte[] Head(string bucket, int length, params (string Name, string Value)[] extraHeaders)
    {
        var request = new WireRequest("PUT", new Uri(fixture.Server.Endpoint).Authority, WireSigner.PathOf(bucket, "k"));
        request.Headers["Content-Length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers["Expect"] = "100-continue";
        foreach (var (name, value) in extraHeaders)
        {
            request.Headers[name] = value;
        }
        _signer.SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.UnsignedPayload);
        var head = new StringBuilder($"PUT {request.Target} HTTP/1.1\r\n");
        foreach (var (name, value) in request.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    /// <summary>Reads one response head (status line and headers) and, for a final response, whatever body it declares.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }
            head.Append((char)one[0]);
        }
        var text = head.ToString();
        var lengthLine = text.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine is not null && int.TryParse(lengthLine["Content-Length:".Length..].Trim(), out var length))
        {
            var body = new byte[length];
            await stream.ReadExactlyAsync(body);
        }
        return text;
    }
}
