using System.Security.Cryptography;
using Cairn.Storage;

namespace Cairn.TestSupport;

/// <summary>
/// The contract of <see cref="IBlobBackend"/>: every implementation derives a test class from this one
/// (KurrentDB <c>BlobStorageTests</c>, FASTER <c>DeviceType</c>). The files of this folder are also
/// compiled into Cairn.Storage.S3.Tests, which runs them against moto_server and a second Cairn.
/// </summary>
public abstract partial class BlobBackendConformanceTests : IAsyncLifetime
{
    private const int Timeout = 60_000;
    private const int MiB = 1024 * 1024;

    private IBlobBackend? _backend;

    protected IBlobBackend Backend => _backend ?? throw new InvalidOperationException("InitializeAsync has not run.");

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>
    /// True when two racing <see cref="IBlobBackend.PutIfAbsentAsync"/> calls can never both win.
    /// Every backend honours put-if-absent one call at a time; moto_server checks and then writes
    /// without a lock, so concurrent creators can both succeed there.
    /// </summary>
    protected virtual bool ConditionalCreateIsAtomic => true;

    /// <summary>
    /// True when a part or Complete for an unknown upload id, or for one begun under another name,
    /// fails permanently (S3's 404 NoSuchUpload). moto_server 5.2 answers 500 for an unknown id (a
    /// Python KeyError, which reads as transient) and binds upload ids to no name at all.
    /// </summary>
    protected virtual bool ChecksUploadIds => true;

    /// <summary>
    /// True when listed multipart uploads carry their real start time. moto_server 5.2 reports a
    /// fixed 2010-11-10 for every upload, so an age-based cleaner must not trust it there.
    /// </summary>
    protected virtual bool ReportsUploadStartTimes => true;

    /// <summary>
    /// True when concurrent writes of one name all succeed. moto_server 5.2 now and then answers 500
    /// to one of several racing PUTs of the same key; that is a transient failure, which Cairn's
    /// retry decorator absorbs in production, so there the race test writes through one.
    /// </summary>
    protected virtual bool ConcurrentPutsOfOneNameAlwaysSucceed => true;

    /// <summary>
    /// The longest name the backend under test accepts. <see cref="BlobName.MaxLength"/> for every
    /// store; less where the suite reaches a store through a name prefix (a cold tier's
    /// <c>tiers/&lt;segment&gt;/</c>), since the full name must stay within the limit.
    /// </summary>
    protected virtual int MaxNameLength => BlobName.MaxLength;

    /// <summary>A fresh, empty backend for one test.</summary>
    protected abstract ValueTask<IBlobBackend> CreateBackendAsync();

    public async Task InitializeAsync() => _backend = await CreateBackendAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static byte[] RandomBytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected async Task<byte[]> ReadAllAsync(string name)
    {
        var length = await Backend.GetLengthAsync(name, Ct) ?? throw new BlobNotFoundException(name);
        var buffer = new byte[length];
        var read = await Backend.ReadAsync(name, 0, buffer, Ct);
        Assert.Equal(length, read);
        return buffer;
    }

    protected async Task<List<string>> ListAllAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Backend.ListAsync(prefix, Ct))
        {
            names.Add(name);
        }
        return names;
    }

    [Fact(Timeout = Timeout)]
    public async Task Put_then_Read_returns_the_same_bytes()
    {
        // Arrange
        var data = RandomBytes(4096);

        // Act
        await Backend.PutAsync("chunks/ab/abcdef", data, Ct);

        // Assert
        Assert.Equal(data, await ReadAllAsync("chunks/ab/abcdef"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Put_copies_the_data_so_the_caller_may_reuse_its_buffer()
    {
        // Arrange
        var data = RandomBytes(100);
        var expected = data.ToArray();

        // Act
        await Backend.PutAsync("reused", data, Ct);
        Array.Fill(data, (byte)0xFF);

        // Assert
        Assert.Equal(expected, await ReadAllAsync("reused"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Put_of_a_slice_of_a_larger_buffer_stores_exactly_the_slice()
    {
        // Arrange: writers hand over slices of pooled buffers.
        var buffer = RandomBytes(1000);

        // Act
        await Backend.PutAsync("slice", buffer.AsMemory(100, 300), Ct);
        await Backend.PutIfAbsentAsync("slice-cond", buffer.AsMemory(400, 50), Ct);

        // Assert
        Assert.Equal(buffer[100..400], await ReadAllAsync("slice"));
        Assert.Equal(buffer[400..450], await ReadAllAsync("slice-cond"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Read_at_an_offset_inside_the_blob_returns_the_bytes_from_there()
    {
        // Arrange
        var data = RandomBytes(1000);
        await Backend.PutAsync("ranged", data, Ct);
        var buffer = new byte[100];

        // Act
        var read = await Backend.ReadAsync("ranged", 250, buffer, Ct);

        // Assert
        Assert.Equal(100, read);
        Assert.Equal(data.AsSpan(250, 100).ToArray(), buffer);
    }

    [Fact(Timeout = Timeout)]
    public async Task Read_with_a_buffer_larger_than_the_rest_returns_a_short_count()
    {
        // Arrange
        var data = RandomBytes(1000);
        await Backend.PutAsync("ranged", data, Ct);
        var buffer = new byte[500];

        // Act
        var read = await Backend.ReadAsync("ranged", 800, buffer, Ct);

        // Assert
        Assert.Equal(200, read);
        Assert.Equal(data.AsSpan(800).ToArray(), buffer.AsSpan(0, 200).ToArray());
    }

    [Theory(Timeout = Timeout)]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1_000_000)]
    public async Task Read_at_or_past_the_end_returns_zero(long offset)
    {
        // Arrange
        await Backend.PutAsync("ranged", RandomBytes(1000), Ct);

        // Act
        var read = await Backend.ReadAsync("ranged", offset, new byte[10], Ct);

        // Assert
        Assert.Equal(0, read);
    }

    [Fact(Timeout = Timeout)]
    public async Task Read_with_a_negative_offset_is_rejected()
    {
        // Arrange
        await Backend.PutAsync("ranged", RandomBytes(10), Ct);

        // Act + Assert
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Backend.ReadAsync("ranged", -1, new byte[1], Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Read_of_a_missing_blob_throws_BlobNotFoundException()
    {
        // Act
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Backend.ReadAsync("missing/blob", 0, new byte[1], Ct));

        // Assert
        Assert.Equal("missing/blob", ex.Name);
    }

    [Fact(Timeout = Timeout)]
    public async Task Read_of_a_name_that_is_only_a_prefix_of_other_blobs_throws_BlobNotFoundException()
    {
        // Arrange
        await Backend.PutAsync("dir/blob", RandomBytes(10), Ct);

        // Act + Assert
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Backend.ReadAsync("dir", 0, new byte[1], Ct));
        Assert.Null(await Backend.GetLengthAsync("dir", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetLength_returns_the_length_of_a_present_blob_and_null_for_a_missing_one()
    {
        // Arrange
        await Backend.PutAsync("sized", RandomBytes(1234), Ct);

        // Act
        var present = await Backend.GetLengthAsync("sized", Ct);
        var absent = await Backend.GetLengthAsync("absent", Ct);

        // Assert
        Assert.Equal(1234, present);
        Assert.Null(absent);
    }

    [Fact(Timeout = Timeout)]
    public async Task Put_over_an_existing_name_replaces_the_bytes()
    {
        // Arrange
        await Backend.PutAsync("replaced", RandomBytes(1000, seed: 1), Ct);
        var second = RandomBytes(10, seed: 2);

        // Act
        await Backend.PutAsync("replaced", second, Ct);

        // Assert
        Assert.Equal(second, await ReadAllAsync("replaced"));
        Assert.Equal(10, await Backend.GetLengthAsync("replaced", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Delete_removes_the_blob_and_is_idempotent()
    {
        // Arrange
        await Backend.PutAsync("doomed/blob", RandomBytes(10), Ct);

        // Act
        await Backend.DeleteAsync("doomed/blob", Ct);
        await Backend.DeleteAsync("doomed/blob", Ct);
        await Backend.DeleteAsync("never/existed/at-all", Ct);

        // Assert
        Assert.Null(await Backend.GetLengthAsync("doomed/blob", Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Backend.ReadAsync("doomed/blob", 0, new byte[1], Ct));
        Assert.Empty(await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task List_returns_names_under_the_prefix_in_ordinal_order_and_nothing_else()
    {
        // Arrange
        string[] inside = ["chunks/ab/ab01", "chunks/ab/ab00", "chunks/ab-x", "chunks/ab.y", "chunks/ab0", "chunks/ab/c/d", "chunks/abz"];
        string[] outside = ["chunks/aa/ab", "chunks/b", "chunksab", "packs/ab/ab01", "chunks/a"];
        foreach (var name in inside.Concat(outside))
        {
            await Backend.PutAsync(name, RandomBytes(3), Ct);
        }

        // Act
        var listed = await ListAllAsync("chunks/ab");

        // Assert
        Assert.Equal(inside.Order(StringComparer.Ordinal), listed);
    }

    [Fact(Timeout = Timeout)]
    public async Task List_with_a_directory_prefix_returns_everything_below_it()
    {
        // Arrange
        await Backend.PutAsync("packs/0001", RandomBytes(3), Ct);
        await Backend.PutAsync("packs/sub/0002", RandomBytes(3), Ct);
        await Backend.PutAsync("packsx", RandomBytes(3), Ct);

        // Act
        var listed = await ListAllAsync("packs/");

        // Assert
        Assert.Equal(["packs/0001", "packs/sub/0002"], listed);
    }

    [Fact(Timeout = Timeout)]
    public async Task List_with_an_empty_prefix_returns_every_blob_sorted()
    {
        // Arrange
        string[] names = ["z", "a/b/c", "a-b", "a/b-c", "m.n", "0"];
        foreach (var name in names)
        {
            await Backend.PutAsync(name, RandomBytes(1), Ct);
        }

        // Act
        var listed = await ListAllAsync("");

        // Assert
        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
    }

    [Fact(Timeout = Timeout)]
    public async Task List_of_a_prefix_with_no_blobs_is_empty()
    {
        // Arrange
        await Backend.PutAsync("chunks/ab/1", RandomBytes(1), Ct);

        // Act + Assert
        Assert.Empty(await ListAllAsync("nothing/here/"));
        Assert.Empty(await ListAllAsync("chunks/ac"));
    }

    [Fact(Timeout = Timeout)]
    public async Task An_empty_blob_round_trips_with_length_zero()
    {
        // Act
        await Backend.PutAsync("empty", ReadOnlyMemory<byte>.Empty, Ct);

        // Assert
        Assert.Equal(0, await Backend.GetLengthAsync("empty", Ct));
        Assert.Equal(0, await Backend.ReadAsync("empty", 0, new byte[16], Ct));
        Assert.Equal(["empty"], await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_10_MiB_blob_round_trips_byte_exact()
    {
        // Arrange
        var data = RandomBytes(10 * 1024 * 1024);

        // Act
        await Backend.PutAsync("big/blob", data, Ct);
        var back = await ReadAllAsync("big/blob");

        // Assert
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back));
    }

    [Fact(Timeout = Timeout)]
    public async Task Concurrent_puts_of_different_names_all_land()
    {
        // Arrange
        var names = Enumerable.Range(0, 64).Select(i => $"concurrent/{i % 4}/blob-{i:D3}").ToArray();

        // Act
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (name, ct) => await Backend.PutAsync(name, RandomBytes(2048, seed: name.GetHashCode()), ct));

        // Assert
        Assert.Equal(names.Order(StringComparer.Ordinal), await ListAllAsync("concurrent/"));
        foreach (var name in names)
        {
            Assert.Equal(RandomBytes(2048, seed: name.GetHashCode()), await ReadAllAsync(name));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Concurrent_puts_of_the_same_name_leave_one_whole_version()
    {
        // Arrange
        var versions = Enumerable.Range(1, 8).Select(seed => RandomBytes(64 * 1024, seed)).ToArray();

        // Act
        var writer = ConcurrentPutsOfOneNameAlwaysSucceed
            ? Backend
            : new RetryingBlobBackend(Backend, new BlobRetryOptions { MaxAttempts = 8, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) });
        await Parallel.ForEachAsync(versions, async (data, ct) => await writer.PutAsync("contended", data, ct));

        // Assert
        var back = await ReadAllAsync("contended");
        Assert.Contains(versions, v => v.AsSpan().SequenceEqual(back));
    }

    public static TheoryData<string> InvalidNames =>
        ["../x", "/abs", "a//b", "A", "a b", "", "a/", "./a", "a/../b", "a/./b", "a\\b", "é", "a:b", ".tmp-123", "a/.tmp-x", new string('a', 513)];

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(InvalidNames))]
    public async Task Invalid_names_are_rejected_by_every_call(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.PutAsync(name, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.PutIfAbsentAsync(name, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.ReadAsync(name, 0, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.GetLengthAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.DeleteAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.DeleteManyAsync(["fine", name], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.BeginMultipartAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.UploadPartAsync(name, "upload", 1, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.CompleteMultipartAsync(name, "upload", [new BlobPart(1, "etag")], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.AbortMultipartAsync(name, "upload", Ct));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("../")]
    [InlineData("/abs")]
    [InlineData("a//")]
    [InlineData("A")]
    [InlineData("a b")]
    public async Task Invalid_prefixes_are_rejected_by_every_listing(string prefix)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ListAllAsync(prefix));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Backend.ListPageAsync(prefix, null, 10, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in Backend.ListMultipartUploadsAsync(prefix, Ct))
            {
            }
        });
    }

    [Fact(Timeout = Timeout)]
    public async Task The_longest_valid_name_is_accepted()
    {
        // Arrange
        var name = string.Join('/', Enumerable.Repeat(new string('x', 127), 3)) + "/" + new string('y', MaxNameLength - 384);
        Assert.Equal(MaxNameLength, name.Length);

        // Act
        await Backend.PutAsync(name, RandomBytes(5), Ct);

        // Assert
        Assert.Equal(5, await Backend.GetLengthAsync(name, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_cancelled_put_throws_OperationCanceledException()
    {
        // Arrange
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // Act + Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Backend.PutAsync("cancelled", new byte[10], cts.Token));
    }
}
