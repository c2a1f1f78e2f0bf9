using BenchmarkDotNet.Attributes;

namespace Cairn.Bench.Micro;

/// <summary>
/// The S3 flexible checksums Cairn computes over a body (<c>x-amz-checksum-*</c>), over one 4 MiB
/// chunk. Which implementation runs depends on the machine: zlib or a table for CRC-32, SSE4.2/ARM
/// CRC instructions or a table for CRC-32C, carry-less multiply folding or a table for CRC-64/NVME.
/// </summary>
[BytesPerOperation(ChunkSize)]
public class ChecksumBenchmarks
{
    public const int ChunkSize = 4 * 1024 * 1024;

    private byte[] _chunk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chunk = new byte[ChunkSize];
        new Random(42).NextBytes(_chunk);
        Console.WriteLine($"// CRC-32 native (zlib): {Core.Crc32.IsNative}; CRC-32C hardware: {Core.Crc32C.IsHardwareAccelerated}; "
            + $"CRC-64/NVME hardware: {Core.Crc64Nvme.IsHardwareAccelerated}");
    }

    [Benchmark]
    public uint Crc32() => Core.Crc32.Compute(_chunk);

    [Benchmark]
    public uint Crc32C() => Core.Crc32C.Compute(_chunk);

    [Benchmark]
    public ulong Crc64Nvme() => Core.Crc64Nvme.Compute(_chunk);
}
