using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>Completed uploads remembered for a retried Complete (issue 10).</summary>
public abstract partial class MultipartCatalogConformanceTests<TTarget>
{
    [Fact(Timeout = 10_000)]
    [Trait("Issue", "10")]
    public async Task CompleteMultipartUpload_records_what_it_answered_and_which_parts_it_listed()
    {
        // Arrange
        const string Key = "dir/r\u00e9sum\u00e9 \U0001F600.bin";
        var uploadId = await CreateUploadAsync(Key);
        PartRecord[] parts = [Part(1, "e1", Chunk("a")), Part(2, "e2", Chunk("b", 10))];
        foreach (var part in parts)
        {
            await UploadPartAsync(uploadId, part);
        }
        var before = await Catalog.Multipart.GetCompletedMultipartUploadAsync(uploadId, Ct);
        var later = Now.AddMinutes(3);

        // Act
        var outcome = await CompleteAsync(uploadId, parts, at: later, key: Key);
        var record = await Catalog.Multipart.GetCompletedMultipartUploadAsync(uploadId, Ct);

        // Assert
        Assert.Null(before);
        Assert.Equal(CompleteMultipartOutcome.Completed, outcome);
        Assert.NotNull(record);
        Assert.Equal((uploadId, Bucket, Key, "null", 1010L, "mp-2", "COMPOSITE", later),
            (record.UploadId, record.Bucket, record.Key, record.VersionId, record.Size, record.ETag, record.ChecksumType, record.Completed));
        Assert.Equal(new Dictionary<string, string> { ["CRC32"] = "AAAAAA==-2" }, record.Checksums);
        Assert.True(record.IsCompletionOf([new CompletedPart(1, "e1"), new CompletedPart(2, "\"e2\"")]));
        Assert.False(record.IsCompletionOf([new CompletedPart(1, "e1")]));
        Assert.False(record.IsCompletionOf([new CompletedPart(1, "e1"), new CompletedPart(2, "e3")]));
        Assert.False(record.IsCompletionOf([new CompletedPart(1, "e1"), new CompletedPart(3, "e2")]));
        Assert.Null(await Catalog.Multipart.GetCompletedMultipartUploadAsync("no-such-upload", Ct));
    }

    [Fact(Timeout = 10_000)]
    [Trait("Issue", "10")]
    public async Task A_CompleteMultipartUpload_that_fails_records_no_completion()
    {
        // Arrange
        await PutInlineAsync("big");
        var uploadId = await CreateUploadAsync();
        var one = Part(1, "e1", Chunk("a"));
        await UploadPartAsync(uploadId, one);

        // Act
        var invalid = await CompleteAsync(uploadId, [one with { ETag = "other" }]);
        var precondition = await CompleteAsync(uploadId, [one], new WritePrecondition(IfNoneMatchAny: true, IfMatchETag: null));

        // Assert
        Assert.Equal((CompleteMultipartOutcome.InvalidPart, CompleteMultipartOutcome.PreconditionFailed), (invalid, precondition));
        Assert.Null(await Catalog.Multipart.GetCompletedMultipartUploadAsync(uploadId, Ct));
    }

    [Fact(Timeout = 10_000)]
    [Trait("Issue", "10")]
    public async Task ForgetCompletedMultipartUploads_removes_those_completed_before_the_cutoff_oldest_first_up_to_max()
    {
        // Arrange: completions at +1, +2 and +3 minutes.
        var ids = new List<string>();
        for (var minute = 1; minute <= 3; minute++)
        {
            var uploadId = await CreateUploadAsync("k" + minute);
            var part = Part(1, "e", Chunk("c" + minute));
            await UploadPartAsync(uploadId, part);
            Assert.Equal(CompleteMultipartOutcome.Completed, await CompleteAsync(uploadId, [part], at: Now.AddMinutes(minute), key: "k" + minute));
            ids.Add(uploadId);
        }

        // Act
        var none = await Catalog.Multipart.ForgetCompletedMultipartUploadsAsync(Forever, 0, Ct);
        var oldest = await Catalog.Multipart.ForgetCompletedMultipartUploadsAsync(Now.AddMinutes(3), 1, Ct);
        var kept = await Catalog.Multipart.GetCompletedMultipartUploadAsync(ids[1], Ct);
        var rest = await Catalog.Multipart.ForgetCompletedMultipartUploadsAsync(Now.AddMinutes(3), 10, Ct);

        // Assert: the cutoff is exclusive; the objects stay.
        Assert.Equal((0, 1, 1), (none, oldest, rest));
        Assert.NotNull(kept);
        Assert.Null(await Catalog.Multipart.GetCompletedMultipartUploadAsync(ids[0], Ct));
        Assert.Null(await Catalog.Multipart.GetCompletedMultipartUploadAsync(ids[1], Ct));
        Assert.NotNull(await Catalog.Multipart.GetCompletedMultipartUploadAsync(ids[2], Ct));
        Assert.NotNull(await Catalog.Objects.GetObjectAsync(Bucket, "k1", Ct));
    }

    [Fact(Timeout = 10_000)]
    [Trait("Issue", "10")]
    public async Task DeleteBucket_forgets_the_completions_of_its_uploads_and_keeps_other_buckets_ones()
    {
        // Arrange
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        var doomed = await CreateUploadAsync();
        var kept = await CreateUploadAsync(bucket: "other");
        var (a, b) = (Part(1, "e", Chunk("a")), Part(1, "e", Chunk("b")));
        await UploadPartAsync(doomed, a);
        await UploadPartAsync(kept, b);
        Assert.Equal(CompleteMultipartOutcome.Completed, await CompleteAsync(doomed, [a]));
        Assert.Equal(CompleteMultipartOutcome.Completed, await Catalog.Objects.CompleteMultipartUploadAsync(kept, [new CompletedPart(1, "e")],
            MultipartVersion("big", b) with { Bucket = "other" }, WritePrecondition.None, Now, Grace, Ct));
        Assert.Equal(DeleteObjectOutcome.Deleted, await Catalog.Objects.DeleteObjectAsync(Bucket, "big", WritePrecondition.None, Now, Grace, Ct));

        // Act
        var outcome = await Catalog.Buckets.DeleteBucketAsync(Bucket, Now, Grace, Ct);

        // Assert
        Assert.Equal(DeleteBucketOutcome.Deleted, outcome);
        Assert.Null(await Catalog.Multipart.GetCompletedMultipartUploadAsync(doomed, Ct));
        Assert.Equal("other", (await Catalog.Multipart.GetCompletedMultipartUploadAsync(kept, Ct))?.Bucket);
    }
}
