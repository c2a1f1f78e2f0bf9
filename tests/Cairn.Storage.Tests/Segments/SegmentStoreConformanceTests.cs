using System.Text;

namespace Cairn.Storage.Tests.Segments;

/// <summary>What every <see cref="ISegmentStore"/> must do: ordered appends, reads of what was appended, group flushes, resumption after a restart, and refusals.</summary>
public abstract class SegmentStoreConformanceTests : IAsyncLifetime
{
    protected const int Timeout = 30_000;
    protected static CancellationToken Ct => CancellationToken.None;

    protected ISegmentStore Store { get; private set; } = null!;

    protected abstract ISegmentStore CreateStore();

    public Task InitializeAsync()
    {
        Store = CreateStore();
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact(Timeout = Timeout)]
    public async Task Appends_land_in_order_and_read_back_before_and_after_a_flush()
    {
        await using var writer = await Store.CreateAsync("p1", Ct);

        Assert.Equal(0, await writer.AppendAsync(Bytes("head"), Bytes("er-one"), Ct));
        Assert.Equal(10, await writer.AppendAsync(Bytes("two"), ReadOnlyMemory<byte>.Empty, Ct));
        Assert.Equal((13L, 0L), (writer.Length, writer.DurableLength));
        Assert.Equal("header-onetwo", await ReadTextAsync("p1", 0, 100));
        await writer.FlushAsync(writer.Length, Ct);

        Assert.Equal(13, writer.DurableLength);
        Assert.Equal("one", await ReadTextAsync("p1", 7, 3));
        Assert.Equal("", await ReadTextAsync("p1", 13, 5));
        await using var stream = await Store.OpenReadAsync("p1", Ct);
        Assert.Equal("header-onetwo", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(13, Store.GetUsedBytes());
    }

    [Fact(Timeout = Timeout)]
    public async Task Concurrent_writers_each_get_their_own_contiguous_place_and_every_flush_covers_what_it_waited_for()
    {
        await using var writer = await Store.CreateAsync("p2", Ct);

        var records = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var record = Bytes($"<record {i:D2}>");
            var offset = await writer.AppendAsync(record[..3], record[3..], Ct);
            await writer.FlushAsync(offset + record.Length, Ct);
            Assert.True(writer.DurableLength >= offset + record.Length);
            return (Offset: offset, Text: $"<record {i:D2}>");
        })));

        var ordered = records.OrderBy(static r => r.Offset).ToList();
        Assert.Equal(0, ordered[0].Offset);
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.Equal(ordered[i - 1].Offset + ordered[i - 1].Text.Length, ordered[i].Offset);
        }
        foreach (var (offset, text) in records)
        {
            Assert.Equal(text, await ReadTextAsync("p2", offset, text.Length));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task A_resumed_segment_is_cut_to_the_given_length_and_appends_go_on_from_there()
    {
        await using (var first = await Store.CreateAsync("p3", Ct))
        {
            await first.AppendAsync(Bytes("whole-record|torn-re"), ReadOnlyMemory<byte>.Empty, Ct);
            await first.FlushAsync(first.Length, Ct);
        }

        await using var resumed = await Store.ResumeAsync("p3", 13, Ct);

        Assert.Equal((13L, 13L), (resumed.Length, resumed.DurableLength));
        Assert.Equal(13, await resumed.AppendAsync(Bytes("next"), ReadOnlyMemory<byte>.Empty, Ct));
        await resumed.FlushAsync(resumed.Length, Ct);
        Assert.Equal("whole-record|next", await ReadTextAsync("p3", 0, 100));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.ResumeAsync("p3", 1000, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Segments_are_listed_in_order_and_deleted_and_missing_ones_are_refused_or_ignored()
    {
        foreach (var name in new[] { "b-2", "a-1", "c-3" })
        {
            await using var writer = await Store.CreateAsync(name, Ct);
            await writer.AppendAsync(Bytes(name), ReadOnlyMemory<byte>.Empty, Ct);
            await writer.FlushAsync(writer.Length, Ct);
        }
        Assert.Equal(["a-1", "b-2", "c-3"], await ListAsync());
        Assert.Equal(9, Store.GetUsedBytes());

        await Store.DeleteAsync("b-2", Ct);
        await Store.DeleteAsync("b-2", Ct);

        Assert.Equal(["a-1", "c-3"], await ListAsync());
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.ReadAsync("b-2", 0, new byte[1], Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.OpenReadAsync("b-2", Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.ResumeAsync("b-2", 0, Ct));
        await Assert.ThrowsAsync<IOException>(async () => await Store.CreateAsync("a-1", Ct));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("dot.ted")]
    [InlineData("a-name-of-sixty-five-characters-0123456789-0123456789-0123456789x")]
    public async Task Names_outside_the_segment_alphabet_are_refused_by_every_call(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.CreateAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.ResumeAsync(name, 0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.ReadAsync(name, 0, new byte[1], Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.OpenReadAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.DeleteAsync(name, Ct));
        Assert.Empty(await ListAsync());
    }

    protected static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    protected async Task<string> ReadTextAsync(string name, long offset, int count)
    {
        var buffer = new byte[count];
        var read = await Store.ReadAsync(name, offset, buffer, Ct);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    protected async Task<List<string>> ListAsync()
    {
        var names = new List<string>();
        await foreach (var name in Store.ListAsync(Ct))
        {
            names.Add(name);
        }
        return names;
    }
}

public sealed class FileSystemSegmentStoreTests : SegmentStoreConformanceTests
{
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "cairn-segments-" + Guid.NewGuid().ToString("N"));

    protected override ISegmentStore CreateStore() => new FileSystemSegmentStore(Path.Combine(_sandbox, "segments"));

    public override Task DisposeAsync()
    {
        if (Directory.Exists(_sandbox))
        {
            Directory.Delete(_sandbox, recursive: true);
        }
        return Task.CompletedTask;
    }

    [Fact(Timeout = Timeout)]
    public async Task Segments_are_files_in_their_directory_named_by_the_segment()
    {
        await using var writer = await Store.CreateAsync("pack-1", Ct);
        await writer.AppendAsync(Bytes("abc"), ReadOnlyMemory<byte>.Empty, Ct);
        await writer.FlushAsync(3, Ct);

        var file = Assert.Single(Directory.EnumerateFiles(Path.Combine(_sandbox, "segments")));
        Assert.Equal("pack-1.seg", Path.GetFileName(file));
        Assert.Equal("abc", await File.ReadAllTextAsync(file));
    }
}

public sealed class InMemorySegmentStoreTests : SegmentStoreConformanceTests
{
    private InMemorySegmentStore Memory => (InMemorySegmentStore)Store;

    protected override ISegmentStore CreateStore() => new InMemorySegmentStore();

    [Fact(Timeout = Timeout)]
    public async Task A_crash_keeps_the_flushed_bytes_and_at_most_the_torn_tail_asked_for()
    {
        await using var writer = await Store.CreateAsync("p1", Ct);
        await writer.AppendAsync(Bytes("durable"), ReadOnlyMemory<byte>.Empty, Ct);
        await writer.FlushAsync(writer.Length, Ct);
        await writer.AppendAsync(Bytes("-lost"), ReadOnlyMemory<byte>.Empty, Ct);

        Memory.Crash(unflushedKept: 2);

        Assert.Equal("durable-l", await ReadTextAsync("p1", 0, 100));
        Memory.Crash();
        Assert.Equal("durable", await ReadTextAsync("p1", 0, 100));
    }

    [Fact(Timeout = Timeout)]
    public async Task Writers_waiting_at_once_share_flushes()
    {
        await using var writer = await Store.CreateAsync("p2", Ct);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var offset = await writer.AppendAsync(Bytes($"r{i:D2}"), ReadOnlyMemory<byte>.Empty, Ct);
            await writer.FlushAsync(offset + 3, Ct);
        })));

        Assert.Equal(64 * 3, writer.DurableLength);
        Assert.InRange(Memory.Flushes, 1, 63);
    }
}
