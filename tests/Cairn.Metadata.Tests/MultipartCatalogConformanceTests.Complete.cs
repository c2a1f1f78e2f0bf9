using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class MultipartCatalogConformanceTests<TTarget>
{
    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_makes_the_object_of_the_parts_with_every_chunk_referenced_and_nothing_queued()
    {
        // Arrange: parts share chunks with each other and with a committed object.
        var (a, b, c, shared) = (Chunk("a"), Chunk("b", 10), Chunk("c", 20), Chunk("shared"));
        await PutAsync("other", shared);
        var uploadId = await CreateUploadAsync();
        PartRecord[] parts = [Part(1, "e1", a, shared), Part(2, "e2", b, a), Part(3, "e3", c)];
        foreach (var part in parts)
        {
            await UploadPartAsync(uploadId, part);
        }

        // Act
        var outcome = await CompleteAsync(uploadId, parts);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct);
        Assert.NotNull(read);
        Assert.Equal([a, shared, b, a, c], read.Chunks);
        Assert.Equal([2000L, 1010L, 20L], read.PartSizes);
        Assert.Equal("COMPOSITE", read.ChecksumType);
        Assert.Equal("AAAAAA==-3", read.Checksums["CRC32"]);
        Assert.Equal((2L, 2L, 1L, 1L),
            ((await RefCountAsync(a))!.Value, (await RefCountAsync(shared))!.Value, (await RefCountAsync(b))!.Value, (await RefCountAsync(c))!.Value));
        Assert.Empty(await QueueAsync());
        Assert.Null(await Catalog.Multipart.GetMultipartUploadAsync(uploadId, Ct));
        Assert.Empty((await Catalog.Multipart.ListPartsAsync(uploadId, 0, 10, Ct)).Parts);
        Assert.Empty(await Catalog.Multipart.ListMultipartUploadsInitiatedBeforeAsync(Forever, 10, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_with_a_subset_of_parts_releases_the_unlisted_parts_chunks()
    {
        // Arrange
        var (a, b, c, shared) = (Chunk("a"), Chunk("b"), Chunk("c"), Chunk("shared"));
        var uploadId = await CreateUploadAsync();
        PartRecord[] parts = [Part(1, "e1", a), Part(2, "e2", b, shared), Part(3, "e3", c, shared)];
        var blobs = new List<string>();
        foreach (var part in parts)
        {
            blobs.Add((await UploadPartAsync(uploadId, part))[0].BlobName!);
        }
        var later = Now.AddMinutes(5);

        // Act
        var outcome = await CompleteAsync(uploadId, [parts[0], parts[2]], at: later);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
        Assert.Equal([a, c, shared], (await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct))!.Chunks);
        Assert.Equal(new DeleteQueueEntry(blobs[1], b.Hash, later + Grace, 0, null), Assert.Single(await QueueAsync()));
        Assert.Equal((1L, 0L, 1L, 1L),
            ((await RefCountAsync(a))!.Value, (await RefCountAsync(b))!.Value, (await RefCountAsync(c))!.Value, (await RefCountAsync(shared))!.Value));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_after_a_listed_part_was_re_uploaded_returns_InvalidPart_and_changes_nothing()
    {
        // Arrange: the caller listed part 1 as e1; it was replaced (e2) before Complete ran.
        var uploadId = await CreateUploadAsync();
        var listed = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, listed);
        await UploadPartAsync(uploadId, Part(2, "e2", Chunk("b")));
        await UploadPartAsync(uploadId, Part(1, "e1-again", Chunk("a2")));
        var before = await SnapshotAsync(uploadId);

        // Act
        var outcome = await CompleteAsync(uploadId, [listed, Part(2, "e2", Chunk("b"))]);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.InvalidPart, outcome);
        Assert.Equal(before, await SnapshotAsync(uploadId));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_returns_InvalidPart_for_a_missing_part_or_chunks_that_are_not_the_parts()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", Chunk("a"), Chunk("b"));
        await UploadPartAsync(uploadId, one);
        var before = await SnapshotAsync(uploadId);

        // Act: part 2 was never uploaded; then part 1 with the right ETag but other chunk boundaries.
        var missing = await CompleteAsync(uploadId, [one, Part(2, "e2", Chunk("c"))]);
        var rechunked = await CompleteAsync(uploadId, [one with { Chunks = [Chunk("ab", 2000)] }]);
        var wrongETag = await CompleteAsync(uploadId, [one with { ETag = "E1" }]);

        // Assert
        Assert.Equal((CompleteMultipartOutcome.InvalidPart, CompleteMultipartOutcome.InvalidPart, CompleteMultipartOutcome.InvalidPart),
            (missing, rechunked, wrongETag));
        Assert.Equal(before, await SnapshotAsync(uploadId));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_compares_the_listed_ETags_unquoted()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "5d41402abc4b2a76b9719d911017c592", Chunk("a"));
        await UploadPartAsync(uploadId, one);

        // Act
        var outcome = await Catalog.Objects.CompleteMultipartUploadAsync(uploadId, [new CompletedPart(1, "\"5d41402abc4b2a76b9719d911017c592\"")],
            MultipartVersion("big", one), WritePrecondition.None, Now, Grace, Ct);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_of_an_unknown_or_finished_upload_returns_NoSuchUpload()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, one);
        Assert.Equal(CompleteMultipartOutcome.Completed, await CompleteAsync(uploadId, [one]));
        var before = await SnapshotAsync(uploadId);

        // Act
        var again = await CompleteAsync(uploadId, [one]);
        var unknown = await CompleteAsync("no-such-upload", [one]);

        // Assert
        Assert.Equal((CompleteMultipartOutcome.NoSuchUpload, CompleteMultipartOutcome.NoSuchUpload), (again, unknown));
        Assert.Equal(before, await SnapshotAsync(uploadId));
        Assert.Equal(1L, await RefCountAsync(Chunk("a")));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_checks_the_precondition_against_the_current_version()
    {
        // Arrange
        await PutAsync("big", Chunk("old"));
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, one);
        var before = await SnapshotAsync(uploadId);

        // Act
        var ifNoneMatch = await CompleteAsync(uploadId, [one], new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null));
        var ifMatchOther = await CompleteAsync(uploadId, [one], new WritePrecondition(false, "other"));
        var onMissingKey = await CompleteAsync(await CreateUploadAsync("free"), [], new WritePrecondition(false, "etag-big"), key: "free");
        var unchanged = await SnapshotAsync(uploadId);
        var ifMatch = await CompleteAsync(uploadId, [one], new WritePrecondition(false, "etag-big"));

        // Assert
        Assert.Equal(
            (CompleteMultipartOutcome.PreconditionFailed, CompleteMultipartOutcome.PreconditionFailed, CompleteMultipartOutcome.PreconditionFailed),
            (ifNoneMatch, ifMatchOther, onMissingKey));
        Assert.Equal(before, unchanged);
        Assert.Equal(CompleteMultipartOutcome.Completed, ifMatch);
        Assert.Equal("mp-1", (await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct))!.ETag);
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_over_an_object_releases_its_chunks_after_adding_the_new_ones()
    {
        // Arrange
        var (kept, old, fresh) = (Chunk("kept"), Chunk("old"), Chunk("fresh"));
        var previous = await PutAsync("big", kept, old);
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", kept, fresh);
        await UploadPartAsync(uploadId, one);
        var later = Now.AddMinutes(7);

        // Act
        var outcome = await CompleteAsync(uploadId, [one], at: later);

        // Assert: the chunk both versions use never reached zero.
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
        Assert.Equal(new DeleteQueueEntry(previous[1].BlobName!, old.Hash, later + Grace, 0, null), Assert.Single(await QueueAsync()));
        Assert.Equal((1L, 0L, 1L), ((await RefCountAsync(kept))!.Value, (await RefCountAsync(old))!.Value, (await RefCountAsync(fresh))!.Value));
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_of_an_empty_part_list_makes_an_empty_object()
    {
        // Arrange: the engine rejects an empty list on the wire; the catalog still stays consistent.
        var uploadId = await CreateUploadAsync();
        await UploadPartAsync(uploadId, Part(1, "e1", Chunk("a")));

        // Act
        var outcome = await CompleteAsync(uploadId, []);

        // Assert
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct);
        Assert.Equal((0L, 0, 0), (read!.Size, read.Chunks.Count, read.PartSizes.Count));
        Assert.Single(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task CompleteMultipartUpload_rejects_an_inline_version_or_one_for_another_key()
    {
        // Arrange
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, one);
        var before = await SnapshotAsync(uploadId);
        CompletedPart[] listed = [new(1, "e1")];

        // Act + Assert
        await Assert.ThrowsAsync<ArgumentException>(() => Catalog.Objects.CompleteMultipartUploadAsync(uploadId, listed,
            InlineVersion("big"), WritePrecondition.None, Now, Grace, Ct).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => Catalog.Objects.CompleteMultipartUploadAsync(uploadId, listed,
            MultipartVersion("elsewhere", one), WritePrecondition.None, Now, Grace, Ct).AsTask());
        Assert.Equal(before, await SnapshotAsync(uploadId));
    }

    [Fact(Timeout = 10_000)]
    public async Task PartSizes_and_ChecksumType_round_trip_and_a_single_PUT_reads_back_the_defaults()
    {
        // Arrange
        var chunk = Chunk("a");
        var multipart = Version("mp", "e-2", chunk) with { PartSizes = [5L * 1024 * 1024 * 1024, 0, long.MaxValue], ChecksumType = "COMPOSITE" };

        await PutAsync("seed", chunk);

        // Act
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(null, InlineVersion("mp")));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(null, multipart));
        var asMultipart = await Catalog.Objects.GetObjectAsync(Bucket, "mp", Ct);
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(null, Version("mp", "single", chunk)));
        var overwritten = await Catalog.Objects.GetObjectAsync(Bucket, "mp", Ct);

        // Assert
        Assert.Equal(multipart.PartSizes, asMultipart!.PartSizes);
        Assert.Equal("COMPOSITE", asMultipart.ChecksumType);
        Assert.Empty(overwritten!.PartSizes);
        Assert.Equal("FULL_OBJECT", overwritten.ChecksumType);
    }
}
