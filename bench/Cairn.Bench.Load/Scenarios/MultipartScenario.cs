using System.Diagnostics;
using Cairn.Bench.Load.Body;
using Cairn.Bench.Load.Runner;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// multipart: whole multipart uploads of --size, one after another (--requests of them), each
/// CreateMultipartUpload, UploadPart × N with --concurrency parts in flight, CompleteMultipartUpload.
/// Parts stream slices of one <see cref="PatternContent"/> stream, so the object is as if uploaded
/// whole and no part deduplicates against another. A failed upload is aborted and counted as an error.
/// </summary>
internal static class MultipartScenario
{
    private const string DefaultBucket = "cairn-bench";

    public static async Task<ScenarioOutcome> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        var bucket = context.BucketOr(DefaultBucket);
        await context.EnsureBucketAsync(bucket, cancellationToken);
        setup.Stop();
        SendRequestAsync send = async (_, _, token) =>
            await UploadAsync(context, bucket, token) ? RequestOutcome.Ok(options.Size) : RequestOutcome.Failed;
        // Uploads run one at a time; the parallelism is inside an upload.
        await context.WarmUpAsync(1, 0, send, cancellationToken);
        var timed = await context.MeasureAsync(1, 0, send, cancellationToken);
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: true);
    }

    private static async Task<bool> UploadAsync(BenchContext context, string bucket, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = context.S3;
        var streamId = context.NextStreamId();
        var key = $"multipart/{context.RunId}/{streamId}";
        var uploadId = await s3.CreateMultipartUploadAsync(bucket, key, cancellationToken);
        if (uploadId is null)
        {
            return false;
        }
        var partCount = (int)((options.Size + options.PartSize - 1) / options.PartSize);
        var etags = new string?[partCount];
        var nextPart = -1;
        var failed = false;
        // Each uploader takes the next part number until none are left or any part failed.
        async Task UploadPartsAsync()
        {
            try
            {
                int part;
                while (!Volatile.Read(ref failed) && (part = Interlocked.Increment(ref nextPart)) < partCount)
                {
                    var offset = part * options.PartSize;
                    var content = new PatternContent(streamId, offset, Math.Min(options.PartSize, options.Size - offset));
                    var etag = await s3.UploadPartAsync(bucket, key, uploadId, part + 1, content, cancellationToken);
                    if (etag is null)
                    {
                        Volatile.Write(ref failed, true);
                    }
                    etags[part] = etag;
                }
            }
            catch
            {
                Volatile.Write(ref failed, true);
                throw;
            }
        }
        var uploaders = new Task[Math.Min(options.Concurrency, partCount)];
        for (var i = 0; i < uploaders.Length; i++)
        {
            uploaders[i] = Task.Run(UploadPartsAsync, CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(uploaders);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The runner counts the exception as the error; the upload must not linger.
            await s3.AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None);
            throw;
        }
        if (!failed && await s3.CompleteMultipartUploadAsync(bucket, key, uploadId, etags!, cancellationToken))
        {
            return true;
        }
        await s3.AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None);
        return false;
    }
}
