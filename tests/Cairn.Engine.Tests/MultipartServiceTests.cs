using Cairn.Engine.Multipart;
using Cairn.Engine.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// The abandoned-upload cleaner on a fake clock: an upload older than
/// <see cref="EngineOptions.AbandonedUploadAge"/> is aborted and its parts' chunks are reclaimed
/// only after the grace period; a younger upload is kept whole.
/// </summary>
public sealed class MultipartServiceTests
{
    [Fact(Timeout = 30_000)]
    public async Task AbandonedUploadCleaner_aborts_an_upload_older_than_the_age_and_its_chunks_are_swept_only_after_the_grace_period()
    {
        // Arrange: a part of four 64 KiB chunks.
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, cleaner) = Create(engine);
        var upload = await CreateUploadAsync(multipart, "abandoned");
        await UploadPartAsync(multipart, upload, "abandoned", 1, EngineHarness.RandomBytes(4 * 64 * 1024, seed: 21));
        var blobs = await engine.BlobNamesAsync();

        // Act
        engine.Clock.Advance(engine.Options.AbandonedUploadAge + TimeSpan.FromMinutes(1));
        var state = await cleaner.WorkAsync(CancellationToken.None);

        // Assert
        Assert.Equal(WorkerState.Idle, state);
        Assert.Null(await multipart.FindAsync(EngineHarness.Bucket, "abandoned", upload, CancellationToken.None));
        Assert.Equal(4, blobs.Count);
        Assert.Equal(0, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Equal(blobs, await engine.BlobNamesAsync());
        Assert.Equal(4, await engine.SweepAfterGraceAsync());
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal(0, await engine.Metadata.CountPendingDeletesAsync(CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task AbandonedUploadCleaner_keeps_an_upload_younger_than_the_age_and_it_can_still_be_completed()
    {
        // Arrange: "old" starts at the beginning, "young" an hour before the age has passed for "old".
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, cleaner) = Create(engine);
        var old = await CreateUploadAsync(multipart, "old");
        await UploadPartAsync(multipart, old, "old", 1, EngineHarness.RandomBytes(3 * 64 * 1024, seed: 22));
        engine.Clock.Advance(engine.Options.AbandonedUploadAge - TimeSpan.FromHours(1));
        var young = await CreateUploadAsync(multipart, "young");
        var youngBody = EngineHarness.RandomBytes(2 * 64 * 1024 + 10, seed: 23);
        var part = await UploadPartAsync(multipart, young, "young", 1, youngBody);

        // Act: the age has passed for "old" only.
        engine.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await cleaner.WorkAsync(CancellationToken.None);
        var sweptAfterGrace = await engine.SweepAfterGraceAsync();

        // Assert
        Assert.Null(await multipart.FindAsync(EngineHarness.Bucket, "old", old, CancellationToken.None));
        Assert.NotNull(await multipart.FindAsync(EngineHarness.Bucket, "young", young, CancellationToken.None));
        Assert.Equal(3, sweptAfterGrace);
        await engine.AssertBlobsMatchCatalogAsync();
        var completed = await multipart.CompleteAsync(new CompleteMultipartCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = "young",
            UploadId = young,
            Parts = [new CompletePartCommand(1, part.ETag, new Dictionary<string, string>())],
        }, CancellationToken.None);
        Assert.Equal(CompleteMultipartStatus.Completed, completed.Status);
        Assert.Equal(youngBody, await engine.ReadAsync("young"));
        Assert.Equal(0, await engine.SweepAfterGraceAsync());
        await engine.AssertBlobsMatchCatalogAsync();
    }

    /// <summary>
    /// Two UploadParts of one part number that overlap in time (a client retrying a part whose answer
    /// it did not get, while the first attempt is still sending): S3 keeps the part whose upload
    /// finished last, whichever started first, and Complete must list that part's ETag. The other
    /// part's chunks are released, so after the sweep only the object's chunks remain.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [Trait("Issue", "10")]
    public async Task A_part_number_uploaded_twice_at_once_is_the_upload_that_finished_last_and_the_other_ones_chunks_are_released(
        bool firstStartedFinishesLast, bool sameBytes)
    {
        // Arrange: bodies of three 64 KiB chunks, each stalled after its first chunk until released.
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, _) = Create(engine);
        var uploadId = await CreateUploadAsync(multipart, "k");
        var firstBytes = EngineHarness.RandomBytes(3 * 64 * 1024, seed: 31);
        var secondBytes = sameBytes ? firstBytes.ToArray() : EngineHarness.RandomBytes(3 * 64 * 1024, seed: 32);
        var first = new GatedStream(firstBytes, 64 * 1024 + 1);
        var second = new GatedStream(secondBytes, 64 * 1024 + 1);

        // Act: both are mid-body at once; then one finishes, then the other.
        var firstUpload = UploadPartAsync(multipart, uploadId, "k", 1, first);
        await first.Reached;
        var secondUpload = UploadPartAsync(multipart, uploadId, "k", 1, second);
        await second.Reached;
        var (earlier, later) = firstStartedFinishesLast ? ((second, secondUpload), (first, firstUpload)) : ((first, firstUpload), (second, secondUpload));
        earlier.Item1.Open();
        var earlierPart = await earlier.Item2;
        later.Item1.Open();
        var laterPart = await later.Item2;
        var laterBytes = firstStartedFinishesLast ? firstBytes : secondBytes;

        // Assert
        var listed = await multipart.ListPartsAsync(EngineHarness.Bucket, "k", uploadId, 0, 10, CancellationToken.None);
        Assert.Equal([(1, laterPart.ETag)], listed!.Value.Parts.Parts.Select(static p => (p.PartNumber, p.ETag)));
        if (!sameBytes)
        {
            Assert.Equal(CompleteMultipartStatus.InvalidPart, (await CompleteAsync(multipart, uploadId, "k", earlierPart.ETag)).Status);
        }
        Assert.Equal(CompleteMultipartStatus.Completed, (await CompleteAsync(multipart, uploadId, "k", laterPart.ETag)).Status);
        Assert.Equal(laterBytes, await engine.ReadAsync("k"));
        await engine.SweepAfterGraceAsync();
        await engine.AssertBlobsMatchCatalogAsync();
        Assert.All(await engine.Metadata.ListChunksAsync(CancellationToken.None), static chunk => Assert.Equal(1, chunk.RefCount));
        Assert.Equal(3, (await engine.Metadata.ListChunksAsync(CancellationToken.None)).Count);
    }

    private static Task<CompleteMultipartResult> CompleteAsync(MultipartService multipart, string uploadId, string key, string etag) =>
        multipart.CompleteAsync(new CompleteMultipartCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = key,
            UploadId = uploadId,
            Parts = [new CompletePartCommand(1, etag, new Dictionary<string, string>())],
        }, CancellationToken.None);

    private static (MultipartService Multipart, AbandonedUploadCleaner Cleaner) Create(EngineHarness engine)
    {
        var multipart = new MultipartService(engine.Metadata, engine.Metadata, engine.Metadata, engine.Chunks, engine.Options, engine.Clock);
        return (multipart, new AbandonedUploadCleaner(multipart, engine.Options, engine.Clock, NullLogger<AbandonedUploadCleaner>.Instance));
    }

    private static async Task<string> CreateUploadAsync(MultipartService multipart, string key)
    {
        var upload = await multipart.CreateAsync(new CreateMultipartCommand { Bucket = EngineHarness.Bucket, Key = key }, CancellationToken.None);
        return Assert.NotNull(upload).UploadId;
    }

    private static Task<UploadedPart> UploadPartAsync(MultipartService multipart, string uploadId, string key, int partNumber, byte[] body) =>
        UploadPartAsync(multipart, uploadId, key, partNumber, new MemoryStream(body));

    private static async Task<UploadedPart> UploadPartAsync(MultipartService multipart, string uploadId, string key, int partNumber, Stream body)
    {
        var result = await multipart.UploadPartAsync(new UploadPartCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            Body = body,
            DeclaredLength = body.Length,
        }, CancellationToken.None);
        Assert.Equal(UploadPartStatus.Stored, result.Status);
        return result.Part;
    }
}
