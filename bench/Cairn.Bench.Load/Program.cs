using System.Diagnostics;
using Cairn.Bench.Load;
using Cairn.Bench.Load.Output;
using Cairn.Bench.Load.Scenarios;

// cairn-bench: one scenario per run against a loopback S3 endpoint (or a raw HTTP path); a line on
// stdout, optionally a JSON line appended to --json. Exit 0 without errors, 1 with, 2 on bad arguments.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException ex)
{
    if (ex.IsHelp)
    {
        Console.WriteLine(BenchOptions.Usage);
        return 0;
    }
    Console.Error.WriteLine("cairn-bench: " + ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the run cleanly (requests in flight finish); a second one kills it.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

using var context = new BenchContext(options);
var started = Stopwatch.StartNew();
RunResult result;
try
{
    var outcome = await RunScenarioAsync(context, cancellation.Token);
    result = RunResult.From(options, outcome);
}
catch (BenchSetupException ex)
{
    Console.Error.WriteLine("cairn-bench: setup failed: " + ex.Message);
    result = RunResult.Failed(options, started.Elapsed);
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"cairn-bench: {options.Endpoint} unreachable during setup: {ex.Message}");
    result = RunResult.Failed(options, started.Elapsed);
}

Console.WriteLine(result.ToText());
if (options.JsonFile is not null)
{
    result.AppendJsonLine(options.JsonFile);
}
return result.Errors == 0 ? 0 : 1;

static Task<ScenarioOutcome> RunScenarioAsync(BenchContext context, CancellationToken cancellationToken) => context.Options.Scenario switch
{
    Scenario.Put => RateScenarios.PutAsync(context, cancellationToken),
    Scenario.Get => RateScenarios.ReadAsync(context, HttpMethod.Get, cancellationToken),
    Scenario.Head => RateScenarios.ReadAsync(context, HttpMethod.Head, cancellationToken),
    Scenario.Mix => RateScenarios.MixAsync(context, cancellationToken),
    Scenario.PutLarge => LargeObjectScenarios.PutLargeAsync(context, cancellationToken),
    Scenario.GetLarge => LargeObjectScenarios.GetLargeAsync(context, cancellationToken),
    Scenario.Multipart => MultipartScenario.RunAsync(context, cancellationToken),
    Scenario.List => ListScenarios.ListAsync(context, cancellationToken),
    Scenario.ListDelimiter => ListScenarios.ListDelimiterAsync(context, cancellationToken),
    _ => throw new ArgumentOutOfRangeException(nameof(context)),
};
