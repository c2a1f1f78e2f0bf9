using System.Security.Cryptography;
using Cairn.Storage;

namespace Cairn.TestSupport;

public abstract partial class BlobBackendConformanceTests
{
    protected const int MinPart = (int)BlobLimits.MinPartSize;

    protected async Task<List<BlobMultipartUpload>> ListUploadsAsync(string prefix)
    {
        var uploads = new List<BlobMultipartUpload>();
        await foreach (var upload in Backend.ListMultipartUploadsAsync(prefix, Ct))
        {
            uploads.Add(upload);
        }
        return uploads;
    }

    private static string Quoted(string etag) => "\"" + BlobArguments.ETagText(etag) + "\"";

    [Fact(Timeout = Timeout)]
    public async Task Multipart_upload_of_two_parts_becomes_the_blob_only_at_Complete()
    {
        // Arrange
        var first = RandomBytes(MinPart, seed: 1);
        var last = RandomBytes(1234, seed: 2);
        var uploadId = await Backend.BeginMultipartAsync("mp/blob", Ct);

        // Act
        var part1 = await Backend.UploadPartAsync("mp/blob", uploadId, 1, first, Ct);
        var part2 = await Backend.UploadPartAsync("mp/blob", uploadId, 2, last, Ct);
        var visibleBeforeComplete = await Backend.GetLengthAsync("mp/blob", Ct);
        var listedBeforeComplete = await ListUploadsAsync("mp/");
        await Backend.CompleteMultipartAsync("mp/blob", uploadId, [part1, part2], Ct);

        // Assert
        Assert.Null(visibleBeforeComplete);
        Assert.Equal([("mp/blob", uploadId)], listedBeforeComplete.Select(u => (u.Name, u.UploadId)));
        Assert.Equal(1, part1.PartNumber);
        Assert.Equal(2, part2.PartNumber);
        var back = await ReadAllAsync("mp/blob");
        Assert.Equal(SHA256.HashData([.. first, .. last]), SHA256.HashData(back));
        Assert.Empty(await ListUploadsAsync(""));
        Assert.Equal(["mp/blob"], await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Complete_accepts_part_ETags_with_or_without_quotes()
    {
        // Arrange
        var quotedUpload = await Backend.BeginMultipartAsync("mp/quoted", Ct);
        var bareUpload = await Backend.BeginMultipartAsync("mp/bare", Ct);
        var quotedPart = await Backend.UploadPartAsync("mp/quoted", quotedUpload, 1, RandomBytes(100, seed: 1), Ct);
        var barePart = await Backend.UploadPartAsync("mp/bare", bareUpload, 1, RandomBytes(100, seed: 2), Ct);

        // Act
        await Backend.CompleteMultipartAsync("mp/quoted", quotedUpload, [quotedPart with { ETag = Quoted(quotedPart.ETag) }], Ct);
        await Backend.CompleteMultipartAsync("mp/bare", bareUpload, [barePart with { ETag = BlobArguments.ETagText(barePart.ETag) }], Ct);

        // Assert
        Assert.Equal(RandomBytes(100, seed: 1), await ReadAllAsync("mp/quoted"));
        Assert.Equal(RandomBytes(100, seed: 2), await ReadAllAsync("mp/bare"));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_single_small_part_is_a_valid_last_part()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/small", Ct);
        var part = await Backend.UploadPartAsync("mp/small", uploadId, 1, RandomBytes(10), Ct);

        // Act
        await Backend.CompleteMultipartAsync("mp/small", uploadId, [part], Ct);

        // Assert
        Assert.Equal(RandomBytes(10), await ReadAllAsync("mp/small"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Uploading_a_part_again_replaces_it_and_the_old_ETag_is_refused()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/replaced", Ct);
        var stale = await Backend.UploadPartAsync("mp/replaced", uploadId, 1, RandomBytes(64, seed: 1), Ct);
        var fresh = await Backend.UploadPartAsync("mp/replaced", uploadId, 1, RandomBytes(64, seed: 2), Ct);

        // Act
        var refused = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.CompleteMultipartAsync("mp/replaced", uploadId, [stale], Ct));
        await Backend.CompleteMultipartAsync("mp/replaced", uploadId, [fresh], Ct);

        // Assert
        Assert.False(refused.IsTransient);
        Assert.Equal(RandomBytes(64, seed: 2), await ReadAllAsync("mp/replaced"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Complete_with_a_small_part_before_the_last_is_refused_and_the_upload_can_still_be_aborted()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/too-small", Ct);
        var part1 = await Backend.UploadPartAsync("mp/too-small", uploadId, 1, RandomBytes(MinPart - 1), Ct);
        var part2 = await Backend.UploadPartAsync("mp/too-small", uploadId, 2, RandomBytes(10), Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.CompleteMultipartAsync("mp/too-small", uploadId, [part1, part2], Ct));
        await Backend.AbortMultipartAsync("mp/too-small", uploadId, Ct);

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Null(await Backend.GetLengthAsync("mp/too-small", Ct));
        Assert.Empty(await ListUploadsAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Complete_naming_a_part_never_uploaded_is_refused()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/gap", Ct);
        var part1 = await Backend.UploadPartAsync("mp/gap", uploadId, 1, RandomBytes(10), Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.CompleteMultipartAsync("mp/gap", uploadId, [part1 with { PartNumber = 2 }], Ct));

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Null(await Backend.GetLengthAsync("mp/gap", Ct));
        await Backend.AbortMultipartAsync("mp/gap", uploadId, Ct);
    }

    [Fact(Timeout = Timeout)]
    public async Task Complete_replaces_an_existing_blob()
    {
        // Arrange
        await Backend.PutAsync("mp/existing", RandomBytes(5000, seed: 1), Ct);
        var uploadId = await Backend.BeginMultipartAsync("mp/existing", Ct);
        var part = await Backend.UploadPartAsync("mp/existing", uploadId, 1, RandomBytes(20, seed: 2), Ct);

        // Act
        await Backend.CompleteMultipartAsync("mp/existing", uploadId, [part], Ct);

        // Assert
        Assert.Equal(RandomBytes(20, seed: 2), await ReadAllAsync("mp/existing"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Abort_discards_the_upload_leaves_no_blob_and_is_idempotent()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/aborted", Ct);
        await Backend.UploadPartAsync("mp/aborted", uploadId, 1, RandomBytes(100), Ct);

        // Act
        await Backend.AbortMultipartAsync("mp/aborted", uploadId, Ct);
        await Backend.AbortMultipartAsync("mp/aborted", uploadId, Ct);

        // Assert
        Assert.Empty(await ListUploadsAsync(""));
        Assert.Null(await Backend.GetLengthAsync("mp/aborted", Ct));
        Assert.Empty(await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Parts_and_Complete_for_an_aborted_upload_fail_permanently()
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/gone", Ct);
        var part = await Backend.UploadPartAsync("mp/gone", uploadId, 1, RandomBytes(10), Ct);
        await Backend.AbortMultipartAsync("mp/gone", uploadId, Ct);

        // Act
        var upload = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.UploadPartAsync("mp/gone", uploadId, 2, RandomBytes(10), Ct));
        var complete = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.CompleteMultipartAsync("mp/gone", uploadId, [part], Ct));

        // Assert
        Assert.Equal(ChecksUploadIds, !upload.IsTransient);
        Assert.Equal(ChecksUploadIds, !complete.IsTransient);
        Assert.Null(await Backend.GetLengthAsync("mp/gone", Ct));
        Assert.Empty(await ListUploadsAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Unknown_upload_ids_fail_permanently_and_abort_of_one_succeeds()
    {
        // Arrange
        const string unknown = "0123456789abcdef0123456789abcdef";

        // Act
        var part = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.UploadPartAsync("mp/unknown", unknown, 1, RandomBytes(10), Ct));
        var complete = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.CompleteMultipartAsync("mp/unknown", unknown, [new BlobPart(1, "0123456789abcdef0123456789abcdef")], Ct));
        await Backend.AbortMultipartAsync("mp/unknown", unknown, Ct);

        // Assert
        Assert.Equal(ChecksUploadIds, !part.IsTransient);
        Assert.Equal(ChecksUploadIds, !complete.IsTransient);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_upload_id_is_bound_to_its_blob_name()
    {
        if (!ChecksUploadIds)
        {
            return;
        }

        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/owner", Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await Backend.UploadPartAsync("mp/intruder", uploadId, 1, RandomBytes(10), Ct));
        await Backend.AbortMultipartAsync("mp/intruder", uploadId, Ct);

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Equal(["mp/owner"], (await ListUploadsAsync("")).Select(u => u.Name));
        await Backend.AbortMultipartAsync("mp/owner", uploadId, Ct);
    }

    [Fact(Timeout = Timeout)]
    public async Task ListMultipartUploads_filters_by_prefix()
    {
        // Arrange
        var started = DateTimeOffset.UtcNow;
        var b = await Backend.BeginMultipartAsync("up/b", Ct);
        var a1 = await Backend.BeginMultipartAsync("up/a", Ct);
        var other = await Backend.BeginMultipartAsync("elsewhere/a", Ct);

        // Act
        var underUp = await ListUploadsAsync("up/");
        var all = await ListUploadsAsync("");

        // Assert
        // The order is unspecified: S3 sorts by name, moto_server by creation.
        Assert.Equal([("up/a", a1), ("up/b", b)], underUp.Select(u => (u.Name, u.UploadId)).Order());
        Assert.Equal(3, all.Count);
        Assert.Contains(all, u => u.UploadId == other);
        // Clocks of a remote store may differ a little from ours; a day's slack catches only nonsense.
        if (ReportsUploadStartTimes)
        {
            Assert.All(all, u => Assert.InRange(u.Initiated, started.AddDays(-1), started.AddDays(1)));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Two_uploads_of_one_name_are_independent()
    {
        // Arrange
        var first = await Backend.BeginMultipartAsync("mp/twice", Ct);
        var second = await Backend.BeginMultipartAsync("mp/twice", Ct);
        var part = await Backend.UploadPartAsync("mp/twice", second, 1, RandomBytes(30, seed: 2), Ct);

        // Act
        await Backend.AbortMultipartAsync("mp/twice", first, Ct);
        await Backend.CompleteMultipartAsync("mp/twice", second, [part], Ct);

        // Assert
        Assert.NotEqual(first, second);
        Assert.Equal(RandomBytes(30, seed: 2), await ReadAllAsync("mp/twice"));
        Assert.Empty(await ListUploadsAsync(""));
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public async Task Part_numbers_outside_1_to_10000_are_rejected(int partNumber)
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/numbers", Ct);

        // Act + Assert
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await Backend.UploadPartAsync("mp/numbers", uploadId, partNumber, RandomBytes(1), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await Backend.CompleteMultipartAsync("mp/numbers", uploadId, [new BlobPart(partNumber, "etag")], Ct));
        await Backend.AbortMultipartAsync("mp/numbers", uploadId, Ct);
    }

    public static TheoryData<BlobPart[]> InvalidPartLists => new()
    {
        Array.Empty<BlobPart>(),
        new[] { new BlobPart(2, "a"), new BlobPart(1, "b") },
        new[] { new BlobPart(1, "a"), new BlobPart(1, "a") },
        new[] { new BlobPart(1, "") },
        new[] { new BlobPart(1, "\"\"") },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(InvalidPartLists))]
    public async Task Malformed_part_lists_are_rejected_before_anything_is_sent(BlobPart[] parts)
    {
        // Arrange
        var uploadId = await Backend.BeginMultipartAsync("mp/malformed", Ct);

        // Act + Assert
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.CompleteMultipartAsync("mp/malformed", uploadId, parts, Ct));
        Assert.Single(await ListUploadsAsync("mp/"));
        await Backend.AbortMultipartAsync("mp/malformed", uploadId, Ct);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Empty_upload_ids_are_rejected(string uploadId)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.UploadPartAsync("mp/x", uploadId, 1, RandomBytes(1), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.CompleteMultipartAsync("mp/x", uploadId, [new BlobPart(1, "e")], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.AbortMultipartAsync("mp/x", uploadId, Ct));
    }
}
