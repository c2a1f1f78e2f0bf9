using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// The low-level multipart calls through the AWS SDK: S3's rules and error codes, the multipart
/// ETag, and what each call leaves in the store. Every refused request leaves the store as it was
/// (<see cref="StoreSnapshot"/>, which sweeps first: the server's grace period is zero); parts that
/// stop being needed (replaced, left out of Complete, aborted) release their chunks.
/// </summary>
[Collection(MultipartServerCollection.Name)]
public sealed partial class MultipartUploadTests(MultipartServerFixture fixture)
{
    private const int ChunkSize = 256 * 1024;

    private CairnServer Server => fixture.Server;

    private AmazonS3Client S3 => fixture.Server.Client;

    [Fact(Timeout = 60_000)]
    public async Task Multipart_upload_of_three_parts_reads_back_byte_exact_with_the_ETag_of_the_part_MD5s()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        byte[][] parts = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(MinPartSize + 17), RandomNumberGenerator.GetBytes(123_457)];
        var uploadId = await S3.CreateUploadAsync(bucket, "dir/object.bin", static request =>
        {
            request.ContentType = "application/x-cairn-test";
            request.Metadata["color"] = "blue";
        });

        // Act
        var partETags = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            partETags.Add((await S3.UploadPartBytesAsync(bucket, "dir/object.bin", uploadId, i + 1, parts[i])).ETag);
        }
        var listedWhileInProgress = await S3.ListUploadIdsAsync(bucket);
        var complete = await S3.CompleteAsync(bucket, "dir/object.bin", uploadId, partETags.Select(static (etag, i) => new PartETag(i + 1, etag)));
        using var get = await S3.GetObjectAsync(bucket, "dir/object.bin");
        var read = await get.ReadAllAsync();
        var head = await S3.GetObjectMetadataAsync(bucket, "dir/object.bin");

        // Assert
        Assert.Equal(parts.Select(ActionTestExtensions.QuotedMd5), partETags);
        Assert.Equal([uploadId], listedWhileInProgress);
        Assert.Equal(HttpStatusCode.OK, complete.HttpStatusCode);
        Assert.Equal((bucket, "dir/object.bin"), (complete.BucketName, complete.Key));
        Assert.Equal(MultipartETag(parts), complete.ETag);
        Assert.Equal(Concat(parts), read);
        Assert.Equal((complete.ETag, complete.ETag), (get.ETag, head.ETag));
        Assert.Equal(parts.Sum(static p => (long)p.Length), head.ContentLength);
        Assert.Equal("application/x-cairn-test", head.Headers.ContentType);
        Assert.Equal("blue", head.Metadata["x-amz-meta-color"]);
        Assert.Empty(await S3.ListUploadIdsAsync(bucket));
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => S3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "dir/object.bin", UploadId = uploadId }),
            HttpStatusCode.NotFound, "NoSuchUpload");
        // The object's chunks are held once each (by the object; the parts let go at Complete), and
        // after a sweep every blob on disk is the blob of a referenced chunk.
        await StoreSnapshot.CaptureAsync(Server, bucket);
        var chunks = await ChunkRowsOfAsync(parts);
        Assert.Equal(20 + 21 + 1, chunks.Count);
        Assert.All(chunks, static chunk => Assert.Equal(1, chunk.RefCount));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task UploadPart_with_a_part_number_outside_1_to_10000_returns_InvalidArgument_and_stores_nothing(int partNumber)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, RandomNumberGenerator.GetBytes(1000));
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => S3.UploadPartBytesAsync(bucket, "k", uploadId, partNumber, RandomNumberGenerator.GetBytes(3 * ChunkSize)),
            HttpStatusCode.BadRequest, "InvalidArgument");

        // Assert: refused before a byte of the body was stored.
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
    }

    [Fact(Timeout = 30_000)]
    public async Task UploadPart_with_part_number_10000_is_accepted_and_Complete_with_it_alone_makes_a_one_part_object()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var body = RandomNumberGenerator.GetBytes(300_000);
        var uploadId = await S3.CreateUploadAsync(bucket, "k");

        // Act
        var part = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 10_000, body);
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(10_000, part.ETag)]);

        // Assert
        Assert.Equal(MultipartETag(body), complete.ETag);
        Assert.Equal(body, await S3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 60_000)]
    public async Task CompleteMultipartUpload_with_a_part_under_5_MiB_before_the_last_returns_EntityTooSmall_and_keeps_the_upload()
    {
        // Arrange: one byte under the limit, then a small last part (which may be any size).
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, RandomNumberGenerator.GetBytes(MinPartSize - 1), RandomNumberGenerator.GetBytes(1000));
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, parts), HttpStatusCode.BadRequest, "EntityTooSmall");

        // Assert
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
        await ActionTestExtensions.AssertS3StatusAsync(() => S3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("a part number that was never uploaded")]
    [InlineData("the ETag of another part")]
    public async Task CompleteMultipartUpload_listing_a_part_that_does_not_exist_returns_InvalidPart_and_keeps_the_upload(string fault)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var part1 = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, RandomNumberGenerator.GetBytes(MinPartSize));
        var part2 = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 2, RandomNumberGenerator.GetBytes(1000));
        PartETag[] listed = fault == "a part number that was never uploaded"
            ? [new PartETag(1, part1.ETag), new PartETag(3, part2.ETag)]
            : [new PartETag(1, part1.ETag), new PartETag(2, part1.ETag)];
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, listed), HttpStatusCode.BadRequest, "InvalidPart");

        // Assert
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        await ActionTestExtensions.AssertS3StatusAsync(() => S3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 60_000)]
    public async Task CompleteMultipartUpload_with_parts_out_of_order_returns_InvalidPartOrder_and_keeps_the_upload()
    {
        // Arrange: both parts are full size, so the order is the only fault.
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(MinPartSize));
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act: the SDK sorts the parts it sends by number, so this request is written and signed here.
        using var wire = new WireClient(Server.Endpoint);
        var request = wire.Request("POST", WireSigner.PathOf(bucket, "k"), "uploadId=" + uploadId);
        request.Body = Encoding.UTF8.GetBytes("<CompleteMultipartUpload>" +
            $"<Part><PartNumber>2</PartNumber><ETag>{parts[1].ETag}</ETag></Part>" +
            $"<Part><PartNumber>1</PartNumber><ETag>{parts[0].ETag}</ETag></Part>" +
            "</CompleteMultipartUpload>");
        new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region)
            .SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(request.Body));
        var response = await wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "InvalidPartOrder");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, parts);
        Assert.Equal(HttpStatusCode.OK, complete.HttpStatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Multipart_calls_with_an_unknown_upload_id_or_the_upload_id_of_another_key_return_NoSuchUpload()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var part = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, RandomNumberGenerator.GetBytes(1000));
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act + Assert
        foreach (var (key, id) in new[] { ("k", "no-such-upload-id"), ("other", uploadId) })
        {
            await ActionTestExtensions.AssertS3ErrorAsync(() => S3.UploadPartBytesAsync(bucket, key, id, 1, RandomNumberGenerator.GetBytes(3 * ChunkSize)),
                HttpStatusCode.NotFound, "NoSuchUpload");
            await ActionTestExtensions.AssertS3ErrorAsync(() => S3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = key, UploadId = id }),
                HttpStatusCode.NotFound, "NoSuchUpload");
            await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, key, id, [new PartETag(1, part.ETag)]),
                HttpStatusCode.NotFound, "NoSuchUpload");
            await ActionTestExtensions.AssertS3ErrorAsync(() => S3.AbortMultipartUploadAsync(bucket, key, id),
                HttpStatusCode.NotFound, "NoSuchUpload");
        }
        // Refused before a byte of a part body was stored.
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        Assert.Equal([uploadId], await S3.ListUploadIdsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task UploadPart_again_with_the_same_number_replaces_the_part_and_releases_the_chunks_of_the_old_one()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var first = RandomNumberGenerator.GetBytes(3 * ChunkSize + 100);
        var second = RandomNumberGenerator.GetBytes(2 * ChunkSize + 200);
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var old = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, first);

        // Act
        var replacement = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, second);
        var parts = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        await StoreSnapshot.CaptureAsync(Server, bucket);
        var oldChunksLeft = await ChunkRowsOfAsync(first);
        var newChunks = await ChunkRowsOfAsync(second);

        // Assert
        Assert.Equal([$"1 {ActionTestExtensions.QuotedMd5(second)} {second.Length}"], parts);
        Assert.Empty(oldChunksLeft);
        Assert.Equal(3, newChunks.Count);
        Assert.All(newChunks, static chunk => Assert.Equal(1, chunk.RefCount));
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, old.ETag)]),
            HttpStatusCode.BadRequest, "InvalidPart");
        await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, replacement.ETag)]);
        Assert.Equal(second, await S3.GetBytesAsync(bucket, "k"));
    }

    [Fact(Timeout = 60_000)]
    public async Task CompleteMultipartUpload_with_a_subset_of_the_parts_makes_the_object_of_those_parts_and_releases_the_others()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        // The left-out part ends in a short chunk, but not a 1-byte one: chunks are shared by content,
        // and another test's live object on this server could hold the same single byte.
        byte[][] bodies = [RandomNumberGenerator.GetBytes(MinPartSize), RandomNumberGenerator.GetBytes(2 * ChunkSize + 17), RandomNumberGenerator.GetBytes(300_000)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, bodies);

        // Act
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, [parts[0], parts[2]]);
        var read = await S3.GetBytesAsync(bucket, "k");
        await StoreSnapshot.CaptureAsync(Server, bucket);

        // Assert
        Assert.Equal(MultipartETag(bodies[0], bodies[2]), complete.ETag);
        Assert.Equal(Concat(bodies[0], bodies[2]), read);
        Assert.Empty(await ChunkRowsOfAsync(bodies[1]));
        var kept = await ChunkRowsOfAsync(bodies[0], bodies[2]);
        Assert.Equal(20 + 2, kept.Count);
        Assert.All(kept, static chunk => Assert.Equal(1, chunk.RefCount));
    }

    [Fact(Timeout = 30_000)]
    public async Task AbortMultipartUpload_removes_the_upload_and_releases_its_chunks()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        byte[][] bodies = [RandomNumberGenerator.GetBytes(2 * ChunkSize + 5), RandomNumberGenerator.GetBytes(ChunkSize + 7)];
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var parts = await S3.UploadPartsAsync(bucket, "k", uploadId, bodies);
        var heldWhileInProgress = await ChunkRowsOfAsync(bodies);

        // Act
        var abort = await S3.AbortMultipartUploadAsync(bucket, "k", uploadId);

        // Assert
        Assert.Equal(5, heldWhileInProgress.Count);
        Assert.Equal(HttpStatusCode.NoContent, abort.HttpStatusCode);
        Assert.Empty(await S3.ListUploadIdsAsync(bucket));
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId }),
            HttpStatusCode.NotFound, "NoSuchUpload");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.UploadPartBytesAsync(bucket, "k", uploadId, 3, [1, 2, 3]),
            HttpStatusCode.NotFound, "NoSuchUpload");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, parts), HttpStatusCode.NotFound, "NoSuchUpload");
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.AbortMultipartUploadAsync(bucket, "k", uploadId), HttpStatusCode.NotFound, "NoSuchUpload");
        // Everything the upload stored is reclaimed by the sweep: the store is as it was before Create.
        Assert.Equal(5, await before.AssertUnchangedAsync(Server));
        await ActionTestExtensions.AssertS3StatusAsync(() => S3.GetObjectMetadataAsync(bucket, "k"), HttpStatusCode.NotFound);
    }

    /// <summary>
    /// The catalog's chunk rows holding the bodies' bytes, found by address: the SHA-256 of each
    /// fixed-size chunk, computed here independently (each part is chunked from its own start).
    /// </summary>
    private async Task<List<ChunkInfo>> ChunkRowsOfAsync(params byte[][] bodies)
    {
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var body in bodies)
        {
            for (var offset = 0; offset < body.Length; offset += ChunkSize)
            {
                addresses.Add(Convert.ToHexStringLower(SHA256.HashData(body.AsSpan(offset, Math.Min(ChunkSize, body.Length - offset)))));
            }
        }
        var rows = await Server.Services.GetRequiredService<IChunkCatalog>().ListChunksAsync(CancellationToken.None);
        return rows.Where(row => addresses.Contains(row.Hash.ToString())).ToList();
    }
}
