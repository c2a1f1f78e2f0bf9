using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Cairn.Integration.Tests.Infrastructure;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// The AWS SDK's high-level TransferUtility against the server, with the SDK's default checksum
/// settings: a large upload in parallel parts, and a directory of small files.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MultipartTransferUtilityTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 60_000)]
    public async Task TransferUtility_uploads_25_MB_as_5_MiB_parts_four_at_a_time_and_the_object_reads_back_with_the_same_SHA_256()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(25_000_000);
        using var transfer = new TransferUtility(_s3, new TransferUtilityConfig { ConcurrentServiceRequests = 4 });

        // Act
        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = "large.bin",
            InputStream = new MemoryStream(body),
            PartSize = MinPartSize,
        });
        string sha256;
        await using (var download = await transfer.OpenStreamAsync(bucket, "large.bin"))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(download));
        }
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "large.bin", ChecksumMode = ChecksumMode.ENABLED });
        var uploads = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });

        // Assert: five parts (four of 5 MiB and the rest), so the ETag ends in -5.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), sha256);
        Assert.Equal(body.Length, head.ContentLength);
        var parts = Enumerable.Range(0, 5).Select(i => body.AsSpan(i * MinPartSize, Math.Min(MinPartSize, body.Length - i * MinPartSize)).ToArray()).ToArray();
        Assert.Equal(MultipartETag(parts), head.ETag);
        Assert.Empty(uploads.MultipartUploads ?? []);
        // With default settings the SDK's TransferUtility creates the upload with CRC32, FULL_OBJECT.
        Assert.Equal(ChecksumType.FULL_OBJECT, head.ChecksumType);
        Assert.Equal(IndependentChecksums.Base64("CRC32", body), head.ChecksumCRC32);
    }

    [Fact(Timeout = 60_000)]
    public async Task TransferUtility_uploads_a_directory_of_small_files_and_each_reads_back_byte_exact()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var directory = Path.Combine(Path.GetTempPath(), "cairn-tests", "upload-dir-" + Guid.NewGuid().ToString("N"));
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            var relative = i % 3 == 0 ? $"nested/deeper/file-{i}.bin" : i % 3 == 1 ? $"nested/file-{i}.bin" : $"file-{i}.bin";
            files[relative] = RandomNumberGenerator.GetBytes(i * 25_000);
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, files[relative]);
        }
        using var transfer = new TransferUtility(_s3);

        try
        {
            // Act
            await transfer.UploadDirectoryAsync(new TransferUtilityUploadDirectoryRequest
            {
                BucketName = bucket,
                Directory = directory,
                KeyPrefix = "uploaded",
                SearchPattern = "*",
                SearchOption = SearchOption.AllDirectories,
            });
            var listing = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

            // Assert
            Assert.Equal(files.Keys.Select(static k => "uploaded/" + k), listing.S3Objects.Select(static o => o.Key));
            foreach (var (relative, body) in files)
            {
                using var get = await _s3.GetObjectAsync(bucket, "uploaded/" + relative);
                Assert.Equal(HttpStatusCode.OK, get.HttpStatusCode);
                Assert.Equal(body, await get.ReadAllAsync());
                Assert.Equal(ActionTestExtensions.QuotedMd5(body), get.ETag);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
