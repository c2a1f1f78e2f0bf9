using System.Security.Cryptography;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// DESIGN invariant 8 on the wire: each bad request gets the status and error code AWS returns, an
/// XML error body whose RequestId is the x-amz-request-id header, and leaves the store as it was
/// (<see cref="StoreSnapshot"/>). Requests are built and signed by <see cref="WireSigner"/>, so each
/// differs from a valid one (see BadInputTests.Controls.cs) by exactly the fault under test.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed partial class BadInputTests(BadInputFixture fixture)
{
    /// <summary>Three chunk-store chunks and a bit: blobs are written before an end-of-body check fails.</summary>
    private const int LargeBodyLength = 3 * 64 * 1024 + 1000;

    private CairnServer Server => fixture.Server;

    private WireClient Wire => fixture.Wire;

    private WireSigner Signer => fixture.Signer;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A request with a body, not yet signed.</summary>
    private WireRequest WithBody(string method, string path, byte[] body, string query = "")
    {
        var request = Wire.Request(method, path, query);
        request.Body = body;
        return request;
    }

    /// <summary>Signs in the header form with the body's SHA-256 (or <paramref name="payloadHash"/>) and sends.</summary>
    private Task<WireResponse> SendSignedAsync(WireRequest request, string? payloadHash = null, WireSigner? signer = null, DateTimeOffset? time = null)
    {
        (signer ?? Signer).SignHeaders(request, time ?? Now, payloadHash ?? WireSigner.Sha256Hex(request.Body));
        return Wire.SendAsync(request);
    }

    /// <summary>A new empty bucket, created over the wire.</summary>
    private async Task<string> NewBucketAsync()
    {
        var bucket = CairnServer.NewBucketName("bad");
        var response = await SendSignedAsync(Wire.Request("PUT", WireSigner.PathOf(bucket)));
        Assert.True(response.Status == 200, response.ToString());
        return bucket;
    }

    /// <summary>A new bucket holding one object, so a listing has something to keep.</summary>
    private async Task<string> NewBucketWithObjectAsync(string key = "existing.bin")
    {
        var bucket = await NewBucketAsync();
        await PutAsync(bucket, key, Bytes(LargeBodyLength, seed: 99));
        return bucket;
    }

    private async Task PutAsync(string bucket, string key, byte[] body)
    {
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, key), body));
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"", response.Header("ETag"));
    }

    private Task<WireResponse> GetAsync(string bucket, string key, string? range = null)
    {
        var request = Wire.Request("GET", WireSigner.PathOf(bucket, key));
        if (range is not null)
        {
            request.Headers["range"] = range;
        }
        return SendSignedAsync(request);
    }

    private async Task AssertAbsentAsync(string bucket, string key)
    {
        var response = await GetAsync(bucket, key);
        S3ErrorAssert.Error(response, 404, "NoSuchKey");
    }
}
