using System.Security.Cryptography;
using Cairn.Bench.Load.Http;
using Cairn.Bench.Load.Runner;
using Cairn.Bench.Load.S3;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// What every scenario of one run shares: the options, the measuring HttpClient (one connection per
/// worker), the signer and S3 client (s3 mode), a run id that keeps keys fresh across runs, and the
/// warm-up phase.
/// </summary>
internal sealed class BenchContext : IDisposable
{
    private readonly SigV4Signer? _signer;
    private readonly BenchS3Client? _s3;
    private long _nextStreamId;

    public BenchContext(BenchOptions options)
    {
        Options = options;
        Http = BenchHttp.CreateClient(options.Concurrency);
        Endpoints = new EndpointRing(options.Endpoints);
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        // Pattern streams of different runs must differ too, or a server would deduplicate them.
        _nextStreamId = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 24);
        if (options.Mode == BenchMode.S3)
        {
            _signer = new SigV4Signer(options.AccessKey, options.SecretKey, options.Region, options.Endpoint.Authority);
            _s3 = new BenchS3Client(Http, _signer, Endpoints);
        }
    }

    public BenchOptions Options { get; }

    public HttpClient Http { get; }

    /// <summary>The endpoints, taken in turn by every signed request of the run (pools, setup, listings).</summary>
    public EndpointRing Endpoints { get; }

    /// <summary>Eight hex characters, different in every run: keys written by a run start with it.</summary>
    public string RunId { get; }

    public SigV4Signer Signer => _signer ?? throw new InvalidOperationException("raw mode signs nothing");

    public BenchS3Client S3 => _s3 ?? throw new InvalidOperationException("raw mode signs nothing");

    public Uri RawUri => new(Options.Endpoint, Options.Path);

    /// <summary>The bucket given on the command line, else the scenario's own.</summary>
    public string BucketOr(string scenarioBucket) => Options.Bucket ?? scenarioBucket;

    /// <summary>A stream id for <see cref="Body.PatternContent"/> no other body of this run (or, almost surely, any run) uses.</summary>
    public long NextStreamId() => Interlocked.Increment(ref _nextStreamId);

    public PresignedRequests Presign(HttpMethod method, long count, Func<long, string> pathOf, string query, string payloadHash) =>
        new(Signer, Endpoints, method, count, pathOf, query, payloadHash);

    /// <summary>Creates <paramref name="bucket"/> if missing; any other failure ends the run as a failed setup.</summary>
    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!await S3.EnsureBucketAsync(bucket, cancellationToken))
        {
            throw new BenchSetupException($"could not create bucket {bucket}");
        }
    }

    /// <summary>
    /// Runs <paramref name="send"/> for the warm-up time (whole requests; at least one if any). Its figures
    /// are not reported; null when --warmup is 0.
    /// </summary>
    public async Task<PhaseResult?> WarmUpAsync(int concurrency, int bufferSize, SendRequestAsync send, CancellationToken cancellationToken) =>
        Options.Warmup > TimeSpan.Zero
            ? await LoadRunner.RunAsync(concurrency, long.MaxValue, Options.Warmup, bufferSize, send, cancellationToken)
            : null;

    /// <summary>The timed phase, bounded by --duration and by --requests (or <paramref name="maxRequests"/> when smaller).</summary>
    public async Task<PhaseResult> MeasureAsync(
        int concurrency, int bufferSize, SendRequestAsync send, CancellationToken cancellationToken, long maxRequests = long.MaxValue)
    {
        var serverCpuBefore = Options.ServerPid is { } pid ? ProcessCpu.Read(pid) : (TimeSpan?)null;
        var phase = await LoadRunner.RunAsync(concurrency, Math.Min(Options.Requests, maxRequests), Options.Duration, bufferSize, send,
            cancellationToken);
        return serverCpuBefore is { } before ? phase with { ServerCpu = ProcessCpu.Read(Options.ServerPid!.Value) - before } : phase;
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>A setup step failed (bucket, objects): the run measures nothing and exits with 1.</summary>
internal sealed class BenchSetupException(string message) : Exception(message);
