namespace Cairn.Integration.Tests.BadInput;

/// <summary>Controls: each request form the negative tests corrupt is accepted when nothing is wrong.</summary>
public sealed partial class BadInputTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("header-signed")]
    [InlineData("presigned")]
    [InlineData("sigv2-header-signed")]
    [InlineData("sigv2-presigned")]
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
            case "sigv2-header-signed":
                var sigV2 = WithBody("PUT", path, body);
                SignerV2.SignHeaders(sigV2, time);
                response = await Wire.SendAsync(sigV2);
                break;
            case "sigv2-presigned":
                var presignedV2 = WithBody("PUT", path, body);
                SignerV2.Presign(presignedV2, time.AddMinutes(5).ToUnixTimeSeconds());
                response = await Wire.SendAsync(presignedV2);
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
