using System.Diagnostics;
using Cairn.Bench.Load.Body;
using Cairn.Bench.Load.Http;
using Cairn.Bench.Load.Runner;
using Cairn.Bench.Load.S3;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// put, get, head and mix: many small requests at a fixed concurrency. In s3 mode every request of
/// the timed phase is signed before it starts (<see cref="PresignedRequests"/>), so the client spends
/// its CPU on HTTP only.
/// </summary>
internal static class RateScenarios
{
    private const string DefaultBucket = "cairn-bench";
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>Warm-up PUTs cycle over this many keys of their own (their overwrites are not measured).</summary>
    private const int WarmupPutKeys = 8192;

    /// <summary>The smallest pool of fresh-key PUTs signed when the warm-up rate sizes it.</summary>
    private const long MinimumPutPool = 10_000;

    /// <summary>mix: this share of requests are GETs, the rest PUTs.</summary>
    private const double MixGetShare = 0.7;

    /// <summary>
    /// put: each request writes the same body to a fresh key (s3) or to --path (raw); with
    /// <c>--bodies distinct</c> (s3) each body is a stream no other request of this run sends.
    /// </summary>
    public static async Task<ScenarioOutcome> PutAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        var body = FixedBody(options.Size);
        if (options.Mode == BenchMode.Raw)
        {
            var uri = context.RawUri;
            SendRequestAsync raw = (worker, _, token) =>
                SendAsync(context.Http, new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ReadOnlyMemoryContent(body) }, null, body.Length, worker, token);
            setup.Stop();
            await context.WarmUpAsync(options.Concurrency, ReadBufferSize, raw, cancellationToken);
            return new ScenarioOutcome(await context.MeasureAsync(options.Concurrency, ReadBufferSize, raw, cancellationToken), setup.Elapsed, CountsBytes: true);
        }

        var bucket = context.BucketOr(DefaultBucket);
        await context.EnsureBucketAsync(bucket, cancellationToken);
        var prefix = $"put/{context.RunId}/";
        // Distinct bodies are streams numbered from a random base, so neither another request of this
        // run nor an earlier run sends the same bytes; they go unsigned (one SHA-256 per request
        // would load the client).
        var streamBase = Random.Shared.NextInt64(1, 1L << 40) << 20;
        HttpContent Content(long stream) => options.DistinctBodies ? new PatternContent(streamBase + stream, 0, body.Length) : new ReadOnlyMemoryContent(body);
        var payloadHash = options.DistinctBodies ? SigV4Signer.UnsignedPayload : SigV4Signer.PayloadHash(body.Span);
        using var warmupPool = context.Presign(HttpMethod.Put, Math.Min(options.Requests, WarmupPutKeys),
            i => S3Uri.Object(bucket, prefix + "warmup-" + KeyName(i)), "", payloadHash);
        setup.Stop();
        var warmup = await context.WarmUpAsync(options.Concurrency, ReadBufferSize, (worker, sequence, token) =>
            SendAsync(context.Http, warmupPool.Create(sequence % warmupPool.Count, Content(-1 - sequence)), null, body.Length, worker, token),
            cancellationToken);

        setup.Start();
        var poolSize = PutPoolSize(options, warmup);
        using var timedPool = context.Presign(HttpMethod.Put, poolSize, i => S3Uri.Object(bucket, prefix + KeyName(i)), "", payloadHash);
        setup.Stop();
        var timed = await context.MeasureAsync(options.Concurrency, ReadBufferSize, (worker, sequence, token) =>
            SendAsync(context.Http, timedPool.Create(sequence, Content(sequence)), null, body.Length, worker, token),
            cancellationToken, maxRequests: poolSize);
        if (timed.Requests >= poolSize && poolSize < options.Requests && timed.Elapsed < options.Duration)
        {
            Console.Error.WriteLine($"note: the {poolSize} signed PUTs (four times the warm-up rate) ran out after {timed.Elapsed.TotalSeconds:F1} s;"
                + " pass --requests to sign more");
        }
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: true);
    }

    /// <summary>
    /// How many fresh-key PUTs to sign: --requests, but no more than four times what the warm-up rate
    /// would need for --duration (signing costs about 4 µs of CPU each, so a million would delay every
    /// run by seconds). Without a warm-up there is no rate to go by, and --requests is signed in full.
    /// </summary>
    private static long PutPoolSize(BenchOptions options, PhaseResult? warmup)
    {
        if (warmup is null || warmup.Elapsed <= TimeSpan.Zero)
        {
            return options.Requests;
        }
        var warmupRate = warmup.Requests / warmup.Elapsed.TotalSeconds;
        var needed = (long)Math.Ceiling(4 * warmupRate * options.Duration.TotalSeconds) + MinimumPutPool;
        return Math.Min(options.Requests, needed);
    }

    /// <summary>get or head: random keys of a set written in setup (s3), or --path (raw); every body length is checked.</summary>
    public static async Task<ScenarioOutcome> ReadAsync(BenchContext context, HttpMethod method, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        SendRequestAsync send;
        PresignedRequests? pool = null;
        if (options.Mode == BenchMode.Raw)
        {
            var uri = context.RawUri;
            send = (worker, _, token) => SendAsync(context.Http, new HttpRequestMessage(method, uri), options.Size, 0, worker, token);
        }
        else
        {
            var bucket = await EnsureReadSetAsync(context, cancellationToken);
            var readPool = pool = context.Presign(method, options.Keys, i => S3Uri.Object(bucket, ReadSetKey(options.Size, i)), "", SigV4Signer.EmptyPayloadHash);
            send = (worker, _, token) => SendAsync(context.Http, readPool.Create(worker.Random.NextInt64(readPool.Count), null), options.Size, 0, worker, token);
        }
        setup.Stop();
        using (pool)
        {
            await context.WarmUpAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
            var timed = await context.MeasureAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
            return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: method != HttpMethod.Head);
        }
    }

    /// <summary>
    /// mix: 70 % GETs of random keys, 30 % PUTs overwriting random keys of the same set (same length, so
    /// every GET still checks its length). Raw mode sends both to --path.
    /// </summary>
    public static async Task<ScenarioOutcome> MixAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        var body = FixedBody(options.Size);
        Func<long, HttpRequestMessage> get, put;
        long keys;
        PresignedRequests? getPool = null, putPool = null;
        if (options.Mode == BenchMode.Raw)
        {
            var uri = context.RawUri;
            keys = 1;
            get = _ => new HttpRequestMessage(HttpMethod.Get, uri);
            put = _ => new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ReadOnlyMemoryContent(body) };
        }
        else
        {
            var bucket = await EnsureReadSetAsync(context, cancellationToken);
            keys = options.Keys;
            var gets = getPool = context.Presign(HttpMethod.Get, keys, i => S3Uri.Object(bucket, ReadSetKey(options.Size, i)), "", SigV4Signer.EmptyPayloadHash);
            var puts = putPool = context.Presign(HttpMethod.Put, keys, i => S3Uri.Object(bucket, ReadSetKey(options.Size, i)), "", SigV4Signer.PayloadHash(body.Span));
            get = index => gets.Create(index, null);
            put = index => puts.Create(index, new ReadOnlyMemoryContent(body));
        }
        setup.Stop();
        using (getPool)
        using (putPool)
        {
            SendRequestAsync send = (worker, _, token) =>
            {
                var isGet = worker.Random.NextDouble() < MixGetShare;
                var index = worker.Random.NextInt64(keys);
                return isGet
                    ? SendAsync(context.Http, get(index), options.Size, 0, worker, token)
                    : SendAsync(context.Http, put(index), null, body.Length, worker, token);
            };
            await context.WarmUpAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
            var timed = await context.MeasureAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
            return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: true);
        }
    }

    /// <summary>The key of entry <paramref name="index"/> of the read set for <paramref name="size"/>-byte objects.</summary>
    private static string ReadSetKey(long size, long index) => $"get/{SizeText.Format(size)}/{KeyName(index)}";

    private static string KeyName(long index) => "k" + index.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bucket and the --keys objects of --size that get, head and mix read (written once, then reused).</summary>
    private static async Task<string> EnsureReadSetAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var bucket = context.BucketOr(DefaultBucket);
        await context.EnsureBucketAsync(bucket, cancellationToken);
        await DataSetup.EnsureKeysAsync(context, bucket, options.Keys, i => ReadSetKey(options.Size, i), options.Size, distinctBodies: true, cancellationToken);
        return bucket;
    }

    private static ReadOnlyMemory<byte> FixedBody(long size)
    {
        var body = new byte[size];
        PatternContent.Fill(-1, 0, body);
        return body;
    }

    /// <summary>
    /// One request: <paramref name="sentBytes"/> is the request body's length (PUT), <paramref name="expectedLength"/>
    /// the response body's (GET) or Content-Length (HEAD) when it is checked.
    /// </summary>
    private static async ValueTask<RequestOutcome> SendAsync(
        HttpClient http, HttpRequestMessage request, long? expectedLength, long sentBytes, WorkerState worker, CancellationToken cancellationToken)
    {
        var (succeeded, received) = await BenchHttp.ExchangeAsync(http, request, expectedLength, worker.Buffer, cancellationToken);
        return succeeded ? RequestOutcome.Ok(sentBytes + received) : RequestOutcome.Failed;
    }
}
