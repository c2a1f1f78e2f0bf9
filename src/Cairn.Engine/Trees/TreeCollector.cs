using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>
/// Root retention and the mark half of a tree collection (issue 11): which of a bucket's commits
/// are kept, and which segments hold no block a kept commit reaches. The sweep rides on the record
/// of the next commit (<see cref="IBucketTreeCatalog.RecordTreeCommitAsync"/> with a
/// <see cref="TreeCollection"/>), whose fence keeps any other fold out meanwhile.
/// </summary>
internal sealed class TreeCollector(IBucketTreeCatalog trees, EngineOptions options)
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
    /// Plans the collection that goes with recording <paramref name="next"/> (whose tree is
    /// <paramref name="nextBlocks"/> plus what <paramref name="previous"/>'s tree reaches): the stored
    /// commits no rule or pin keeps, and the segments holding no block reachable from a kept commit,
    /// from <paramref name="previous"/> or among <paramref name="nextBlocks"/>. Null when there is nothing to drop.
    /// </summary>
    public async Task<TreeCollection?> PlanAsync(TreeHead? previous, TreeHead next, IEnumerable<Cid> nextBlocks, IMstBlockSource source,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var bucket = next.Bucket;
        var stored = await trees.ListTreeCommitsAsync(bucket, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var kept = Retained(stored, next, options.TreeKeepEvery, options.TreeKeepWithin, now);
        kept.UnionWith(await trees.ListPinnedTreeCommitsAsync(bucket, now, cancellationToken).ConfigureAwait(false));
        // Walked blocks are tracked apart from the new tree's blocks: a node of the new tree may equal
        // one of an older tree while its children are only the older tree's, so meeting it must not end a walk.
        var live = new HashSet<Cid>();
        foreach (var commit in stored.Where(commit => kept.Contains(commit.Seq) || commit.Seq == previous?.Seq))
        {
            await MarkAsync(commit, source, live, cancellationToken).ConfigureAwait(false);
        }
        live.UnionWith(nextBlocks);
        var dropCommits = stored.Where(commit => !kept.Contains(commit.Seq)).Select(static commit => commit.Seq).ToList();
        var dropSegments = (await trees.ListTreeBlocksAsync(bucket, cancellationToken).ConfigureAwait(false))
            .GroupBy(static block => block.Segment, StringComparer.Ordinal)
            .Where(segment => !segment.Any(block => live.Contains(block.Cid)))
            .Select(static segment => segment.Key)
            .ToList();
        return dropCommits.Count == 0 && dropSegments.Count == 0
            ? null
            : new TreeCollection(dropCommits, dropSegments, now, now + options.GracePeriod);
    }

    /// <summary>Adds every block <paramref name="commit"/> reaches to <paramref name="live"/>: the commit, its nodes, every manifest on every key's chain and the bodies they name.</summary>
    private static async Task MarkAsync(TreeHead commit, IMstBlockSource source, HashSet<Cid> live, CancellationToken cancellationToken)
    {
        live.Add(commit.Commit);
        var nodes = new Stack<Cid>();
        nodes.Push(commit.Root);
        while (nodes.TryPop(out var cid))
        {
            if (!live.Add(cid))
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
                for (Cid? link = entry.Value; link is not null && live.Add(link);)
                {
                    var manifest = ObjectManifest.Decode(await source.GetBlockAsync(link, cancellationToken).ConfigureAwait(false));
                    live.UnionWith(manifest.Body.Select(static chunk => chunk.Cid));
                    link = manifest.Previous;
                }
            }
        }
    }
}
