using System.Buffers;
using Cairn.S3.Handlers;

namespace Cairn.S3.Tests.Handlers;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Pieces_of_any_size_come_out_in_order_across_growth()
    {
        var random = new Random(5);
        var expected = new MemoryStream();
        using var writer = new PooledBufferWriter(16);
        for (var i = 0; i < 500; i++)
        {
            var piece = new byte[random.Next(0, 3000)];
            random.NextBytes(piece);
            expected.Write(piece);
            writer.Write(piece);
        }

        Assert.Equal(expected.Length, writer.WrittenCount);
        Assert.Equal(expected.ToArray(), writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Advancing_past_the_memory_handed_out_is_refused()
    {
        using var writer = new PooledBufferWriter(16);
        var handedOut = writer.GetSpan(8).Length;

        Assert.Throws<InvalidOperationException>(() => writer.Advance(handedOut + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
    }

    [Fact]
    public void A_disposed_writer_refuses_writes()
    {
        var writer = new PooledBufferWriter(16);
        writer.Write("abc"u8);
        writer.Dispose();

        Assert.Equal(0, writer.WrittenCount);
        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan(1));
    }
}
