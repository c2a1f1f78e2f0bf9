using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Cairn.Bench.Micro;

/// <summary>The configuration every micro-benchmark runs with.</summary>
internal static class MicroBenchmarkConfig
{
    /// <summary>Our own command-line flag: a short job, for a run of a few minutes in all.</summary>
    public const string QuickFlag = "--quick";

    /// <summary>
    /// BenchmarkDotNet's defaults (columns, console logger, analysers, validators) with the memory
    /// diagnoser, a throughput column for benchmarks that declare their bytes, and only the
    /// GitHub-markdown and JSON exporters (docs/benchmarks.md takes the markdown tables as they are).
    /// </summary>
    public static IConfig Create(bool quick)
    {
        var defaults = DefaultConfig.Instance;
        var config = ManualConfig.CreateEmpty()
            .AddColumnProvider(defaults.GetColumnProviders().ToArray())
            .AddLogger(defaults.GetLoggers().ToArray())
            .AddAnalyser(defaults.GetAnalysers().ToArray())
            .AddValidator(defaults.GetValidators().ToArray())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(ThroughputColumn.Instance)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Full)
            // Building the generated project recompiles the Cairn projects it references; on a busy
            // two-core machine that passes BenchmarkDotNet's default limit of two minutes.
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
        if (quick)
        {
            // Marked default, so it replaces the job BenchmarkDotNet would otherwise take from the
            // command line (a --job there is ignored: --quick already is a short job).
            config.AddJob(QuickJob().AsDefault());
        }
        else
        {
            // A mutator is applied to every job, whichever one the command line asks for (--job short,
            // --iterationCount, ...), so each gets the toolchain that finds this project.
            config.AddJob(Job.Default.WithToolchain(BenchProjectToolchain.Create()).AsMutator());
        }
        return config;
    }

    /// <summary>
    /// BenchmarkDotNet's ShortRun (3 warm-up and 3 measured iterations) run in this process: no project to build,
    /// no process per benchmark, so the whole suite takes a few minutes. Wide error bars: it shows
    /// orders of magnitude and regressions, not fine differences.
    /// </summary>
    private static Job QuickJob() => Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick");
}
