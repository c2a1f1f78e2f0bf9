using System.Globalization;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Builders for the request forms the tests send; the controls show each is accepted when nothing is wrong.</summary>
public sealed partial class BadInputTests
{
    /// <summary>
    /// A PUT with an aws-chunked body in <paramref name="mode"/> (one of the STREAMING-* payload
    /// values), signed in the header form at <paramref name="time"/>. x-amz-decoded-content-length is
    /// the chunks' total unless <paramref name="decodedLength"/> says otherwise; <paramref name="trailers"/>
    /// are declared in x-amz-trailer and sent after the final chunk; <paramref name="tamper"/> may
    /// change a chunk or its claimed signature after signing.
    /// </summary>
    private WireRequest ChunkedPut(
        string bucket,
        string key,
        IReadOnlyList<byte[]> chunks,
        string mode,
        DateTimeOffset time,
        long? decodedLength = null,
        IReadOnlyList<(string Name, string Value)>? trailers = null,
        Func<int, byte[], string, (byte[] Data, string Signature)>? tamper = null)
    {
        var request = Wire.Request("PUT", WireSigner.PathOf(bucket, key));
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

    [Theory(Timeout = 30_000)]
    [InlineData("header-signed")]
    [InlineData("presigned")]
    [InlineData("raw-socket")]
    [InlineData("content-md5")]
    [InlineData("crc32-header")]
    [InlineData(WireSigner.StreamingSigned)]
    [InlineData(WireSigner.StreamingSignedTrailer)]
    [InlineData(WireSigner.StreamingUnsignedTrailer)]
    public async Task Control_a_correct_PutObject_in_each_request_form_is_stored(string form)
    {
        // Arrange
        var bucket = await NewBucketAsync();
        var body = Bytes(LargeBodyLength, seed: 1);
        var path = WireSigner.PathOf(bucket, "control");
        var time = Now;

        // Act
        WireResponse? response;
        switch (form)
        {
            case "header-signed":
                response = await SendSignedAsync(WithBody("PUT", path, body));
                break;
            case "presigned":
                var presigned = WithBody("PUT", path, body);
                Signer.Presign(presigned, time, expiresSeconds: 300);
                response = await Wire.SendAsync(presigned);
                break;
            case "raw-socket":
                var raw = WithBody("PUT", path, body);
                Signer.SignHeaders(raw, time, WireSigner.Sha256Hex(body));
                response = await Wire.SendRawAsync(raw, body.Length, shutdownSend: false);
                break;
            case "content-md5":
                var md5 = WithBody("PUT", path, body);
                md5.Headers["content-md5"] = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body));
                response = await SendSignedAsync(md5);
                break;
            case "crc32-header":
                var crc = WithBody("PUT", path, body);
                crc.Headers["x-amz-checksum-crc32"] = Crc32.Base64(body);
                response = await SendSignedAsync(crc);
                break;
            default:
                var trailers = form == WireSigner.StreamingSigned ? null : new[] { ("x-amz-checksum-crc32", Crc32.Base64(body)) };
                response = await Wire.SendAsync(ChunkedPut(bucket, "control", Split(body, 64 * 1024), form, time, trailers: trailers));
                break;
        }

        // Assert
        Assert.NotNull(response);
        Assert.True(response.Status == 200, response.ToString());
        var get = await GetAsync(bucket, "control");
        Assert.Equal(200, get.Status);
        Assert.Equal(body, get.Body);
    }
}
