using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>
/// Writes a bucket's state at one commit as a CARv1 stream rooted at the commit: the commit block,
/// every tree node, every manifest (each key's whole previous chain, so earlier versions too) and
/// every body chunk as a raw block. Streams: memory holds one node, one manifest and one chunk at a
/// time, the links (and, for a range, the bounds) of the nodes still to visit along one path, plus
/// a bounded set of chunk CIDs already written (a chunk shared by many versions is written again
/// once that set has been cleared; CAR readers accept repeated blocks).
/// </summary>
/// <remarks>
/// <para>
/// With a prefix the stream is a range proof against the same commit (<see cref="MstPrefixRange"/>,
/// checked by <see cref="CarVerifier"/> with the prefix): the commit, the nodes whose key range can
/// hold a key starting with it (the paths to the range's two ends and every node wholly inside it;
/// a subtree wholly outside is left out, its CID staying in its parent), and the manifest chains
/// and body blocks of the keys starting with it only.
/// </para>
/// <para>
/// The walk reads nodes and manifests from the bucket's segments by place (from the commit down,
/// see <see cref="TreeBlockSource"/>), an inline body from its version's row, and chunk bodies
/// through <see cref="ChunkStore"/> (pinned and checked as a GET does). Chunks stay while a segment
/// of the tree names them (the segments hold references on them); an inline body whose version was
/// removed for good since the commit is read from its held copy (<see cref="IBucketTreeCatalog.GetHeldBodyAsync"/>),
/// kept while a kept commit names it. A body found nowhere fails the export loudly.
/// </para>
/// </remarks>
internal sealed class BucketTreeExporter(IBucketTreeCatalog trees, IObjectCatalog objects, IBlobBackend blobs, ChunkStore chunks)
{
    /// <summary>Chunk CIDs remembered as written before the set is cleared.</summary>
    private const int WrittenChunkWindow = 100_000;

    /// <summary>
    /// Writes the export of <paramref name="head"/>, of the keys starting with <paramref name="prefix"/>
    /// (null or empty: every key); returns what it wrote (its keys: those in the range).
    /// </summary>
    public async Task<BucketExportSummary> WriteAsync(BucketTreeHead head, string? prefix, Stream destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var range = MstPrefixRange.For(prefix);
        var commit = new TreeHead(head.Bucket, head.Seq, head.Commit, head.Root, head.CommittedAt);
        var source = await TreeBlockSource.OpenAsync(trees, blobs, commit, cache: null, cancellationToken, forgetOnRead: true).ConfigureAwait(false);
        var counting = new CountingStream(destination, progress);
        var writer = new CarWriter(counting);
        await writer.WriteHeaderAsync([head.Commit], cancellationToken).ConfigureAwait(false);
        await writer.WriteBlockAsync(head.Commit, await source.ReadCommitAsync(commit, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
        long keys = 0, manifests = 0, chunkBlocks = 0;
        var written = new HashSet<Cid>();
        // Each node to visit with the bounds of its keys (the keys around it in its parent, or the
        // parent's own bounds at its edges), which a range export compares with the prefix's range.
        var pending = new Stack<(Cid Cid, byte[]? Lower, byte[]? Upper)>();
        pending.Push((head.Root, null, null));
        while (pending.TryPop(out var visit))
        {
            var block = await source.GetBlockAsync(visit.Cid, cancellationToken).ConfigureAwait(false);
            await writer.WriteBlockAsync(visit.Cid, block, cancellationToken).ConfigureAwait(false);
            var node = MstNode.Decode(block);
            var nodeKeys = range is null ? null : node.ExpandKeys();
            // Children are pushed right to left, so the walk goes in key order; a range skips those
            // whose keys cannot start with its prefix.
            for (var i = node.Entries.Count - 1; i >= 0; i--)
            {
                if (node.Entries[i].Right is { } right)
                {
                    PushIfInRange(right, nodeKeys?[i], i + 1 < node.Entries.Count ? nodeKeys?[i + 1] : visit.Upper);
                }
            }
            if (node.Left is { } left)
            {
                PushIfInRange(left, visit.Lower, node.Entries.Count > 0 ? nodeKeys?[0] : visit.Upper);
            }
            for (var i = 0; i < node.Entries.Count; i++)
            {
                if (range is not null && !range.Contains(nodeKeys![i]))
                {
                    continue;
                }
                keys++;
                for (Cid? link = node.Entries[i].Value; link is not null;)
                {
                    var manifestBlock = await source.GetBlockAsync(link, cancellationToken).ConfigureAwait(false);
                    await writer.WriteBlockAsync(link, manifestBlock, cancellationToken).ConfigureAwait(false);
                    manifests++;
                    var manifest = ObjectManifest.Decode(manifestBlock);
                    chunkBlocks += await WriteBodyAsync(head.Bucket, manifest, writer, written, cancellationToken).ConfigureAwait(false);
                    link = manifest.Previous;
                }
            }
        }
        await counting.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new BucketExportSummary(head, keys, manifests, chunkBlocks, counting.BytesWritten);

        void PushIfInRange(Cid child, byte[]? lower, byte[]? upper)
        {
            if (range is null || range.Overlaps(lower, upper))
            {
                pending.Push((child, lower, upper));
            }
        }
    }

    /// <summary>Writes the manifest's body chunks not written lately; returns how many it wrote.</summary>
    private async Task<int> WriteBodyAsync(string bucket, ObjectManifest manifest, CarWriter writer, HashSet<Cid> written,
        CancellationToken cancellationToken)
    {
        var fresh = manifest.Body.Where(chunk => !written.Contains(chunk.Cid)).DistinctBy(static chunk => chunk.Cid).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }
        // A one-block body may be inline: its version's row holds the bytes (one lookup). When the
        // row is gone, or holds another body (a null version replaced since), the version was removed
        // since the commit, and its inline body, if it had one, is held for the tree; a body held by
        // neither is a chunk.
        byte[]? inline = null;
        if (manifest.Body.Count == 1)
        {
            var only = ContentHash.FromBytes(manifest.Body[0].Cid.Digest);
            var row = await objects.GetObjectVersionAsync(bucket, manifest.Key, manifest.VersionId, cancellationToken).ConfigureAwait(false);
            inline = row?.InlineBody is { } rowBody && manifest.Body[0].Cid.Matches(rowBody) ? rowBody : null;
            var chunkOfTheRow = row?.Chunks is [var rowChunk] && rowChunk.Hash == only;
            if (inline is null && !chunkOfTheRow)
            {
                inline = await trees.GetHeldBodyAsync(bucket, only, cancellationToken).ConfigureAwait(false);
            }
        }
        using var buffer = new MemoryStream();
        foreach (var chunk in fresh)
        {
            buffer.SetLength(0);
            if (inline is not null)
            {
                await buffer.WriteAsync(inline, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await chunks.CopyRangeToAsync(AsVersion(bucket, manifest.Key, chunk), 0, chunk.Length, buffer, cancellationToken).ConfigureAwait(false);
            }
            var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (!chunk.Cid.Matches(bytes.Span))
            {
                throw new InvalidDataException($"Export of bucket '{bucket}': body block {chunk.Cid} of key '{manifest.Key}' does not match its bytes.");
            }
            await writer.WriteBlockAsync(chunk.Cid, bytes, cancellationToken).ConfigureAwait(false);
            if (written.Count >= WrittenChunkWindow)
            {
                written.Clear();
            }
            written.Add(chunk.Cid);
        }
        return fresh.Count;
    }

    /// <summary>One chunk as a body of its own, to read through the chunk store's checked, pinned path.</summary>
    private static ObjectVersionRecord AsVersion(string bucket, string key, ManifestChunk chunk) => new()
    {
        Bucket = bucket,
        Key = key,
        Size = chunk.Length,
        ETag = "",
        LastModified = DateTimeOffset.UnixEpoch,
        Chunks = [new ChunkRef(ContentHash.FromBytes(chunk.Cid.Digest), checked((int)chunk.Length))],
    };

    /// <summary>Counts the bytes written and reports them.</summary>
    private sealed class CountingStream(Stream inner, IProgress<long>? progress) : Stream
    {
        public long BytesWritten { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesWritten += buffer.Length;
            progress?.Report(BytesWritten);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Exports write asynchronously.");
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>What an export wrote: the commit, keys (a range export's: those in its range), manifests, body blocks and bytes.</summary>
public sealed record BucketExportSummary(BucketTreeHead Head, long Keys, long Manifests, long Chunks, long Bytes);
