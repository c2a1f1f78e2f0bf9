using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class MultipartCatalogConformanceTests<TTarget>
{
    /// <summary>Creates uploads given as (key, minutes after Now, upload id).</summary>
    private async Task SeedUploadsAsync(params (string Key, int Minutes, string Id)[] uploads)
    {
        foreach (var (key, minutes, id) in uploads)
        {
            await CreateUploadAsync(key, Now.AddMinutes(minutes), id);
        }
    }

    private Task<MultipartUploadListing> ListUploadsAsync(string prefix = "", string? delimiter = null, string? keyMarker = null,
        string? uploadIdMarker = null, int maxUploads = 1000) =>
        Catalog.Multipart.ListMultipartUploadsAsync(Bucket, new MultipartUploadsQuery(prefix, delimiter, keyMarker, uploadIdMarker, maxUploads), Ct).AsTask();

    /// <summary>A page as "key/id" per upload, then each common prefix.</summary>
    private static IEnumerable<string> Items(MultipartUploadListing listing) =>
        listing.Uploads.Select(static u => u.Key + "#" + u.UploadId).Concat(listing.CommonPrefixes);

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_orders_by_key_bytes_then_initiation_then_upload_id()
    {
        // Arrange: "\u00e9" (C3 A9 in UTF-8) sorts after "z"; another bucket's upload stays out.
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("other", Now, "us-east-1"), Ct));
        await CreateUploadAsync("a", Now, "elsewhere", bucket: "other");
        await SeedUploadsAsync(("b", 0, "u1"), ("a", 5, "u2"), ("a", 1, "u3"), ("a", 1, "u0"), ("\u00e9", 0, "u4"), ("z", 0, "u5"));

        // Act
        var listing = await ListUploadsAsync();

        // Assert
        Assert.Equal(["a#u0", "a#u3", "a#u2", "b#u1", "z#u5", "\u00e9#u4"], Items(listing));
        Assert.Equal(Now.AddMinutes(5), listing.Uploads[2].Initiated);
        Assert.Equal(Bucket, listing.Uploads[2].Bucket);
        Assert.False(listing.IsTruncated);
        Assert.Equal(("\u00e9", "u4"), (listing.NextKeyMarker, listing.NextUploadIdMarker));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_with_a_prefix_and_delimiter_rolls_keys_up_into_common_prefixes()
    {
        // Arrange
        await SeedUploadsAsync(("photos/2024/a", 0, "u1"), ("photos/2024/b", 0, "u2"), ("photos/x", 2, "u3"), ("photos/x", 1, "u4"),
            ("photos/2025/c", 0, "u5"), ("videos/v", 0, "u6"), ("photosz", 0, "u7"));

        // Act
        var underPhotos = await ListUploadsAsync("photos/", "/");
        var root = await ListUploadsAsync(delimiter: "/");
        var prefixOnly = await ListUploadsAsync("photos/2024/");

        // Assert
        Assert.Equal(["photos/x#u4", "photos/x#u3", "photos/2024/", "photos/2025/"], Items(underPhotos));
        Assert.Equal(["photosz#u7", "photos/", "videos/"], Items(root));
        Assert.Equal(["photos/2024/a#u1", "photos/2024/b#u2"], Items(prefixOnly));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_counts_common_prefixes_toward_MaxUploads_and_marks_the_last_item()
    {
        // Arrange
        await SeedUploadsAsync(("a/1", 0, "u1"), ("a/2", 0, "u2"), ("b", 0, "u3"), ("c/1", 0, "u4"), ("d", 0, "u5"));

        // Act
        var endsOnUpload = await ListUploadsAsync(delimiter: "/", maxUploads: 2);
        var endsOnPrefix = await ListUploadsAsync(delimiter: "/", maxUploads: 3);
        var exact = await ListUploadsAsync(delimiter: "/", maxUploads: 4);

        // Assert
        Assert.Equal(["b#u3", "a/"], Items(endsOnUpload));
        Assert.True(endsOnUpload.IsTruncated);
        Assert.Equal(("b", "u3"), (endsOnUpload.NextKeyMarker, endsOnUpload.NextUploadIdMarker));
        Assert.True(endsOnPrefix.IsTruncated);
        Assert.Equal(("c/", (string?)null), (endsOnPrefix.NextKeyMarker, endsOnPrefix.NextUploadIdMarker));
        Assert.False(exact.IsTruncated);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_pages_one_item_at_a_time_through_several_uploads_of_a_key_and_common_prefixes()
    {
        // Arrange
        await SeedUploadsAsync(("k", 3, "k3"), ("k", 1, "k1"), ("k", 2, "k2"), ("dir/x", 0, "d1"), ("dir/y", 0, "d2"),
            ("m", 0, "m2"), ("m", 0, "m1"), ("z/deep/1", 0, "z1"));

        // Act
        var items = new List<string>();
        string? keyMarker = null;
        string? uploadIdMarker = null;
        var pages = 0;
        while (pages < 20)
        {
            pages++;
            var page = await ListUploadsAsync(delimiter: "/", keyMarker: keyMarker, uploadIdMarker: uploadIdMarker, maxUploads: 1);
            items.AddRange(Items(page));
            if (!page.IsTruncated)
            {
                break;
            }
            (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }

        // Assert
        Assert.Equal(["dir/", "k#k1", "k#k2", "k#k3", "m#m1", "m#m2", "z/"], items);
        Assert.Equal(7, pages);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_pages_without_a_delimiter_return_each_upload_exactly_once()
    {
        // Arrange: 3 keys x 5 uploads, some initiated in the same millisecond.
        var expected = new List<string>();
        foreach (var key in new[] { "a", "b", "c" })
        {
            for (var i = 0; i < 5; i++)
            {
                await CreateUploadAsync(key, Now.AddMinutes(i / 2), $"{key}-{i}");
                expected.Add($"{key}#{key}-{i}");
            }
        }

        // Act
        var items = new List<string>();
        var page = await ListUploadsAsync(maxUploads: 4);
        items.AddRange(Items(page));
        while (page.IsTruncated)
        {
            page = await ListUploadsAsync(keyMarker: page.NextKeyMarker, uploadIdMarker: page.NextUploadIdMarker, maxUploads: 4);
            items.AddRange(Items(page));
        }

        // Assert
        Assert.Equal(expected, items);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_key_markers_skip_the_key_and_resume_within_it_with_an_upload_id()
    {
        // Arrange
        await SeedUploadsAsync(("a", 0, "a1"), ("k", 0, "k1"), ("k", 1, "k2"), ("k", 2, "k3"), ("p/1", 0, "p1"), ("q", 0, "q1"));

        // Act
        var afterKey = await ListUploadsAsync(keyMarker: "k");
        var withinKey = await ListUploadsAsync(keyMarker: "k", uploadIdMarker: "k1");
        var goneMarker = await ListUploadsAsync(keyMarker: "k", uploadIdMarker: "completed-meanwhile");
        var insidePrefix = await ListUploadsAsync(delimiter: "/", keyMarker: "p/0");
        var beforePrefix = await ListUploadsAsync(prefix: "k", keyMarker: "b");
        var pastPrefix = await ListUploadsAsync(prefix: "k", keyMarker: "l");

        // Assert
        Assert.Equal(["p/1#p1", "q#q1"], Items(afterKey));
        Assert.Equal(["k#k2", "k#k3", "p/1#p1", "q#q1"], Items(withinKey));
        Assert.Equal(["k#k1", "k#k2", "k#k3", "p/1#p1", "q#q1"], Items(goneMarker));
        Assert.Equal(["q#q1"], Items(insidePrefix));
        Assert.Equal(["k#k1", "k#k2", "k#k3"], Items(beforePrefix));
        Assert.Empty(Items(pastPrefix));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListMultipartUploads_of_an_empty_or_missing_bucket_or_with_MaxUploads_zero_returns_an_empty_page()
    {
        // Arrange
        var empty = await ListUploadsAsync(delimiter: "/");
        await SeedUploadsAsync(("a", 0, "u1"));

        // Act
        var missing = await Catalog.Multipart.ListMultipartUploadsAsync("absent", new MultipartUploadsQuery("", null, null, null, 1000), Ct);
        var zero = await ListUploadsAsync(maxUploads: 0);

        // Assert
        foreach (var page in new[] { empty, missing, zero })
        {
            Assert.Equal((0, 0, false, (string?)null, (string?)null),
                (page.Uploads.Count, page.CommonPrefixes.Count, page.IsTruncated, page.NextKeyMarker, page.NextUploadIdMarker));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ListMultipartUploads_with_a_delimiter_seeks_past_the_uploads_under_each_common_prefix()
    {
        // Arrange: 20 "directories" of 25 uploads each.
        for (var d = 0; d < 20; d++)
        {
            for (var k = 0; k < 25; k++)
            {
                await CreateUploadAsync($"dir{d:D2}/file{k:D2}");
            }
        }
        var store = Catalog.Provider!;
        var before = store.ListingRowsRead;

        // Act
        var listing = await ListUploadsAsync(delimiter: "/");
        var rowsRead = store.ListingRowsRead - before;

        // Assert: one row per common prefix (and a final empty query), not 500.
        Assert.Equal(20, listing.CommonPrefixes.Count);
        Assert.Empty(listing.Uploads);
        Assert.InRange(rowsRead, 20, 25);
    }
}
