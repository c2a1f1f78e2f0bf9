using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Cairn.Core;

namespace Cairn.Bench.Micro;

/// <summary>
/// The hashing <c>ChunkStore.WriteAsync</c> does for every 4 MiB chunk of an upload: MD5 (the ETag)
/// appended read by read as the body arrives, then the chunk's SHA-256 (its address) over the filled
/// buffer. The MD5-only and SHA-256-only rows show which of the two costs more.
/// </summary>
[BytesPerOperation(ChunkSize)]
public class ChunkHashBenchmarks
{
    /// <summary>The default <c>Engine:ChunkSize</c>.</summary>
    public const int ChunkSize = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes one body read hands to MD5. What a read of Kestrel's request stream returns varies with
    /// the client and the network; one append call costs well under a microsecond against
    /// milliseconds of hashing per chunk, so the size chosen here hardly matters.
    /// </summary>
    private const int ReadSize = 64 * 1024;

    private byte[] _chunk = null!;
    private IncrementalHash _md5 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chunk = new byte[ChunkSize];
        new Random(42).NextBytes(_chunk);
        // ChunkStore keeps one MD5 for the whole body, so its creation is not part of a chunk's cost.
        _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }

    [GlobalCleanup]
    public void Cleanup() => _md5.Dispose();

    [Benchmark(Baseline = true)]
    public ContentHash Md5PerReadThenSha256OfChunk()
    {
        AppendMd5ReadByRead();
        var address = ContentHash.Compute(_chunk);
        FinishMd5();
        return address;
    }

    [Benchmark]
    public void Md5PerReadOnly()
    {
        AppendMd5ReadByRead();
        FinishMd5();
    }

    [Benchmark]
    public ContentHash Sha256OfChunkOnly() => ContentHash.Compute(_chunk);

    private void AppendMd5ReadByRead()
    {
        for (var offset = 0; offset < ChunkSize; offset += ReadSize)
        {
            _md5.AppendData(_chunk, offset, ReadSize);
        }
    }

    private void FinishMd5()
    {
        Span<byte> digest = stackalloc byte[16];
        _md5.GetHashAndReset(digest);
    }
}
