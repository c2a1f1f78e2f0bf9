using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class MultipartCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    [Fact(Timeout = 10_000)]
    public async Task CreateMultipartUpload_then_GetMultipartUpload_round_trips_every_field()
    {
        // Arrange
        var upload = new MultipartUploadRecord
        {
            UploadId = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA",
            Bucket = Bucket,
            Key = "videos/r\u00e9sum\u00e9 \U0001F600.mp4",
            Initiated = new DateTimeOffset(2024, 12, 31, 23, 59, 59, 987, TimeSpan.Zero),
            Headers = new ContentHeaders("video/mp4", null, "attachment", "fr", "no-cache", null),
            UserMetadata = new Dictionary<string, string> { ["author"] = "Zo\u00eb" },
            ChecksumAlgorithm = "CRC32",
            ChecksumType = "COMPOSITE",
            Tags = new Dictionary<string, string> { ["project"] = "cairn", ["note"] = "a b&c=d \u00e9", ["empty"] = "" },
        };

        // Act
        var created = await Catalog.Multipart.CreateMultipartUploadAsync(upload, Ct);
        var read = await Catalog.Multipart.GetMultipartUploadAsync(upload.UploadId, Ct);

        // Assert
        Assert.True(created);
        Assert.NotNull(read);
        Assert.Equal((upload.UploadId, upload.Bucket, upload.Key, upload.Initiated, upload.Headers),
            (read.UploadId, read.Bucket, read.Key, read.Initiated, read.Headers));
        Assert.Equal(upload.UserMetadata, read.UserMetadata);
        Assert.Equal((upload.ChecksumAlgorithm, upload.ChecksumType), (read.ChecksumAlgorithm, read.ChecksumType));
        Assert.Equal(upload.Tags.OrderBy(static p => p.Key, StringComparer.Ordinal), read.Tags.OrderBy(static p => p.Key, StringComparer.Ordinal));
        var minimal = await Catalog.Multipart.GetMultipartUploadAsync(await CreateUploadAsync(), Ct);
        Assert.Equal((new ContentHeaders(), 0, (string?)null, (string?)null, 0),
            (minimal!.Headers, minimal.UserMetadata.Count, minimal.ChecksumAlgorithm, minimal.ChecksumType, minimal.Tags.Count));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_uploads_encryption_envelope_round_trips_through_create_get_and_list_and_the_completed_object_keeps_its_own()
    {
        // Arrange
        byte[] envelope = [0x00, 0x01, 0xFE, 0xFF, .. "upload data key"u8];
        byte[] objectEnvelope = [.. "object data key"u8];
        var encrypted = new MultipartUploadRecord { UploadId = "encrypted", Bucket = Bucket, Key = "big", Initiated = Now, Encryption = envelope };
        var plain = await CreateUploadAsync("plain");

        // Act
        var created = await Catalog.Multipart.CreateMultipartUploadAsync(encrypted, Ct);
        var read = await Catalog.Multipart.GetMultipartUploadAsync("encrypted", Ct);
        var listed = await Catalog.Multipart.ListMultipartUploadsAsync(Bucket, new MultipartUploadsQuery("", null, null, null, 100), Ct);
        PartRecord[] parts = [Part(1, "e1", Chunk("a"))];
        await UploadPartAsync("encrypted", parts[0]);
        var completed = await Catalog.Objects.CompleteMultipartUploadAsync("encrypted", [new CompletedPart(1, "e1")],
            MultipartVersion("big", parts) with { Encryption = objectEnvelope }, WritePrecondition.None, Now, Grace, Ct);
        var completedObject = await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(envelope, read!.Encryption);
        Assert.Equal([("big", "encrypted"), ("plain", plain)], listed.Uploads.Select(static u => (u.Key, u.UploadId)));
        Assert.Equal([envelope, null], listed.Uploads.Select(static u => u.Encryption));
        Assert.Null((await Catalog.Multipart.GetMultipartUploadAsync(plain, Ct))!.Encryption);
        Assert.Equal(CompleteMultipartOutcome.Completed, completed.Outcome);
        Assert.Equal(objectEnvelope, completedObject!.Encryption);
    }

    [Fact(Timeout = 10_000)]
    public async Task CreateMultipartUpload_in_a_missing_bucket_returns_false_and_GetMultipartUpload_of_an_unknown_id_null()
    {
        var upload = new MultipartUploadRecord { UploadId = "u", Bucket = "absent", Key = "k", Initiated = Now };
        Assert.False(await Catalog.Multipart.CreateMultipartUploadAsync(upload, Ct));
        Assert.Null(await Catalog.Multipart.GetMultipartUploadAsync("u", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitPart_adopts_the_reserved_blobs_and_drops_the_reservation()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        var (a, b) = (Chunk("a"), Chunk("b", 10));

        // Act
        var reservations = await UploadPartAsync(uploadId, Part(1, "e1", a, b));

        // Assert
        Assert.Equal(new ChunkInfo(a.Hash, reservations[0].BlobName!, a.Length, 1), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, reservations[1].BlobName!, b.Length, 1), await FindChunkAsync(b));
        Assert.Empty(await QueueAsync());
        Assert.Equal(0, await Catalog.Chunks.ExpireUploadsAsync(Forever, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitPart_counts_references_across_parts_that_share_chunks_with_each_other_and_with_objects()
    {
        // Arrange
        var (a, b, c) = (Chunk("a"), Chunk("b"), Chunk("c"));
        await PutAsync("k", a);
        var uploadId = await CreateUploadAsync();

        // Act: part 2 uses b twice; part 3 is a copy of committed chunks only (no reservation).
        await UploadPartAsync(uploadId, Part(1, "e1", a, b));
        await UploadPartAsync(uploadId, Part(2, "e2", b, c, b));
        var copied = await Catalog.Multipart.CommitPartAsync(uploadId, null, Part(3, "e3", a), Now, Grace, Ct);

        // Assert
        Assert.Equal(PartCommitOutcome.Committed, copied);
        Assert.Equal((3L, 3L, 1L), ((await RefCountAsync(a))!.Value, (await RefCountAsync(b))!.Value, (await RefCountAsync(c))!.Value));
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitPart_with_a_chunk_neither_reserved_nor_committed_returns_ChunkMissing_and_changes_nothing()
    {
        // Arrange
        var (a, b, unknown) = (Chunk("a"), Chunk("b"), Chunk("unknown"));
        var uploadId = await CreateUploadAsync();
        await UploadPartAsync(uploadId, Part(1, "e1", a));
        var (reservation, reserved) = await ReserveAsync(b);
        var before = await SnapshotAsync(uploadId);

        // Act
        var unreserved = await Catalog.Multipart.CommitPartAsync(uploadId, null, Part(1, "x", unknown), Now, Grace, Ct);
        var partly = await Catalog.Multipart.CommitPartAsync(uploadId, reservation, Part(1, "y", b, unknown), Now, Grace, Ct);

        // Assert: the reservation stays for the caller to abort.
        Assert.Equal((PartCommitOutcome.ChunkMissing, PartCommitOutcome.ChunkMissing), (unreserved, partly));
        Assert.Equal(before, await SnapshotAsync(uploadId));
        await Catalog.Chunks.AbortUploadAsync(reservation, Now, Ct);
        Assert.NotNull(await FindQueuedAsync(reserved[0].BlobName!));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitPart_to_a_missing_upload_returns_NoSuchUpload_and_keeps_the_reservation()
    {
        // Arrange
        var chunk = Chunk("a");
        var (reservation, reserved) = await ReserveAsync(chunk);

        // Act
        var outcome = await Catalog.Multipart.CommitPartAsync("no-such-upload", reservation, Part(1, "e1", chunk), Now, Grace, Ct);

        // Assert
        Assert.Equal(PartCommitOutcome.NoSuchUpload, outcome);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        await Catalog.Chunks.AbortUploadAsync(reservation, Now, Ct);
        Assert.NotNull(await FindQueuedAsync(reserved[0].BlobName!));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitPart_replacing_a_part_queues_the_old_chunks_after_the_grace_period()
    {
        // Arrange
        var (old, shared, fresh) = (Chunk("old"), Chunk("shared"), Chunk("fresh"));
        var uploadId = await CreateUploadAsync();
        var first = await UploadPartAsync(uploadId, Part(1, "e1", old, shared));
        var later = Now.AddMinutes(1);

        // Act
        await UploadPartAsync(uploadId, Part(1, "e2", fresh, shared) with { LastModified = later }, later);

        // Assert: the chunk both versions of the part use never reached zero.
        Assert.Equal(new DeleteQueueEntry(first[0].BlobName!, old.Hash, later + Grace, 0, null), Assert.Single(await QueueAsync()));
        Assert.Equal((0L, 1L, 1L), ((await RefCountAsync(old))!.Value, (await RefCountAsync(shared))!.Value, (await RefCountAsync(fresh))!.Value));
        var part = Assert.Single((await Catalog.Multipart.ListPartsAsync(uploadId, 0, 10, Ct)).Parts);
        Assert.Equal(("e2", later), (part.ETag, part.LastModified));
        Assert.Equal([fresh, shared], part.Chunks);
    }

    /// <summary>
    /// A part number uploaded by many writers at once (an SDK retrying a part whose answer was lost,
    /// racing its first attempt): every commit is acknowledged, one of them is the part, and every
    /// other writer's chunks are released. On PostgreSQL the writes run concurrently and conflict;
    /// a writer that replaced a part it never read would leave that part's chunks referenced forever.
    /// </summary>
    [Fact(Timeout = 60_000)]
    [Trait("Issue", "10")]
    public async Task Concurrent_commits_of_one_part_number_leave_one_part_and_release_every_other_writers_chunks()
    {
        // Arrange: each writer has a chunk of its own and one they all share (retries often resend the same bytes).
        const int Writers = 16;
        var uploadId = await CreateUploadAsync();
        var shared = Chunk("shared");
        var writers = new (Guid Reservation, ChunkReservation[] Reserved)[Writers];
        for (var i = 0; i < Writers; i++)
        {
            writers[i] = await ReserveAsync(Chunk("own" + i), shared);
        }

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(() => Catalog.Multipart.CommitPartAsync(
            uploadId, writers[i].Reservation, Part(1, "e" + i, Chunk("own" + i), shared), Now, Grace, Ct).AsTask())));

        // Assert
        Assert.All(outcomes, static outcome => Assert.Equal(PartCommitOutcome.Committed, outcome));
        var part = Assert.Single((await Catalog.Multipart.ListPartsAsync(uploadId, 0, 10, Ct)).Parts);
        var winner = int.Parse(part.ETag.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([Chunk("own" + winner), shared], part.Chunks);
        for (var i = 0; i < Writers; i++)
        {
            Assert.Equal(i == winner ? 1L : 0L, await RefCountAsync(Chunk("own" + i)));
        }
        Assert.Equal(1L, await RefCountAsync(shared));
        var queued = (await QueueAsync()).Select(static e => e.BlobName).ToHashSet(StringComparer.Ordinal);
        Assert.All(Enumerable.Range(0, Writers).Where(i => i != winner), i => Assert.Contains(writers[i].Reserved[0].BlobName!, queued));
        Assert.DoesNotContain((await FindChunkAsync(Chunk("own" + winner)))!.Value.BlobName, queued);
        Assert.DoesNotContain((await FindChunkAsync(shared))!.Value.BlobName, queued);
        Assert.Equal(0, await Catalog.Chunks.ExpireUploadsAsync(Forever, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListParts_returns_parts_ascending_after_a_marker_with_their_chunks_and_checksums()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        foreach (var number in new[] { 3, 1, 10 })
        {
            await UploadPartAsync(uploadId, Part(number, "e" + number, Chunk("p" + number)));
        }
        var two = Part(2, "e2", Chunk("p2a", 7), Chunk("p2b", 5)) with
        {
            Checksums = new Dictionary<string, string> { ["CRC32"] = "NhCmhg==", ["SHA256"] = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" },
        };
        await UploadPartAsync(uploadId, two);

        // Act
        var first = await Catalog.Multipart.ListPartsAsync(uploadId, 0, 2, Ct);
        var rest = await Catalog.Multipart.ListPartsAsync(uploadId, 2, 2, Ct);
        var none = await Catalog.Multipart.ListPartsAsync(uploadId, 10, 5, Ct);
        var zero = await Catalog.Multipart.ListPartsAsync(uploadId, 0, 0, Ct);
        var unknown = await Catalog.Multipart.ListPartsAsync("no-such-upload", 0, 10, Ct);

        // Assert
        Assert.Equal([1, 2], first.Parts.Select(static p => p.PartNumber));
        Assert.True(first.IsTruncated);
        Assert.Equal([3, 10], rest.Parts.Select(static p => p.PartNumber));
        Assert.False(rest.IsTruncated);
        Assert.Equal((0, false), (none.Parts.Count, none.IsTruncated));
        Assert.Equal((0, false), (zero.Parts.Count, zero.IsTruncated));
        Assert.Empty(unknown.Parts);
        var read = first.Parts[1];
        Assert.Equal((two.Size, two.ETag, two.LastModified), (read.Size, read.ETag, read.LastModified));
        Assert.Equal(two.Chunks, read.Chunks);
        Assert.Equal(two.Checksums.OrderBy(static p => p.Key), read.Checksums.OrderBy(static p => p.Key));
    }

    [Fact(Timeout = 10_000)]
    public async Task AbortMultipartUpload_releases_every_part_and_queues_the_chunks_after_the_grace_period()
    {
        // Arrange
        var (a, b, shared) = (Chunk("a"), Chunk("b"), Chunk("shared"));
        await PutAsync("k", shared);
        var uploadId = await CreateUploadAsync();
        var one = await UploadPartAsync(uploadId, Part(1, "e1", a, shared));
        var two = await UploadPartAsync(uploadId, Part(2, "e2", b, a));
        var later = Now.AddMinutes(2);

        // Act
        var aborted = await Catalog.Multipart.AbortMultipartUploadAsync(uploadId, later, Grace, Ct);

        // Assert
        Assert.True(aborted);
        Assert.Equal(
            new[] { new DeleteQueueEntry(one[0].BlobName!, a.Hash, later + Grace, 0, null), new DeleteQueueEntry(two[0].BlobName!, b.Hash, later + Grace, 0, null) }
                .OrderBy(static e => e.BlobName, StringComparer.Ordinal),
            (await QueueAsync()).OrderBy(static e => e.BlobName, StringComparer.Ordinal));
        Assert.Equal((0L, 0L, 1L), ((await RefCountAsync(a))!.Value, (await RefCountAsync(b))!.Value, (await RefCountAsync(shared))!.Value));
        Assert.Null(await Catalog.Multipart.GetMultipartUploadAsync(uploadId, Ct));
        Assert.Empty((await Catalog.Multipart.ListPartsAsync(uploadId, 0, 10, Ct)).Parts);
        Assert.False(await Catalog.Multipart.AbortMultipartUploadAsync(uploadId, later, Grace, Ct));
        Assert.Equal(PartCommitOutcome.NoSuchUpload, await Catalog.Multipart.CommitPartAsync(uploadId, null, Part(3, "e3", shared), Now, Grace, Ct));
        Assert.Equal(1L, await RefCountAsync(shared));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_part_reference_keeps_a_released_chunk_from_the_sweeper()
    {
        // Arrange: the chunk's only object is deleted (queued), then a part reuses it.
        var chunk = Chunk("a");
        var committed = await PutAsync("k", chunk);
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct));
        var uploadId = await CreateUploadAsync();
        var reservations = await UploadPartAsync(uploadId, Part(1, "e1", chunk));

        // Act
        var decision = await Catalog.DeleteQueue.PrepareDeleteAsync(committed[0].BlobName!, Forever, Forever, Ct);

        // Assert
        Assert.Equal(ChunkReservationKind.AlreadyStored, reservations[0].Kind);
        Assert.Equal(SweepDecision.Keep, decision);
        Assert.Equal(new ChunkInfo(chunk.Hash, committed[0].BlobName!, chunk.Length, 1), await FindChunkAsync(chunk));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploadsInitiatedBefore_returns_ids_oldest_first_up_to_max_across_buckets()
    {
        // Arrange
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        await CreateUploadAsync("k", Now.AddMinutes(3), "u3");
        await CreateUploadAsync("k", Now.AddMinutes(1), "u1");
        await CreateUploadAsync("k", Now.AddMinutes(2), "u2", bucket: "other");
        await CreateUploadAsync("j", Now.AddMinutes(1), "u0");

        // Act
        var all = await Catalog.Multipart.ListMultipartUploadsInitiatedBeforeAsync(Now.AddMinutes(3), 10, Ct);
        var one = await Catalog.Multipart.ListMultipartUploadsInitiatedBeforeAsync(Forever, 1, Ct);
        var none = await Catalog.Multipart.ListMultipartUploadsInitiatedBeforeAsync(Forever, 0, Ct);

        // Assert
        Assert.Equal(["u0", "u1", "u2"], all);
        Assert.Equal(["u0"], one);
        Assert.Empty(none);
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteBucket_with_a_clock_aborts_the_uploads_in_progress_in_the_same_transaction()
    {
        // Arrange
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        var (a, b) = (Chunk("a"), Chunk("b"));
        var doomed = await CreateUploadAsync();
        var reservations = await UploadPartAsync(doomed, Part(1, "e1", a));
        var kept = await CreateUploadAsync(bucket: "other");
        await UploadPartAsync(kept, Part(1, "e1", b));
        var later = Now.AddMinutes(4);

        // Act
        var outcome = await Catalog.Buckets.DeleteBucketAsync(Bucket, later, Grace, Ct);

        // Assert: S3 deletes a general purpose bucket with uploads in progress; nothing is orphaned.
        Assert.Equal(DeleteBucketOutcome.Deleted, outcome);
        Assert.Null(await Catalog.Buckets.GetBucketAsync(Bucket, Ct));
        Assert.Null(await Catalog.Multipart.GetMultipartUploadAsync(doomed, Ct));
        Assert.Equal(new DeleteQueueEntry(reservations[0].BlobName!, a.Hash, later + Grace, 0, null), Assert.Single(await QueueAsync()));
        Assert.NotNull(await Catalog.Multipart.GetMultipartUploadAsync(kept, Ct));
        Assert.Equal(1L, await RefCountAsync(b));
        Assert.Equal([kept], await Catalog.Multipart.ListMultipartUploadsInitiatedBeforeAsync(Forever, 10, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteBucket_returns_NotEmpty_while_an_object_remains_and_keeps_its_uploads()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        await UploadPartAsync(uploadId, Part(1, "e1", Chunk("a")));
        await PutInlineAsync("k");

        // Act
        var withObject = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteBucketOutcome.NotEmpty, withObject);
        Assert.NotNull(await Catalog.Multipart.GetMultipartUploadAsync(uploadId, Ct));
        Assert.Equal(1, await RefCountAsync(Chunk("a")));
        Assert.Empty(await QueueAsync());
        Assert.Equal(DeleteBucketOutcome.NoSuchBucket, await Catalog.Buckets.DeleteBucketAsync("absent", Now, Grace, Ct));
    }
}
