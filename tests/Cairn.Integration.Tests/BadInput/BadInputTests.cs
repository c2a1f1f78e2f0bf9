using System.Globalization;
using System.Security.Cryptography;

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

    private WireSigV2Signer SignerV2 => fixture.SignerV2;

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

    /// <summary>
    /// A PUT with an aws-chunked body in <paramref name="mode"/> (one of the STREAMING-* payload
    /// values), signed in the header form at <paramref name="time"/>. x-amz-decoded-content-length is
    /// the chunks' total unless <paramref name="decodedLength"/> says otherwise; <paramref name="trailers"/>
    /// are declared in x-amz-trailer and sent after the final chunk; <paramref name="tamper"/> may
    /// change a chunk or its claimed signature after signing; <paramref name="query"/> makes it an
    /// UploadPart (<c>partNumber=...&amp;uploadId=...</c>).
    /// </summary>
    private WireRequest ChunkedPut(
        string bucket,
        string key,
        IReadOnlyList<byte[]> chunks,
        string mode,
        DateTimeOffset time,
        long? decodedLength = null,
        IReadOnlyList<(string Name, string Value)>? trailers = null,
        Func<int, byte[], string, (byte[] Data, string Signature)>? tamper = null,
        string query = "")
    {
        var request = Wire.Request("PUT", WireSigner.PathOf(bucket, key), query);
        request.Headers["content-encoding"] = "aws-chunked";
        request.Headers["x-amz-decoded-content-length"] = (decodedLength ?? chunks.Sum(static c => (long)c.Length)).ToString(CultureInfo.InvariantCulture);
        if (trailers is not null)
        {
            request.Headers["x-amz-trailer"] = string.Join(',', trailers.Select(static t => t.Name));
        }
        var signed = mode != WireSigner.StreamingUnsignedTrailer;
        var signTrailers = mode == WireSigner.StreamingSignedTrailer;
        // Signatures are always 64 hex digits, so a placeholder seed gives the encoded length to sign.
        var length = Signer.ChunkedBody(chunks, time, signed ? new string('0', 64) : null, trailers, signTrailers).Length;
        request.Headers["content-length"] = length.ToString(CultureInfo.InvariantCulture);
        var seed = Signer.SignHeaders(request, time, mode);
        request.Body = Signer.ChunkedBody(chunks, time, signed ? seed : null, trailers, signTrailers, tamper);
        Assert.Equal(length, request.Body.Length);
        return request;
    }

    /// <summary>A body cut into chunks of <paramref name="chunkSize"/> bytes (the last may be shorter).</summary>
    private static List<byte[]> Split(byte[] body, int chunkSize) => body.Chunk(chunkSize).ToList();

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

    /// <summary>The store is as <paramref name="before"/>, and the request was refused before any blob was written.</summary>
    private async Task AssertRefusedUpFrontAsync(StoreSnapshot before) =>
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));

    /// <summary>
    /// The store is as <paramref name="before"/>, although the request failed only after blobs were
    /// written: its upload was aborted and the sweep reclaimed them (so the check is not vacuous).
    /// </summary>
    private async Task AssertWrittenThenReclaimedAsync(StoreSnapshot before)
    {
        var reclaimed = await before.AssertUnchangedAsync(Server);
        Assert.True(reclaimed > 0, "expected the failed upload to have written blobs that the sweep reclaimed");
    }

    private async Task AssertAbsentAsync(string bucket, string key)
    {
        var response = await GetAsync(bucket, key);
        S3ErrorAssert.Error(response, 404, "NoSuchKey");
    }
}
