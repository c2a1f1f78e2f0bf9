using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// GetObjectAttributes through the AWS SDK: ETag, checksum, storage class and size of a single-part
/// object; a multipart object's parts with their checksums, in pages; a version by id; bad
/// attribute names and a missing key, with S3's error codes.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class GetObjectAttributesTests(ServerFixture fixture)
{
    private const int PartSize = 5 * 1024 * 1024;
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    private static readonly List<ObjectAttributes> All =
        [ObjectAttributes.ETag, ObjectAttributes.Checksum, ObjectAttributes.ObjectParts, ObjectAttributes.StorageClass, ObjectAttributes.ObjectSize];

    [Fact(Timeout = 30_000)]
    public async Task A_single_part_object_answers_its_ETag_checksum_storage_class_and_size_and_no_parts()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            ContentBody = "hello attributes",
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
        });

        // Act
        var attributes = await _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "k", ObjectAttributes = All });

        // Assert
        Assert.Equal(put.ETag.Trim('"'), attributes.ETag.Trim('"'));
        Assert.Equal(put.ChecksumCRC32, attributes.Checksum.ChecksumCRC32);
        Assert.Equal(S3StorageClass.Standard, attributes.StorageClass);
        Assert.Equal(16L, attributes.ObjectSize);
        Assert.Null(attributes.ObjectParts);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_multipart_object_lists_its_parts_with_their_checksums_in_pages()
    {
        // Arrange: three parts with CRC32 checksums (composite object checksum).
        var bucket = await _s3.NewBucketAsync();
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "big",
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
        });
        var parts = new List<PartETag>();
        var partChecksums = new List<string>();
        for (var number = 1; number <= 3; number++)
        {
            var body = new byte[number == 3 ? 1000 : PartSize];
            new Random(number).NextBytes(body);
            var part = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = "big",
                UploadId = upload.UploadId,
                PartNumber = number,
                InputStream = new MemoryStream(body),
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            });
            parts.Add(new PartETag(number, part.ETag) { ChecksumCRC32 = part.ChecksumCRC32 });
            partChecksums.Add(part.ChecksumCRC32);
        }
        var completed = await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "big",
            UploadId = upload.UploadId,
            PartETags = parts,
        });

        // Act
        var first = await _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "big",
            ObjectAttributes = All,
            MaxParts = 2,
        });
        var second = await _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "big",
            ObjectAttributes = [ObjectAttributes.ObjectParts],
            MaxParts = 2,
            PartNumberMarker = first.ObjectParts.NextPartNumberMarker,
        });

        // Assert
        Assert.Equal(completed.ChecksumCRC32, first.Checksum.ChecksumCRC32);
        Assert.Equal(3, first.ObjectParts.TotalPartsCount);
        Assert.True(first.ObjectParts.IsTruncated);
        Assert.Equal(2, first.ObjectParts.NextPartNumberMarker);
        Assert.Equal([(1, (long)PartSize), (2, (long)PartSize)], first.ObjectParts.Parts.Select(static p => (p.PartNumber!.Value, p.Size!.Value)));
        Assert.Equal(partChecksums.Take(2), first.ObjectParts.Parts.Select(static p => p.ChecksumCRC32));
        Assert.False(second.ObjectParts.IsTruncated);
        Assert.Equal([(3, 1000L, partChecksums[2])], second.ObjectParts.Parts.Select(static p => (p.PartNumber!.Value, p.Size!.Value, p.ChecksumCRC32)));
        Assert.Equal(2L * PartSize + 1000, first.ObjectSize);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_older_version_answers_by_id_and_bad_requests_answer_S3_errors()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        var old = await _s3.PutTextAsync(bucket, "k", "older body");
        await _s3.PutTextAsync(bucket, "k", "new");

        // Act
        var byId = await _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "k",
            VersionId = old.VersionId,
            ObjectAttributes = [ObjectAttributes.ObjectSize, ObjectAttributes.ETag],
        });
        var missing = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "absent",
            ObjectAttributes = [ObjectAttributes.ETag],
        }), HttpStatusCode.NotFound, "NoSuchKey");
        var badName = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket,
            Key = "k",
            ObjectAttributes = [new ObjectAttributes("Colour")],
        }), HttpStatusCode.BadRequest, "InvalidArgument");

        // Assert
        Assert.Equal((10L, old.VersionId, old.ETag.Trim('"')), (byId.ObjectSize, byId.VersionId, byId.ETag.Trim('"')));
        Assert.Null(byId.Checksum);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal("InvalidArgument", badName.ErrorCode);
    }
}
