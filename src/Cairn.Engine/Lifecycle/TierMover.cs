using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Lifecycle;

/// <summary>
/// Moves a version's bytes to a cold tier (a lifecycle transition): copy first, record the new
/// placement, and only then let the hot copy go. Nothing is lost at any step: until the catalog
/// records the move, every read goes to the hot bytes, and each tier copy is queued for deletion
/// (<see cref="IDeleteQueue.QueueBlobsAsync"/>) before it is written, so a copy no move claims (a
/// crash, a failed tier, a version changed meanwhile) is deleted when its entry falls due. The move
/// itself (<see cref="IObjectCatalog.MoveVersionToTierAsync"/>) checks that the version and every
/// chunk's placement are still what was copied and queues the hot blobs after the grace period, so
/// a download that located a chunk before the move still reads it.
/// </summary>
/// <remarks>
/// Chunks are copied as they are stored (a zstd frame stays one), each checked against its address
/// first, to <c>tiers/&lt;tier&gt;/&lt;a new chunk blob name&gt;</c>, which the blob store routes to
/// the tier (<see cref="TieredBlobBackend"/>). A chunk already in the tier (shared with a version
/// moved before) is not copied again. A packed chunk leaves dead space in its pack, which
/// compaction reclaims. A version is moved in parts of at most <c>bytesPerPart</c> stored bytes
/// (<see cref="DefaultBytesPerPart"/>), each with its own copies' deadline.
/// </remarks>
public sealed partial class TierMover(IObjectCatalog objects, IChunkCatalog chunks, IDeleteQueue deleteQueue, IBlobBackend blobs, ChunkStore chunkStore,
    EngineOptions options, TimeProvider time, ILogger<TierMover> logger, EngineMetrics? metrics = null, long bytesPerPart = TierMover.DefaultBytesPerPart)
{
    /// <summary>
    /// How long a move's copies stay reserved: the copying must end well within it (the catalog
    /// refuses to claim a copy within <see cref="TierMove.ClaimMargin"/> of its time).
    /// </summary>
    public static readonly TimeSpan CopyDeadline = TimeSpan.FromHours(1);

    /// <summary>Chunks of one version copied at once.</summary>
    private const int ConcurrentCopies = 4;

    /// <summary>Stored bytes copied and recorded as one part of a move, unless told otherwise.</summary>
    public const long DefaultBytesPerPart = 256L * 1024 * 1024;

    /// <summary>How long before the catalog would refuse them the copies stop: time for a PUT in flight to settle.</summary>
    private static readonly TimeSpan CopySafety = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Moves <paramref name="version"/> of <paramref name="bucket"/> to <paramref name="tier"/>.
    /// Returns the catalog's outcome; a failure to read or copy throws, leaving everything as it was
    /// (the copies written so far are deleted when their reservation falls due).
    /// </summary>
    /// <exception cref="ArgumentException">The tier is not configured, or the version has no chunks.</exception>
    public async Task<TierMoveOutcome> MoveAsync(string bucket, ObjectVersionRecord version, string tier, CancellationToken cancellationToken)
    {
        if (!options.Tiers.Contains(tier, StringComparer.Ordinal))
        {
            throw new ArgumentException($"No tier named '{tier}' is configured.", nameof(tier));
        }
        if (version.Chunks.Count == 0 || version.IsDeleteMarker)
        {
            throw new ArgumentException("Only a version whose body is in chunks has bytes to move.", nameof(version));
        }
        var inTier = TieredBlobBackend.PrefixOf(tier);
        var distinct = new Dictionary<ContentHash, ChunkRef>();
        foreach (var chunk in version.Chunks)
        {
            distinct.TryAdd(chunk.Hash, chunk);
        }
        var placements = await chunks.LocateChunksAsync(distinct.Keys, cancellationToken).ConfigureAwait(false);
        var copies = new List<(ChunkRef Chunk, ChunkPlacement From, string To)>();
        foreach (var chunk in distinct.Values)
        {
            if (!placements.TryGetValue(chunk.Hash, out var placement))
            {
                throw new ChunkIntegrityException(chunk.Hash, "(none)", "has no row in the catalog");
            }
            if (!placement.BlobName.StartsWith(inTier, StringComparison.Ordinal))
            {
                copies.Add((chunk, placement, TieredBlobBackend.NameIn(tier, BlobNames.NewChunkBlob(chunk.Hash))));
            }
        }

        if (copies.Count == 0)
        {
            // Every chunk is in the tier already (shared with versions moved before): only the class changes.
            return await RecordAsync(bucket, version, tier, [], complete: true, cancellationToken).ConfigureAwait(false);
        }
        // In parts of bounded bytes, each with its own copies' deadline, so a large version over a
        // slow link still moves (a part recorded stays moved; a retry copies only what is left).
        var parts = new List<List<(ChunkRef Chunk, ChunkPlacement From, string To)>>();
        long partBytes = 0;
        foreach (var copy in copies)
        {
            if (parts.Count == 0 || partBytes + copy.From.StoredLength > bytesPerPart)
            {
                parts.Add([]);
                partBytes = 0;
            }
            parts[^1].Add(copy);
            partBytes += copy.From.StoredLength;
        }
        for (var i = 0; i < parts.Count; i++)
        {
            var outcome = await MovePartAsync(bucket, version, tier, parts[i], complete: i == parts.Count - 1, cancellationToken).ConfigureAwait(false);
            if (outcome != TierMoveOutcome.Moved)
            {
                return outcome;
            }
        }
        return TierMoveOutcome.Moved;
    }

    /// <summary>Reserves, copies and records one part of a version's chunks.</summary>
    private async Task<TierMoveOutcome> MovePartAsync(string bucket, ObjectVersionRecord version, string tier,
        List<(ChunkRef Chunk, ChunkPlacement From, string To)> copies, bool complete, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var deadline = started + CopyDeadline;
        // Tracked before a byte is written: whatever happens next, these copies are never untracked.
        await deleteQueue.QueueBlobsAsync([.. copies.Select(static copy => copy.To)], deadline, cancellationToken).ConfigureAwait(false);
        // No copy may still be landing when the sweeper may take the entries: the copying stops well
        // before the time the catalog would refuse to claim them.
        using var timer = new CancellationTokenSource(CopyDeadline - TierMove.ClaimMargin - CopySafety, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        long bytes = 0;
        try
        {
            await Parallel.ForEachAsync(copies, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCopies, CancellationToken = stop.Token },
                async (copy, cancellation) =>
                {
                    var stored = await chunkStore.ReadStoredCheckedAsync(copy.Chunk, copy.From, cancellation).ConfigureAwait(false);
                    await blobs.PutAsync(copy.To, stored, cancellation).ConfigureAwait(false);
                    Interlocked.Add(ref bytes, stored.Length);
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogTooSlow(bucket, version.Key, version.VersionId, tier, time.GetUtcNow() - started);
            return TierMoveOutcome.ReservationLost;
        }
        if (time.GetUtcNow() + TierMove.ClaimMargin >= deadline)
        {
            // The catalog would refuse anyway; saying so here keeps the reason in the log.
            LogTooSlow(bucket, version.Key, version.VersionId, tier, time.GetUtcNow() - started);
            return TierMoveOutcome.ReservationLost;
        }
        var moves = copies.Select(static copy => new TierChunkMove(copy.Chunk.Hash, copy.From, copy.To)).ToList();
        var outcome = await RecordAsync(bucket, version, tier, moves, complete, cancellationToken).ConfigureAwait(false);
        if (outcome == TierMoveOutcome.Moved)
        {
            metrics?.TierBytesMoved(tier, bytes);
        }
        return outcome;
    }

    private async Task<TierMoveOutcome> RecordAsync(string bucket, ObjectVersionRecord version, string tier, List<TierChunkMove> moves, bool complete,
        CancellationToken cancellationToken) =>
        await objects.MoveVersionToTierAsync(new TierMove(bucket, version.Key, version.VersionId, version.ETag, tier, moves) { Complete = complete },
            time.GetUtcNow(), options.GracePeriod, cancellationToken).ConfigureAwait(false);

    // Event ids 190-199 belong to the tier mover; next free: 191.
    [LoggerMessage(EventId = 190, Level = LogLevel.Warning,
        Message = "Tiers: copying {Bucket}/{Key} version {VersionId} to {Tier} took {Elapsed}, too close to its copies' deadline; tried again later")]
    private partial void LogTooSlow(string bucket, string key, string versionId, string tier, TimeSpan elapsed);
}
