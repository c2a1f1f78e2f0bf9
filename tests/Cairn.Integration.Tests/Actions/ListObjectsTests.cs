using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>ListObjects (version 1): marker and NextMarker instead of continuation tokens.</summary>
[Collection(ServerCollection.Name)]
public sealed class ListObjectsTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_returns_keys_with_size_ETag_and_owner()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = new byte[10];
        await _s3.PutBytesAsync(bucket, "b", body);
        await _s3.PutBytesAsync(bucket, "a", body);

        // Act
        var response = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket });

        // Assert
        Assert.Equal(["a", "b"], response.S3Objects.Select(o => o.Key));
        Assert.All(response.S3Objects, o => Assert.Equal((10L, ActionTestExtensions.QuotedMd5(body)), (o.Size!.Value, o.ETag)));
        // Version 1 always lists the owner.
        Assert.All(response.S3Objects, o => Assert.Matches("^[0-9a-f]{64}$", o.Owner.Id));
        Assert.False(response.IsTruncated);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_with_a_prefix_and_a_delimiter_lists_one_level()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "a/b/3", "a/c/4", "b/1", "top"]);

        // Act
        var root = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/" });
        var nested = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Prefix = "a/", Delimiter = "/" });

        // Assert
        Assert.Equal(["top"], root.S3Objects.Select(o => o.Key));
        Assert.Equal(["a/", "b/"], root.CommonPrefixes);
        Assert.Equal(["a/1", "a/2"], nested.S3Objects.Select(o => o.Key));
        Assert.Equal(["a/b/", "a/c/"], nested.CommonPrefixes);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_without_a_delimiter_truncates_without_NextMarker_and_the_last_key_resumes()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k0", "k1", "k2", "k3", "k4"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var first = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 3 });
        var second = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 3, Marker = first.S3Objects[^1].Key });

        // Assert: S3 sends NextMarker only when a delimiter was given (the SDK then fills in the last key itself).
        var firstXml = XDocument.Parse(wire.Exchanges.First().Body!);
        Assert.Null(firstXml.Root!.Element(firstXml.Root.Name.Namespace + "NextMarker"));
        Assert.Equal(["k0", "k1", "k2"], first.S3Objects.Select(o => o.Key));
        Assert.True(first.IsTruncated);
        Assert.Equal(["k3", "k4"], second.S3Objects.Select(o => o.Key));
        Assert.False(second.IsTruncated);
        Assert.Equal("k2", second.Marker);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_with_a_delimiter_returns_NextMarker_that_skips_the_rolled_up_prefix()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a", "b/1", "b/2", "b/3", "c", "d"]);

        // Act
        var first = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", MaxKeys = 2 });
        var second = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", MaxKeys = 2, Marker = first.NextMarker });

        // Assert
        Assert.Equal(["a"], first.S3Objects.Select(o => o.Key));
        Assert.Equal(["b/"], first.CommonPrefixes);
        Assert.Equal("b/", first.NextMarker);
        Assert.True(first.IsTruncated);
        Assert.Equal(["c", "d"], second.S3Objects.Select(o => o.Key));
        Assert.Empty(second.CommonPrefixes ?? []);
        Assert.False(second.IsTruncated);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("k1", new[] { "k2", "k3" })]
    [InlineData("k1a", new[] { "k2", "k3" })]
    [InlineData("", new[] { "k1", "k2", "k3" })]
    [InlineData("k9", new string[0])]
    public async Task ListObjects_with_a_marker_lists_the_keys_after_it(string marker, string[] expected)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["k1", "k2", "k3"]);

        // Act
        var response = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Marker = marker });

        // Assert
        Assert.Equal(expected, (response.S3Objects ?? []).Select(o => o.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_with_encoding_type_url_encodes_keys_markers_and_prefixes()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a b/1", "a b/2", "c+d", "é/x", "é/y", "ü"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var response = await s3.ListObjectsAsync(new ListObjectsRequest
        {
            BucketName = bucket,
            Encoding = EncodingType.Url,
            Delimiter = "/",
            Marker = "a b/", // a NextMarker naming a common prefix resumes after everything under it
            MaxKeys = 2,
        });
        var xml = XDocument.Parse(Assert.Single(wire.Exchanges).Body!);

        // Assert
        var ns = xml.Root!.Name.Namespace;
        Assert.Equal("a%20b/", xml.Root.Element(ns + "Marker")!.Value);
        Assert.Equal(["c%2Bd"], xml.Root.Elements(ns + "Contents").Select(e => e.Element(ns + "Key")!.Value));
        Assert.Equal(["%C3%A9/"], xml.Root.Elements(ns + "CommonPrefixes").Select(e => e.Element(ns + "Prefix")!.Value));
        Assert.Equal("%C3%A9/", xml.Root.Element(ns + "NextMarker")!.Value);
        Assert.Equal(["c+d"], response.S3Objects.Select(o => WebUtility.UrlDecode(o.Key)));
        Assert.True(response.IsTruncated);
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task ListObjects_with_an_empty_delimiter_groups_nothing_and_answers_without_Delimiter_or_NextMarker()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "b"]);
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var response = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "", MaxKeys = 2 });
        var exchange = Assert.Single(wire.Exchanges);
        var xml = XDocument.Parse(exchange.Body!);

        // Assert
        Assert.Contains("delimiter=&", exchange.Uri.Query + "&", StringComparison.Ordinal);
        var ns = xml.Root!.Name.Namespace;
        Assert.Null(xml.Root.Element(ns + "Delimiter"));
        Assert.Null(xml.Root.Element(ns + "NextMarker")); // S3 sends NextMarker only with a delimiter
        Assert.Empty(xml.Root.Elements(ns + "CommonPrefixes"));
        Assert.Equal(["a/1", "a/2"], response.S3Objects.Select(static o => o.Key));
        Assert.True(response.IsTruncated);
    }

    [Fact(Timeout = 90_000)]
    public async Task ListObjects_paginates_3000_keys_each_exactly_once_in_UTF_8_byte_order()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var keys = ListObjectsV2Tests.LargeKeySet();
        await _s3.PutEmptyObjectsAsync(bucket, keys);
        var expected = keys.Order(Comparer<string>.Create(ActionTestExtensions.CompareUtf8)).ToList();

        // Act
        var byMarker = new List<string>();
        var pages = 0;
        string? marker = null;
        while (true)
        {
            var page = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Marker = marker });
            byMarker.AddRange(page.S3Objects.Select(o => o.Key));
            pages++;
            if (page.IsTruncated != true)
            {
                break;
            }
            marker = page.S3Objects[^1].Key;
        }
        var byPaginator = new List<string>();
        await foreach (var item in _s3.Paginators.ListObjects(new ListObjectsRequest { BucketName = bucket, MaxKeys = 400 }).S3Objects)
        {
            byPaginator.Add(item.Key);
        }

        // Assert
        Assert.Equal(3, pages);
        Assert.Equal(expected, byMarker);
        Assert.Equal(expected, byPaginator);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_with_a_delimiter_rolls_keys_into_CommonPrefixes_across_pages()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var directories = Enumerable.Range(0, 20).Select(i => $"d{i:D2}/").ToList();
        var files = Enumerable.Range(0, 15).Select(i => $"d{i:D2}.txt").ToList();
        await _s3.PutEmptyObjectsAsync(bucket, [.. directories.SelectMany(d => Enumerable.Range(0, 5).Select(f => $"{d}f{f}")), .. files]);
        var expected = directories.Concat(files).Order(StringComparer.Ordinal).ToList();

        // Act
        var entries = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", MaxKeys = 3, Marker = marker });
            entries.AddRange((page.S3Objects ?? []).Select(o => o.Key).Concat(page.CommonPrefixes ?? []).Order(StringComparer.Ordinal));
            if (page.IsTruncated != true)
            {
                break;
            }
            marker = page.NextMarker;
        }
        var prefixesByPaginator = new List<string>();
        await foreach (var prefix in _s3.Paginators.ListObjects(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", MaxKeys = 4 }).CommonPrefixes)
        {
            prefixesByPaginator.Add(prefix);
        }

        // Assert
        Assert.Equal(expected, entries);
        Assert.Equal(directories, prefixesByPaginator);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListObjects_in_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName();

        // Act
        var action = () => _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket });

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(action, HttpStatusCode.NotFound, "NoSuchBucket");
    }
}
