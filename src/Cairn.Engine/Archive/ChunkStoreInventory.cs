using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Packs;
using Cairn.Metadata;
using Cairn.Storage;

namespace Cairn.Engine.Archive;

/// <summary>
/// What the chunk store holds, by address, as a restore finds it (issue 13: placements are not in
/// the archive): standalone chunk blobs (<c>chunks/</c> of the hot store and of each tier), and the
/// chunks of stored packs (<c>packs/</c>, hot only: a tier move copies a packed chunk out to a chunk
/// blob of its own), each pack known by its index, read from its tail. A pack whose trailer or index
/// does not check is listed, never trusted, and left where it is.
/// </summary>
internal sealed class ChunkStoreInventory
{
    /// <summary>Bytes read from a pack's end at first: its trailer, and the index of a pack of up to ~2,600 chunks.</summary>
    private const int TailRead = 128 * 1024;

    /// <summary>Pack tails read at once (one ranged read each, two for a larger index).</summary>
    private const int ConcurrentPackReads = 8;

    /// <summary>Parts of a segment's upload when a restore ships it (<see cref="EngineOptions.PackPartSize"/>'s default).</summary>
    private const int SegmentPartSize = 8 * 1024 * 1024;

    private readonly Dictionary<ContentHash, List<BlobListEntry>> _blobs = [];
    private readonly Dictionary<ContentHash, List<(StoredPack Pack, PackEntry Entry)>> _packed = [];
    private readonly List<StoredPack> _packs = [];
    private readonly List<string> _unreadablePacks = [];

    private ChunkStoreInventory()
    {
    }

    /// <summary>Pack blobs whose trailer or index does not check, each with why: none of their chunks is placed in them.</summary>
    public IReadOnlyList<string> UnreadablePacks => _unreadablePacks;

    /// <summary>Lists the chunk store: every chunk blob by the address its name gives, every pack by its index.</summary>
    public static async Task<ChunkStoreInventory> ScanAsync(IBlobBackend chunkStore, IReadOnlyList<string> tiers, CancellationToken cancellationToken)
    {
        var inventory = new ChunkStoreInventory();
        var prefixes = new List<string> { BlobNames.ChunkPrefix };
        prefixes.AddRange(tiers.Select(static tier => TieredBlobBackend.PrefixOf(tier) + BlobNames.ChunkPrefix));
        foreach (var prefix in prefixes)
        {
            await foreach (var entry in chunkStore.ListEntriesAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (BlobNames.TryParseChunkBlob(entry.Name, out var hash))
                {
                    if (!inventory._blobs.TryGetValue(hash, out var list))
                    {
                        inventory._blobs[hash] = list = [];
                    }
                    list.Add(entry);
                }
            }
        }

        var packBlobs = new List<(string Id, BlobListEntry Blob)>();
        await foreach (var entry in chunkStore.ListEntriesAsync(PackNames.Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (PackNames.TryParseBlobName(entry.Name, out var id))
            {
                packBlobs.Add((id, entry));
            }
        }
        var read = new (StoredPack? Pack, string? Problem)[packBlobs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, packBlobs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentPackReads, CancellationToken = cancellationToken },
            async (i, token) => read[i] = await ReadPackAsync(chunkStore, packBlobs[i].Id, packBlobs[i].Blob, token).ConfigureAwait(false))
            .ConfigureAwait(false);
        foreach (var (pack, problem) in read)
        {
            if (problem is not null)
            {
                inventory._unreadablePacks.Add(problem);
            }
            else if (pack is not null)
            {
                inventory.Add(pack);
            }
        }
        return inventory;
    }

    /// <summary>
    /// Ships the packs whose local segments <paramref name="segments"/> holds and the chunk store
    /// does not (a node stopped before its pack worker shipped them), as the node would after a
    /// restart: the records that check, then their index, uploaded under the pack's blob name. The
    /// node's start deletes a segment no pack of its catalog waits for, so an unshipped one would
    /// otherwise be lost. Returns the ids shipped.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ShipSegmentsAsync(ISegmentStore segments, IBlobBackend chunkStore, CancellationToken cancellationToken)
    {
        var shipped = new List<string>();
        await foreach (var id in segments.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!PackNames.IsId(id))
            {
                continue; // not a pack's segment
            }
            var blobName = PackNames.BlobNameOf(id);
            if (await chunkStore.GetLengthAsync(blobName, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue; // shipped already: the segment outlived its upload
            }
            PackScan scan;
            await using (var stream = await segments.OpenReadAsync(id, cancellationToken).ConfigureAwait(false))
            {
                // A sealed segment's index is not a record, so the scan ends where its records do; an
                // open one's torn tail (never acknowledged) is left out, as the node's recovery does.
                scan = await PackFormat.ScanAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            if (scan.Entries.Count == 0)
            {
                continue;
            }
            await using (var source = await segments.OpenReadAsync(id, cancellationToken).ConfigureAwait(false))
            {
                await using var upload = new MultipartBlobWriter(chunkStore, blobName, SegmentPartSize);
                var buffer = new byte[64 * 1024];
                for (var left = scan.ValidLength; left > 0;)
                {
                    var count = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        throw new IOException($"Segment {id} ended before the {scan.ValidLength} bytes its scan found.");
                    }
                    await upload.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                    left -= count;
                }
                await upload.WriteAsync(PackFormat.EncodeIndex(scan.Entries, scan.ValidLength), cancellationToken).ConfigureAwait(false);
                await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            shipped.Add(id);
        }
        return shipped;
    }

    /// <summary>
    /// A placement for each chunk of <paramref name="lengths"/> the store holds: a standalone blob
    /// when there is one (hot before a tier's, see <see cref="ChooseBlob"/>), else a record of that
    /// length in a pack; of several packs holding it, the one holding most of the chunks asked for,
    /// then the smallest (a compaction's output before the inputs it replaced and that wait for the
    /// sweeper), so that fewer packs and less dead space are kept.
    /// </summary>
    public Dictionary<ContentHash, ChunkPlacement> Place(IReadOnlyDictionary<ContentHash, int> lengths)
    {
        var placements = new Dictionary<ContentHash, ChunkPlacement>();
        var inPacks = new Dictionary<ContentHash, List<(StoredPack Pack, PackEntry Entry)>>();
        var wantedInPack = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (hash, length) in lengths)
        {
            if (_blobs.TryGetValue(hash, out var blobs) && ChooseBlob(blobs, length) is { } placement)
            {
                placements[hash] = placement;
            }
            else if (_packed.TryGetValue(hash, out var copies) && copies.Where(c => Fits(c.Entry, length)).ToList() is { Count: > 0 } fitting)
            {
                inPacks[hash] = fitting;
                foreach (var pack in fitting.Select(static c => c.Pack.Id).Distinct())
                {
                    wantedInPack[pack] = wantedInPack.GetValueOrDefault(pack) + 1;
                }
            }
        }
        foreach (var (hash, copies) in inPacks)
        {
            var (pack, entry) = copies.OrderByDescending(c => wantedInPack[c.Pack.Id]).ThenBy(static c => c.Pack.DataLength)
                .ThenBy(static c => c.Pack.BlobName, StringComparer.Ordinal).First();
            placements[hash] = new ChunkPlacement(pack.BlobName, entry.Offset, entry.StoredLength, entry.Codec, pack.Id);
        }
        return placements;
    }

    /// <summary>The packs <paramref name="placements"/> place chunks in, by id: each must be registered as a stored pack before a reservation names it.</summary>
    public IReadOnlyList<StoredPack> PacksUsedBy(IEnumerable<ChunkPlacement> placements)
    {
        var used = placements.Select(static p => p.PackId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return [.. _packs.Where(pack => used.Contains(pack.Id)).OrderBy(static pack => pack.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The chunk blobs and readable packs <paramref name="placements"/> do not use: nothing restored
    /// names their bytes. Unreadable packs are not among them (they are the operator's to look at).
    /// </summary>
    public IReadOnlyList<string> UnusedBlobs(IEnumerable<ChunkPlacement> placements)
    {
        var chosen = placements.Select(static p => p.BlobName).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. _blobs.Values.SelectMany(static list => list).Select(static blob => blob.Name).Where(name => !chosen.Contains(name)),
            .. _packs.Select(static pack => pack.BlobName).Where(name => !chosen.Contains(name)),
        ];
    }

    private void Add(StoredPack pack)
    {
        _packs.Add(pack);
        foreach (var entry in pack.Entries)
        {
            if (!_packed.TryGetValue(entry.Hash, out var list))
            {
                _packed[entry.Hash] = list = [];
            }
            list.Add((pack, entry));
        }
    }

    /// <summary>Whether a pack record can be the chunk of <paramref name="length"/> bytes: its length, and bytes as is or one zstd frame.</summary>
    private static bool Fits(PackEntry entry, int length) =>
        entry.Length == length && entry.Codec switch
        {
            ChunkCodec.None => entry.StoredLength == length,
            ChunkCodec.Zstd => entry.StoredLength > 0,
            _ => false,
        };

    /// <summary>
    /// The placement to give a chunk of <paramref name="length"/> bytes among its blobs: a hot one
    /// before a tier's; stored as is when the blob has the chunk's length, one zstd frame when shorter
    /// (the chunk store compresses only when that saves bytes); a longer blob is not the chunk.
    /// </summary>
    private static ChunkPlacement? ChooseBlob(List<BlobListEntry> blobs, int length)
    {
        foreach (var blob in blobs.OrderBy(static b => TieredBlobBackend.IsTierName(b.Name)).ThenBy(static b => b.Name, StringComparer.Ordinal))
        {
            if (blob.Length == length)
            {
                return new ChunkPlacement(blob.Name, 0, length, ChunkCodec.None);
            }
            if (blob.Length < length && blob.Length > 0)
            {
                return new ChunkPlacement(blob.Name, 0, (int)blob.Length, ChunkCodec.Zstd);
            }
        }
        return null;
    }

    /// <summary>A pack blob's index, read from its tail; or why it cannot be trusted.</summary>
    private static async Task<(StoredPack? Pack, string? Problem)> ReadPackAsync(IBlobBackend chunkStore, string id, BlobListEntry blob,
        CancellationToken cancellationToken)
    {
        try
        {
            if (blob.Length < PackFormat.TrailerSize)
            {
                return (null, $"{blob.Name}: {blob.Length} bytes, shorter than a pack's trailer");
            }
            var tail = new byte[(int)Math.Min(blob.Length, TailRead)];
            var tailOffset = blob.Length - tail.Length;
            await ReadExactlyAsync(chunkStore, blob.Name, tailOffset, tail, cancellationToken).ConfigureAwait(false);
            if (!PackFormat.TryReadTrailer(tail.AsSpan(tail.Length - PackFormat.TrailerSize), blob.Length, out var indexOffset, out _))
            {
                return (null, $"{blob.Name}: it does not end with a pack trailer that fits its {blob.Length} bytes");
            }
            var indexAndTrailer = indexOffset >= tailOffset ? tail.AsMemory((int)(indexOffset - tailOffset)) : new byte[blob.Length - indexOffset];
            if (indexOffset < tailOffset)
            {
                await ReadExactlyAsync(chunkStore, blob.Name, indexOffset, indexAndTrailer, cancellationToken).ConfigureAwait(false);
            }
            var entries = PackFormat.DecodeIndex(indexAndTrailer.Span, indexOffset);
            return (new StoredPack(id, blob.Name, indexOffset, entries), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, $"{blob.Name}: {ex.Message}");
        }
        catch (BlobNotFoundException)
        {
            return (null, null); // gone since the listing: nothing to place in it, nothing to queue
        }
    }

    private static async Task ReadExactlyAsync(IBlobBackend chunkStore, string name, long offset, Memory<byte> target, CancellationToken cancellationToken)
    {
        if (await chunkStore.ReadFullyAsync(name, offset, target, cancellationToken).ConfigureAwait(false) is var read && read < target.Length)
        {
            throw new InvalidDataException($"it ended at {offset + read} bytes, shorter than listed");
        }
    }
}

/// <summary>A pack found in the chunk store: its id (from its blob's name), its blob, the bytes of its records (where its index starts), and its index.</summary>
internal sealed record StoredPack(string Id, string BlobName, long DataLength, IReadOnlyList<PackEntry> Entries);
