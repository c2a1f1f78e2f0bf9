using System.Security.Cryptography;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Actions;

public sealed partial class MultipartUploadTests
{
    [Fact(Timeout = 30_000)]
    public async Task ListParts_pages_with_max_parts_and_part_number_marker()
    {
        // Arrange: parts 1, 2, 3, 5 and 8, uploaded out of order; listed by part number.
        var bucket = await S3.NewBucketAsync();
        var uploadId = await S3.CreateUploadAsync(bucket, "k");
        var expected = new SortedDictionary<int, string>();
        foreach (var number in (int[])[5, 1, 8, 3, 2])
        {
            var body = RandomNumberGenerator.GetBytes(1000 + number);
            await S3.UploadPartBytesAsync(bucket, "k", uploadId, number, body);
            expected[number] = $"{number} {ActionTestExtensions.QuotedMd5(body)} {body.Length}";
        }

        // Act
        var pages = new List<ListPartsResponse>();
        string? marker = null;
        for (var page = 0; page < 10; page++)
        {
            var response = await S3.ListPartsAsync(new ListPartsRequest
            {
                BucketName = bucket,
                Key = "k",
                UploadId = uploadId,
                MaxParts = 2,
                PartNumberMarker = marker,
            });
            pages.Add(response);
            if (response.IsTruncated != true)
            {
                break;
            }
            marker = response.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Assert
        Assert.Equal([[1, 2], [3, 5], [8]], pages.Select(static p => p.Parts.Select(static part => part.PartNumber ?? 0).ToArray()).ToArray());
        Assert.Equal([true, true, false], pages.Select(static p => p.IsTruncated == true));
        Assert.Equal([0, 2, 5], pages.Select(static p => p.PartNumberMarker ?? -1));
        Assert.Equal([2, 5], pages.Take(2).Select(static p => p.NextPartNumberMarker ?? -1));
        Assert.All(pages, static p => Assert.Equal(2, p.MaxParts));
        Assert.Equal(expected.Values, pages.SelectMany(static p => p.Parts).Select(static p => $"{p.PartNumber} {p.ETag} {p.Size}"));
        Assert.Equal((bucket, "k", uploadId), (pages[0].BucketName, pages[0].Key, pages[0].UploadId));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListMultipartUploads_lists_uploads_by_key_then_initiation_and_filters_by_prefix_and_delimiter()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploads = await CreateListingUploadsAsync(bucket);

        // Act
        var all = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        var prefixed = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = "a/" });
        var delimited = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Delimiter = "/" });
        var nested = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = "c/", Delimiter = "/" });
        var afterKey = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, KeyMarker = "b" });

        // Assert
        Assert.Equal(uploads, Listed(all));
        Assert.False(all.IsTruncated);
        Assert.Equal(uploads.Take(2), Listed(prefixed));
        Assert.Equal([uploads[2], uploads[3], uploads[5]], Listed(delimited));
        Assert.Equal(["a/", "c/"], delimited.CommonPrefixes);
        Assert.Empty(Listed(nested));
        Assert.Equal(["c/x/"], nested.CommonPrefixes);
        Assert.Equal(uploads.Skip(4), Listed(afterKey));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)] // a page ends between the two uploads of "b": the next resumes with upload-id-marker
    [InlineData(5)]
    public async Task ListMultipartUploads_pages_with_max_uploads_key_marker_and_upload_id_marker_without_gaps_or_repeats(int maxUploads)
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        var uploads = await CreateListingUploadsAsync(bucket);

        // Act
        var pages = new List<ListMultipartUploadsResponse>();
        string? keyMarker = null;
        string? uploadIdMarker = null;
        for (var page = 0; page < 10; page++)
        {
            var response = await S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = bucket,
                MaxUploads = maxUploads,
                KeyMarker = keyMarker,
                UploadIdMarker = uploadIdMarker,
            });
            pages.Add(response);
            if (response.IsTruncated != true)
            {
                break;
            }
            (keyMarker, uploadIdMarker) = (response.NextKeyMarker, response.NextUploadIdMarker);
        }

        // Assert
        Assert.Equal(uploads, pages.SelectMany(Listed));
        Assert.Equal((uploads.Count + maxUploads - 1) / maxUploads, pages.Count);
        Assert.All(pages, page => Assert.Equal(maxUploads, page.MaxUploads));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(maxUploads, page.MultipartUploads.Count));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(Listed(page)[^1], $"{page.NextKeyMarker} {page.NextUploadIdMarker}"));
    }

    /// <summary>
    /// Six uploads: keys "a/1", "a/2", "b" (twice), "c/x/y" and "d", created out of key order. Returns
    /// them as "key uploadId" in the order S3 lists them: by key, then by initiation time.
    /// </summary>
    private async Task<List<string>> CreateListingUploadsAsync(string bucket)
    {
        var created = new List<(string Key, string UploadId)>();
        foreach (var key in (string[])["d", "b", "a/2", "c/x/y", "b", "a/1"])
        {
            created.Add((key, await S3.CreateUploadAsync(bucket, key)));
            // Initiation times are kept to the millisecond; keep the two uploads of "b" apart.
            await Task.Delay(5);
        }
        return created.OrderBy(static u => u.Key, StringComparer.Ordinal).Select(static u => $"{u.Key} {u.UploadId}").ToList();
    }

    private static List<string> Listed(ListMultipartUploadsResponse response) =>
        (response.MultipartUploads ?? []).Select(static u => $"{u.Key} {u.UploadId}").ToList();
}
