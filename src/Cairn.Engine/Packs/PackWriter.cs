using Cairn.Core;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Packs;

/// <summary>
/// This node's packs (issue 12): small chunks are appended to one open pack, a local segment whose
/// appends are flushed in groups; a chunk's append returns once its bytes are durable there, with
/// the placement its reservation records. A pack that reaches <see cref="EngineOptions.PackTargetSize"/>
/// or <see cref="EngineOptions.PackMaxAge"/> is sealed (index and trailer appended, flushed, sealed
/// in the catalog) and shipped: written to the blob store through <see cref="MultipartBlobWriter"/>,
/// recorded as stored, and its segment deleted. Sealing and shipping run in <see cref="WorkAsync"/>
/// (the node's pack worker), never in a request.
/// </summary>
/// <remarks>
/// A pack is registered in the catalog before its segment exists, so none of its bytes is ever
/// untracked. A read of a packed chunk tries the local segment first and the blob store when the
/// segment is gone (<see cref="ReadAsync"/>): the segment is deleted only after the pack is stored.
/// </remarks>
public sealed partial class PackWriter(ISegmentStore segments, IPackCatalog catalog, IBlobBackend blobs, EngineOptions options, TimeProvider time,
    ILogger<PackWriter>? logger = null, EngineMetrics? metrics = null)
    : Workers.IWorker, IAsyncDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly SemaphoreSlim _appending = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Queue<OpenPack> _full = new();

    /// <summary>
    /// Packs whose segment this node holds (open, full, sealed, shipping), with their segment's
    /// length: reads of other packs go straight to the blob store, and the lengths' sum is what
    /// <see cref="EngineOptions.SegmentStoreLimit"/> bounds.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _local = new(StringComparer.Ordinal);

    /// <summary>When the pack gauges were last counted (they cost a catalog query).</summary>
    private long _observedAt;
    private readonly SemaphoreSlim _work = new(0);
    private OpenPack? _open;

    /// <inheritdoc />
    public string Name => "pack-writer:" + options.NodeId;

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>Bytes in the local segments of the packs this node holds.</summary>
    public long LocalSegmentBytes => _local.Values.Sum();

    /// <summary>
    /// Appends one chunk's stored bytes to the open pack (opening one when there is none) and
    /// returns once they are durable in its segment (or, with <see cref="PackAcknowledgement.Upload"/>,
    /// once the pack is in the blob store), with their placement. Null when the local segment store
    /// is at <see cref="EngineOptions.SegmentStoreLimit"/>: the caller stores the chunk as a blob of
    /// its own, and the open pack is sealed so that shipping frees room.
    /// </summary>
    internal async Task<ChunkPlacement?> TryAppendAsync(ContentHash hash, int length, ChunkCodec codec, ReadOnlyMemory<byte> stored,
        CancellationToken cancellationToken)
    {
        var header = new byte[PackFormat.RecordHeaderSize];
        PackFormat.WriteRecordHeader(header, hash, length, codec, stored.Span);
        OpenPack pack;
        long offset;
        await _appending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (LocalSegmentBytes + header.Length + stored.Length > options.SegmentStoreLimit)
            {
                lock (_gate)
                {
                    if (_open is { Entries.Count: > 0 } full)
                    {
                        DetachLocked(full);
                    }
                }
                return null;
            }
            pack = _open ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            offset = await pack.Writer!.AppendAsync(header, stored, cancellationToken).ConfigureAwait(false);
            _local[pack.Id] = pack.Writer.Length;
            lock (_gate)
            {
                pack.Entries.Add(new PackEntry(hash, offset + header.Length, length, stored.Length, codec));
                if (pack.Writer.Length >= options.PackTargetSize)
                {
                    // Full: later appends open the next pack; the worker seals and ships this one.
                    DetachLocked(pack);
                }
            }
        }
        catch
        {
            // A broken segment takes no more appends: the next one opens a new pack, and the
            // worker seals what this one holds durably.
            if (_open is { Writer.IsBroken: true } broken)
            {
                lock (_gate)
                {
                    _open = null;
                    _full.Enqueue(broken);
                }
            }
            throw;
        }
        finally
        {
            _appending.Release();
        }
        await pack.Writer!.FlushAsync(offset + header.Length + stored.Length, cancellationToken).ConfigureAwait(false);
        if (options.PackAcknowledge == PackAcknowledgement.Upload)
        {
            // The worker seals the pack once its first record has waited PackUploadWindow, so the
            // PUTs of that window share one upload; a failed upload fails them all.
            await pack.Shipped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return new ChunkPlacement(pack.BlobName, offset + header.Length, stored.Length, codec, pack.Id);
    }

    /// <summary>
    /// Reads stored bytes of a packed chunk: from the pack's local segment while this node holds it,
    /// otherwise straight from the blob store (no failed open first). Throws
    /// <see cref="BlobNotFoundException"/> when neither has the pack.
    /// </summary>
    internal async ValueTask<int> ReadAsync(ChunkPlacement placement, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (placement.PackId is { } packId && _local.ContainsKey(packId))
        {
            try
            {
                return await segments.ReadAsync(packId, offset, buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                // Shipped and deleted since the check: the blob store has it.
            }
        }
        return await blobs.ReadAsync(placement.BlobName, offset, buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings this node's packs to a known state after a start, before any append (a crash may have
    /// struck at any step): an open pack's segment is scanned, cut after its last record that checks
    /// (a torn tail, never acknowledged, goes), given the index of those records and sealed; sealed
    /// packs are queued for shipping (or recorded as stored when their blob is already there);
    /// segments no pack of this node waits for are deleted. A pack whose segment is gone while its
    /// chunks are referenced is logged as lost and left as it is. Returns how many packs it queued.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        var queued = 0;
        foreach (var pack in await catalog.ListPacksAsync(cancellationToken).ConfigureAwait(false))
        {
            if (pack.Node != options.NodeId || pack.State == PackState.Stored)
            {
                continue;
            }
            var recovered = new OpenPack(pack.Id, pack.BlobName, writer: null, pack.CreatedAt) { Sealed = pack.State == PackState.Sealed };
            if (!recovered.Sealed)
            {
                if (!await SealAfterCrashAsync(pack, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
                recovered.Sealed = true;
            }
            else if (await blobs.GetLengthAsync(pack.BlobName, cancellationToken).ConfigureAwait(false) is not null
                && !await SegmentExistsAsync(pack.Id, cancellationToken).ConfigureAwait(false))
            {
                // Shipped; the crash came before it was recorded.
                await catalog.MarkPackStoredAsync(pack.Id, cancellationToken).ConfigureAwait(false);
                continue;
            }
            waiting.Add(pack.Id);
            _local[pack.Id] = await SegmentLengthAsync(pack.Id, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _full.Enqueue(recovered);
            }
            queued++;
        }
        await foreach (var name in segments.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!waiting.Contains(name))
            {
                // A stored pack's segment the crash left behind, or one whose pack is gone.
                await segments.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            }
        }
        if (queued > 0)
        {
            _work.Release();
        }
        return queued;
    }

    /// <summary>Seals an open pack that a crash left: false when its segment is gone and its chunks with it.</summary>
    private async Task<bool> SealAfterCrashAsync(PackInfo pack, CancellationToken cancellationToken)
    {
        PackScan scan;
        try
        {
            await using var stream = await segments.OpenReadAsync(pack.Id, cancellationToken).ConfigureAwait(false);
            scan = await PackFormat.ScanAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            if (pack.LiveChunks > 0)
            {
                LogPackLost(_logger, pack.Id, pack.LiveChunks);
                return false;
            }
            // Registered, then the crash came before its segment held anything: an empty pack.
            await (await segments.CreateAsync(pack.Id, cancellationToken).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            scan = new PackScan([], 0);
        }
        await using (var writer = await segments.ResumeAsync(pack.Id, scan.ValidLength, cancellationToken).ConfigureAwait(false))
        {
            await writer.AppendAsync(PackFormat.EncodeIndex(scan.Entries, scan.ValidLength), ReadOnlyMemory<byte>.Empty, cancellationToken)
                .ConfigureAwait(false);
            await writer.FlushAsync(writer.Length, cancellationToken).ConfigureAwait(false);
        }
        await catalog.SealPackAsync(pack.Id, scan.ValidLength, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        LogPackRecovered(_logger, pack.Id, scan.Entries.Count, scan.ValidLength);
        return true;
    }

    private async Task<long> SegmentLengthAsync(string id, CancellationToken cancellationToken)
    {
        await using var stream = await segments.OpenReadAsync(id, cancellationToken).ConfigureAwait(false);
        return stream.Length;
    }

    private async Task<bool> SegmentExistsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await segments.ReadAsync(id, 0, Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobNotFoundException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "Pack {PackId} left open by a crash: sealed with its {Records} whole records ({Bytes} bytes)")]
    private static partial void LogPackRecovered(ILogger logger, string packId, int records, long bytes);

    [LoggerMessage(EventId = 151, Level = LogLevel.Critical,
        Message = "Pack {PackId} was not shipped and its local segment is gone: {Chunks} referenced chunks in it cannot be read")]
    private static partial void LogPackLost(ILogger logger, string packId, long chunks);

    /// <summary>Queues the open pack for sealing now if it holds anything (tests, shutdown), so the worker ships it.</summary>
    public Task SealOpenPackAsync(CancellationToken cancellationToken) => DetachOpenPackAsync(static _ => true, cancellationToken);

    /// <summary>
    /// Detaches the open pack for sealing when it holds anything and <paramref name="due"/> says so.
    /// Under the append gate: an append in progress finishes writing to the pack first, so nothing is
    /// appended after its index.
    /// </summary>
    private async Task DetachOpenPackAsync(Func<OpenPack, bool> due, CancellationToken cancellationToken)
    {
        await _appending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_open is { Entries.Count: > 0 } pack && due(pack))
                {
                    DetachLocked(pack);
                }
            }
        }
        finally
        {
            _appending.Release();
        }
    }

    /// <summary>Under <see cref="_gate"/>: takes the open pack off appends and queues it for the worker to seal and ship.</summary>
    private void DetachLocked(OpenPack pack)
    {
        _open = null;
        _full.Enqueue(pack);
        _work.Release();
    }

    /// <summary>Seals and ships every pack that is full or due, including the open one once it is <see cref="EngineOptions.PackMaxAge"/> old; returns how many it shipped.</summary>
    public Task<int> SealAndShipDueAsync(CancellationToken cancellationToken) => SealAndShipDueAsync(observeAlways: true, cancellationToken);

    /// <summary>
    /// <see cref="SealAndShipDueAsync(CancellationToken)"/>, counting the pack gauges afterwards when
    /// <paramref name="observeAlways"/>, or else only after a step that shipped or a second after the
    /// last count (the worker may wake every few milliseconds).
    /// </summary>
    private async Task<int> SealAndShipDueAsync(bool observeAlways, CancellationToken cancellationToken)
    {
        var maxAge = options.PackAcknowledge == PackAcknowledgement.Upload ? options.PackUploadWindow : options.PackMaxAge;
        await DetachOpenPackAsync(pack => time.GetUtcNow() - pack.OpenedAt >= maxAge, cancellationToken).ConfigureAwait(false);
        var shipped = 0;
        while (true)
        {
            OpenPack? next;
            lock (_gate)
            {
                _full.TryDequeue(out next);
            }
            if (next is null)
            {
                await ObserveAsync(force: observeAlways || shipped > 0, cancellationToken).ConfigureAwait(false);
                return shipped;
            }
            try
            {
                await SealAndShipAsync(next, cancellationToken).ConfigureAwait(false);
                shipped++;
                next.Shipped.TrySetResult();
            }
            catch (Exception ex)
            {
                // PUTs waiting for this upload fail (their uploads end, leaving dead space); the pack
                // itself is tried again at the next step.
                next.Shipped.TrySetException(ex);
                lock (_gate)
                {
                    _full.Enqueue(next);
                }
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task<Workers.WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var result = await SealAndShipDueAsync(observeAlways: false, cancellationToken).ConfigureAwait(false);
        Status = $"last step {time.GetUtcNow():O}: {result} packs shipped";
        // Every due pack was shipped: nothing more until the next one fills or comes of age.
        return Workers.WorkerState.Idle;
    }

    /// <inheritdoc />
    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        // Woken by a full pack; otherwise often enough to seal the open pack when it comes of age
        // (or, when PUTs wait for the upload, when its window closes).
        var interval = options.PackAcknowledge == PackAcknowledgement.Upload ? options.PackUploadWindow / 2 : options.PackMaxAge / 4;
        await _work.WaitAsync(interval > TimeSpan.FromMilliseconds(5) ? interval : TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        OpenPack? open;
        lock (_gate)
        {
            open = _open;
            _open = null;
        }
        if (open?.Writer is { } writer)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        _appending.Dispose();
        _work.Dispose();
    }

    /// <summary>
    /// Counts packs and the segment store for the gauges, when something reads them: when
    /// <paramref name="force"/>d, otherwise at most once a second (a worker that wakes every few
    /// milliseconds would query the catalog as often).
    /// </summary>
    private async Task ObserveAsync(bool force, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (metrics is not { PackGaugesEnabled: true } || (!force && now - Volatile.Read(ref _observedAt) < 1000))
        {
            return;
        }
        Volatile.Write(ref _observedAt, now);
        var packs = await catalog.ListPacksAsync(cancellationToken).ConfigureAwait(false);
        long live = 0, dead = 0;
        foreach (var pack in packs.Where(static p => p.State != PackState.Open))
        {
            live += pack.LiveBytes;
            dead += pack.DeadBytes(PackFormat.RecordHeaderSize);
        }
        metrics.PacksObserved(new PackStats(packs.Count(static p => p.State == PackState.Open), packs.Count(static p => p.State == PackState.Sealed),
            packs.Count(static p => p.State == PackState.Stored), packs.Count(static p => p.State == PackState.Retired), live, dead, LocalSegmentBytes));
    }

    private async Task<OpenPack> OpenAsync(CancellationToken cancellationToken)
    {
        var (id, blobName) = PackNames.New();
        // Registered first: a crash after this leaves a tracked pack, never untracked bytes.
        if (!await catalog.CreatePackAsync(id, blobName, options.NodeId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Pack id {id} is taken.");
        }
        _local[id] = 0;
        var writer = await segments.CreateAsync(id, cancellationToken).ConfigureAwait(false);
        return new OpenPack(id, blobName, writer, time.GetUtcNow());
    }

    private async Task SealAndShipAsync(OpenPack pack, CancellationToken cancellationToken)
    {
        if (!pack.Sealed && pack.Writer is { } appended)
        {
            List<PackEntry> entries;
            lock (_gate)
            {
                entries = [.. pack.Entries];
            }
            // Every append to this pack has returned from its segment write (it was detached under the
            // append gate); flushing to the end now also covers appends still waiting for their flush,
            // which then return without touching the segment, so it can be closed.
            try
            {
                await appended.FlushAsync(appended.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Broken: what a flush covered before is durable, the rest was never acknowledged.
            }
            // The index lists what is durable: appends whose flush failed were never acknowledged.
            var durable = appended.DurableLength;
            entries.RemoveAll(entry => entry.Offset + entry.StoredLength > durable);
            var dataLength = entries.Count == 0 ? 0 : entries[^1].Offset + entries[^1].StoredLength;
            await appended.DisposeAsync().ConfigureAwait(false);
            var index = PackFormat.EncodeIndex(entries, dataLength);
            await using (var writer = await segments.ResumeAsync(pack.Id, dataLength, cancellationToken).ConfigureAwait(false))
            {
                await writer.AppendAsync(index, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(writer.Length, cancellationToken).ConfigureAwait(false);
            }
            await catalog.SealPackAsync(pack.Id, dataLength, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            _local[pack.Id] = dataLength + index.Length;
            pack.Sealed = true;
        }
        await using (var source = await segments.OpenReadAsync(pack.Id, cancellationToken).ConfigureAwait(false))
        {
            await using var upload = new MultipartBlobWriter(blobs, pack.BlobName, options.PackPartSize);
            await upload.WriteFromAsync(source, cancellationToken).ConfigureAwait(false);
            await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await catalog.MarkPackStoredAsync(pack.Id, cancellationToken).ConfigureAwait(false);
        _local.TryRemove(pack.Id, out _);
        await segments.DeleteAsync(pack.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A pack this writer appends to, or one waiting to be sealed and shipped (recovered ones have no writer and are sealed).</summary>
    private sealed class OpenPack(string id, string blobName, SegmentWriter? writer, DateTimeOffset openedAt)
    {
        public string Id { get; } = id;
        public string BlobName { get; } = blobName;
        /// <summary>The segment's writer while this writer appends to it; null for a pack recovered after a crash.</summary>
        public SegmentWriter? Writer { get; } = writer;
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public List<PackEntry> Entries { get; } = [];
        public bool Sealed { get; set; }
        /// <summary>Completed once the pack is in the blob store (failed with the first failed attempt): PUTs that acknowledge after the upload wait for it.</summary>
        public TaskCompletionSource Shipped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
