namespace Cairn.Integration.Tests.BadInput;

/// <summary>Cases found in review of the first S3 core: each failed (500, or a trace left behind) before its fix.</summary>
public sealed partial class BadInputTests
{
    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_malformed_trailing_checksum_returns_InvalidRequest_and_leaves_no_reservation_behind()
    {
        // Arrange: the trailer value is not base64, so reading the claim fails after the chunks were written.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 40);
        var request = ChunkedPut(bucket, "k", Split(body, 64 * 1024), WireSigner.StreamingUnsignedTrailer, Now,
            trailers: [("x-amz-checksum-crc32", "notbase64!")]);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert: refused, and the written chunks are reclaimed at once, not when the reservation expires.
        S3ErrorAssert.Error(response, 400, "InvalidRequest");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("DELETE")]
    public async Task Object_requests_naming_a_malformed_version_id_return_InvalidArgument_and_leave_the_object(string method)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        var response = await SendSignedAsync(Wire.Request(method, WireSigner.PathOf(bucket, "existing.bin"), "versionId=3HL4kqtJlcpXroDTDmJ"));

        // Assert: HEAD answers have no body, so only the status is checked there.
        if (method == "HEAD")
        {
            Assert.Equal(400, response.Status);
        }
        else
        {
            S3ErrorAssert.Error(response, 400, "InvalidArgument");
        }
        await AssertRefusedUpFrontAsync(before);
        Assert.Equal(200, (await GetAsync(bucket, "existing.bin")).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_with_an_empty_copy_source_returns_InvalidArgument_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = Wire.Request("PUT", WireSigner.PathOf(bucket, "copy"));
        request.Headers["x-amz-copy-source"] = "";

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "InvalidArgument");
        await AssertRefusedUpFrontAsync(before);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_announcing_a_trailer_without_a_streaming_payload_returns_InvalidRequest_and_changes_nothing()
    {
        // Arrange: a plain signed body that claims aws-chunked framing and a trailer it cannot carry.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(10_000, 41));
        request.Headers["x-amz-trailer"] = "x-amz-checksum-crc32";
        request.Headers["content-encoding"] = "aws-chunked";

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "InvalidRequest");
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}
