using Cairn.Engine.Objects;
using Cairn.Storage;

namespace Cairn.Engine.Tests;

/// <summary>
/// The overlapped read and write paths of <see cref="Chunks.ChunkStore"/>: downloads fetch chunks ahead
/// under read permits shared by every download; uploads store one chunk while receiving the next.
/// </summary>
public sealed class ChunkPipelineTests
{
    private const int ChunkSize = 64 * 1024;

    [Theory(Timeout = 30_000)]
    [InlineData(0, 32)]
    [InlineData(2, 32)]
    [InlineData(8, 3)]
    [InlineData(2, 1)]
    public async Task Every_range_of_a_many_chunk_object_reads_back_exactly(int readAhead, int permits)
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, readAheadChunks: readAhead, maxConcurrentChunkReads: permits);
        var body = EngineHarness.RandomBytes(10 * ChunkSize + 123, seed: 21);
        await engine.PutAsync("k", body);

        Assert.Equal(body, await engine.ReadAsync("k"));
        foreach (var (offset, length) in new (long, long)[] { (0, 1), (ChunkSize - 1, 2), (ChunkSize, ChunkSize), (3 * ChunkSize + 5, 4 * ChunkSize), (body.Length - 7, 7) })
        {
            Assert.Equal(body.AsSpan((int)offset, (int)length).ToArray(), await ReadRangeAsync(engine, "k", offset, length));
        }
        Assert.Equal(permits, engine.Chunks.FreeReadPermits);
    }

    [Fact(Timeout = 30_000)]
    public async Task Many_concurrent_downloads_share_one_permit_and_all_finish()
    {
        // One permit for eight downloads that each want three chunks in flight: permits are taken in
        // body order, so this must not deadlock.
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, readAheadChunks: 2, maxConcurrentChunkReads: 1);
        var body = EngineHarness.RandomBytes(6 * ChunkSize, seed: 22);
        await engine.PutAsync("k", body);

        var downloads = Enumerable.Range(0, 8).Select(_ => engine.ReadAsync("k")).ToList();
        foreach (var download in downloads)
        {
            Assert.Equal(body, await download);
        }
        Assert.Equal(1, engine.Chunks.FreeReadPermits);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_goes_away_mid_download_gives_back_every_permit()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, readAheadChunks: 4, maxConcurrentChunkReads: 8);
        var body = EngineHarness.RandomBytes(12 * ChunkSize, seed: 23);
        await engine.PutAsync("k", body);
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None);

        var client = new FailingAfterStream(writesBeforeFailure: 2);
        await Assert.ThrowsAsync<IOException>(() => engine.Objects.WriteBodyAsync(found, client, CancellationToken.None));

        Assert.Equal(2 * ChunkSize, client.BytesAccepted);
        Assert.Equal(8, engine.Chunks.FreeReadPermits);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_chunk_ahead_fails_the_download_after_the_chunks_before_it_and_gives_back_every_permit()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, readAheadChunks: 3, maxConcurrentChunkReads: 8);
        var body = EngineHarness.RandomBytes(6 * ChunkSize, seed: 24);
        await engine.PutAsync("k", body);
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None);
        var fourth = found.Version.Record.Chunks[3].Hash;
        var rows = await engine.Metadata.ListChunksAsync(CancellationToken.None);
        await engine.Blobs.DeleteAsync(rows.Single(r => r.Hash == fourth).BlobName, CancellationToken.None);

        var output = new MemoryStream();
        var error = await Assert.ThrowsAsync<Chunks.ChunkIntegrityException>(() => engine.Objects.WriteBodyAsync(found, output, CancellationToken.None));

        Assert.Equal(fourth, error.Hash);
        Assert.Equal(body.AsSpan(0, 3 * ChunkSize).ToArray(), output.ToArray());
        Assert.Equal(8, engine.Chunks.FreeReadPermits);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_upload_keeps_chunk_order_while_storing_in_the_background()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        // Slow blob writes: the next chunk is received while the previous one is still being stored.
        engine.Flaky.Inject(BlobOperation.Put, BlobFault.Slow(TimeSpan.FromMilliseconds(20)));
        var body = EngineHarness.RandomBytes(9 * ChunkSize + 5, seed: 25);

        var result = await engine.PutAsync("k", body);

        Assert.Equal(PutObjectStatus.Created, result.Status);
        Assert.Equal(10, result.Version.Record.Chunks.Count);
        engine.Flaky.ClearAll();
        Assert.Equal(body, await engine.ReadAsync("k"));
        await engine.AssertBlobsMatchCatalogAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_that_fails_while_a_chunk_is_being_stored_leaves_nothing_after_the_sweep()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize);
        engine.Flaky.Inject(BlobOperation.Put, BlobFault.Slow(TimeSpan.FromMilliseconds(50)));
        var body = new FailingReadStream(EngineHarness.RandomBytes(5 * ChunkSize, seed: 26), failAt: 2 * ChunkSize + 10);

        await Assert.ThrowsAsync<IOException>(() => engine.Objects.PutAsync(new PutObjectCommand
        {
            Bucket = EngineHarness.Bucket,
            Key = "k",
            Body = body,
            DeclaredLength = 5 * ChunkSize,
        }, CancellationToken.None));

        engine.Flaky.ClearAll();
        Assert.Equal(GetObjectStatus.NoSuchKey, (await engine.Objects.GetAsync(EngineHarness.Bucket, "k", ReadConditions.None, null, CancellationToken.None)).Status);
        // Both chunks stored before the failure (the second one still in flight when it came) were released.
        Assert.Equal(2, await engine.Sweeper.SweepAllDueAsync(CancellationToken.None));
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(1, 0)]
    [InlineData(4, 16)]
    [InlineData(4, 1)]
    public async Task Concurrent_uploads_store_every_chunk_in_order_and_give_back_every_write_permit(int writeBehind, int sharedBuffers)
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, writeBehindChunks: writeBehind, sharedWriteBuffers: sharedBuffers);
        engine.Flaky.Inject(BlobOperation.Put, BlobFault.Slow(TimeSpan.FromMilliseconds(5)));
        var bodies = Enumerable.Range(0, 6).Select(i => EngineHarness.RandomBytes(7 * ChunkSize + i * 1000, seed: 30 + i)).ToList();

        var results = await Task.WhenAll(bodies.Select((body, i) => engine.PutAsync($"k{i}", body)));

        Assert.All(results, result => Assert.Equal(PutObjectStatus.Created, result.Status));
        engine.Flaky.ClearAll();
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(bodies[i], await engine.ReadAsync($"k{i}"));
        }
        Assert.Equal(sharedBuffers, engine.Chunks.FreeWritePermits);
        await engine.AssertBlobsMatchCatalogAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failed_store_among_several_in_flight_gives_back_every_write_permit_and_leaves_nothing()
    {
        await using var engine = await EngineHarness.CreateAsync(ChunkSize, writeBehindChunks: 4, sharedWriteBuffers: 3);
        engine.Flaky.Inject(BlobOperation.Put, BlobFault.OnCall(4) with { IsTransient = false, Delay = TimeSpan.FromMilliseconds(5) });

        await Assert.ThrowsAsync<BlobBackendException>(() => engine.PutAsync("k", EngineHarness.RandomBytes(12 * ChunkSize, seed: 40)));

        engine.Flaky.ClearAll();
        Assert.Equal(3, engine.Chunks.FreeWritePermits);
        await engine.Sweeper.SweepAllDueAsync(CancellationToken.None);
        Assert.Empty(await engine.BlobNamesAsync());
        Assert.Empty(await engine.Metadata.ListChunksAsync(CancellationToken.None));
    }

    private static async Task<byte[]> ReadRangeAsync(EngineHarness engine, string key, long offset, long length)
    {
        var found = await engine.Objects.GetAsync(EngineHarness.Bucket, key, ReadConditions.None,
            new ByteRangeRequest(offset, offset + length - 1, null), CancellationToken.None);
        Assert.Equal(GetObjectStatus.Found, found.Status);
        var output = new MemoryStream();
        await engine.Objects.WriteBodyAsync(found, output, CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>A client connection that accepts some writes, then breaks.</summary>
    private sealed class FailingAfterStream(int writesBeforeFailure) : Stream
    {
        private int _writes;

        public long BytesAccepted { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_writes > writesBeforeFailure)
            {
                throw new IOException("connection reset by peer");
            }
            BytesAccepted += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A request body whose connection breaks after <c>failAt</c> bytes.</summary>
    private sealed class FailingReadStream(byte[] data, int failAt) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= failAt)
            {
                throw new IOException("connection reset by peer");
            }
            var count = Math.Min(buffer.Length, Math.Min(failAt, data.Length) - _position);
            data.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
