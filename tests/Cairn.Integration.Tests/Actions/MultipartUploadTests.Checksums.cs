using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Actions;

public sealed partial class MultipartUploadTests
{
    /// <summary>
    /// The algorithm chosen at Create; each part's checksum computed by the SDK and sent in the
    /// aws-chunked trailer (AWSSDK 4.1 computes all five itself, CRC32C and CRC64NVME included); the
    /// parts' checksums listed at Complete (AddPartETagsAndChecksums, as the SDKs' transfer managers do). The object's checksum,
    /// computed here independently (S3 User Guide, "Checking object integrity", multipart uploads):
    /// COMPOSITE is the algorithm over the concatenated raw part digests, base64, then "-N";
    /// FULL_OBJECT is the checksum of the whole body.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData("CRC32", null, "COMPOSITE")]
    [InlineData("CRC32", "FULL_OBJECT", "FULL_OBJECT")]
    [InlineData("CRC32C", null, "COMPOSITE")]
    [InlineData("CRC32C", "FULL_OBJECT", "FULL_OBJECT")]
    [InlineData("SHA1", null, "COMPOSITE")]
    [InlineData("SHA256", null, "COMPOSITE")]
    [InlineData("CRC64NVME", null, "FULL_OBJECT")]
    public async Task Multipart_upload_with_a_checksum_algorithm_returns_each_part_checksum_and_the_combined_checksum_on_Complete_GET_and_HEAD(
        string algorithm, string? requestedType, string expectedType)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] parts = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(MinPartSize + 1), RandomNumberGenerator.GetBytes(54_321)];
        var partChecksums = parts.Select(p => IndependentChecksums.Base64(algorithm, p)).ToArray();
        var expected = expectedType == "COMPOSITE"
            ? IndependentChecksums.Base64(algorithm, partChecksums.SelectMany(Convert.FromBase64String).ToArray()) + "-" + parts.Length.ToString(CultureInfo.InvariantCulture)
            : IndependentChecksums.Base64(algorithm, Concat(parts));

        // Act
        var create = await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "k",
            ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm),
            ChecksumType = requestedType is null ? null : ChecksumType.FindValue(requestedType),
        });
        var uploaded = new List<UploadPartResponse>();
        for (var i = 0; i < parts.Length; i++)
        {
            uploaded.Add(await S3.UploadPartBytesAsync(bucket, "k", create.UploadId, i + 1, parts[i], request => SdkComputes(request, algorithm)));
        }
        var listed = await S3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = create.UploadId });
        var completeRequest = new CompleteMultipartUploadRequest { BucketName = bucket, Key = "k", UploadId = create.UploadId };
        completeRequest.AddPartETagsAndChecksums(uploaded);
        var complete = await S3.CompleteMultipartUploadAsync(completeRequest);
        using var get = await S3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        var read = await get.ReadAllAsync();
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });

        // Assert
        Assert.Equal((algorithm, expectedType), (create.ChecksumAlgorithm?.Value, create.ChecksumType?.Value));
        Assert.Equal(partChecksums, uploaded.Select(r => ChecksumOf(algorithm, r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256)));
        Assert.Equal((algorithm, expectedType), (listed.ChecksumAlgorithm?.Value, listed.ChecksumType?.Value));
        Assert.Equal(partChecksums, listed.Parts.Select(p => ChecksumOf(algorithm, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256)));
        Assert.Equal(expected, ChecksumOf(algorithm, complete.ChecksumCRC32, complete.ChecksumCRC32C, complete.ChecksumCRC64NVME, complete.ChecksumSHA1, complete.ChecksumSHA256));
        Assert.Equal(expectedType, complete.ChecksumType?.Value);
        Assert.Equal(MultipartETag(parts), complete.ETag);
        Assert.Equal(Concat(parts), read);
        Assert.Equal(expected, ChecksumOf(algorithm, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256));
        Assert.Equal(expectedType, get.ChecksumType?.Value);
        Assert.Equal(expected, ChecksumOf(algorithm, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256));
        Assert.Equal(expectedType, head.ChecksumType?.Value);
    }

    /// <summary>
    /// A FULL_OBJECT upload whose parts' CRCs the SDK computes (AWSSDK.S3 4.1 computes CRC32C and
    /// CRC64NVME itself), completed with the whole object's CRC, computed here over the bytes, in the
    /// x-amz-checksum-* header and x-amz-checksum-type: FULL_OBJECT. The server combines the part CRCs
    /// without the bytes; a wrong value is 400 BadDigest and completes nothing.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData("CRC32")]
    [InlineData("CRC32C")]
    [InlineData("CRC64NVME")]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_with_the_full_object_checksum_in_a_header_accepts_the_right_value_and_returns_BadDigest_for_another(
        string algorithm)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] parts = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(ChunkSize + 3)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k", request =>
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm);
            request.ChecksumType = ChecksumType.FULL_OBJECT;
        });
        var checksum = IndependentChecksums.Base64(algorithm, Concat(parts));
        var uploaded = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            uploaded.Add(new PartETag(await S3.UploadPartBytesAsync(bucket, "k", uploadId, i + 1, parts[i], request => SdkComputes(request, algorithm)), true));
        }
        var wrong = IndependentChecksums.Base64(algorithm, [.. Concat(parts), 0]);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, uploaded,
            request => StateChecksum(request, algorithm, wrong, ChecksumType.FULL_OBJECT)), HttpStatusCode.BadRequest, "BadDigest");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, uploaded,
            request => StateChecksum(request, algorithm, checksum, ChecksumType.FULL_OBJECT));

        // Assert
        Assert.Equal(checksum, ChecksumOf(algorithm, complete.ChecksumCRC32, complete.ChecksumCRC32C, complete.ChecksumCRC64NVME, complete.ChecksumSHA1, complete.ChecksumSHA256));
        Assert.Equal("FULL_OBJECT", complete.ChecksumType?.Value);
        Assert.Equal(Concat(parts), await S3.GetBytesAsync(bucket, "k"));
    }

    /// <summary>
    /// A COMPOSITE upload's object checksum is the checksum of the part checksums: stating it on
    /// Complete (the digest, without "-N") is accepted; stating the whole body's checksum, which a
    /// client that knows nothing of checksum types sends, is 400 BadDigest, as on S3
    /// (aws/aws-sdk-js-v3#6742), and completes nothing.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData("CRC32")]
    [InlineData("CRC32C")]
    [InlineData("SHA256")]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_of_a_composite_upload_accepts_the_checksum_of_checksums_and_returns_BadDigest_for_the_whole_body_checksum(
        string algorithm)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] parts = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(1000)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k", request => request.ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm));
        var uploaded = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            uploaded.Add(new PartETag(await S3.UploadPartBytesAsync(bucket, "k", uploadId, i + 1, parts[i], request => SdkComputes(request, algorithm)), true));
        }
        var checksumOfChecksums = IndependentChecksums.Base64(algorithm, parts.SelectMany(p => Convert.FromBase64String(IndependentChecksums.Base64(algorithm, p))).ToArray());
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, uploaded,
            request => StateChecksum(request, algorithm, IndependentChecksums.Base64(algorithm, Concat(parts)), null)), HttpStatusCode.BadRequest, "BadDigest");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, uploaded,
            request => StateChecksum(request, algorithm, checksumOfChecksums, ChecksumType.COMPOSITE));

        // Assert
        Assert.Equal(checksumOfChecksums + "-2", ChecksumOf(algorithm, complete.ChecksumCRC32, complete.ChecksumCRC32C, complete.ChecksumCRC64NVME, complete.ChecksumSHA1, complete.ChecksumSHA256));
        Assert.Equal(Concat(parts), await S3.GetBytesAsync(bucket, "k"));
    }

    /// <summary>
    /// x-amz-checksum-type on Complete must be the upload's type, or S3 answers 400 BadDigest (API
    /// reference, CompleteMultipartUpload); an upload created without an algorithm is FULL_OBJECT.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData("CRC32C", "FULL_OBJECT", "COMPOSITE")]
    [InlineData("CRC32", "COMPOSITE", "FULL_OBJECT")]
    [InlineData("SHA1", "COMPOSITE", "FULL_OBJECT")]
    [InlineData("CRC64NVME", "FULL_OBJECT", "COMPOSITE")]
    [InlineData(null, null, "COMPOSITE")]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_stating_another_checksum_type_than_the_uploads_returns_BadDigest_and_completes_nothing(
        string? algorithm, string? uploadType, string statedType)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(ChunkSize + 1);
        var uploadId = await S3.CreateUploadAsync(bucket, "k", request =>
        {
            request.ChecksumAlgorithm = algorithm is null ? null : ChecksumAlgorithm.FindValue(algorithm);
            request.ChecksumType = uploadType is null ? null : ChecksumType.FindValue(uploadType);
        });
        var part = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, body, request => request.ChecksumAlgorithm = algorithm is null ? null : ChecksumAlgorithm.FindValue(algorithm));
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(part, true)],
            request => request.ChecksumType = ChecksumType.FindValue(statedType)), HttpStatusCode.BadRequest, "BadDigest");

        // Assert: nothing changed; the upload completes when the type is its own (or not stated).
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(part, true)],
            request => request.ChecksumType = ChecksumType.FindValue(uploadType ?? "FULL_OBJECT"));
        Assert.Equal(MultipartETag(body), complete.ETag);
    }

    /// <summary>
    /// A checksum stated on Complete of another algorithm than the upload's is 400 InvalidRequest with
    /// the message of the S3 API model ("null" for an upload created without one, as AWS words it in
    /// apache/arrow-rs-object-store#34). An upload without an algorithm has no part checksums to
    /// check a stated one against, so it is refused, not taken on trust.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData("CRC32", "CRC32C", "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: crc32c")]
    [InlineData("SHA256", "CRC32", "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32")]
    [InlineData(null, "CRC64NVME", "Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: crc64nvme")]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_stating_a_checksum_of_another_algorithm_returns_InvalidRequest_and_completes_nothing(
        string? uploadAlgorithm, string statedAlgorithm, string message)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(ChunkSize + 1);
        var uploadId = await S3.CreateUploadAsync(bucket, "k",
            request => request.ChecksumAlgorithm = uploadAlgorithm is null ? null : ChecksumAlgorithm.FindValue(uploadAlgorithm));
        var part = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, body,
            request => request.ChecksumAlgorithm = uploadAlgorithm is null ? null : ChecksumAlgorithm.FindValue(uploadAlgorithm));
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        var error = await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(part, true)],
            request => StateChecksum(request, statedAlgorithm, IndependentChecksums.Base64(statedAlgorithm, body), null)), HttpStatusCode.BadRequest, "InvalidRequest");

        // Assert
        Assert.Equal(message, error.Message);
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
        await ActionTestExtensions.AssertS3StatusAsync(() => S3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound);
    }

    /// <summary>
    /// x-amz-mp-object-size on Complete: the object's size as the client expects it; another size is
    /// 400 InvalidRequest (API reference, CompleteMultipartUpload) and completes nothing.
    /// </summary>
    [Fact(Timeout = 60_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_with_an_object_size_other_than_the_parts_returns_InvalidRequest_and_the_right_one_completes()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] bodies = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(777)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, bodies);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, parts, static request => request.MpuObjectSize = MinPartSize + 776),
            HttpStatusCode.BadRequest, "InvalidRequest");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, parts, static request => request.MpuObjectSize = -1),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, parts, static request => request.MpuObjectSize = MinPartSize + 777);

        // Assert
        Assert.Equal(MultipartETag(bodies), complete.ETag);
    }

    [Fact(Timeout = 30_000)]
    public async Task CompleteMultipartUpload_listing_a_part_with_a_checksum_other_than_the_stored_one_returns_InvalidPart_and_keeps_the_upload()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k", static request => request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32);
        var body = RandomNumberGenerator.GetBytes(ChunkSize + 1);
        var part = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, body, static request => request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32);
        var otherCrc = Convert.FromBase64String(part.ChecksumCRC32);
        otherCrc[3] ^= 1;
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, part.ETag) { ChecksumCRC32 = Convert.ToBase64String(otherCrc) }]),
            HttpStatusCode.BadRequest, "InvalidPart");

        // Assert
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(part, true)]);
        Assert.Equal(IndependentChecksums.Base64("CRC32", Convert.FromBase64String(part.ChecksumCRC32)) + "-1", complete.ChecksumCRC32);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("CRC64NVME", "COMPOSITE")] // S3 User Guide, checksum types per algorithm: CRC64NVME is FULL_OBJECT only
    [InlineData("SHA256", "FULL_OBJECT")] // only the CRCs linearize into a full-object checksum; SHA1 and SHA256 are COMPOSITE only
    [InlineData("SHA1", "FULL_OBJECT")]
    public async Task CreateMultipartUpload_with_a_checksum_type_the_algorithm_does_not_support_returns_InvalidRequest(string algorithm, string checksumType)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CreateUploadAsync(bucket, "k", request =>
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm);
            request.ChecksumType = ChecksumType.FindValue(checksumType);
        }), HttpStatusCode.BadRequest, "InvalidRequest");

        // Assert
        Assert.Empty(await S3.ListUploadIdsAsync(bucket));
    }

    /// <summary>The SDK computes the part's checksum and sends it in the aws-chunked trailer.</summary>
    private static void SdkComputes(UploadPartRequest request, string algorithm) =>
        request.ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm);

    /// <summary>States the object's checksum (and, unless null, its type) on Complete, in the headers the SDK sends for them.</summary>
    private static void StateChecksum(CompleteMultipartUploadRequest request, string algorithm, string value, ChecksumType? type)
    {
        request.ChecksumType = type;
        switch (algorithm)
        {
            case "CRC32":
                request.ChecksumCRC32 = value;
                break;
            case "CRC32C":
                request.ChecksumCRC32C = value;
                break;
            case "CRC64NVME":
                request.ChecksumCRC64NVME = value;
                break;
            case "SHA1":
                request.ChecksumSHA1 = value;
                break;
            default:
                request.ChecksumSHA256 = value;
                break;
        }
    }

    private static string? ChecksumOf(string algorithm, string? crc32, string? crc32c, string? crc64nvme, string? sha1, string? sha256) => algorithm switch
    {
        "CRC32" => crc32,
        "CRC32C" => crc32c,
        "CRC64NVME" => crc64nvme,
        "SHA1" => sha1,
        "SHA256" => sha256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };
}
