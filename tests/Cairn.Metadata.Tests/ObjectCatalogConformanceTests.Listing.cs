using System.Text;
using Cairn.Core;

namespace Cairn.Metadata.Tests;

public abstract partial class ObjectCatalogConformanceTests<TTarget>
{
    /// <summary>
    /// Commits an inline object for each key (distinct keys), eight at a time: a provider that runs a
    /// transaction per write (PostgreSQL) then shares the server's WAL flushes between them instead of
    /// waiting for 20,000 fsyncs one after another.
    /// </summary>
    private async Task SeedAsync(IEnumerable<string> keys)
    {
        var distinct = keys.ToArray();
        Assert.Equal(distinct.Length, distinct.Distinct(StringComparer.Ordinal).Count());
        await Parallel.ForEachAsync(distinct, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) =>
            Assert.Equal(CommitOutcome.Committed, await CommitAsync(null, InlineVersion(key, "etag-" + key))));
    }

    private Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, string? after = null, int maxKeys = 1000) =>
        Catalog.Objects.ListObjectsAsync(Bucket, new ListObjectsQuery(prefix, delimiter, after, maxKeys), Ct).AsTask();

    private static IEnumerable<string> Keys(ObjectListing listing) => listing.Objects.Select(static o => o.Key);

    /// <summary>S3 order: the UTF-8 bytes compared as unsigned.</summary>
    private static int CompareUtf8(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_with_a_prefix_returns_only_its_keys_in_order_with_their_summaries()
    {
        // Arrange
        await SeedAsync(["photos/b.jpg", "photos/a.jpg", "photo", "photos0", "videos/a.mp4", "photos/sub/c.jpg"]);

        // Act
        var listing = await ListAsync("photos/");

        // Assert
        Assert.Equal(["photos/a.jpg", "photos/b.jpg", "photos/sub/c.jpg"], Keys(listing));
        Assert.Equal(new ObjectSummary("photos/a.jpg", 3, "etag-photos/a.jpg", Now), listing.Objects[0]);
        Assert.Empty(listing.CommonPrefixes);
        Assert.False(listing.IsTruncated);
        Assert.Equal("photos/sub/c.jpg", listing.NextAfter);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_with_a_delimiter_rolls_keys_up_into_common_prefixes()
    {
        // Arrange
        await SeedAsync(["a/1", "a/2", "a/b/3", "b", "c/", "c/d", "d/e/f", "e"]);

        // Act
        var root = await ListAsync(delimiter: "/");
        var underA = await ListAsync(prefix: "a/", delimiter: "/");
        var partial = await ListAsync(prefix: "d/e", delimiter: "/");

        // Assert
        Assert.Equal(["b", "e"], Keys(root));
        Assert.Equal(["a/", "c/", "d/"], root.CommonPrefixes);
        Assert.Equal(["a/1", "a/2"], Keys(underA));
        Assert.Equal(["a/b/"], underA.CommonPrefixes);
        Assert.Empty(partial.Objects);
        Assert.Equal(["d/e/"], partial.CommonPrefixes);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_counts_common_prefixes_toward_MaxKeys()
    {
        // Arrange
        await SeedAsync(["a", "b/1", "b/2", "c", "d/1"]);

        // Act
        var first = await ListAsync(delimiter: "/", maxKeys: 2);
        var second = await ListAsync(delimiter: "/", after: first.NextAfter, maxKeys: 2);
        var third = await ListAsync(delimiter: "/", after: second.NextAfter, maxKeys: 2);

        // Assert
        Assert.Equal(["a"], Keys(first));
        Assert.Equal(["b/"], first.CommonPrefixes);
        Assert.True(first.IsTruncated);
        Assert.Equal("b/", first.NextAfter);
        Assert.Equal(["c"], Keys(second));
        Assert.Equal(["d/"], second.CommonPrefixes);
        Assert.False(second.IsTruncated);
        Assert.Equal("d/", second.NextAfter);
        Assert.Empty(third.Objects);
        Assert.Empty(third.CommonPrefixes);
        Assert.False(third.IsTruncated);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_is_not_truncated_when_the_page_ends_at_the_last_item()
    {
        await SeedAsync(["a", "b", "c"]);
        var exact = await ListAsync(maxKeys: 3);
        var short1 = await ListAsync(maxKeys: 2);
        var huge = await ListAsync(delimiter: "/", maxKeys: int.MaxValue);
        Assert.Equal(["a", "b", "c"], Keys(huge));
        Assert.False(huge.IsTruncated);
        Assert.False(exact.IsTruncated);
        Assert.Equal("c", exact.NextAfter);
        Assert.True(short1.IsTruncated);
        Assert.Equal("b", short1.NextAfter);
    }

    // The timeouts of the two large listings only catch a hang: their seeding is thousands of
    // commits, which on PostgreSQL take turns on the bucket's journal lock, and a loaded 2-core
    // machine has taken 60 s for 3,001 and 90 s for 20,000 of them.
    [Fact(Timeout = 300_000)]
    public async Task ListObjects_pages_through_3000_keys_returning_each_exactly_once_in_order()
    {
        // Arrange
        var keys = Enumerable.Range(0, 3_001).Select(static i => $"k/{i * 7919 % 3001:x}").ToList();
        await SeedAsync(keys);
        keys.Sort(CompareUtf8);

        // Act
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await ListAsync(prefix: "k/", after: after, maxKeys: 250);
            pages++;
            seen.AddRange(Keys(page));
            if (!page.IsTruncated)
            {
                break;
            }
            after = page.NextAfter;
        }

        // Assert
        Assert.Equal(keys, seen);
        Assert.Equal(13, pages);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_orders_keys_by_UTF8_bytes_not_UTF16()
    {
        // Arrange: U+E000 sorts after U+1F600's surrogates in UTF-16, before its bytes in UTF-8.
        string[] keys = ["\U0001F600", "\uE000", "z", "\u00e9", "A", "\u0080", "a\u00ff", "ab"];
        await SeedAsync(keys);
        var expected = keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray();

        // Act
        var listing = await ListAsync();
        var page1 = await ListAsync(maxKeys: 5);
        var page2 = await ListAsync(after: page1.NextAfter, maxKeys: 5);

        // Assert
        Assert.Equal(["A", "ab", "a\u00ff", "z", "\u0080", "\u00e9", "\uE000", "\U0001F600"], expected);
        Assert.Equal(expected, Keys(listing));
        Assert.Equal(expected, Keys(page1).Concat(Keys(page2)));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_with_a_delimiter_other_than_slash()
    {
        // Arrange
        await SeedAsync(["2024|01|a", "2024|01|b", "2024|02|a", "2024-x", "2025|01", "2025"]);

        // Act
        var years = await ListAsync(delimiter: "|");
        var months = await ListAsync(prefix: "2024|", delimiter: "|");
        var multi = await ListAsync(delimiter: "|0");

        // Assert
        Assert.Equal(["2024-x", "2025"], Keys(years));
        Assert.Equal(["2024|", "2025|"], years.CommonPrefixes);
        Assert.Equal(["2024|01|", "2024|02|"], months.CommonPrefixes);
        Assert.Equal(["2024|0", "2025|0"], multi.CommonPrefixes);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_with_a_multibyte_delimiter_rolls_up_on_whole_characters()
    {
        await SeedAsync(["a\u00e9b", "a\u00e9c", "a\u00e8", "b"]);
        var listing = await ListAsync(delimiter: "\u00e9");
        Assert.Equal(["a\u00e8", "b"], Keys(listing));
        Assert.Equal(["a\u00e9"], listing.CommonPrefixes);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_after_a_common_prefix_does_not_return_it_again()
    {
        // Arrange
        await SeedAsync(["a/1", "a/2", "a/3", "b"]);

        // Act
        var afterPrefix = await ListAsync(delimiter: "/", after: "a/");
        var afterKeyInside = await ListAsync(delimiter: "/", after: "a/1");
        var withoutDelimiter = await ListAsync(after: "a/1");

        // Assert
        Assert.Equal(["b"], Keys(afterPrefix));
        Assert.Empty(afterPrefix.CommonPrefixes);
        Assert.Equal(["b"], Keys(afterKeyInside));
        Assert.Empty(afterKeyInside.CommonPrefixes);
        Assert.Equal(["a/2", "a/3", "b"], Keys(withoutDelimiter));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_after_a_marker_outside_the_prefix()
    {
        await SeedAsync(["a", "b/1", "b/2", "c"]);
        Assert.Equal(["b/1", "b/2"], Keys(await ListAsync(prefix: "b/", after: "a")));
        Assert.Empty(Keys(await ListAsync(prefix: "b/", after: "b0")));
        Assert.Equal(["b/2"], Keys(await ListAsync(prefix: "b/", after: "b/1")));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_pages_one_item_at_a_time_through_keys_and_common_prefixes()
    {
        // Arrange
        await SeedAsync(["a", "b/1", "b/2", "c", "d/x/1", "d/y", "e"]);

        // Act
        var items = new List<string>();
        string? after = null;
        for (var i = 0; i < 20; i++)
        {
            var page = await ListAsync(delimiter: "/", after: after, maxKeys: 1);
            items.AddRange(Keys(page).Concat(page.CommonPrefixes));
            if (!page.IsTruncated)
            {
                break;
            }
            after = page.NextAfter;
        }

        // Assert
        Assert.Equal(["a", "b/", "c", "d/", "e"], items);
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_of_an_empty_or_missing_bucket_returns_an_empty_page()
    {
        var empty = await ListAsync(delimiter: "/");
        var missing = await Catalog.Objects.ListObjectsAsync("absent", new ListObjectsQuery("", null, null, 1000), Ct);
        Assert.Equal((0, 0, false, (string?)null), (empty.Objects.Count, empty.CommonPrefixes.Count, empty.IsTruncated, empty.NextAfter));
        Assert.Equal((0, 0, false), (missing.Objects.Count, missing.CommonPrefixes.Count, missing.IsTruncated));
    }

    [Fact(Timeout = 10_000)]
    public async Task ListObjects_with_MaxKeys_zero_returns_an_empty_page_that_is_not_truncated()
    {
        await SeedAsync(["a"]);
        var listing = await ListAsync(maxKeys: 0);
        Assert.Empty(listing.Objects);
        Assert.False(listing.IsTruncated);
    }

    [Fact(Timeout = 300_000)]
    public async Task ListObjects_with_a_delimiter_seeks_past_the_keys_under_each_common_prefix()
    {
        // Arrange: 100 "directories" of 200 keys each.
        await SeedAsync(Enumerable.Range(0, 100).SelectMany(static d => Enumerable.Range(0, 200).Select(k => $"dir{d:D3}/file{k:D3}")));
        var store = Catalog.Provider!;
        var before = store.ListingRowsRead;

        // Act
        var listing = await ListAsync(delimiter: "/");
        var rowsRead = store.ListingRowsRead - before;

        // Assert: one row per common prefix (and a final empty query), not 20,000.
        Assert.Equal(100, listing.CommonPrefixes.Count);
        Assert.Equal("dir000/", listing.CommonPrefixes[0]);
        Assert.Equal("dir099/", listing.CommonPrefixes[^1]);
        Assert.False(listing.IsTruncated);
        Assert.InRange(rowsRead, 100, 110);
    }
}
