using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Cairn.S3.Xml;

namespace Cairn.Bench.Micro;

/// <summary>
/// <see cref="ListBucketResultWriter.WriteV2"/> for a full ListObjectsV2 page (1000 keys, the S3
/// maximum), about 240 KB of XML. <c>IntoFreshBuffer</c> is what the handler does today (a new
/// <see cref="ArrayBufferWriter{T}"/> of 1 KiB that grows as it fills); <c>IntoReusedBuffer</c> isolates
/// the writer itself.
/// </summary>
public class ListObjectsV2XmlBenchmarks
{
    private ListObjectsV2Result _page = null!;
    private ArrayBufferWriter<byte> _reusedBuffer = null!;

    [Params(1000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var lastModified = new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
        var random = new Random(42);
        var contents = new List<ObjectEntry>(Keys);
        var md5 = new byte[16];
        for (var i = 0; i < Keys; i++)
        {
            random.NextBytes(md5);
            contents.Add(new ObjectEntry(
                string.Create(CultureInfo.InvariantCulture, $"logs/2025/06/15/web-{i % 16:D2}/access-{i:D6}.log.gz"),
                lastModified.AddSeconds(i),
                Convert.ToHexStringLower(md5),
                random.NextInt64(1_000, 50_000_000)));
        }
        _page = new ListObjectsV2Result
        {
            Name = "media",
            Prefix = "logs/2025/06/15/",
            MaxKeys = 1000,
            IsTruncated = true,
            NextContinuationToken = "bG9ncy8yMDI1LzA2LzE1L3dlYi0wNy9hY2Nlc3MtMDAwOTk5LmxvZy5neg",
            Contents = contents,
        };
        _reusedBuffer = new ArrayBufferWriter<byte>();
        ListBucketResultWriter.WriteV2(_reusedBuffer, _page);
        Console.WriteLine($"// ListObjectsV2 page of {Keys} keys: {_reusedBuffer.WrittenCount:N0} bytes of XML");
    }

    [Benchmark(Baseline = true)]
    public int WriteListObjectsV2PageIntoFreshBuffer()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        ListBucketResultWriter.WriteV2(buffer, _page);
        return buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteListObjectsV2PageIntoReusedBuffer()
    {
        _reusedBuffer.ResetWrittenCount();
        ListBucketResultWriter.WriteV2(_reusedBuffer, _page);
        return _reusedBuffer.WrittenCount;
    }
}
