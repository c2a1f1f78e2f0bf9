using BenchmarkDotNet.Attributes;
using Cairn.Core;

namespace Cairn.Bench.Micro;

/// <summary>
/// The S3 flexible checksums Cairn computes over a body (<c>x-amz-checksum-*</c>), over one 4 MiB
/// chunk, through <see cref="IncrementalChecksum"/> as the server does. The CRCs are System.IO.Hashing's,
/// which picks carry-less multiply folding or CRC instructions where the CPU has them.
/// </summary>
[BytesPerOperation(ChunkSize)]
public class ChecksumBenchmarks
{
    public const int ChunkSize = 4 * 1024 * 1024;

    private byte[] _chunk = null!;
    private IncrementalChecksum _crc32 = null!;
    private IncrementalChecksum _crc32C = null!;
    private IncrementalChecksum _crc64Nvme = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chunk = new byte[ChunkSize];
        new Random(42).NextBytes(_chunk);
        _crc32 = IncrementalChecksum.Create(ChecksumAlgorithm.Crc32);
        _crc32C = IncrementalChecksum.Create(ChecksumAlgorithm.Crc32C);
        _crc64Nvme = IncrementalChecksum.Create(ChecksumAlgorithm.Crc64Nvme);
    }

    [Benchmark]
    public byte[] Crc32() => Digest(_crc32);

    [Benchmark]
    public byte[] Crc32C() => Digest(_crc32C);

    [Benchmark]
    public byte[] Crc64Nvme() => Digest(_crc64Nvme);

    private byte[] Digest(IncrementalChecksum checksum)
    {
        checksum.Append(_chunk);
        return checksum.GetHashAndReset();
    }
}
