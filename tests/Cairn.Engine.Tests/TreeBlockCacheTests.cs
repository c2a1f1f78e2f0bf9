using Cairn.Core;
using Cairn.Engine.Trees;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>
/// The committer's block cache: blocks and their links' places come back as they were remembered,
/// the oldest slab is emptied when the cache is full, a block larger than a slab is not kept, and a
/// bucket's blocks can be forgotten without touching another's.
/// </summary>
[Trait("Issue", "11")]
public sealed class TreeBlockCacheTests
{
    private static byte[] Block(int n, int length = 100)
    {
        var bytes = new byte[length];
        new Random(n).NextBytes(bytes);
        return bytes;
    }

    private static TreePlacedLink[] Links(int n) =>
        [new(Cid.ForDagCbor(Block(n + 1000)), new TreeBlockLocation(n, n * 10L, 100 + n, n % 3)),
            new(Cid.ForDagCbor(Block(n + 2000)), new TreeBlockLocation(long.MaxValue - n, long.MaxValue / 2, int.MaxValue, 7))];

    [Fact]
    public void A_remembered_block_comes_back_with_its_links_and_their_places()
    {
        var cache = new TreeBlockCache(4L * 1024 * 1024);
        var block = Block(1);
        var cid = Cid.ForDagCbor(block);
        var links = Links(1);
        cache.Remember("a", cid, block, links);

        Assert.True(cache.TryGet("a", cid, out var entry));
        Assert.Equal(block, entry.Block);
        Assert.Equal(links, entry.Links);
        Assert.NotSame(block, entry.Block); // a copy: the slab is written again later
        Assert.False(cache.TryGet("b", cid, out _)); // places are a bucket's own
        Assert.False(cache.TryGet("a", Cid.ForDagCbor(Block(2)), out _));
    }

    [Fact]
    public void A_block_remembered_again_takes_its_latest_links()
    {
        var cache = new TreeBlockCache(4L * 1024 * 1024);
        var block = Block(1);
        var cid = Cid.ForDagCbor(block);
        cache.Remember("a", cid, block, Links(1));
        cache.Remember("a", cid, block, Links(5));

        Assert.True(cache.TryGet("a", cid, out var entry));
        Assert.Equal(Links(5), entry.Links);
    }

    [Fact]
    public void When_full_the_oldest_blocks_go_first_and_the_newest_stay()
    {
        // Two slabs of 1 MiB: 1,000-byte blocks, about 2,000 of them fit.
        var cache = new TreeBlockCache(2L * 1024 * 1024);
        var cids = new List<Cid>();
        for (var i = 0; i < 5_000; i++)
        {
            var block = Block(i, 1_000);
            var cid = Cid.ForDagCbor(block);
            cids.Add(cid);
            cache.Remember("a", cid, block, []);
        }

        Assert.False(cache.TryGet("a", cids[0], out _));
        Assert.False(cache.TryGet("a", cids[2_000], out _));
        for (var i = 4_000; i < 5_000; i++)
        {
            Assert.True(cache.TryGet("a", cids[i], out var entry));
            Assert.Equal(Block(i, 1_000), entry.Block);
        }
    }

    [Fact]
    public void A_cache_smaller_than_a_block_keeps_nothing_and_drops_an_older_copy()
    {
        var none = new TreeBlockCache(1);
        var block = Block(1);
        var cid = Cid.ForDagCbor(block);
        none.Remember("a", cid, block, Links(1));
        Assert.False(none.TryGet("a", cid, out _));

        // A block too large for a slab is not kept, and an older copy (whose links may name places
        // collected since) is not handed out instead.
        var small = new TreeBlockCache(2 * 1024);
        small.Remember("a", cid, block, []);
        Assert.True(small.TryGet("a", cid, out _));
        small.Remember("a", cid, block, Enumerable.Range(0, 100).SelectMany(Links).ToArray());
        Assert.False(small.TryGet("a", cid, out _));
    }

    [Fact]
    public void Forgetting_a_bucket_keeps_the_other_buckets_blocks()
    {
        var cache = new TreeBlockCache(4L * 1024 * 1024);
        var block = Block(1);
        var cid = Cid.ForDagCbor(block);
        cache.Remember("a", cid, block, Links(1));
        cache.Remember("b", cid, block, Links(2));

        cache.Forget("a");

        Assert.False(cache.TryGet("a", cid, out _));
        Assert.True(cache.TryGet("b", cid, out var entry));
        Assert.Equal(Links(2), entry.Links);
        cache.Forget("never-seen");
    }
}
