namespace Cairn.Storage.Tests;

/// <summary>
/// The writer's own rules, on the in-memory store. The cases every backend must pass (one part,
/// several parts, failure mid-way) are in the conformance suite.
/// </summary>
public sealed class MultipartBlobWriterTests
{
    private const int Timeout = 30_000;
    private const int Part = (int)BlobLimits.MinPartSize;

    private static CancellationToken Ct => CancellationToken.None;

    private readonly InMemoryBlobBackend _store = new();

    private async Task<int> UploadsInProgressAsync()
    {
        var count = 0;
        await foreach (var _ in _store.ListMultipartUploadsAsync("", Ct))
        {
            count++;
        }
        return count;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Part - 1)]
    [InlineData(MultipartBlobWriter.MaxPartSize + 1)]
    public void Part_sizes_outside_5_MiB_to_1_GiB_are_rejected(int partSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultipartBlobWriter(_store, "w", partSize));
    }

    [Fact]
    public void An_invalid_blob_name_is_rejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => new MultipartBlobWriter(_store, "../w", Part));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_stream_copied_in_from_its_position_becomes_the_blob_in_parts()
    {
        // Arrange: two parts and a bit, behind 10 bytes the copy must skip.
        var bytes = new byte[(2 * Part) + 1000];
        Random.Shared.NextBytes(bytes);
        var source = new MemoryStream(bytes) { Position = 10 };

        // Act
        await using var writer = new MultipartBlobWriter(_store, "w/from-stream", Part);
        await writer.WriteFromAsync(source, Ct);
        var length = await writer.CompleteAsync(Ct);

        // Assert
        Assert.Equal(bytes.Length - 10, length);
        Assert.Equal(bytes.AsSpan(10).ToArray(), await _store.ReadAllAsync("w/from-stream", Ct));
        Assert.NotNull(writer.UploadId);
        Assert.Equal(0, await UploadsInProgressAsync());
    }

    [Fact(Timeout = Timeout)]
    public async Task Parts_reach_Complete_with_their_quotes_stripped()
    {
        // Arrange
        var quoting = new QuotingBackend(_store);
        await using var writer = new MultipartBlobWriter(quoting, "w/quotes", Part);

        // Act
        await writer.WriteAsync(new byte[Part + Part / 2], Ct);
        await writer.CompleteAsync(Ct);

        // Assert
        Assert.Equal([1, 2], quoting.CompletedWith.Select(p => p.PartNumber));
        Assert.All(quoting.CompletedWith, p => Assert.DoesNotContain('"', p.ETag));
        Assert.Equal(Part + Part / 2, await _store.GetLengthAsync("w/quotes", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Cancellation_mid_way_aborts_the_upload()
    {
        // Arrange
        using var cts = new CancellationTokenSource();
        var writer = new MultipartBlobWriter(_store, "w/cancelled", Part);
        await writer.WriteAsync(new byte[Part + 1], cts.Token);
        Assert.NotNull(writer.UploadId);

        // Act
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await writer.WriteAsync(new byte[Part], cts.Token);
            await writer.CompleteAsync(cts.Token);
        });
        await writer.DisposeAsync();

        // Assert
        Assert.Equal(0, await UploadsInProgressAsync());
        Assert.Equal(0, _store.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task Disposing_an_unfinished_writer_aborts_its_upload()
    {
        // Arrange
        var writer = new MultipartBlobWriter(_store, "w/abandoned", Part);
        await writer.WriteAsync(new byte[2 * Part + 1], Ct);

        // Act
        await writer.DisposeAsync();

        // Assert
        Assert.Equal(0, await UploadsInProgressAsync());
        Assert.Equal(0, _store.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_writer_that_failed_or_completed_refuses_further_writes()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.Put, BlobFault.Always(isTransient: false));
        await using var failed = new MultipartBlobWriter(flaky, "w/failed", Part);
        await failed.WriteAsync(new byte[10], Ct);
        await Assert.ThrowsAsync<BlobBackendException>(async () => await failed.CompleteAsync(Ct));
        await using var completed = new MultipartBlobWriter(_store, "w/done", Part);
        await completed.CompleteAsync(Ct);

        // Act + Assert
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await failed.WriteAsync(new byte[1], Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await completed.WriteAsync(new byte[1], Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await completed.CompleteAsync(Ct));
        Assert.Equal(0, await _store.GetLengthAsync("w/done", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_failing_begin_leaves_no_upload_and_no_blob()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_store).Inject(BlobOperation.BeginMultipart, BlobFault.Always(isTransient: true));
        await using var writer = new MultipartBlobWriter(flaky, "w/no-begin", Part);

        // Act
        await Assert.ThrowsAsync<BlobBackendException>(async () => await writer.WriteAsync(new byte[Part + 1], Ct));

        // Assert
        Assert.Null(writer.UploadId);
        Assert.Equal(0, flaky.CallCount(BlobOperation.AbortMultipart));
        Assert.Equal(0, _store.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task At_most_one_part_is_in_flight_while_the_next_fills()
    {
        // Arrange
        var tracking = new InFlightTrackingBackend(_store);
        await using var writer = new MultipartBlobWriter(tracking, "w/overlap", Part);

        // Act
        for (var i = 0; i < 9; i++)
        {
            await writer.WriteAsync(new byte[Part / 2 + 3], Ct);
        }
        await writer.CompleteAsync(Ct);

        // Assert
        Assert.Equal(1, tracking.MaxInFlight);
        Assert.Equal(9L * (Part / 2 + 3), await _store.GetLengthAsync("w/overlap", Ct));
    }

    /// <summary>Quotes every part ETag, as S3 does, and records the list Complete receives.</summary>
    private sealed class QuotingBackend(IBlobBackend inner) : DelegatingBlobBackend(inner)
    {
        public List<BlobPart> CompletedWith { get; } = [];

        protected override ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken) =>
            call(Inner, state, cancellationToken);

        public override async ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
            CancellationToken cancellationToken)
        {
            var part = await Inner.UploadPartAsync(name, uploadId, partNumber, data, cancellationToken);
            return part with { ETag = "\"" + part.ETag + "\"" };
        }

        public override ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken)
        {
            CompletedWith.AddRange(parts);
            return Inner.CompleteMultipartAsync(name, uploadId, parts, cancellationToken);
        }

        public override IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken) =>
            Inner.ListMultipartUploadsAsync(prefix, cancellationToken);
    }

    /// <summary>Makes each part upload yield and records how many overlapped.</summary>
    private sealed class InFlightTrackingBackend(IBlobBackend inner) : DelegatingBlobBackend(inner)
    {
        private int _inFlight;

        public int MaxInFlight { get; private set; }

        protected override async ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
        {
            if (operation != BlobOperation.UploadPart)
            {
                return await call(Inner, state, cancellationToken);
            }
            var now = Interlocked.Increment(ref _inFlight);
            MaxInFlight = Math.Max(MaxInFlight, now);
            try
            {
                await Task.Delay(20, cancellationToken);
                return await call(Inner, state, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public override IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken) =>
            Inner.ListMultipartUploadsAsync(prefix, cancellationToken);
    }
}
