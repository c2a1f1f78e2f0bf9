using Cairn.Core;
using Cairn.Engine.Multipart;
using Cairn.Engine.Workers;
using Cairn.Metadata;
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

    /// <summary>
    /// A Complete sent again is answered with the first one's result for
    /// <see cref="EngineOptions.CompletedUploadRetention"/> and changes nothing; after that it is
    /// NoSuchUpload, and the cleanup worker forgets the completion.
    /// </summary>
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task A_Complete_sent_again_is_answered_as_the_first_within_the_retention_then_NoSuchUpload_and_the_cleaner_forgets_it()
    {
        // Arrange
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, cleaner) = Create(engine);
        var uploadId = await CreateUploadAsync(multipart, "k", ChecksumAlgorithm.Crc32C);
        var part = await UploadPartAsync(multipart, uploadId, "k", 1, EngineHarness.RandomBytes(3 * 64 * 1024, seed: 41));
        var first = await CompleteAsync(multipart, uploadId, "k", part.ETag);
        var chunks = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        var blobs = await engine.BlobNamesAsync();

        // Act
        var again = await CompleteAsync(multipart, uploadId, "k", part.ETag);
        engine.Clock.Advance(engine.Options.CompletedUploadRetention - TimeSpan.FromMinutes(1));
        var late = await CompleteAsync(multipart, uploadId, "k", part.ETag);
        await cleaner.WorkAsync(CancellationToken.None);
        var keptByCleaner = await engine.Metadata.GetCompletedMultipartUploadAsync(uploadId, CancellationToken.None);
        engine.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));
        var tooLate = await CompleteAsync(multipart, uploadId, "k", part.ETag);
        await cleaner.WorkAsync(CancellationToken.None);

        // Assert
        Assert.Equal((CompleteMultipartStatus.Completed, false), (first.Status, first.Repeated));
        foreach (var repeated in new[] { again, late })
        {
            Assert.Equal((CompleteMultipartStatus.Completed, true), (repeated.Status, repeated.Repeated));
            Assert.Equal((first.Version.Bucket, first.Version.Key, first.Version.ETag, first.Version.Size, first.Version.ChecksumType),
                (repeated.Version.Bucket, repeated.Version.Key, repeated.Version.ETag, repeated.Version.Size, repeated.Version.ChecksumType));
            Assert.Equal(first.Version.Checksums, repeated.Version.Checksums);
        }
        Assert.NotNull(keptByCleaner);
        Assert.Equal(CompleteMultipartStatus.NoSuchUpload, tooLate.Status);
        Assert.Null(await engine.Metadata.GetCompletedMultipartUploadAsync(uploadId, CancellationToken.None));
        Assert.Equal(chunks, await engine.Metadata.ListChunksAsync(CancellationToken.None));
        Assert.Equal(blobs, await engine.BlobNamesAsync());
    }

    /// <summary>
    /// Two Completes of one upload at once (a retry sent while the first is still running): one
    /// completes it, the other is answered with its result; the object holds each chunk once.
    /// </summary>
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task Two_Completes_of_one_upload_at_once_complete_it_once_and_both_answer_its_result()
    {
        // Arrange
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, _) = Create(engine);
        var uploadId = await CreateUploadAsync(multipart, "k");
        var body = EngineHarness.RandomBytes(2 * 64 * 1024 + 5, seed: 42);
        var part = await UploadPartAsync(multipart, uploadId, "k", 1, body);

        // Act
        var results = await Task.WhenAll(
            Task.Run(() => CompleteAsync(multipart, uploadId, "k", part.ETag)),
            Task.Run(() => CompleteAsync(multipart, uploadId, "k", part.ETag)));

        // Assert
        Assert.All(results, static result => Assert.Equal(CompleteMultipartStatus.Completed, result.Status));
        Assert.Single(results, static result => !result.Repeated);
        Assert.Equal(results[0].Version.ETag, results[1].Version.ETag);
        Assert.Equal(body, await engine.ReadAsync("k"));
        await engine.SweepAfterGraceAsync();
        await engine.AssertBlobsMatchCatalogAsync();
        Assert.All(await engine.Metadata.ListChunksAsync(CancellationToken.None), static chunk => Assert.Equal(1, chunk.RefCount));
    }

    /// <summary>
    /// The race made certain: the first Complete has read the upload and its parts when the second one
    /// completes it, so the first one's commit finds no upload; it answers with the completion instead
    /// of NoSuchUpload.
    /// </summary>
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task A_Complete_that_finds_its_upload_completed_by_another_at_commit_answers_that_completion()
    {
        // Arrange: the first Complete stops after reading the parts until the second has finished.
        await using var engine = await EngineHarness.CreateAsync();
        var gated = new PartListingGate(engine.Metadata);
        var first = new MultipartService(engine.Metadata, engine.Metadata, gated, engine.Chunks, engine.Options, engine.Clock);
        var (second, _) = Create(engine);
        var uploadId = await CreateUploadAsync(second, "k");
        var part = await UploadPartAsync(second, uploadId, "k", 1, EngineHarness.RandomBytes(64 * 1024 + 3, seed: 44));

        // Act
        var held = CompleteAsync(first, uploadId, "k", part.ETag);
        await gated.Listed;
        var winner = await CompleteAsync(second, uploadId, "k", part.ETag);
        gated.Release();
        var late = await held;

        // Assert
        Assert.Equal((CompleteMultipartStatus.Completed, false), (winner.Status, winner.Repeated));
        Assert.Equal((CompleteMultipartStatus.Completed, true), (late.Status, late.Repeated));
        Assert.Equal(winner.Version.ETag, late.Version.ETag);
    }

    /// <summary>A Complete sent again must still state the completed object's checksum and size, if it states them.</summary>
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task A_Complete_sent_again_checks_a_stated_checksum_type_and_size_against_the_completed_object()
    {
        // Arrange
        await using var engine = await EngineHarness.CreateAsync();
        var (multipart, _) = Create(engine);
        var uploadId = await CreateUploadAsync(multipart, "k", ChecksumAlgorithm.Crc32, "FULL_OBJECT");
        var body = EngineHarness.RandomBytes(64 * 1024 + 9, seed: 43);
        var part = await UploadPartAsync(multipart, uploadId, "k", 1, body);
        var first = await CompleteAsync(multipart, uploadId, "k", part.ETag);
        var crc = first.Version.Checksums["CRC32"];

        // Act
        var right = await CompleteAsync(multipart, uploadId, "k", part.ETag, command => command with
        {
            ExpectedChecksum = (ChecksumAlgorithm.Crc32, crc),
            ExpectedChecksumType = "FULL_OBJECT",
            ExpectedSize = body.Length,
        });
        var wrongValue = await CompleteAsync(multipart, uploadId, "k", part.ETag,
            command => command with { ExpectedChecksum = (ChecksumAlgorithm.Crc32, "AAAAAA==") });
        var wrongAlgorithm = await CompleteAsync(multipart, uploadId, "k", part.ETag,
            command => command with { ExpectedChecksum = (ChecksumAlgorithm.Crc32C, crc) });
        var wrongType = await CompleteAsync(multipart, uploadId, "k", part.ETag, static command => command with { ExpectedChecksumType = "COMPOSITE" });
        var wrongSize = await CompleteAsync(multipart, uploadId, "k", part.ETag, command => command with { ExpectedSize = body.Length + 1 });

        // Assert
        Assert.Equal((CompleteMultipartStatus.Completed, true), (right.Status, right.Repeated));
        Assert.Equal(
            (CompleteMultipartStatus.ChecksumMismatch, CompleteMultipartStatus.ChecksumAlgorithmMismatch, CompleteMultipartStatus.ChecksumTypeMismatch, CompleteMultipartStatus.SizeMismatch),
            (wrongValue.Status, wrongAlgorithm.Status, wrongType.Status, wrongSize.Status));
        Assert.Equal("CRC32", wrongAlgorithm.Detail);
    }

    private static Task<Cairn.Engine.Multipart.CompleteMultipartResult> CompleteAsync(MultipartService multipart, string uploadId, string key, string etag,
        Func<CompleteMultipartCommand, CompleteMultipartCommand>? configure = null)
    {
        var command = new CompleteMultipartCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = key,
            UploadId = uploadId,
            Parts = [new CompletePartCommand(1, etag, new Dictionary<string, string>())],
        };
        return multipart.CompleteAsync(configure?.Invoke(command) ?? command, CancellationToken.None);
    }

    /// <summary>The multipart catalog, except that the first part listing is held until <see cref="Release"/>.</summary>
    private sealed class PartListingGate(IMultipartCatalog inner) : IMultipartCatalog
    {
        private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Listed => _listed.Task;

        public void Release() => _released.TrySetResult();

        public async ValueTask<PartListing> ListPartsAsync(string uploadId, int afterPartNumber, int maxParts, CancellationToken cancellationToken)
        {
            var page = await inner.ListPartsAsync(uploadId, afterPartNumber, maxParts, cancellationToken);
            _listed.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return page;
        }

        public ValueTask<bool> CreateMultipartUploadAsync(MultipartUploadRecord upload, CancellationToken cancellationToken) =>
            inner.CreateMultipartUploadAsync(upload, cancellationToken);

        public ValueTask<MultipartUploadRecord?> GetMultipartUploadAsync(string uploadId, CancellationToken cancellationToken) =>
            inner.GetMultipartUploadAsync(uploadId, cancellationToken);

        public ValueTask<PartCommitOutcome> CommitPartAsync(string uploadId, Guid? reservationId, PartRecord part, DateTimeOffset now, TimeSpan gracePeriod,
            CancellationToken cancellationToken) => inner.CommitPartAsync(uploadId, reservationId, part, now, gracePeriod, cancellationToken);

        public ValueTask<bool> AbortMultipartUploadAsync(string uploadId, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
            inner.AbortMultipartUploadAsync(uploadId, now, gracePeriod, cancellationToken);

        public ValueTask<MultipartUploadListing> ListMultipartUploadsAsync(string bucket, MultipartUploadsQuery query, CancellationToken cancellationToken) =>
            inner.ListMultipartUploadsAsync(bucket, query, cancellationToken);

        public ValueTask<IReadOnlyList<string>> ListMultipartUploadsInitiatedBeforeAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
            inner.ListMultipartUploadsInitiatedBeforeAsync(cutoff, max, cancellationToken);

        public ValueTask<CompletedMultipartUploadRecord?> GetCompletedMultipartUploadAsync(string uploadId, CancellationToken cancellationToken) =>
            inner.GetCompletedMultipartUploadAsync(uploadId, cancellationToken);

        public ValueTask<int> ForgetCompletedMultipartUploadsAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
            inner.ForgetCompletedMultipartUploadsAsync(cutoff, max, cancellationToken);
    }

    private static (MultipartService Multipart, AbandonedUploadCleaner Cleaner) Create(EngineHarness engine)
    {
        var multipart = new MultipartService(engine.Metadata, engine.Metadata, engine.Metadata, engine.Chunks, engine.Options, engine.Clock);
        return (multipart, new AbandonedUploadCleaner(multipart, engine.Options, engine.Clock, NullLogger<AbandonedUploadCleaner>.Instance));
    }

    private static async Task<string> CreateUploadAsync(MultipartService multipart, string key, ChecksumAlgorithm? algorithm = null, string? checksumType = null)
    {
        var upload = await multipart.CreateAsync(new CreateMultipartCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = key,
            ChecksumAlgorithm = algorithm,
            ChecksumType = checksumType,
        }, CancellationToken.None);
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
