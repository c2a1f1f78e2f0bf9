using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class ListObjectsV2Tests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_returns_size_ETag_last_modified_and_storage_class()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = new byte[5_000];
        var before = DateTime.UtcNow.AddSeconds(-2);
        await _s3.PutBytesAsync(bucket, "k", body);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

        // Assert
        var item = Assert.Single(response.S3Objects);
        Assert.Equal(("k", 5_000L, ActionTestExtensions.QuotedMd5(body)), (item.Key, item.Size!.Value, item.ETag));
        Assert.Equal(S3StorageClass.Standard, item.StorageClass);
        Assert.InRange(item.LastModified!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(2));
        Assert.Equal((1, false, bucket), (response.KeyCount, response.IsTruncated, response.Name));
        Assert.Null(item.Owner);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_of_an_empty_bucket_returns_no_keys_and_is_not_truncated()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

        // Assert
        Assert.Empty(response.S3Objects ?? []);
        Assert.Equal((0, false), (response.KeyCount, response.IsTruncated));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_a_prefix_lists_only_keys_under_it()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "a/b/3", "ab", "b/1"]);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "a/" });

        // Assert
        Assert.Equal(["a/1", "a/2", "a/b/3"], response.S3Objects.Select(o => o.Key));
        Assert.Equal("a/", response.Prefix);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_a_delimiter_rolls_keys_up_into_CommonPrefixes()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "a/b/3", "b/1", "c", "d"]);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });

        // Assert
        Assert.Equal(["c", "d"], response.S3Objects.Select(o => o.Key));
        Assert.Equal(["a/", "b/"], response.CommonPrefixes);
        Assert.Equal(4, response.KeyCount); // KeyCount counts common prefixes too
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_a_prefix_and_a_delimiter_lists_one_level()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/1"]);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "a/", Delimiter = "/" });

        // Assert
        Assert.Equal(["a/1", "a/2"], response.S3Objects.Select(o => o.Key));
        Assert.Equal(["a/b/", "a/c/"], response.CommonPrefixes);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_max_keys_truncates_and_the_continuation_token_resumes()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k0", "k1", "k2", "k3", "k4"]);

        // Act
        var first = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 2 });
        var second = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 2, ContinuationToken = first.NextContinuationToken });
        var third = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 2, ContinuationToken = second.NextContinuationToken });

        // Assert
        Assert.Equal(["k0", "k1"], first.S3Objects.Select(o => o.Key));
        Assert.Equal((true, 2, 2), (first.IsTruncated, first.KeyCount, first.MaxKeys));
        Assert.NotNull(first.NextContinuationToken);
        Assert.Equal(["k2", "k3"], second.S3Objects.Select(o => o.Key));
        Assert.True(second.IsTruncated);
        Assert.Equal(first.NextContinuationToken, second.ContinuationToken);
        Assert.Equal(["k4"], third.S3Objects.Select(o => o.Key));
        Assert.False(third.IsTruncated);
        Assert.Null(third.NextContinuationToken);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("k1", new[] { "k2", "k3" })]
    [InlineData("k1a", new[] { "k2", "k3" })] // need not be a key
    [InlineData("a", new[] { "k1", "k2", "k3" })]
    [InlineData("k3", new string[0])]
    public async Task ListObjectsV2_with_start_after_lists_the_keys_after_it(string startAfter, string[] expected)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k1", "k2", "k3"]);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, StartAfter = startAfter });

        // Assert
        Assert.Equal(expected, (response.S3Objects ?? []).Select(o => o.Key));
        Assert.Equal(startAfter, response.StartAfter);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_fetch_owner_returns_the_owner()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k"]);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, FetchOwner = true });

        // Assert
        var owner = Assert.Single(response.S3Objects).Owner;
        Assert.NotNull(owner);
        Assert.Matches("^[0-9a-f]{64}$", owner.Id);
        Assert.Equal(owner.Id, (await _s3.ListBucketsAsync()).Owner.Id);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_encoding_type_url_returns_keys_with_spaces_plus_signs_and_unicode_exactly()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        string[] keys = ["a+b", "dir one/x", "percent%20sign", "ünï/cödé", "日本語"];
        await _s3.PutEmptyObjectsAsync(bucket, keys);

        // Act
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Encoding = EncodingType.Url });

        // Assert: this SDK hands the keys over still encoded; form-decoding or percent-decoding them gives the keys back.
        Assert.Equal(keys, response.S3Objects.Select(o => WebUtility.UrlDecode(o.Key)));
        Assert.Equal(keys, response.S3Objects.Select(o => Uri.UnescapeDataString(o.Key)));
        Assert.Contains("a%2Bb", response.S3Objects.Select(o => o.Key));
        Assert.Contains("dir%20one/x", response.S3Objects.Select(o => o.Key));
        Assert.Equal(EncodingType.Url, response.Encoding);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_encoding_type_url_encodes_keys_prefixes_and_delimiter_on_the_wire()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a+b c", "ü dir/x", "ü+"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Encoding = EncodingType.Url, Delimiter = " " });
        var xml = XDocument.Parse(Assert.Single(wire.Exchanges).Body!);

        // Assert: a space is %20 (not '+'), a literal '+' is %2B, non-ASCII is percent-encoded UTF-8.
        var ns = xml.Root!.Name.Namespace;
        Assert.Equal(["a%2Bb%20", "%C3%BC%20"], xml.Root.Elements(ns + "CommonPrefixes").Select(e => e.Element(ns + "Prefix")!.Value));
        Assert.Equal(["%C3%BC%2B"], xml.Root.Elements(ns + "Contents").Select(e => e.Element(ns + "Key")!.Value));
        Assert.Equal("%20", xml.Root.Element(ns + "Delimiter")!.Value);
        Assert.Equal("url", xml.Root.Element(ns + "EncodingType")!.Value);
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task ListObjectsV2_with_encoding_type_url_round_trips_a_control_character_prefix_and_start_after()
    {
        // Arrange: U+0001 cannot appear in XML 1.0, which is why clients ask for encoding-type=url.
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["\u0001ctl x/1", "\u0001ctl x/2", "\u0001ctl x/3", "plain"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act: the SDK sends the prefix percent-encoded in the query.
        var response = await s3.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = "\u0001ctl x/",
            StartAfter = "\u0001ctl x/1",
            Encoding = EncodingType.Url,
            MaxKeys = 1,
        });
        var xml = XDocument.Parse(Assert.Single(wire.Exchanges).Body!);

        // Assert: every key-derived element comes back encoded; the continuation token stays opaque.
        var ns = xml.Root!.Name.Namespace;
        Assert.Equal("%01ctl%20x/", xml.Root.Element(ns + "Prefix")!.Value);
        Assert.Equal("%01ctl%20x/1", xml.Root.Element(ns + "StartAfter")!.Value);
        Assert.Equal(["%01ctl%20x/2"], xml.Root.Elements(ns + "Contents").Select(e => e.Element(ns + "Key")!.Value));
        Assert.Equal(["\u0001ctl x/2"], response.S3Objects.Select(o => Uri.UnescapeDataString(o.Key)));
        Assert.True(response.IsTruncated);
        var next = await s3.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = "\u0001ctl x/",
            ContinuationToken = response.NextContinuationToken,
            Encoding = EncodingType.Url,
        });
        Assert.Equal(["\u0001ctl x/3"], next.S3Objects.Select(o => Uri.UnescapeDataString(o.Key)));
        Assert.Equal(response.NextContinuationToken, next.ContinuationToken);
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task ListObjectsV2_with_an_empty_delimiter_groups_nothing_and_answers_without_a_Delimiter_element()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "b"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "" });
        var exchange = Assert.Single(wire.Exchanges);
        var xml = XDocument.Parse(exchange.Body!);

        // Assert
        Assert.Contains("delimiter=&", exchange.Uri.Query + "&", StringComparison.Ordinal);
        var ns = xml.Root!.Name.Namespace;
        Assert.Null(xml.Root.Element(ns + "Delimiter"));
        Assert.Empty(xml.Root.Elements(ns + "CommonPrefixes"));
        Assert.Equal(["a/1", "a/2", "b"], response.S3Objects.Select(static o => o.Key));
    }

    [Fact(Timeout = 90_000)]
    public async Task ListObjectsV2_paginates_3000_keys_each_exactly_once_in_UTF_8_byte_order()
    {
        // Arrange: U+FF5E sorts after U+1F600 in UTF-16 but before it in UTF-8; S3 orders by UTF-8 bytes.
        var bucket = await _s3.NewBucketAsync();
        var keys = LargeKeySet();
        await _s3.PutEmptyObjectsAsync(bucket, keys);
        var expected = keys.Order(Comparer<string>.Create(ActionTestExtensions.CompareUtf8)).ToList();

        // Act
        var byToken = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            byToken.AddRange(page.S3Objects.Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);
        var byPaginator = new List<string>();
        await foreach (var item in _s3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 333 }).S3Objects)
        {
            byPaginator.Add(item.Key);
        }

        // Assert
        Assert.Equal(3, pages);
        Assert.Equal(expected, byToken);
        Assert.Equal(expected, byPaginator);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_with_a_delimiter_rolls_keys_into_CommonPrefixes_across_pages()
    {
        // Arrange: 20 "directories" of 5 keys each, interleaved with 15 top-level keys.
        var bucket = await _s3.NewBucketAsync();
        var directories = Enumerable.Range(0, 20).Select(i => $"d{i:D2}/").ToList();
        var files = Enumerable.Range(0, 15).Select(i => $"d{i:D2}.txt").ToList();
        await _s3.PutEmptyObjectsAsync(bucket, [.. directories.SelectMany(d => Enumerable.Range(0, 5).Select(f => $"{d}f{f}")), .. files]);
        var expected = directories.Concat(files).Order(StringComparer.Ordinal).ToList();

        // Act
        var entries = new List<string>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 3, ContinuationToken = token });
            Assert.InRange(page.KeyCount!.Value, 1, 3);
            entries.AddRange((page.S3Objects ?? []).Select(o => o.Key).Concat(page.CommonPrefixes ?? []).Order(StringComparer.Ordinal));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        var prefixesByPaginator = new List<string>();
        await foreach (var prefix in _s3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 4 }).CommonPrefixes)
        {
            prefixesByPaginator.Add(prefix);
        }

        // Assert
        Assert.Equal(expected, entries);
        Assert.Equal(directories, prefixesByPaginator);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjectsV2_in_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }

    /// <summary>3,000 keys across a few prefixes, with ASCII, Latin-1, BMP (U+FF5E) and astral (U+1F600) characters.</summary>
    internal static List<string> LargeKeySet()
    {
        var keys = new List<string>(3_000);
        for (var i = 0; i < 3_000; i++)
        {
            keys.Add((i % 6) switch
            {
                0 => $"logs/{i:D4}",
                1 => $"logs/{i:D4}/détail",
                2 => $"x\uFF5E{i:D4}",
                3 => $"x\U0001F600{i:D4}",
                4 => $"Zeta {i:D4}",
                _ => $"z/{i:D4}.bin",
            });
        }
        return keys;
    }
}
