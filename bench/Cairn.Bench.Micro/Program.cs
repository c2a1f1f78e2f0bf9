using BenchmarkDotNet.Running;
using Cairn.Bench.Micro;

// BenchmarkDotNet parses the usual options (--filter, --job, --artifacts, ...); --quick is ours and
// must not reach its parser, which rejects options it does not know.
var quick = args.Contains(MicroBenchmarkConfig.QuickFlag, StringComparer.Ordinal);
var benchmarkArgs = Array.FindAll(args, static arg => arg != MicroBenchmarkConfig.QuickFlag);

BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarkConfig).Assembly).Run(benchmarkArgs, MicroBenchmarkConfig.Create(quick));
