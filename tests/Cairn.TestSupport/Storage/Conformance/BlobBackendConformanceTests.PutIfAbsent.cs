using Cairn.Storage;

namespace Cairn.TestSupport;

public abstract partial class BlobBackendConformanceTests
{
    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_creates_a_missing_blob_and_returns_true()
    {
        // Arrange
        var data = RandomBytes(3000);

        // Act
        var created = await Backend.PutIfAbsentAsync("cond/new", data, Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(data, await ReadAllAsync("cond/new"));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_over_an_existing_blob_returns_false_and_changes_nothing()
    {
        // Arrange
        var original = RandomBytes(500, seed: 1);
        await Backend.PutAsync("cond/taken", original, Ct);

        // Act
        var created = await Backend.PutIfAbsentAsync("cond/taken", RandomBytes(20, seed: 2), Ct);

        // Assert
        Assert.False(created);
        Assert.Equal(original, await ReadAllAsync("cond/taken"));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_after_a_delete_creates_again()
    {
        // Arrange
        Assert.True(await Backend.PutIfAbsentAsync("cond/cycle", RandomBytes(10, seed: 1), Ct));
        Assert.False(await Backend.PutIfAbsentAsync("cond/cycle", RandomBytes(10, seed: 2), Ct));
        await Backend.DeleteAsync("cond/cycle", Ct);

        // Act
        var created = await Backend.PutIfAbsentAsync("cond/cycle", RandomBytes(10, seed: 3), Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(RandomBytes(10, seed: 3), await ReadAllAsync("cond/cycle"));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_of_an_empty_blob_creates_it()
    {
        // Act + Assert
        Assert.True(await Backend.PutIfAbsentAsync("cond/empty", ReadOnlyMemory<byte>.Empty, Ct));
        Assert.Equal(0, await Backend.GetLengthAsync("cond/empty", Ct));
        Assert.False(await Backend.PutIfAbsentAsync("cond/empty", new byte[1], Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Racing_PutIfAbsent_calls_leave_one_whole_candidate_and_atomic_backends_have_one_winner()
    {
        // Arrange
        var candidates = Enumerable.Range(1, 8).Select(seed => RandomBytes(32 * 1024, seed)).ToArray();
        var winners = 0;

        // Act
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (data, ct) =>
        {
            if (await Backend.PutIfAbsentAsync("cond/raced", data, ct))
            {
                Interlocked.Increment(ref winners);
            }
        });

        // Assert
        var stored = await ReadAllAsync("cond/raced");
        Assert.Contains(candidates, c => c.AsSpan().SequenceEqual(stored));
        if (ConditionalCreateIsAtomic)
        {
            Assert.Equal(1, winners);
        }
        else
        {
            Assert.InRange(winners, 1, candidates.Length);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task The_conditional_create_probe_passes_and_leaves_nothing_behind()
    {
        // Act
        var supported = await Backend.ProbeConditionalCreateAsync("probe/conditional-create", Ct);

        // Assert
        Assert.True(supported);
        Assert.Empty(await ListAllAsync(""));
    }
}
