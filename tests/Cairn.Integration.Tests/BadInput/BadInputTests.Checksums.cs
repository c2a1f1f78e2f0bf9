using System.Security.Cryptography;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Integrity values that do not match the body: detected only after every chunk was written.</summary>
public sealed partial class BadInputTests
{
    /// <summary>The CRC-32 of <paramref name="body"/> with one bit flipped: well-formed, and wrong.</summary>
    private static string WrongCrc32(byte[] body)
    {
        var value = Convert.FromBase64String(Crc32.Base64(body));
        value[3] ^= 1;
        return Convert.ToBase64String(value);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_crc32_header_not_matching_the_body_returns_BadDigest_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 20);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        request.Headers["x-amz-checksum-crc32"] = WrongCrc32(body);

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "BadDigest");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_trailing_crc32_not_matching_the_body_returns_BadDigest_and_changes_nothing()
    {
        // Arrange: what current SDKs send by default (STREAMING-UNSIGNED-PAYLOAD-TRAILER), with a wrong trailer.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 21);
        var request = ChunkedPut(bucket, "k", Split(body, 64 * 1024), WireSigner.StreamingUnsignedTrailer, Now,
            trailers: [("x-amz-checksum-crc32", WrongCrc32(body))]);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "BadDigest");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_Content_MD5_not_matching_the_body_returns_BadDigest_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 22);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(body.AsSpan(1)));

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "BadDigest");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_Content_MD5_that_is_not_base64_of_16_bytes_returns_InvalidDigest_and_changes_nothing()
    {
        // Arrange: valid base64, but of 15 bytes.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 23);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(body).AsSpan(0, 15));

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "InvalidDigest");
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_x_amz_content_sha256_not_matching_the_body_returns_XAmzContentSHA256Mismatch_and_changes_nothing()
    {
        // Arrange: signed over the hash of other bytes, so the signature holds and only the body disagrees.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 24);
        var claimed = WireSigner.Sha256Hex(body.AsSpan(1));

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), body), payloadHash: claimed);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "XAmzContentSHA256Mismatch");
        Assert.Equal(claimed, error.Element("ClientComputedContentSHA256")?.Value);
        Assert.Equal(WireSigner.Sha256Hex(body), error.Element("S3ComputedContentSHA256")?.Value);
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_over_an_existing_key_with_a_bad_checksum_leaves_the_old_object_intact()
    {
        // Arrange
        var bucket = await NewBucketAsync();
        var old = Bytes(LargeBodyLength, 25);
        await PutAsync(bucket, "k", old);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var replacement = Bytes(LargeBodyLength + 5000, 26);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), replacement);
        request.Headers["x-amz-checksum-crc32"] = WrongCrc32(replacement);

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "BadDigest");
        await AssertWrittenThenReclaimedAsync(before);
        var get = await GetAsync(bucket, "k");
        Assert.Equal(200, get.Status);
        Assert.Equal(old, get.Body);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(old))}\"", get.Header("ETag"));
    }

    /// <summary>Every algorithm, as a header and as a trailer (unsigned and signed), on PutObject and on UploadPart.</summary>
    public static TheoryData<string, int, string, bool> MismatchCases()
    {
        var data = new TheoryData<string, int, string, bool>();
        foreach (var (algorithm, length) in new[] { ("CRC32", 4), ("CRC32C", 4), ("CRC64NVME", 8), ("SHA1", 20), ("SHA256", 32) })
        {
            foreach (var carrier in new[] { "header", WireSigner.StreamingUnsignedTrailer, WireSigner.StreamingSignedTrailer })
            {
                data.Add(algorithm, length, carrier, false);
                data.Add(algorithm, length, carrier, true);
            }
        }
        return data;
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [MemberData(nameof(MismatchCases))]
    public async Task A_checksum_not_matching_the_body_returns_BadDigest_with_S3s_message_and_changes_nothing(
        string algorithm, int length, string carrier, bool uploadPart)
    {
        // Arrange: a well-formed value of the right length (all zero bytes), which the body does not have.
        var bucket = await NewBucketWithObjectAsync();
        var uploadId = uploadPart ? (await Server.Client.InitiateMultipartUploadAsync(bucket, "k")).UploadId : null;
        var query = uploadId is null ? "" : $"partNumber=1&uploadId={WireSigner.UriEncode(uploadId, keepSlash: false)}";
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 30);
        var header = "x-amz-checksum-" + algorithm.ToLowerInvariant();
        var wrong = Convert.ToBase64String(new byte[length]);
        WireResponse response;

        // Act
        if (carrier == "header")
        {
            var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body, query);
            request.Headers[header] = wrong;
            response = await SendSignedAsync(request);
        }
        else
        {
            response = await Wire.SendAsync(ChunkedPut(bucket, "k", Split(body, 64 * 1024), carrier, Now, trailers: [(header, wrong)], query: query));
        }

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "BadDigest");
        Assert.Equal($"The {algorithm} you specified did not match the calculated checksum.", error.Element("Message")?.Value);
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
        if (uploadId is not null)
        {
            var parts = await Server.Client.ListPartsAsync(new Amazon.S3.Model.ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId });
            Assert.Empty(parts.Parts ?? []);
        }
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task UploadPart_with_a_Content_MD5_not_matching_the_body_returns_BadDigest_and_stores_no_part()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var uploadId = (await Server.Client.InitiateMultipartUploadAsync(bucket, "k")).UploadId;
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 32);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body, $"partNumber=1&uploadId={WireSigner.UriEncode(uploadId, keepSlash: false)}");
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(body.AsSpan(1)));

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "BadDigest");
        Assert.Equal("The Content-MD5 you specified did not match what we received.", error.Element("Message")?.Value);
        await AssertWrittenThenReclaimedAsync(before);
        var parts = await Server.Client.ListPartsAsync(new Amazon.S3.Model.ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId });
        Assert.Empty(parts.Parts ?? []);
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("CRC32", "bad", false)] // not base64
    [InlineData("SHA256", "ABCD", false)] // base64 of 3 bytes
    [InlineData("CRC64NVME", "AAAAAA==", false)] // base64 of 4 bytes, a CRC32's length
    [InlineData("SHA1", "!!!!", true)]
    public async Task A_malformed_checksum_value_returns_InvalidRequest_and_changes_nothing(string algorithm, string value, bool uploadPart)
    {
        // Arrange: S3 answers a value that cannot be a digest InvalidRequest, before reading the body
        // (BadDigest is for a digest that does not match).
        var bucket = await NewBucketWithObjectAsync();
        var uploadId = uploadPart ? (await Server.Client.InitiateMultipartUploadAsync(bucket, "k")).UploadId : null;
        var query = uploadId is null ? "" : $"partNumber=1&uploadId={WireSigner.UriEncode(uploadId, keepSlash: false)}";
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var header = "x-amz-checksum-" + algorithm.ToLowerInvariant();
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 31), query);
        request.Headers[header] = value;

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "InvalidRequest");
        Assert.Equal($"Value for {header} header is invalid.", error.Element("Message")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}
