using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// CompleteMultipartUpload sent again for an upload that already completed: S3 answers 200 with the
/// same result (an SDK retries Complete when its answer is lost), where a server that forgets the
/// upload answers NoSuchUpload and the client believes its upload failed.
/// </summary>
public sealed partial class MultipartUploadTests
{
    [Fact(Timeout = 60_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_whose_answer_is_lost_is_retried_by_the_SDK_and_answered_200_with_the_completed_object()
    {
        // Arrange: the SDK, retrying as it does by default, talks through a proxy that loses the answer to the first Complete.
        var bucket = await S3.NewBucketAsync();
        byte[][] bodies = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(3000)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k", static request => request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C);
        var uploaded = new List<PartETag>();
        for (var i = 0; i < bodies.Length; i++)
        {
            uploaded.Add(new PartETag(await S3.UploadPartBytesAsync(bucket, "k", uploadId, i + 1, bodies[i],
                static request => request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C), true));
        }
        await using var proxy = ResponseDroppingProxy.Start(Server.Endpoint, static line => line.StartsWith("POST ", StringComparison.Ordinal) && line.Contains("uploadId=", StringComparison.Ordinal));
        using var retryingClient = new AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(CairnServer.AccessKey, CairnServer.SecretKey),
            new AmazonS3Config { ServiceURL = proxy.Endpoint, ForcePathStyle = true, AuthenticationRegion = CairnServer.Region, MaxErrorRetry = 3 });

        // Act
        var complete = await retryingClient.CompleteAsync(bucket, "k", uploadId, uploaded);

        // Assert: the first answer was lost, the retry was answered as the first would have been.
        Assert.Equal(1, proxy.Dropped);
        Assert.Equal(HttpStatusCode.OK, complete.HttpStatusCode);
        Assert.Equal((bucket, "k", MultipartETag(bodies)), (complete.BucketName, complete.Key, complete.ETag));
        var checksumOfChecksums = IndependentChecksums.Base64("CRC32C", bodies.SelectMany(static b => Convert.FromBase64String(IndependentChecksums.Base64("CRC32C", b))).ToArray());
        Assert.Equal(checksumOfChecksums + "-2", complete.ChecksumCRC32C);
        Assert.Equal(Concat(bodies), await S3.GetBytesAsync(bucket, "k"));
        Assert.Empty(await S3.ListUploadIdsAsync(bucket));
        await StoreSnapshot.CaptureAsync(Server, bucket);
    }

    [Fact(Timeout = 60_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_sent_again_answers_200_with_the_same_result_even_after_the_key_changed_and_changes_nothing()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] bodies = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(ChunkSize + 7)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k", static request =>
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC64NVME;
            request.ChecksumType = ChecksumType.FULL_OBJECT;
        });
        var uploaded = new List<PartETag>();
        for (var i = 0; i < bodies.Length; i++)
        {
            uploaded.Add(new PartETag(await S3.UploadPartBytesAsync(bucket, "k", uploadId, i + 1, bodies[i],
                static request => request.ChecksumAlgorithm = ChecksumAlgorithm.CRC64NVME), true));
        }
        var first = await S3.CompleteAsync(bucket, "k", uploadId, uploaded);
        var completed = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act: again as is, again with a condition that no longer holds, then again after the key was overwritten and deleted.
        var again = await S3.CompleteAsync(bucket, "k", uploadId, uploaded);
        var conditional = await S3.CompleteAsync(bucket, "k", uploadId, uploaded, static request => request.IfNoneMatch = "*");
        var unchanged = await completed.AssertUnchangedAsync(Server);
        var replacement = RandomNumberGenerator.GetBytes(1000);
        await S3.PutBytesAsync(bucket, "k", replacement);
        var afterOverwrite = await S3.CompleteAsync(bucket, "k", uploadId, uploaded);
        var readAfterOverwrite = await S3.GetBytesAsync(bucket, "k");
        await S3.DeleteObjectAsync(bucket, "k");
        var afterDelete = await S3.CompleteAsync(bucket, "k", uploadId, uploaded);

        // Assert: every answer is the first one; the object is whatever was written since.
        Assert.Equal(0, unchanged);
        Assert.Equal(MultipartETag(bodies), first.ETag);
        Assert.Equal(IndependentChecksums.Base64("CRC64NVME", Concat(bodies)), first.ChecksumCRC64NVME);
        foreach (var answer in new[] { again, conditional, afterOverwrite, afterDelete })
        {
            Assert.Equal(HttpStatusCode.OK, answer.HttpStatusCode);
            Assert.Equal((first.Location, first.BucketName, first.Key, first.ETag), (answer.Location, answer.BucketName, answer.Key, answer.ETag));
            Assert.Equal((first.ChecksumCRC64NVME, first.ChecksumType?.Value), (answer.ChecksumCRC64NVME, answer.ChecksumType?.Value));
        }
        Assert.Equal(replacement, readAfterOverwrite);
        await ActionTestExtensions.AssertS3StatusAsync(() => S3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 60_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_sent_again_with_other_parts_or_for_another_key_returns_NoSuchUpload_and_changes_nothing()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] bodies = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(10)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, bodies);
        await S3.CompleteAsync(bucket, "k", uploadId, [parts[0], parts[2]]);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act + Assert: only the request that completed the upload is answered again.
        foreach (var (key, listed) in new (string, List<PartETag>)[] { ("k", parts), ("k", [parts[0]]), ("k", [parts[0], parts[1]]), ("other", [parts[0], parts[2]]) })
        {
            await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, key, uploadId, listed), HttpStatusCode.NotFound, "NoSuchUpload");
        }
        // The other calls on a completed upload still answer NoSuchUpload.
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.UploadPartBytesAsync(bucket, "k", uploadId, 4, [1, 2, 3]), HttpStatusCode.NotFound, "NoSuchUpload");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId }),
            HttpStatusCode.NotFound, "NoSuchUpload");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.AbortMultipartUploadAsync(bucket, "k", uploadId), HttpStatusCode.NotFound, "NoSuchUpload");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(Concat(bodies[0], bodies[2]), await S3.GetBytesAsync(bucket, "k"));
        Assert.Equal(MultipartETag(bodies[0], bodies[2]), (await S3.CompleteAsync(bucket, "k", uploadId, [parts[0], parts[2]])).ETag);
    }
}
