using System.Diagnostics;
using Cairn.Bench.Load.Body;
using Cairn.Bench.Load.Http;
using Cairn.Bench.Load.Runner;
using Cairn.Bench.Load.S3;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// put-large and get-large: single requests of --size (up to 5 GiB), one after another by default,
/// for throughput. Bodies stream from <see cref="PatternContent"/>, responses are read into a 1 MiB
/// buffer and dropped, so memory stays flat whatever the size. Each request is signed as it starts
/// (microseconds against seconds of transfer), with UNSIGNED-PAYLOAD: hashing the body would make the
/// client the bottleneck.
/// </summary>
internal static class LargeObjectScenarios
{
    private const string DefaultBucket = "cairn-bench";
    private const int ReadBufferSize = 1024 * 1024;

    public static async Task<ScenarioOutcome> PutLargeAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        // Every PUT streams a body no other PUT sends (its own stream id), so nothing deduplicates.
        Func<long, HttpRequestMessage> createRequest;
        if (options.Mode == BenchMode.Raw)
        {
            var uri = context.RawUri;
            createRequest = streamId => new HttpRequestMessage(HttpMethod.Put, uri) { Content = new PatternContent(streamId, 0, options.Size) };
        }
        else
        {
            var bucket = context.BucketOr(DefaultBucket);
            await context.EnsureBucketAsync(bucket, cancellationToken);
            createRequest = streamId => context.S3.Signed(HttpMethod.Put, S3Uri.Object(bucket, $"put-large/{context.RunId}/{streamId}"), "",
                SigV4Signer.UnsignedPayload, new PatternContent(streamId, 0, options.Size));
        }
        setup.Stop();
        SendRequestAsync send = async (worker, _, token) =>
        {
            var request = createRequest(context.NextStreamId());
            var (succeeded, _) = await BenchHttp.ExchangeAsync(context.Http, request, expectedLength: null, worker.Buffer, token);
            return succeeded ? RequestOutcome.Ok(options.Size) : RequestOutcome.Failed;
        };
        await context.WarmUpAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
        var timed = await context.MeasureAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: true);
    }

    public static async Task<ScenarioOutcome> GetLargeAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        Func<HttpRequestMessage> createRequest;
        if (options.Mode == BenchMode.Raw)
        {
            var uri = context.RawUri;
            createRequest = () => new HttpRequestMessage(HttpMethod.Get, uri);
        }
        else
        {
            var bucket = context.BucketOr(DefaultBucket);
            await context.EnsureBucketAsync(bucket, cancellationToken);
            var key = $"get-large/{SizeText.Format(options.Size)}";
            if (await context.S3.HeadObjectLengthAsync(bucket, key, cancellationToken) != options.Size)
            {
                Console.Error.WriteLine($"setup: writing {key} ({SizeText.Format(options.Size)}) to {bucket}");
                // A fixed stream id: the object is the same whichever run wrote it.
                if (!await context.S3.PutObjectStreamAsync(bucket, key, new PatternContent(-2, 0, options.Size), cancellationToken))
                {
                    throw new BenchSetupException($"could not write {bucket}/{key}");
                }
            }
            createRequest = () => context.S3.Signed(HttpMethod.Get, S3Uri.Object(bucket, key), "", SigV4Signer.EmptyPayloadHash, null);
        }
        setup.Stop();
        SendRequestAsync send = async (worker, _, token) =>
        {
            var (succeeded, received) = await BenchHttp.ExchangeAsync(context.Http, createRequest(), options.Size, worker.Buffer, token);
            return succeeded ? RequestOutcome.Ok(received) : RequestOutcome.Failed;
        };
        await context.WarmUpAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
        var timed = await context.MeasureAsync(options.Concurrency, ReadBufferSize, send, cancellationToken);
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: true);
    }
}
