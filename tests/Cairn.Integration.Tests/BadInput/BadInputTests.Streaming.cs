namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// Signed aws-chunked bodies (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html)
/// that go wrong after the first chunk, when a blob has already been written.
/// </summary>
public sealed partial class BadInputTests
{
    private const int StreamChunk = 64 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_bad_chunk_signature_mid_stream_returns_SignatureDoesNotMatch_and_changes_nothing()
    {
        // Arrange: three 64 KiB chunks; the second claims the signature of other data.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = ChunkedPut(bucket, "k", Split(Bytes(3 * StreamChunk, 30), StreamChunk), WireSigner.StreamingSigned, Now,
            tamper: static (index, data, signature) => (data, index == 1 ? FlipHexDigit(signature) : signature));

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_tampered_chunk_byte_returns_SignatureDoesNotMatch_and_changes_nothing()
    {
        // Arrange: correctly signed, then one byte of the second chunk changed in transit.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = ChunkedPut(bucket, "k", Split(Bytes(3 * StreamChunk, 31), StreamChunk), WireSigner.StreamingSigned, Now,
            tamper: static (index, data, signature) =>
            {
                if (index == 1)
                {
                    data = (byte[])data.Clone();
                    data[1000] ^= 0x40;
                }
                return (data, signature);
            });

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_trailer_changed_after_signing_returns_SignatureDoesNotMatch_and_changes_nothing()
    {
        // Arrange: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER; the trailer signature covers the correct CRC,
        // but the trailer line sent carries another value (the body itself is intact).
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(3 * StreamChunk, 32);
        var good = Crc32.Base64(body);
        var request = ChunkedPut(bucket, "k", Split(body, StreamChunk), WireSigner.StreamingSignedTrailer, Now,
            trailers: [("x-amz-checksum-crc32", good)]);
        var bad = WrongCrc32(body);
        Assert.Equal(good.Length, bad.Length);
        request.Body = ReplaceOnce(request.Body, "x-amz-checksum-crc32:" + good, "x-amz-checksum-crc32:" + bad);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    private static string FlipHexDigit(string signature) => (signature[0] == '0' ? "1" : "0") + signature[1..];

    private static byte[] ReplaceOnce(byte[] data, string find, string replacement)
    {
        var findBytes = System.Text.Encoding.ASCII.GetBytes(find);
        var at = data.AsSpan().IndexOf(findBytes);
        Assert.True(at >= 0);
        Assert.Equal(-1, data.AsSpan(at + 1).IndexOf(findBytes));
        var result = (byte[])data.Clone();
        System.Text.Encoding.ASCII.GetBytes(replacement).CopyTo(result, at);
        return result;
    }
}
