using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>
/// A segment: the blocks one commit added, as a CARv1 file whose root is the commit, so a segment
/// alone can be read (and its catalog entries rebuilt) by any CAR tool.
/// </summary>
internal static class TreeSegment
{
    /// <summary>The segment's bytes and where each block's bytes sit in them.</summary>
    public static async Task<(byte[] Bytes, List<TreeBlockLocation> Places)> WriteAsync(string segment, Cid commit,
        IReadOnlyList<MstBlock> blocks, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        var writer = new CarWriter(stream);
        await writer.WriteHeaderAsync([commit], cancellationToken).ConfigureAwait(false);
        var places = new List<TreeBlockLocation>(blocks.Count);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(block.Cid, block.Data, cancellationToken).ConfigureAwait(false);
            // A section ends with the block's bytes.
            places.Add(new TreeBlockLocation(block.Cid, segment, stream.Position - block.Data.Length, block.Data.Length));
        }
        return (stream.ToArray(), places);
    }
}
