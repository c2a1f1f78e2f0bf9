using Cairn.Storage;

namespace Cairn.TestSupport;

public abstract partial class BlobBackendConformanceTests
{
    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_deletes_every_name_and_counts_missing_ones_as_deleted()
    {
        // Arrange
        string[] present = ["dm/a", "dm/b/c", "dm/d"];
        foreach (var name in present)
        {
            await Backend.PutAsync(name, RandomBytes(10), Ct);
        }
        await Backend.PutAsync("dm/kept", RandomBytes(10), Ct);

        // Act
        var failures = await Backend.DeleteManyAsync([.. present, "dm/never", "dm/a"], Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Equal(["dm/kept"], await ListAllAsync("dm/"));
        foreach (var name in present)
        {
            Assert.Null(await Backend.GetLengthAsync(name, Ct));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_of_no_names_does_nothing()
    {
        // Arrange
        await Backend.PutAsync("dm/stays", RandomBytes(1), Ct);

        // Act
        var failures = await Backend.DeleteManyAsync([], Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Equal(["dm/stays"], await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_with_more_than_one_batch_of_names_is_rejected_and_deletes_nothing()
    {
        // Arrange
        await Backend.PutAsync("dm/0000", RandomBytes(1), Ct);
        var names = Enumerable.Range(0, BlobLimits.MaxDeleteBatch + 1).Select(i => $"dm/{i:D4}").ToArray();

        // Act + Assert
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.DeleteManyAsync(names, Ct));
        Assert.Equal(1, await Backend.GetLengthAsync("dm/0000", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_with_one_invalid_name_deletes_nothing()
    {
        // Arrange
        await Backend.PutAsync("dm/valid", RandomBytes(1), Ct);

        // Act + Assert
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.DeleteManyAsync(["dm/valid", "../escape"], Ct));
        Assert.Equal(1, await Backend.GetLengthAsync("dm/valid", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_of_a_full_batch_deletes_all_of_it()
    {
        // Arrange: a full batch of names, a few of which exist, so the one request carries 1,000 keys.
        var names = Enumerable.Range(0, BlobLimits.MaxDeleteBatch).Select(i => $"full/{i:D4}").ToArray();
        foreach (var name in names.Where((_, i) => i % 100 == 0))
        {
            await Backend.PutAsync(name, RandomBytes(1), Ct);
        }

        // Act
        var failures = await Backend.DeleteManyAsync(names, Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Empty(await ListAllAsync("full/"));
    }
}
