using System.Buffers;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Packs;

/// <summary>
/// Reclaims the dead space in packs (issue 12). A stored pack whose dead bytes reach
/// <see cref="EngineOptions.CompactionDeadRatio"/>, and runs of two or more small packs (under a
/// quarter of <see cref="EngineOptions.PackTargetSize"/>), are rewritten: their needed chunks are
/// copied, record by record and checked, to a new pack, which is stored and then swapped in by
/// <see cref="IPackCatalog.SwapPackAsync"/>: one transaction that re-reads the inputs' verification
/// aggregate and refuses when anything changed since the copy. The swap retires the inputs: their
/// blobs go through the delete queue after the grace period, so a reader that located a chunk in
/// one before the swap still finds it. A pack no chunk needs is retired without a copy; any other
/// pack is never rewritten.
/// </summary>
/// <remarks>
/// One compactor runs at a time (the worker's lease, <c>pack-compactor</c>), beside writers and
/// readers, none of which waits for it: a writer that references, pins or releases a chunk of an
/// input while the copy runs makes the aggregate differ and the swap refuses. When every chunk the
/// inputs need then was copied (only releases happened), the swap is tried again with those moves
/// and a fresh aggregate; otherwise the compaction gives up (its output is abandoned) to try again
/// at the next step. Two compactors on the same packs (a stalled step that outlived its
/// lease) cannot both swap: the second finds the inputs' chunks moved, and refuses. A compactor that
/// dies leaves an output pack registered under <see cref="OutputNode"/> and never swapped; the next
/// step abandons it, so its blob goes through the delete queue too and nothing is left untracked.
/// </remarks>
public sealed partial class PackCompactor(IPackCatalog catalog, IBlobBackend blobs, EngineOptions options, TimeProvider time,
    ILogger<PackCompactor>? logger = null, EngineMetrics? metrics = null) : Workers.IWorker
{
    /// <summary>The node a compaction's output pack is registered under until its swap (no node's pack writer claims it).</summary>
    public const string OutputNode = "(compaction)";

    /// <summary>Records closer than this are read in one request: fewer requests upstream for a little more transfer.</summary>
    private const int ReadGap = 64 * 1024;

    /// <summary>The most a single read of an input pack covers.</summary>
    private const int ReadWindow = 8 * 1024 * 1024;

    /// <summary>Swaps tried again, with a fresh aggregate, after chunks were released during the copy.</summary>
    private const int MaxSwapRetries = 3;

    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <inheritdoc />
    public string Name => "pack-compactor";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <inheritdoc />
    public async Task<Workers.WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var report = await CompactAsync(cancellationToken).ConfigureAwait(false);
        Status = $"last step {time.GetUtcNow():O}: {report}";
        return Workers.WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.CompactionInterval, time, cancellationToken);

    /// <summary>
    /// One pass: abandons outputs a dead compactor left, retires packs nobody needs, then compacts
    /// every group <see cref="Plan"/> picks, one after another.
    /// </summary>
    public async Task<CompactionReport> CompactAsync(CancellationToken cancellationToken)
    {
        var report = new CompactionReport();
        var packs = await catalog.ListPacksAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var leftover in packs.Where(static p => p.Node == OutputNode && p.State is PackState.Open or PackState.Sealed))
        {
            // Passes run one at a time, so an output not swapped by now was left by a step that died.
            // Its blob waits out the grace period: a stalled step might still be writing it.
            if (await catalog.AbandonPackAsync(leftover.Id, now + options.GracePeriod, cancellationToken).ConfigureAwait(false))
            {
                report = report with { OutputsAbandoned = report.OutputsAbandoned + 1 };
            }
        }
        foreach (var dead in packs.Where(static p => p is { State: PackState.Stored, LiveChunks: 0 }))
        {
            // Only when nothing references or reserves it now; the sweeper checks pins again later.
            if (await catalog.RetirePackAsync(dead.Id, now + options.GracePeriod, cancellationToken).ConfigureAwait(false))
            {
                report = report with { PacksRetired = report.PacksRetired + 1 };
                metrics?.PacksRetired(1);
            }
        }
        foreach (var group in Plan(packs, options))
        {
            var result = await CompactGroupAsync(group, cancellationToken).ConfigureAwait(false);
            report = result.Outcome == PackSwapOutcome.Swapped
                ? report with
                {
                    PacksRetired = report.PacksRetired + result.Inputs,
                    PacksWritten = report.PacksWritten + 1,
                    BytesRewritten = report.BytesRewritten + result.BytesCopied,
                }
                : report with { Refused = report.Refused + 1 };
        }
        return report;
    }

    /// <summary>
    /// Picks the packs to rewrite, in groups whose needed bytes fit one new pack: stored packs with
    /// enough dead bytes, and small ones. A group of one small pack with nothing dead is dropped
    /// (rewriting it would change nothing).
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<PackInfo>> Plan(IReadOnlyList<PackInfo> packs, EngineOptions options)
    {
        var smallBelow = options.PackTargetSize / 4;
        bool PastDeadRatio(PackInfo pack) => pack.DeadBytes(PackFormat.RecordHeaderSize) >= options.CompactionDeadRatio * pack.DataLength;
        var candidates = packs
            .Where(p => p is { State: PackState.Stored, LiveChunks: > 0 } && (PastDeadRatio(p) || p.DataLength < smallBelow))
            .OrderBy(static p => p.CreatedAt)
            .ThenBy(static p => p.Id, StringComparer.Ordinal);
        var groups = new List<IReadOnlyList<PackInfo>>();
        var group = new List<PackInfo>();
        long groupBytes = 0;
        foreach (var pack in candidates)
        {
            var needed = pack.LiveBytes + (pack.LiveChunks * PackFormat.RecordHeaderSize);
            if (group.Count > 0 && groupBytes + needed > options.PackTargetSize)
            {
                groups.Add(group);
                group = [];
                groupBytes = 0;
            }
            group.Add(pack);
            groupBytes += needed;
        }
        if (group.Count > 0)
        {
            groups.Add(group);
        }
        groups.RemoveAll(g => g.Count == 1 && !PastDeadRatio(g[0]));
        return groups;
    }

    /// <summary>
    /// Rewrites <paramref name="inputs"/> into one new pack and swaps it in. Inputs an upload is still
    /// writing to are left out. Refused swaps (and failures) abandon the output; nothing else changes.
    /// </summary>
    internal async Task<GroupResult> CompactGroupAsync(IReadOnlyList<PackInfo> inputs, CancellationToken cancellationToken)
    {
        var contents = new List<(PackInfo Pack, PackContents Contents)>(inputs.Count);
        foreach (var input in inputs)
        {
            var read = await catalog.ReadPackContentsAsync(input.Id, cancellationToken).ConfigureAwait(false);
            if (read.Reservations == 0)
            {
                contents.Add((input, read));
            }
        }
        if (contents.Count == 0)
        {
            metrics?.Compacted(PackSwapOutcome.InputsReserved, 0);
            return new GroupResult(PackSwapOutcome.InputsReserved, 0, 0);
        }

        var (id, blobName) = PackNames.New();
        if (!await catalog.CreatePackAsync(id, blobName, OutputNode, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Pack id {id} is taken.");
        }
        PackSwapOutcome outcome;
        long copied = 0;
        try
        {
            var moves = new List<PackMove>();
            var entries = new List<PackEntry>();
            long length = 0;
            await using (var output = new MultipartBlobWriter(blobs, blobName, options.PackPartSize))
            {
                foreach (var (pack, needed) in contents)
                {
                    length = await CopyAsync(pack, needed.Needed, output, length, moves, entries, cancellationToken).ConfigureAwait(false);
                }
                await output.WriteAsync(PackFormat.EncodeIndex(entries, length), cancellationToken).ConfigureAwait(false);
                await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            copied = length;
            await catalog.SealPackAsync(id, length, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var inputIds = contents.Select(static c => c.Pack.Id).ToList();
            outcome = await catalog.SwapPackAsync(new PackSwap(inputIds, id, moves, time.GetUtcNow() + options.GracePeriod), cancellationToken)
                .ConfigureAwait(false);
            for (var retry = 0; outcome == PackSwapOutcome.InputsChanged && retry < MaxSwapRetries; retry++)
            {
                // Chunks released during the copy (deletes keep arriving) changed the aggregate. When
                // everything the inputs need now was copied, the swap is tried again with just those
                // moves and a fresh aggregate (the rest stays in the output as dead space); when a
                // chunk became needed that was not copied, the work is given up.
                if (await StillCoveredAsync(inputIds, moves, cancellationToken).ConfigureAwait(false) is not { } covered)
                {
                    break;
                }
                outcome = await catalog.SwapPackAsync(new PackSwap(inputIds, id, covered, time.GetUtcNow() + options.GracePeriod), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCompactionFailed(_logger, ex, id);
            await AbandonAsync(id).ConfigureAwait(false);
            throw;
        }
        metrics?.Compacted(outcome, copied);
        if (outcome != PackSwapOutcome.Swapped)
        {
            LogSwapRefused(_logger, id, outcome);
            await AbandonAsync(id).ConfigureAwait(false);
            return new GroupResult(outcome, 0, 0);
        }
        metrics?.PacksRetired(contents.Count);
        LogCompacted(_logger, contents.Count, id, copied);
        return new GroupResult(outcome, contents.Count, copied);
    }

    /// <summary>
    /// The moves that carry what <paramref name="inputs"/> need now, when every such chunk is among
    /// the <paramref name="copied"/> ones at the same place; null when one is not, or an upload
    /// writes to an input.
    /// </summary>
    private async Task<List<PackMove>?> StillCoveredAsync(IReadOnlyList<string> inputs, List<PackMove> copied, CancellationToken cancellationToken)
    {
        var byPlace = copied.ToDictionary(static m => (m.FromPack, m.FromOffset));
        var covered = new List<PackMove>();
        foreach (var input in inputs)
        {
            var now = await catalog.ReadPackContentsAsync(input, cancellationToken).ConfigureAwait(false);
            if (now.Reservations > 0)
            {
                return null;
            }
            foreach (var chunk in now.Needed)
            {
                if (!byPlace.TryGetValue((input, chunk.Placement.Offset), out var move) || move.Hash != chunk.Hash)
                {
                    return null;
                }
                covered.Add(move);
            }
        }
        return covered;
    }

    /// <summary>
    /// Copies the needed records of one input pack to the output, reading nearby records in one
    /// request; each record is checked (CRC-32C, address, lengths, codec) before it is copied, so a
    /// damaged chunk is never given a second home. Returns the output's length after them.
    /// </summary>
    private async Task<long> CopyAsync(PackInfo pack, IReadOnlyList<PackedChunk> needed, MultipartBlobWriter output, long length,
        List<PackMove> moves, List<PackEntry> entries, CancellationToken cancellationToken)
    {
        var at = 0;
        while (at < needed.Count)
        {
            // A window: records from needed[at] on, while the next starts close to the previous end.
            var start = needed[at].Placement.Offset - PackFormat.RecordHeaderSize;
            var end = needed[at].Placement.Offset + needed[at].Placement.StoredLength;
            var last = at;
            while (last + 1 < needed.Count)
            {
                var next = needed[last + 1].Placement;
                var nextEnd = next.Offset + next.StoredLength;
                if (next.Offset - PackFormat.RecordHeaderSize - end > ReadGap || nextEnd - start > ReadWindow)
                {
                    break;
                }
                end = nextEnd;
                last++;
            }
            var window = ArrayPool<byte>.Shared.Rent(checked((int)(end - start)));
            try
            {
                await ReadExactlyAsync(pack.BlobName, start, window.AsMemory(0, (int)(end - start)), cancellationToken).ConfigureAwait(false);
                for (var i = at; i <= last; i++)
                {
                    var chunk = needed[i];
                    var recordStart = (int)(chunk.Placement.Offset - PackFormat.RecordHeaderSize - start);
                    var record = window.AsMemory(recordStart, PackFormat.RecordHeaderSize + chunk.Placement.StoredLength);
                    if (!PackFormat.TryReadRecord(record.Span, chunk.Placement.Offset - PackFormat.RecordHeaderSize, out var entry)
                        || entry.Hash != chunk.Hash || entry.Length != chunk.Length || entry.Codec != chunk.Placement.Codec)
                    {
                        throw new InvalidDataException(
                            $"Chunk {chunk.Hash} in pack {pack.Id} (blob '{pack.BlobName}') at offset {chunk.Placement.Offset} does not check; the pack is not compacted.");
                    }
                    await output.WriteAsync(record, cancellationToken).ConfigureAwait(false);
                    var offset = length + PackFormat.RecordHeaderSize;
                    moves.Add(new PackMove(chunk.Hash, pack.Id, chunk.Placement.Offset, offset, chunk.Placement.StoredLength));
                    entries.Add(entry with { Offset = offset });
                    length += record.Length;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(window);
            }
            at = last + 1;
        }
        return length;
    }

    private async Task ReadExactlyAsync(string blobName, long offset, Memory<byte> target, CancellationToken cancellationToken)
    {
        if (await blobs.ReadFullyAsync(blobName, offset, target, cancellationToken).ConfigureAwait(false) is var read && read < target.Length)
        {
            throw new InvalidDataException($"Pack blob '{blobName}' is short: no bytes at offset {offset + read}; the pack is not compacted.");
        }
    }

    /// <summary>Gives up an output that was not swapped in. Best effort: if this fails too, the next pass abandons it.</summary>
    private async Task AbandonAsync(string id)
    {
        try
        {
            await catalog.AbandonPackAsync(id, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAbandonFailed(_logger, ex, id);
        }
    }

    // Event ids 160-169 belong to the compactor; next free: 164.
    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "Compacted {Inputs} packs into pack {PackId} ({Bytes} bytes)")]
    private static partial void LogCompacted(ILogger logger, int inputs, string packId, long bytes);

    [LoggerMessage(EventId = 161, Level = LogLevel.Information, Message = "Compaction into pack {PackId} not swapped ({Outcome}): its inputs changed meanwhile; tried again later")]
    private static partial void LogSwapRefused(ILogger logger, string packId, PackSwapOutcome outcome);

    [LoggerMessage(EventId = 162, Level = LogLevel.Error, Message = "Compaction into pack {PackId} failed")]
    private static partial void LogCompactionFailed(ILogger logger, Exception exception, string packId);

    [LoggerMessage(EventId = 163, Level = LogLevel.Warning, Message = "Could not abandon compaction output {PackId}; the next pass does")]
    private static partial void LogAbandonFailed(ILogger logger, Exception exception, string packId);

    /// <summary>What one group's compaction did: its outcome, how many inputs it retired and the bytes it copied.</summary>
    internal readonly record struct GroupResult(PackSwapOutcome Outcome, int Inputs, long BytesCopied);
}

/// <summary>What one compaction pass did.</summary>
/// <param name="PacksWritten">New packs swapped in.</param>
/// <param name="PacksRetired">Packs retired: rewritten, or needed by nothing.</param>
/// <param name="BytesRewritten">Bytes written to the new packs' records.</param>
/// <param name="Refused">Groups not swapped (their inputs changed or were being written).</param>
/// <param name="OutputsAbandoned">Outputs of compactions that died, given up.</param>
public readonly record struct CompactionReport(int PacksWritten, int PacksRetired, long BytesRewritten, int Refused, int OutputsAbandoned)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{PacksWritten} packs written, {PacksRetired} retired, {BytesRewritten} bytes rewritten, {Refused} refused, {OutputsAbandoned} leftovers abandoned";
}
