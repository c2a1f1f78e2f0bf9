using System.Text;
using BenchmarkDotNet.Attributes;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Metadata;

namespace Cairn.Bench.Micro;

/// <summary>
/// What zstd costs a 4 MiB chunk (<c>Engine:Compression</c>, level 1, as <c>ChunkStore</c> stores
/// it), next to the SHA-256 every chunk already pays for its address: compressing text-like bytes,
/// compressing pseudo-random bytes (refused after the 64 KiB sample), and decoding the text chunk.
/// </summary>
[BytesPerOperation(ChunkSize)]
public class ChunkCompressionBenchmarks
{
    public const int ChunkSize = 4 * 1024 * 1024;
    private const int Level = 1;
    private const double MinSaving = 0.125;

    private byte[] _text = null!;
    private byte[] _random = null!;
    private byte[] _textFrame = null!;
    private byte[] _decoded = null!;
    private ChunkRef _textChunk;
    private ChunkPlacement _textPlacement;

    [GlobalSetup]
    public void Setup()
    {
        string[] words = ["cairn", "object", "chunk", "pack", "bucket", "stone", "path", "merkle", "root", "journal", "2026-12-03T18:00:00Z", "GET", "200"];
        var random = new Random(42);
        var text = new StringBuilder(ChunkSize + 32);
        while (text.Length < ChunkSize)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(1000)).Append(' ');
        }
        _text = Encoding.ASCII.GetBytes(text.ToString(0, ChunkSize));
        _random = new byte[ChunkSize];
        random.NextBytes(_random);
        using var encoded = ChunkCodecs.TryCompress(_text, Level, MinSaving) ?? throw new InvalidOperationException("text did not compress");
        _textFrame = encoded.Bytes.ToArray();
        _decoded = new byte[ChunkSize];
        _textChunk = new ChunkRef(ContentHash.Compute(_text), ChunkSize);
        _textPlacement = new ChunkPlacement("bench", 0, _textFrame.Length, ChunkCodec.Zstd);
        Console.WriteLine($"// text chunk: {ChunkSize} bytes stored as {_textFrame.Length} ({(double)_textFrame.Length / ChunkSize:P1})");
    }

    [Benchmark(Baseline = true)]
    public ContentHash Sha256OfChunk() => ContentHash.Compute(_text);

    [Benchmark]
    public int CompressText()
    {
        using var encoded = ChunkCodecs.TryCompress(_text, Level, MinSaving);
        return encoded!.Bytes.Length;
    }

    [Benchmark]
    public bool CompressRandomRefusedAfterSample()
    {
        using var encoded = ChunkCodecs.TryCompress(_random, Level, MinSaving);
        return encoded is null;
    }

    [Benchmark]
    public byte DecodeText()
    {
        ChunkCodecs.Decode(_textChunk, _textPlacement, _textFrame, _decoded);
        return _decoded[^1];
    }
}
