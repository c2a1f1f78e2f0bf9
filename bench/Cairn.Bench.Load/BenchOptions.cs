using System.Globalization;

namespace Cairn.Bench.Load;

/// <summary>
/// The command line, parsed and checked, with the scenario's defaults filled in. Every run is
/// bounded twice: by <see cref="Requests"/> and by <see cref="Duration"/>, whichever ends first.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>Largest single PUT S3 accepts (5 GiB).</summary>
    public const long MaxSinglePutSize = 5L * 1024 * 1024 * 1024;

    /// <summary>S3's multipart limit on part count.</summary>
    public const int MaxPartCount = 10_000;

    public const string Usage = """
        usage: cairn-bench --endpoint http://127.0.0.1:PORT[,http://127.0.0.1:PORT2...] --scenario NAME [--mode s3|raw]
                           [--access-key K] [--secret-key S] [--region us-east-1] [--bucket NAME]
                           [--concurrency N] [--duration SECONDS] [--requests N] [--warmup SECONDS]
                           [--size BYTES] [--keys N] [--prefixes N] [--part-size BYTES]
                           [--path /PATH] [--label TEXT] [--json FILE] [--bodies same|distinct] [--server-pid PID]
          scenarios: put get head mix put-large get-large multipart list list-delimiter
          sizes take suffixes: 4096, 4KiB, 256MiB, 1GiB (KB, MB, GB are powers of 1000)
          credentials default to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, then CAIRN_ROOT_ACCESS_KEY /
          CAIRN_ROOT_SECRET_KEY; the endpoint must be loopback (127.0.0.1, ::1 or localhost).
          several endpoints (comma-separated, s3 mode): requests go round robin, all signed for the
          first endpoint's Host, as behind a load balancer that passes Host through.
          put bodies: the same for every request (default; the server stores one chunk), or distinct
          (--bodies distinct: no two share a chunk, sent UNSIGNED-PAYLOAD), so every PUT writes one.
          --server-pid: the server's process on this machine; its CPU time (from /proc) over the timed
          phase is reported per successful request (serverCpuUsPerOp).
          exit code: 0 without errors, 1 with errors, 2 on bad arguments.
        """;

    /// <summary>The endpoints requests go to, round robin; at least one, several only in s3 mode.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>The first endpoint: its authority is the Host every request is signed for and carries.</summary>
    public Uri Endpoint => Endpoints[0];

    public required Scenario Scenario { get; init; }
    public BenchMode Mode { get; init; } = BenchMode.S3;
    public string AccessKey { get; init; } = "";
    public string SecretKey { get; init; } = "";
    public string Region { get; init; } = "us-east-1";

    /// <summary>The bucket given, or null for the scenario's own (see <see cref="Scenarios.BenchContext"/>).</summary>
    public string? Bucket { get; init; }

    public int Concurrency { get; init; }
    public TimeSpan Duration { get; init; }
    public long Requests { get; init; }
    public TimeSpan Warmup { get; init; }
    public long Size { get; init; }
    public int Keys { get; init; }
    public int Prefixes { get; init; }
    public long PartSize { get; init; }
    public string Path { get; init; } = "/";
    public string? Label { get; init; }
    public string? JsonFile { get; init; }

    /// <summary>put in s3 mode: every request sends a body no other request sends (<c>--bodies distinct</c>), so no PUT is a dedup hit.</summary>
    public bool DistinctBodies { get; init; }

    /// <summary>The server's process id (<c>--server-pid</c>): its CPU time over the timed phase is reported; null for none.</summary>
    public int? ServerPid { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> on anything wrong.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var values = ReadPairs(args);
        string? Take(string name) => values.Remove(name, out var value) ? value : null;

        var endpointText = Take("endpoint") ?? throw new UsageException("--endpoint is required");
        var scenarioText = Take("scenario") ?? throw new UsageException("--scenario is required");
        if (!ScenarioNames.TryParse(scenarioText, out var scenario))
        {
            throw new UsageException($"unknown scenario '{scenarioText}'");
        }
        var mode = Take("mode") switch
        {
            null or "s3" => BenchMode.S3,
            "raw" => BenchMode.Raw,
            var other => throw new UsageException($"--mode must be s3 or raw, not '{other}'"),
        };
        if (mode == BenchMode.Raw && scenario is Scenario.Multipart or Scenario.List or Scenario.ListDelimiter)
        {
            throw new UsageException($"scenario {scenarioText} needs --mode s3");
        }

        var defaults = ScenarioDefaults.For(scenario);
        var options = new BenchOptions
        {
            Endpoints = [.. endpointText.Split(',').Select(ParseEndpoint)],
            Scenario = scenario,
            Mode = mode,
            AccessKey = Take("access-key") ?? Env("AWS_ACCESS_KEY_ID") ?? Env("CAIRN_ROOT_ACCESS_KEY") ?? "",
            SecretKey = Take("secret-key") ?? Env("AWS_SECRET_ACCESS_KEY") ?? Env("CAIRN_ROOT_SECRET_KEY") ?? "",
            Region = Take("region") ?? "us-east-1",
            Bucket = Take("bucket"),
            Concurrency = (int)ParseCount("concurrency", Take("concurrency"), defaults.Concurrency, max: 4096),
            Duration = ParseSeconds("duration", Take("duration"), 10, allowZero: false),
            Requests = ParseCount("requests", Take("requests"), defaults.Requests, max: 10_000_000),
            Warmup = ParseSeconds("warmup", Take("warmup"), 1, allowZero: true),
            Size = ParseSize("size", Take("size"), defaults.Size),
            Keys = (int)ParseCount("keys", Take("keys"), defaults.Keys, max: 10_000_000),
            Prefixes = (int)ParseCount("prefixes", Take("prefixes"), 100, max: 1000),
            PartSize = ParseSize("part-size", Take("part-size"), 8L * 1024 * 1024),
            Path = Take("path") ?? defaults.RawPath,
            Label = Take("label"),
            JsonFile = Take("json"),
            DistinctBodies = Take("bodies") switch
            {
                null or "same" => false,
                "distinct" => true,
                var other => throw new UsageException($"--bodies must be same or distinct, not '{other}'"),
            },
            ServerPid = Take("server-pid") is { } pid ? (int)ParseCount("server-pid", pid, 0, max: int.MaxValue) : null,
        };
        if (values.Count > 0)
        {
            throw new UsageException($"unknown option --{values.Keys.First()}");
        }
        options.Check();
        return options;
    }

    private void Check()
    {
        if (Mode == BenchMode.S3 && (AccessKey.Length == 0 || SecretKey.Length == 0))
        {
            throw new UsageException("s3 mode needs --access-key and --secret-key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
        }
        if (Mode == BenchMode.Raw && Endpoints.Count > 1)
        {
            throw new UsageException("several endpoints need --mode s3");
        }
        if (!Path.StartsWith('/'))
        {
            throw new UsageException("--path must start with '/'");
        }
        if (Scenario == Scenario.PutLarge && Size > MaxSinglePutSize)
        {
            throw new UsageException("put-large allows at most 5 GiB (S3's single PUT limit); use multipart above that");
        }
        if (Scenario == Scenario.Multipart && (Size + PartSize - 1) / PartSize > MaxPartCount)
        {
            throw new UsageException($"--size / --part-size needs more than {MaxPartCount} parts");
        }
        if (Scenario == Scenario.ListDelimiter && Keys < Prefixes)
        {
            throw new UsageException("list-delimiter needs at least one key per prefix (--keys >= --prefixes)");
        }
        // Fixed bodies and per-worker read buffers live in memory; the large scenarios stream instead.
        if ((Scenario is Scenario.Put or Scenario.Get or Scenario.Head or Scenario.Mix) && Size > 256L * 1024 * 1024)
        {
            throw new UsageException($"{ScenarioNames.Of(Scenario)} keeps bodies in memory: --size at most 256MiB (use put-large / get-large)");
        }
    }

    private static Dictionary<string, string> ReadPairs(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }
            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (name == "help")
                {
                    throw new UsageException(null);
                }
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"--{name} needs a value");
                }
                value = args[++i];
            }
            if (!values.TryAdd(name, value))
            {
                throw new UsageException($"--{name} given twice");
            }
        }
        return values;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>Only loopback endpoints: a load generator pointed elsewhere is a denial-of-service tool.</summary>
    private static Uri ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--endpoint '{text}' is not an http(s) URL");
        }
        if (uri.Host is not ("127.0.0.1" or "[::1]" or "localhost"))
        {
            throw new UsageException($"--endpoint host '{uri.Host}' is not loopback (127.0.0.1, ::1 or localhost)");
        }
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new UsageException("--endpoint takes no path or query (use --path in raw mode)");
        }
        return uri;
    }

    private static long ParseCount(string name, string? text, long fallback, long max)
    {
        if (text is null)
        {
            return fallback;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from 1 to {max}, not '{text}'");
        }
        return value;
    }

    private static TimeSpan ParseSeconds(string name, string? text, double fallback, bool allowZero)
    {
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 86_400 || (seconds <= 0 && !allowZero))
        {
            throw new UsageException($"--{name} must be a number of seconds{(allowZero ? "" : " above 0")}, not '{text}'");
        }
        return TimeSpan.FromSeconds(seconds);
    }

    private static long ParseSize(string name, string? text, long fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        return SizeText.TryParse(text, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} must be a size such as 4096, 4KiB, 8MiB or 1GiB, not '{text}'");
    }
}

/// <summary>A bad command line; the message (null for --help) goes to stderr with the usage.</summary>
internal sealed class UsageException(string? message) : Exception(message ?? "")
{
    public bool IsHelp => Message.Length == 0;
}
