using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Actions;

public sealed partial class MultipartUploadTests
{
    /// <summary>
    /// One part number sent twice at once, as an SDK does when it retries a part whose answer it
    /// missed while the first attempt is still sending: both requests are mid-body on the server at
    /// the same time, then one finishes, then the other. The part is the one acknowledged last
    /// (whichever started first), Complete with the other's ETag is InvalidPart, and once the object is
    /// complete the other part's chunks are gone after the sweep.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    [Trait("Issue", "10")]
    public async Task UploadPart_sent_twice_at_once_keeps_the_part_acknowledged_last_and_releases_the_other(bool firstStartedFinishesLast)
    {
        // Arrange: each body stalls after two chunks until the test lets it go on (the SDK sends what it
        // read in aws-chunked frames of 80 KiB, so at least one whole 256 KiB chunk reaches the server).
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var firstBytes = RandomNumberGenerator.GetBytes(3 * ChunkSize + 100);
        var secondBytes = RandomNumberGenerator.GetBytes(3 * ChunkSize + 200);
        var first = new GatedStream(firstBytes, 2 * ChunkSize);
        var second = new GatedStream(secondBytes, 2 * ChunkSize);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act: the server has stored a chunk of each before either finishes.
        var firstUpload = S3.UploadPartAsync(UploadPart(bucket, uploadId, first));
        await first.Reached;
        await before.WaitForNewBlobFilesAsync(Server, 1);
        var secondUpload = S3.UploadPartAsync(UploadPart(bucket, uploadId, second));
        await second.Reached;
        await before.WaitForNewBlobFilesAsync(Server, 2);
        var (earlierStream, earlierUpload, laterStream, laterUpload) = firstStartedFinishesLast
            ? (second, secondUpload, first, firstUpload)
            : (first, firstUpload, second, secondUpload);
        earlierStream.Open();
        var earlier = await earlierUpload;
        laterStream.Open();
        var later = await laterUpload;
        var laterBytes = firstStartedFinishesLast ? firstBytes : secondBytes;

        // Assert
        Assert.Equal([$"1 {later.ETag} {laterBytes.Length}"], await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        await ActionTestExtensions.AssertS3ErrorAsync(() => S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, earlier.ETag)]),
            HttpStatusCode.BadRequest, "InvalidPart");
        var complete = await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, later.ETag)]);
        Assert.Equal(MultipartETag(laterBytes), complete.ETag);
        Assert.Equal(laterBytes, await S3.GetBytesAsync(bucket, "k"));
        await StoreSnapshot.CaptureAsync(Server, bucket);
        Assert.Empty(await ChunkRowsOfAsync(firstStartedFinishesLast ? secondBytes : firstBytes));
        Assert.All(await ChunkRowsOfAsync(laterBytes), static chunk => Assert.Equal(1, chunk.RefCount));
    }

    /// <summary>
    /// Both ETags of a part number uploaded twice listed in Complete (s3-tests'
    /// test_multipart_resend_first_finishes_last sends that): S3 requires the list in ascending
    /// order of part number, so a number listed twice is InvalidPartOrder (AWS answered it to a
    /// duplicated part, transloadit/uppy#2324), and nothing is completed. Sent by hand: the SDK sorts.
    /// </summary>
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_listing_a_part_number_twice_returns_InvalidPartOrder_and_keeps_the_upload()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var replaced = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, RandomNumberGenerator.GetBytes(1000));
        var body = RandomNumberGenerator.GetBytes(2000);
        var current = await S3.UploadPartBytesAsync(bucket, "k", uploadId, 1, body);
        var partsBefore = await S3.ListPartSummariesAsync(bucket, "k", uploadId);
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        using var wire = new WireClient(Server.Endpoint);
        var request = wire.Request("POST", WireSigner.PathOf(bucket, "k"), "uploadId=" + WireSigner.UriEncode(uploadId, keepSlash: false));
        request.Body = Encoding.UTF8.GetBytes("<CompleteMultipartUpload>" +
            $"<Part><PartNumber>1</PartNumber><ETag>{replaced.ETag}</ETag></Part>" +
            $"<Part><PartNumber>1</PartNumber><ETag>{current.ETag}</ETag></Part>" +
            "</CompleteMultipartUpload>");
        new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region)
            .SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(request.Body));

        // Act
        var response = await wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "InvalidPartOrder");
        Assert.Equal(0, await before.AssertUnchangedAsync(Server));
        Assert.Equal(partsBefore, await S3.ListPartSummariesAsync(bucket, "k", uploadId));
        await S3.CompleteAsync(bucket, "k", uploadId, [new PartETag(1, current.ETag)]);
        Assert.Equal(body, await S3.GetBytesAsync(bucket, "k"));
    }

    private static UploadPartRequest UploadPart(string bucket, string uploadId, Stream body) => new()
    {
        BucketName = bucket,
        Key = "k",
        UploadId = uploadId,
        PartNumber = 1,
        InputStream = body,
    };
}
