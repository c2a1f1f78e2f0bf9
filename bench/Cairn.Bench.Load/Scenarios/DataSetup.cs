using Cairn.Bench.Load.Body;
using Cairn.Bench.Load.Http;
using Cairn.Bench.Load.Runner;
using Cairn.Bench.Load.S3;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// Fills a bucket with the keys a scenario reads, untimed, on its own connections. The last key is
/// written only after all the others succeeded, so its presence marks a complete setup and the next
/// run with the same keys skips the work (a 100,000-key listing bucket is built once).
/// </summary>
internal static class DataSetup
{
    private const int MaxConcurrency = 64;
    private const long MaxBufferedBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Ensures keys <c>keyOf(0 .. count-1)</c> exist with <paramref name="size"/> bytes each. Distinct
    /// bodies (for reads, so no two keys share a chunk) are generated and signed per key; otherwise
    /// every key gets the same tiny body and the PUTs are signed before they are sent.
    /// </summary>
    public static async Task EnsureKeysAsync(
        BenchContext context, string bucket, long count, Func<long, string> keyOf, long size, bool distinctBodies, CancellationToken cancellationToken)
    {
        if (await context.S3.HeadObjectLengthAsync(bucket, keyOf(count - 1), cancellationToken) == size)
        {
            return;
        }
        Console.Error.WriteLine($"setup: writing {count} keys of {SizeText.Format(size)} to {bucket}");
        // Each worker holds one body in memory when bodies are distinct.
        var concurrency = distinctBodies ? (int)Math.Clamp(MaxBufferedBytes / size, 1, MaxConcurrency) : MaxConcurrency;
        using var http = BenchHttp.CreateClient(concurrency);
        var client = new BenchS3Client(http, context.Signer, context.Endpoints);
        var bufferSize = distinctBodies ? (int)size : 4096;
        PresignedRequests? pool = null;
        try
        {
            SendRequestAsync send;
            if (distinctBodies)
            {
                send = async (worker, sequence, token) =>
                {
                    var body = worker.Buffer.AsMemory(0, (int)size);
                    // Negative stream ids: setup bodies never equal the bodies runs upload.
                    PatternContent.Fill(-(sequence + 1), 0, body.Span);
                    return await client.PutObjectAsync(bucket, keyOf(sequence), body, token) ? RequestOutcome.Ok(size) : RequestOutcome.Failed;
                };
            }
            else
            {
                var body = new byte[size];
                PatternContent.Fill(-1, 0, body);
                var signedPool = pool = context.Presign(HttpMethod.Put, count, i => S3Uri.Object(bucket, keyOf(i)), "", SigV4Signer.PayloadHash(body));
                send = async (worker, sequence, token) =>
                {
                    var request = signedPool.Create(sequence, new ReadOnlyMemoryContent(body));
                    var (succeeded, _) = await BenchHttp.ExchangeAsync(http, request, expectedLength: null, worker.Buffer, token);
                    return succeeded ? RequestOutcome.Ok(size) : RequestOutcome.Failed;
                };
            }

            if (count > 1)
            {
                var bulk = await LoadRunner.RunAsync(concurrency, count - 1, Timeout.InfiniteTimeSpan, bufferSize, send, cancellationToken);
                if (bulk.Errors > 0)
                {
                    throw new BenchSetupException($"{bulk.Errors} of {count - 1} setup PUTs to {bucket} failed");
                }
            }
            var marker = await send(new WorkerState(0, bufferSize), count - 1, cancellationToken);
            if (!marker.Succeeded)
            {
                throw new BenchSetupException($"the last setup PUT to {bucket} failed");
            }
        }
        finally
        {
            pool?.Dispose();
        }
    }
}
