using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Cairn.Bench.Micro;

/// <summary>
/// MiB/s at the mean time, for benchmarks marked with <see cref="BytesPerOperationAttribute"/>; the
/// column only appears in tables that have such a benchmark.
/// </summary>
internal sealed class ThroughputColumn : IColumn
{
    private const double BytesPerMiB = 1024 * 1024;
    private const double NanosecondsPerSecond = 1e9;

    public static readonly ThroughputColumn Instance = new();

    private ThroughputColumn()
    {
    }

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "Throughput";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 100;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes processed per second at the mean time per operation, in MiB/s";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(static c => BytesPerOperation(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var bytes = BytesPerOperation(benchmarkCase);
        // Mean is per operation (BenchmarkDotNet already divided by OperationsPerInvoke), in nanoseconds.
        var meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (bytes is null || meanNanoseconds is not > 0)
        {
            return "-";
        }
        var mibPerSecond = bytes.Value / BytesPerMiB / (meanNanoseconds.Value / NanosecondsPerSecond);
        return mibPerSecond.ToString("N0", CultureInfo.InvariantCulture) + " MiB/s";
    }

    public override string ToString() => ColumnName;

    private static int? BytesPerOperation(BenchmarkCase benchmarkCase)
    {
        var descriptor = benchmarkCase.Descriptor;
        return (descriptor.WorkloadMethod.GetCustomAttribute<BytesPerOperationAttribute>()
            ?? descriptor.Type.GetCustomAttribute<BytesPerOperationAttribute>())?.Bytes;
    }
}
