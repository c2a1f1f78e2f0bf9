using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class ObjectCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    [Fact(Timeout = 10_000)]
    public async Task CommitObject_then_GetObject_round_trips_every_field_of_an_inline_version()
    {
        // Arrange
        var version = new ObjectVersionRecord
        {
            Bucket = Bucket,
            Key = "docs/r\u00e9sum\u00e9 \U0001F600.txt",
            VersionId = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
            Size = 5,
            ETag = "5d41402abc4b2a76b9719d911017c592",
            LastModified = new DateTimeOffset(2024, 12, 31, 23, 59, 59, 987, TimeSpan.Zero),
            Headers = new ContentHeaders("text/plain", "gzip", "attachment", "fr", "no-cache", "Thu, 01 Dec 1994 16:00:00 GMT"),
            UserMetadata = new Dictionary<string, string> { ["author"] = "Zo\u00eb", ["empty"] = "" },
            Checksums = new Dictionary<string, string> { ["CRC32"] = "NhCmhg==", ["SHA256"] = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" },
            InlineBody = "hello"u8.ToArray(),
            Tags = new Dictionary<string, string> { ["project"] = "Cairn été", ["blank"] = "" },
            PartChecksums = [new Dictionary<string, string> { ["CRC32"] = "AAAAAA==" }, new Dictionary<string, string> { ["CRC32"] = "BBBBBB==" }],
        };

        // Act
        var outcome = await CommitAsync(null, version);
        var read = await Catalog.Objects.GetObjectAsync(Bucket, version.Key, Ct);

        // Assert
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.NotNull(read);
        Assert.Equal(version.Bucket, read.Bucket);
        Assert.Equal(version.Key, read.Key);
        // The catalog sets the version id from the bucket's state: the null version in an unversioned bucket.
        Assert.Equal("null", read.VersionId);
        Assert.Equal(version.Size, read.Size);
        Assert.Equal(version.ETag, read.ETag);
        Assert.Equal(version.LastModified, read.LastModified);
        Assert.Equal(version.Headers, read.Headers);
        Assert.Equal(version.UserMetadata.OrderBy(static p => p.Key), read.UserMetadata.OrderBy(static p => p.Key));
        Assert.Equal(version.Checksums.OrderBy(static p => p.Key), read.Checksums.OrderBy(static p => p.Key));
        Assert.Equal(version.InlineBody, read.InlineBody);
        Assert.Equal(version.Tags.OrderBy(static p => p.Key), read.Tags.OrderBy(static p => p.Key));
        Assert.Equal(["AAAAAA==", "BBBBBB=="], read.PartChecksums.Select(static part => part["CRC32"]));
        Assert.Empty(read.Chunks);
    }

    [Fact(Timeout = 10_000)]
    public async Task PutObjectTags_replaces_the_tags_and_nothing_else_and_empty_tags_remove_them()
    {
        // Arrange
        var version = InlineVersion("tagged", etag: "e1") with { Tags = new Dictionary<string, string> { ["a"] = "1" } };
        await CommitAsync(null, version);

        // Act
        var replaced = await Catalog.Objects.PutObjectTagsAsync(Bucket, "tagged", null, new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, Ct);
        var afterReplace = await Catalog.Objects.GetObjectAsync(Bucket, "tagged", Ct);
        var removed = await Catalog.Objects.PutObjectTagsAsync(Bucket, "tagged", null, new Dictionary<string, string>(), Ct);
        var afterRemove = await Catalog.Objects.GetObjectAsync(Bucket, "tagged", Ct);

        // Assert
        Assert.Equal(PutTagsOutcome.Updated, replaced);
        Assert.Equal([new("b", "2"), new KeyValuePair<string, string>("c", "3")], afterReplace!.Tags.OrderBy(static p => p.Key));
        Assert.Equal(("e1", version.LastModified), (afterReplace.ETag, afterReplace.LastModified));
        Assert.Equal(version.InlineBody, afterReplace.InlineBody);
        Assert.Equal(PutTagsOutcome.Updated, removed);
        Assert.Empty(afterRemove!.Tags);
    }

    [Fact(Timeout = 10_000)]
    public async Task PutObjectTags_on_a_missing_key_or_bucket_is_NotFound_and_creates_nothing()
    {
        // Act
        var missingKey = await Catalog.Objects.PutObjectTagsAsync(Bucket, "absent", null, new Dictionary<string, string> { ["a"] = "1" }, Ct);
        var missingBucket = await Catalog.Objects.PutObjectTagsAsync("no-bucket", "k", null, new Dictionary<string, string> { ["a"] = "1" }, Ct);

        // Assert
        Assert.Equal(PutTagsOutcome.NotFound, missingKey);
        Assert.Equal(PutTagsOutcome.NotFound, missingBucket);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "absent", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_overwrite_carries_its_own_tags_not_the_old_ones()
    {
        // Arrange
        await CommitAsync(null, InlineVersion("k") with { Tags = new Dictionary<string, string> { ["old"] = "1" } });

        // Act
        await CommitAsync(null, InlineVersion("k", etag: "e2"));
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Assert
        Assert.Empty(read!.Tags);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_overwrite_carries_its_own_encryption_envelope_not_the_old_one()
    {
        // Arrange
        byte[] envelope = [0x00, 0xFF, .. "sealed data key"u8];
        await CommitAsync(null, InlineVersion("k") with { Encryption = envelope });
        var encrypted = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Act
        await CommitAsync(null, InlineVersion("k", etag: "e2"));
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Assert
        Assert.Equal(envelope, encrypted!.Encryption);
        Assert.Equal(("e2", (byte[]?)null), (read!.ETag, read.Encryption));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_then_GetObject_returns_the_chunks_in_order_with_default_fields()
    {
        // Arrange
        ChunkRef[] chunks = [Chunk("c"), Chunk("a", 17), Chunk("b", int.MaxValue)];

        // Act
        await PutAsync("big", chunks);
        var read = await Catalog.Objects.GetObjectAsync(Bucket, "big", Ct);

        // Assert
        Assert.NotNull(read);
        Assert.Equal(chunks, read.Chunks);
        Assert.Null(read.InlineBody);
        Assert.Equal("null", read.VersionId);
        Assert.Equal(new ContentHeaders(), read.Headers);
        Assert.Empty(read.UserMetadata);
        Assert.Empty(read.Checksums);
    }

    [Fact(Timeout = 10_000)]
    public async Task GetObject_returns_null_for_a_missing_key_or_bucket()
    {
        await PutInlineAsync("a");
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "b", Ct));
        Assert.Null(await Catalog.Objects.GetObjectAsync("absent", "a", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_into_a_missing_bucket_returns_NoSuchBucket_and_changes_nothing()
    {
        // Arrange
        var chunk = Chunk("a");
        var (upload, _) = await ReserveAsync(chunk);

        // Act
        var outcome = await CommitAsync(upload, Version("k", "e", chunk) with { Bucket = "absent" });

        // Assert
        Assert.Equal(CommitOutcome.NoSuchBucket, outcome);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Equal(0, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_with_IfNoneMatchAny_fails_when_the_key_exists()
    {
        // Arrange
        await PutInlineAsync("taken");
        var ifNoneMatch = new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null);

        // Act
        var onTaken = await CommitAsync(null, InlineVersion("taken", "second"), ifNoneMatch);
        var onFree = await CommitAsync(null, InlineVersion("free", "first"), ifNoneMatch);

        // Assert
        Assert.Equal(CommitOutcome.PreconditionFailed, onTaken);
        Assert.Equal("inline", (await Catalog.Objects.GetObjectAsync(Bucket, "taken", Ct))!.ETag);
        Assert.Equal(CommitOutcome.Committed, onFree);
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_with_IfMatchETag_fails_on_another_etag_or_a_missing_key()
    {
        // Arrange
        await CommitAsync(null, InlineVersion("k", "v1"));

        // Act
        var onOther = await CommitAsync(null, InlineVersion("k", "v2"), new WritePrecondition(false, "nope"));
        var onMissing = await CommitAsync(null, InlineVersion("missing", "v2"), new WritePrecondition(false, "v1"));
        var onMatch = await CommitAsync(null, InlineVersion("k", "v2"), new WritePrecondition(false, "v1"));

        // Assert
        Assert.Equal(CommitOutcome.PreconditionFailed, onOther);
        Assert.Equal(CommitOutcome.PreconditionFailed, onMissing);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "missing", Ct));
        Assert.Equal(CommitOutcome.Committed, onMatch);
        Assert.Equal("v2", (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag);
    }

    [Fact(Timeout = 10_000)]
    public async Task Failed_commit_keeps_the_upload_reservations_for_the_caller_to_abort()
    {
        // Arrange
        await PutInlineAsync("k");
        var chunk = Chunk("a");
        var (upload, reservations) = await ReserveAsync(chunk);

        // Act
        var outcome = await CommitAsync(upload, Version("k", "e", chunk), new WritePrecondition(true, null));

        // Assert
        Assert.Equal(CommitOutcome.PreconditionFailed, outcome);
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        var again = await Catalog.Chunks.ReserveChunkAsync(upload, chunk.Hash, chunk.Length, "other", Deadline, Ct);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), again);
        await Catalog.Chunks.AbortUploadAsync(upload, Now, Ct);
        Assert.NotNull(await FindQueuedAsync(reservations[0].BlobName!));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_adopts_the_blobs_the_upload_wrote_with_one_reference_each()
    {
        // Arrange
        var (a, b) = (Chunk("a"), Chunk("b", 10));

        // Act
        var reservations = await PutAsync("k", a, b);

        // Assert
        Assert.Equal(ChunkReservationKind.MustWrite, reservations[0].Kind);
        Assert.Equal(new ChunkInfo(a.Hash, reservations[0].BlobName!, a.Length, 1), await FindChunkAsync(a));
        Assert.Equal(new ChunkInfo(b.Hash, reservations[1].BlobName!, b.Length, 1), await FindChunkAsync(b));
        Assert.Equal(0, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Objects_sharing_chunks_count_a_reference_from_each()
    {
        // Arrange
        var (shared, own) = (Chunk("shared"), Chunk("own"));
        var first = await PutAsync("one", shared);

        // Act
        var second = await PutAsync("two", shared, own);

        // Assert
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyStored, first[0].BlobName), second[0]);
        Assert.Equal(2, (await FindChunkAsync(shared))!.Value.RefCount);
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "one", WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(1, (await FindChunkAsync(shared))!.Value.RefCount);
        Assert.Empty(await QueueAsync());
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "two", WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(0, (await FindChunkAsync(shared))!.Value.RefCount);
        Assert.Equal(2, await Catalog.DeleteQueue.CountPendingDeletesAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Overwrite_releases_the_old_chunks_and_queues_them_after_the_grace_period()
    {
        // Arrange
        var (old, fresh) = (Chunk("old"), Chunk("new"));
        var oldReservations = await PutAsync("k", old);
        var (upload, _) = await ReserveAsync(fresh);
        var later = Now.AddMinutes(5);

        // Act
        var outcome = await CommitAsync(upload, Version("k", "v2", fresh), at: later);

        // Assert
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal([fresh], (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.Chunks);
        Assert.Equal(0, (await FindChunkAsync(old))!.Value.RefCount);
        var queued = Assert.Single(await QueueAsync());
        Assert.Equal(new DeleteQueueEntry(oldReservations[0].BlobName!, old.Hash, later + Grace, 0, null), queued);
        Assert.Empty(await Catalog.DeleteQueue.GetDueDeletesAsync(later + Grace - TimeSpan.FromMilliseconds(1), 10, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Overwrite_keeping_a_chunk_neither_queues_it_nor_changes_its_count()
    {
        // Arrange
        var (kept, dropped) = (Chunk("kept"), Chunk("dropped"));
        await PutAsync("k", kept, dropped);

        // Act
        await PutAsync("k", kept);

        // Assert
        Assert.Equal(1, (await FindChunkAsync(kept))!.Value.RefCount);
        var queued = Assert.Single(await QueueAsync());
        Assert.Equal(dropped.Hash, queued.ChunkHash);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_chunk_used_twice_in_one_body_counts_two_references()
    {
        // Arrange: all-zero data chunks to the same address again and again.
        var zeros = Chunk("zeros");
        var (upload, reservations) = await ReserveAsync(zeros, zeros);

        // Act
        var outcome = await CommitAsync(upload, Version("k", "e", zeros, zeros, zeros));

        // Assert
        Assert.Equal(ChunkReservationKind.AlreadyReserved, reservations[1].Kind);
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal(3, (await FindChunkAsync(zeros))!.Value.RefCount);
        Assert.Equal(3, (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.Chunks.Count);
        await PutAsync("copy", zeros);
        Assert.Equal(4, (await FindChunkAsync(zeros))!.Value.RefCount);
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(1, (await FindChunkAsync(zeros))!.Value.RefCount);
        Assert.Empty(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task Second_of_two_uploads_writing_the_same_new_chunk_queues_its_own_blob_at_commit()
    {
        // Arrange: both uploads reserve before either commits, so both write the bytes.
        var chunk = Chunk("race");
        var (first, firstReservations) = await ReserveAsync(chunk);
        var (second, secondReservations) = await ReserveAsync(chunk);
        var later = Now.AddMinutes(1);

        // Act
        var firstOutcome = await CommitAsync(first, Version("one", "e", chunk));
        var secondOutcome = await CommitAsync(second, Version("two", "e", chunk), at: later);

        // Assert
        Assert.Equal(ChunkReservationKind.MustWrite, secondReservations[0].Kind);
        Assert.Equal((CommitOutcome.Committed, CommitOutcome.Committed), (firstOutcome, secondOutcome));
        Assert.Equal(new ChunkInfo(chunk.Hash, firstReservations[0].BlobName!, chunk.Length, 2), await FindChunkAsync(chunk));
        var queued = Assert.Single(await QueueAsync());
        Assert.Equal(new DeleteQueueEntry(secondReservations[0].BlobName!, chunk.Hash, later, 0, null), queued);
    }

    [Fact(Timeout = 10_000)]
    public async Task Copy_without_an_upload_adds_references_to_committed_chunks()
    {
        // Arrange
        var (a, b) = (Chunk("a"), Chunk("b"));
        await PutAsync("source", a, b);

        // Act
        var outcome = await CommitAsync(null, Version("copy", "e", a, b));

        // Assert
        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal([a, b], (await Catalog.Objects.GetObjectAsync(Bucket, "copy", Ct))!.Chunks);
        Assert.Equal(2, (await FindChunkAsync(a))!.Value.RefCount);
        Assert.Equal(2, (await FindChunkAsync(b))!.Value.RefCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task Copy_of_a_swept_chunk_returns_ChunkMissing_and_changes_nothing()
    {
        // Arrange: the source is deleted and its chunk swept before the copy commits.
        var (kept, swept) = (Chunk("kept"), Chunk("swept"));
        await PutAsync("keeper", kept);
        var sourceReservations = await PutAsync("source", swept);
        await Catalog.Objects.DeleteObjectAsync(Bucket, "source", WritePrecondition.None, Now, Grace, Ct);
        Assert.Equal(SweepDecision.Delete, await Catalog.DeleteQueue.PrepareDeleteAsync(sourceReservations[0].BlobName!, Forever, Forever, Ct));
        await PutInlineAsync("target");

        // Act
        var outcome = await CommitAsync(null, Version("target", "copy", kept, swept));

        // Assert
        Assert.Equal(CommitOutcome.ChunkMissing, outcome);
        Assert.Equal("inline", (await Catalog.Objects.GetObjectAsync(Bucket, "target", Ct))!.ETag);
        Assert.Equal(1, (await FindChunkAsync(kept))!.Value.RefCount);
        Assert.Null(await FindChunkAsync(swept));
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_of_a_chunk_the_upload_did_not_reserve_returns_ChunkMissing_and_changes_nothing()
    {
        // Arrange
        var (reserved, stranger) = (Chunk("reserved"), Chunk("stranger"));
        var (upload, reservations) = await ReserveAsync(reserved);

        // Act
        var outcome = await CommitAsync(upload, Version("k", "e", reserved, stranger));

        // Assert
        Assert.Equal(CommitOutcome.ChunkMissing, outcome);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
        Assert.Empty(await Catalog.Chunks.ListChunksAsync(Ct));
        Assert.Empty(await QueueAsync());
        var again = await Catalog.Chunks.ReserveChunkAsync(upload, reserved.Hash, reserved.Length, "other", Deadline, Ct);
        Assert.Equal(new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservations[0].BlobName), again);
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_queues_blobs_the_upload_wrote_but_the_body_did_not_use()
    {
        // Arrange
        var (used, unused) = (Chunk("used"), Chunk("unused"));
        var (upload, reservations) = await ReserveAsync(used, unused);

        // Act
        await CommitAsync(upload, Version("k", "e", used));

        // Assert
        Assert.Null(await FindChunkAsync(unused));
        var queued = Assert.Single(await QueueAsync());
        Assert.Equal(new DeleteQueueEntry(reservations[1].BlobName!, unused.Hash, Now, 0, null), queued);
    }

    [Fact(Timeout = 10_000)]
    public async Task Inline_overwrite_of_a_chunked_object_releases_its_chunks()
    {
        // Arrange
        var chunk = Chunk("a");
        await PutAsync("k", chunk);

        // Act
        await PutInlineAsync("k");

        // Assert
        Assert.Equal([1, 2, 3], (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.InlineBody);
        Assert.Equal(0, (await FindChunkAsync(chunk))!.Value.RefCount);
        Assert.Equal(Now + Grace, Assert.Single(await QueueAsync()).NotBefore);
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitObject_rejects_a_version_with_both_an_inline_body_and_chunks()
    {
        var version = InlineVersion("k") with { Chunks = [Chunk("a")] };
        await Assert.ThrowsAsync<ArgumentException>(() => CommitAsync(null, version));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteObject_removes_the_key_and_queues_chunks_without_references()
    {
        // Arrange
        var chunk = Chunk("a");
        var reservations = await PutAsync("k", chunk);

        // Act
        var deleted = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteObjectOutcome.Deleted, deleted);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
        Assert.Equal(new DeleteQueueEntry(reservations[0].BlobName!, chunk.Hash, Now + Grace, 0, null), Assert.Single(await QueueAsync()));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteObject_with_If_Match_deletes_only_a_matching_version_and_keeps_the_rest()
    {
        // Arrange
        var chunk = Chunk("kept");
        await PutAsync("k", chunk);
        var etag = (await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct))!.ETag;

        // Act
        var mismatch = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", new WritePrecondition(false, "\"other\""), Now, Grace, Ct);
        var afterMismatch = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);
        var absent = await Catalog.Objects.DeleteObjectAsync(Bucket, "absent", new WritePrecondition(false, "*"), Now, Grace, Ct);
        var match = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", new WritePrecondition(false, "\"" + etag + "\""), Now, Grace, Ct);

        // Assert: the refused delete changed nothing (the chunk keeps its reference, nothing is queued).
        Assert.Equal(DeleteObjectOutcome.PreconditionFailed, mismatch);
        Assert.NotNull(afterMismatch);
        Assert.Equal(DeleteObjectOutcome.NoSuchKey, absent);
        Assert.Equal(DeleteObjectOutcome.Deleted, match);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
        Assert.Single(await QueueAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_delete_conditioned_on_the_last_modified_time_spares_a_newer_version_with_the_same_ETag()
    {
        // Arrange: the lifecycle judged the version written at Now; the key was written again since, same bytes.
        await CommitAsync(null, InlineVersion("k"));
        await CommitAsync(null, InlineVersion("k") with { LastModified = Now.AddSeconds(1) });
        var judged = new WritePrecondition(false, "inline") { IfLastModified = Now };

        // Act
        var refused = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", judged, Now, Grace, Ct);
        var matching = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", judged with { IfLastModified = Now.AddSeconds(1) }, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteObjectOutcome.PreconditionFailed, refused);
        Assert.Equal(DeleteObjectOutcome.Deleted, matching);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_version_removal_conditioned_on_noncurrent_spares_the_latest_version()
    {
        // Arrange
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        await PutInlineAsync("k");
        await PutInlineAsync("k");
        var versions = (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions;
        var noncurrentOnly = new WritePrecondition(false, null) { IfNoncurrent = true };

        // Act
        var latest = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", versions[0].VersionId, noncurrentOnly, false, Now, Grace, Ct);
        var older = await Catalog.Objects.DeleteObjectVersionAsync(Bucket, "k", versions[1].VersionId, noncurrentOnly, false, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteObjectOutcome.PreconditionFailed, latest.Outcome);
        Assert.Equal(DeleteObjectOutcome.Deleted, older.Outcome);
        Assert.Equal([versions[0].VersionId],
            (await Catalog.Objects.ListObjectVersionsAsync(Bucket, new ListVersionsQuery("", null, null, null, 10), Ct)).Versions.Select(static v => v.VersionId));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteObject_with_If_Match_star_deletes_whatever_the_ETag()
    {
        // Arrange
        await PutInlineAsync("k");

        // Act
        var outcome = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", new WritePrecondition(false, "*"), Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteObjectOutcome.Deleted, outcome);
        Assert.Null(await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeleteObject_returns_false_for_a_missing_key()
    {
        await PutInlineAsync("a");
        Assert.Equal(DeleteObjectOutcome.NoSuchKey, await Catalog.Objects.DeleteObjectAsync(Bucket, "b", WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(DeleteObjectOutcome.NoSuchKey, await Catalog.Objects.DeleteObjectAsync("absent", "a", WritePrecondition.None, Now, Grace, Ct));
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "a", Ct));
    }
}
