using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;
using Cairn.Storage;

namespace Cairn.Engine.Trees;

/// <summary>
/// Root retention and the mark half of a tree collection (issue 11): which of a bucket's commits
/// are kept, which segments hold no block a kept commit reaches, and which held inline bodies no
/// kept commit names. The sweep rides on the record
/// of the next commit (<see cref="IBucketTreeCatalog.RecordTreeCommitAsync"/> with a
/// <see cref="TreeCollection"/>), whose fence keeps any other fold out meanwhile.
/// </summary>
internal sealed class TreeCollector(IBucketTreeCatalog trees, IBlobBackend blobs, EngineOptions options)
{
    /// <summary>
    /// The commits kept besides <paramref name="head"/> (always kept): those younger than
    /// <see cref="EngineOptions.TreeKeepWithin"/>, and the newest of each span of
    /// <see cref="EngineOptions.TreeKeepEvery"/> journal numbers.
    /// </summary>
    public static HashSet<long> Retained(IEnumerable<TreeHead> commits, TreeHead head, long keepEvery, TimeSpan keepWithin, DateTimeOffset now)
    {
        var all = commits.Append(head).ToList();
        var kept = new HashSet<long> { head.Seq };
        if (keepWithin > TimeSpan.Zero)
        {
            kept.UnionWith(all.Where(commit => commit.CommittedAt >= now - keepWithin).Select(static commit => commit.Seq));
        }
        if (keepEvery > 0)
        {
            kept.UnionWith(all.GroupBy(commit => (commit.Seq - 1) / keepEvery).Select(static span => span.Max(commit => commit.Seq)));
        }
        return kept;
    }

    /// <summary>
    /// Plans the collection that goes with recording <paramref name="next"/>: the stored commits no
    /// rule or pin keeps, and the segments holding no block reachable from a kept commit or from
    /// <paramref name="previous"/> (every stored block <paramref name="next"/> links to is one of
    /// <paramref name="previous"/>'s, and its own blocks are in its own segment, not recorded yet).
    /// Null when there is nothing to drop.
    /// </summary>
    /// <remarks>
    /// Reachability is by place, not by CID: one block may be stored in two segments (written again
    /// by a later fold), and a tree reads the copy its parent names, so a walk skips only a place it
    /// has walked already.
    /// </remarks>
    public async Task<TreeCollection?> PlanAsync(TreeHead? previous, TreeHead next, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var bucket = next.Bucket;
        var stored = await trees.ListTreeCommitsAsync(bucket, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var kept = Retained(stored, next, options.TreeKeepEvery, options.TreeKeepWithin, now);
        kept.UnionWith(await trees.ListPinnedTreeCommitsAsync(bucket, now, cancellationToken).ConfigureAwait(false));
        var live = new HashSet<long>();
        var walked = new HashSet<TreeBlockLocation>();
        // Held inline bodies: a commit can name one only if it is older than its removal. Those removed
        // at or before the oldest kept commit go whatever they are; those removed since, up to next
        // (which cannot name them), go unless the walk of the kept commits finds them named.
        var oldestKept = kept.Min();
        var unnamedHeld = new HashSet<ContentHash>(
            await trees.ListHeldBodiesAsync(bucket, oldestKept, next.Seq, cancellationToken).ConfigureAwait(false));
        foreach (var commit in stored.Where(commit => kept.Contains(commit.Seq) || commit.Seq == previous?.Seq))
        {
            await MarkAsync(commit, live, walked, unnamedHeld, cancellationToken).ConfigureAwait(false);
        }
        var dropCommits = stored.Where(commit => !kept.Contains(commit.Seq)).Select(static commit => commit.Seq).ToList();
        var dropSegments = (await trees.ListTreeSegmentsAsync(bucket, cancellationToken).ConfigureAwait(false))
            .Where(segment => !live.Contains(segment.Seq))
            .Select(static segment => segment.Name)
            .ToList();
        return dropCommits.Count == 0 && dropSegments.Count == 0 && unnamedHeld.Count == 0
            ? null
            : new TreeCollection(dropCommits, dropSegments, now, now + options.GracePeriod) { DropHeldRemovedUpTo = oldestKept, DropHeldBodies = unnamedHeld };
    }

    /// <summary>
    /// Adds the segment of every block <paramref name="commit"/> reaches to <paramref name="live"/>:
    /// the commit, its nodes and every manifest on every key's chain (bodies are not in segments);
    /// takes every body a manifest names out of <paramref name="unnamedHeld"/>.
    /// </summary>
    private async Task MarkAsync(TreeHead commit, HashSet<long> live, HashSet<TreeBlockLocation> walked, HashSet<ContentHash> unnamedHeld,
        CancellationToken cancellationToken)
    {
        var source = await TreeBlockSource.OpenAsync(trees, blobs, commit, cache: null, cancellationToken, forgetOnRead: true)
            .ConfigureAwait(false);
        if (!Walk(commit.Commit))
        {
            return;
        }
        await source.ReadCommitAsync(commit, cancellationToken).ConfigureAwait(false);
        var nodes = new Stack<Cid>();
        nodes.Push(commit.Root);
        while (nodes.TryPop(out var cid))
        {
            if (!Walk(cid))
            {
                continue; // a subtree another kept commit shares, marked already
            }
            var node = MstNode.Decode(await source.GetBlockAsync(cid, cancellationToken).ConfigureAwait(false));
            if (node.Left is { } left)
            {
                nodes.Push(left);
            }
            foreach (var entry in node.Entries)
            {
                if (entry.Right is { } right)
                {
                    nodes.Push(right);
                }
                for (Cid? link = entry.Value; link is not null && Walk(link);)
                {
                    var manifest = ObjectManifest.Decode(await source.GetBlockAsync(link, cancellationToken).ConfigureAwait(false));
                    if (unnamedHeld.Count > 0)
                    {
                        foreach (var chunk in manifest.Body)
                        {
                            unnamedHeld.Remove(ContentHash.FromBytes(chunk.Cid.Digest));
                        }
                    }
                    link = manifest.Previous;
                }
            }
        }

        // Marks the place of a block about to be read; false when that place was walked already.
        bool Walk(Cid cid)
        {
            var place = source.PlaceOf(cid) ?? throw new InvalidDataException($"Bucket '{commit.Bucket}': the place of {cid} is not known.");
            live.Add(place.Seq);
            return walked.Add(place);
        }
    }
}
