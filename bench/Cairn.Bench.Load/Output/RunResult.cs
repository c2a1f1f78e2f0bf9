using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Bench.Load.Scenarios;

namespace Cairn.Bench.Load.Output;

/// <summary>
/// One run's figures, as a line for people (stdout) and as one JSON object per line (--json, appended).
/// JSON fields: label, scenario, mode, endpoint, concurrency, size, requests, errors, seconds, opsPerSec,
/// p50Ms, p99Ms, bytesPerSec, keysPerSec, setupSeconds, then pages, clientCpuPercent and serverCpuUsPerOp; null where a
/// figure does not apply (bytesPerSec for head and listings, keysPerSec and pages outside list, size
/// for listings, latencies when nothing succeeded, serverCpuUsPerOp without --server-pid).
/// </summary>
internal sealed record RunResult
{
    public string? Label { get; init; }
    public required string Scenario { get; init; }
    public required string Mode { get; init; }
    public required string Endpoint { get; init; }
    public int Concurrency { get; init; }
    public long? Size { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double Seconds { get; init; }
    public double OpsPerSec { get; init; }
    public double? P50Ms { get; init; }
    public double? P99Ms { get; init; }
    public double? BytesPerSec { get; init; }
    public double? KeysPerSec { get; init; }
    public double SetupSeconds { get; init; }
    public long? Pages { get; init; }
    public double? ClientCpuPercent { get; init; }

    /// <summary>Server CPU time per successful request in microseconds (<c>--server-pid</c>), or null.</summary>
    public double? ServerCpuUsPerOp { get; init; }

    public static RunResult From(BenchOptions options, ScenarioOutcome outcome)
    {
        var timed = outcome.Timed;
        var seconds = timed.Elapsed.TotalSeconds;
        double PerSecond(double count) => seconds > 0 ? count / seconds : 0;
        return Empty(options, outcome.Setup) with
        {
            Requests = timed.Requests,
            Errors = timed.Errors,
            Seconds = seconds,
            OpsPerSec = PerSecond(timed.Succeeded),
            P50Ms = timed.Latencies.Percentile(50)?.TotalMilliseconds,
            P99Ms = timed.Latencies.Percentile(99)?.TotalMilliseconds,
            BytesPerSec = outcome.CountsBytes ? PerSecond(timed.Bytes) : null,
            KeysPerSec = outcome.Keys is { } keys ? PerSecond(keys) : null,
            Pages = outcome.Pages,
            ClientCpuPercent = timed.ClientCpuPercent,
            ServerCpuUsPerOp = timed.ServerCpu is { } serverCpu && timed.Succeeded > 0 ? serverCpu.TotalMicroseconds / timed.Succeeded : null,
        };
    }

    /// <summary>A run that measured nothing (its setup failed): one error, no figures.</summary>
    public static RunResult Failed(BenchOptions options, TimeSpan setup) => Empty(options, setup) with { Errors = 1 };

    private static RunResult Empty(BenchOptions options, TimeSpan setup) => new()
    {
        Label = options.Label,
        Scenario = ScenarioNames.Of(options.Scenario),
        Mode = options.Mode == BenchMode.S3 ? "s3" : "raw",
        Endpoint = string.Join(',', options.Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority))),
        Concurrency = options.Concurrency,
        Size = options.Scenario is Load.Scenario.List or Load.Scenario.ListDelimiter ? null : options.Size,
        SetupSeconds = setup.TotalSeconds,
    };

    /// <summary>The line for people, e.g. <c>get s3 c16 4KiB: 5234.1 ops/s, p50 2.910 ms, p99 7.800 ms, …</c>.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(Label is null ? "" : Label + ": ")}{Scenario} {Mode} c{Concurrency}");
        if (Size is { } size)
        {
            text.Append(' ').Append(SizeText.Format(size));
        }
        text.Append(CultureInfo.InvariantCulture, $": {Requests} requests, {Errors} errors in {Seconds:F2} s");
        var large = Scenario is "put-large" or "get-large" or "multipart";
        if (large)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {BytesPerSec / 1e6:F1} MB/s, {(OpsPerSec > 0 ? 1 / OpsPerSec : 0):F3} s per request");
            AppendLatencies(text, "s", 1e-3);
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"; {OpsPerSec:F1} ops/s");
            AppendLatencies(text, "ms", 1);
            if (BytesPerSec is { } bytesPerSec)
            {
                text.Append(CultureInfo.InvariantCulture, $", {bytesPerSec / 1e6:F1} MB/s");
            }
            if (KeysPerSec is { } keysPerSec)
            {
                text.Append(CultureInfo.InvariantCulture, $", {keysPerSec:F0} keys/s over {Pages} pages");
            }
        }
        text.Append(CultureInfo.InvariantCulture, $" (setup {SetupSeconds:F1} s");
        if (ClientCpuPercent is { } cpu)
        {
            text.Append(CultureInfo.InvariantCulture, $", client CPU {cpu:F0} % of a core");
        }
        if (ServerCpuUsPerOp is { } serverCpu)
        {
            text.Append(CultureInfo.InvariantCulture, $", server CPU {serverCpu:F1} us per request");
        }
        text.Append(')');
        return text.ToString();
    }

    private void AppendLatencies(StringBuilder text, string unit, double scale)
    {
        if (P50Ms is { } p50 && P99Ms is { } p99)
        {
            text.Append(CultureInfo.InvariantCulture, $", p50 {p50 * scale:F3} {unit}, p99 {p99 * scale:F3} {unit}");
        }
    }

    /// <summary>Appends the result to <paramref name="path"/> as one JSON line.</summary>
    public void AppendJsonLine(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteString(json, "label", Label);
            json.WriteString("scenario", Scenario);
            json.WriteString("mode", Mode);
            json.WriteString("endpoint", Endpoint);
            json.WriteNumber("concurrency", Concurrency);
            WriteNumber(json, "size", Size);
            json.WriteNumber("requests", Requests);
            json.WriteNumber("errors", Errors);
            json.WriteNumber("seconds", Math.Round(Seconds, 4));
            json.WriteNumber("opsPerSec", Math.Round(OpsPerSec, 2));
            WriteNumber(json, "p50Ms", P50Ms, 4);
            WriteNumber(json, "p99Ms", P99Ms, 4);
            WriteNumber(json, "bytesPerSec", BytesPerSec, 0);
            WriteNumber(json, "keysPerSec", KeysPerSec, 1);
            json.WriteNumber("setupSeconds", Math.Round(SetupSeconds, 3));
            WriteNumber(json, "pages", Pages);
            WriteNumber(json, "clientCpuPercent", ClientCpuPercent, 1);
            WriteNumber(json, "serverCpuUsPerOp", ServerCpuUsPerOp, 2);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value, int decimals)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, Math.Round(number, decimals));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
