using Cairn.Storage;

namespace Cairn.TestSupport;

public abstract partial class BlobBackendConformanceTests
{
    [Fact(Timeout = Timeout)]
    public async Task ListPage_walks_the_prefix_in_pages_with_start_after_and_ends_with_a_null_cursor()
    {
        // Arrange
        string[] names = ["pg/a", "pg/b/1", "pg/b/2", "pg/c", "pg/d-e", "pg/d.f", "pg/d/g"];
        foreach (var name in names.Append("other/x").Append("pgx"))
        {
            await Backend.PutAsync(name, RandomBytes(name.Length), Ct);
        }

        // Act
        var listed = new List<BlobListEntry>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Backend.ListPageAsync("pg/", cursor, 2, Ct);
            Assert.InRange(page.Entries.Count, 0, 2);
            listed.AddRange(page.Entries);
            cursor = page.NextStartAfter;
            pages++;
            Assert.InRange(pages, 1, 10);
        }
        while (cursor is not null);

        // Assert
        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(e => e.Name));
        Assert.All(listed, e => Assert.Equal(e.Name.Length, e.Length));
        Assert.InRange(pages, 4, 5);
    }

    [Fact(Timeout = Timeout)]
    public async Task ListPage_returns_only_names_after_start_after()
    {
        // Arrange
        foreach (var name in (string[])["s/a", "s/b", "s/c/d", "s/c/e", "s/f"])
        {
            await Backend.PutAsync(name, RandomBytes(1), Ct);
        }

        // Act
        var fromMiddle = await Backend.ListPageAsync("s/", "s/b", 1000, Ct);
        var insideADirectory = await Backend.ListPageAsync("s/", "s/c/d", 1000, Ct);
        var betweenNames = await Backend.ListPageAsync("s/", "s/bz", 1000, Ct);
        var beforePrefix = await Backend.ListPageAsync("s/", "a", 1000, Ct);
        var pastTheEnd = await Backend.ListPageAsync("s/", "s/z", 1000, Ct);

        // Assert
        Assert.Equal(["s/c/d", "s/c/e", "s/f"], fromMiddle.Entries.Select(e => e.Name));
        Assert.Equal(["s/c/e", "s/f"], insideADirectory.Entries.Select(e => e.Name));
        Assert.Equal(["s/c/d", "s/c/e", "s/f"], betweenNames.Entries.Select(e => e.Name));
        Assert.Equal(["s/a", "s/b", "s/c/d", "s/c/e", "s/f"], beforePrefix.Entries.Select(e => e.Name));
        Assert.Empty(pastTheEnd.Entries);
        Assert.Null(fromMiddle.NextStartAfter);
        Assert.Null(pastTheEnd.NextStartAfter);
    }

    [Fact(Timeout = Timeout)]
    public async Task ListPage_of_an_empty_store_is_an_empty_last_page()
    {
        // Act
        var page = await Backend.ListPageAsync("", null, 1000, Ct);

        // Assert
        Assert.Empty(page.Entries);
        Assert.Null(page.NextStartAfter);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task ListPage_rejects_a_max_count_outside_1_to_1000(int maxCount)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Backend.ListPageAsync("", null, maxCount, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_full_page_ends_at_its_last_name_and_ListAsync_returns_everything()
    {
        // Arrange
        var names = Enumerable.Range(0, 25).Select(i => $"many/{i:D3}").ToArray();
        foreach (var name in names)
        {
            await Backend.PutAsync(name, RandomBytes(1), Ct);
        }

        // Act
        var firstPage = await Backend.ListPageAsync("many/", null, 10, Ct);
        var all = await ListAllAsync("many/");

        // Assert
        Assert.Equal(names, all);
        Assert.Equal(names.Take(10), firstPage.Entries.Select(e => e.Name));
        Assert.Equal("many/009", firstPage.NextStartAfter);
    }
}
