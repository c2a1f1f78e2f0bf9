using System.Diagnostics;
using System.Globalization;
using Cairn.Bench.Load.Runner;
using Cairn.Bench.Load.S3;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// list and list-delimiter: ListObjectsV2 over a bucket that holds exactly --keys keys, built once
/// per key count (bucket <c>bench-list-N</c> / <c>bench-listd-N-P</c>) and reused by later runs.
/// Every page is counted; a total that differs from what setup wrote is an error.
/// </summary>
internal static class ListScenarios
{
    private const int MaxKeys = 1000;

    /// <summary>Setup keys carry this many bytes each: listing cost should not depend on bodies.</summary>
    private const long TinyBodySize = 16;

    /// <summary>list: full passes (max-keys 1000, continuation tokens); one pass is one measured request.</summary>
    public static async Task<ScenarioOutcome> ListAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        var bucket = context.BucketOr($"bench-list-{options.Keys}");
        var width = Digits(options.Keys - 1, minimum: 6);
        await context.EnsureBucketAsync(bucket, cancellationToken);
        await DataSetup.EnsureKeysAsync(context, bucket, options.Keys, i => "k" + i.ToString("D" + width, CultureInfo.InvariantCulture),
            TinyBodySize, distinctBodies: false, cancellationToken);
        setup.Stop();

        long keys = 0, pages = 0;
        // A pass may not take more pages than the keys need (plus slack): a server that keeps answering
        // IsTruncated would otherwise hold the loop forever.
        var maxPages = (options.Keys / MaxKeys) + 2;
        SendRequestAsync pass = async (_, _, token) =>
        {
            long passKeys = 0, passPages = 0;
            string? continuation = null;
            do
            {
                var page = await context.S3.ListObjectsV2Async(bucket, delimiter: null, continuation, MaxKeys, token);
                if (page is null)
                {
                    return RequestOutcome.Failed;
                }
                passPages++;
                passKeys += page.Keys;
                if (page.KeyCount is { } keyCount && keyCount != page.Keys)
                {
                    ErrorReport.Message($"ListObjectsV2 {bucket}: KeyCount {keyCount} but {page.Keys} Contents");
                    return RequestOutcome.Failed;
                }
                continuation = page.IsTruncated ? page.NextContinuationToken : null;
                if (page.IsTruncated && continuation is null)
                {
                    ErrorReport.Message($"ListObjectsV2 {bucket}: IsTruncated without NextContinuationToken");
                    return RequestOutcome.Failed;
                }
            }
            while (continuation is not null && passPages < maxPages);
            Interlocked.Add(ref pages, passPages);
            if (passKeys != options.Keys || continuation is not null)
            {
                ErrorReport.Message($"ListObjectsV2 {bucket}: a full pass found {passKeys} keys in {passPages} pages, expected {options.Keys}");
                return RequestOutcome.Failed;
            }
            Interlocked.Add(ref keys, passKeys);
            return RequestOutcome.Ok(0);
        };
        await context.WarmUpAsync(options.Concurrency, 0, pass, cancellationToken);
        keys = 0;
        pages = 0;
        var timed = await context.MeasureAsync(options.Concurrency, 0, pass, cancellationToken);
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: false, Keys: keys, Pages: pages);
    }

    /// <summary>
    /// list-delimiter: the root of a bucket whose keys are spread evenly under --prefixes prefixes
    /// (<c>p042/k000123</c>), listed with delimiter "/": one request answering the prefixes, replayed
    /// from one signature at --concurrency.
    /// </summary>
    public static async Task<ScenarioOutcome> ListDelimiterAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var setup = Stopwatch.StartNew();
        var bucket = context.BucketOr($"bench-listd-{options.Keys}-{options.Prefixes}");
        var prefixWidth = Digits(options.Prefixes - 1, minimum: 3);
        var keyWidth = Digits(options.Keys - 1, minimum: 6);
        string KeyOf(long i) =>
            "p" + (i % options.Prefixes).ToString("D" + prefixWidth, CultureInfo.InvariantCulture)
            + "/k" + i.ToString("D" + keyWidth, CultureInfo.InvariantCulture);
        await context.EnsureBucketAsync(bucket, cancellationToken);
        await DataSetup.EnsureKeysAsync(context, bucket, options.Keys, KeyOf, TinyBodySize, distinctBodies: false, cancellationToken);
        using var pool = context.Presign(HttpMethod.Get, 1, _ => S3Uri.Bucket(bucket),
            S3Uri.Query(("list-type", "2"), ("delimiter", "/"), ("max-keys", MaxKeys.ToString(CultureInfo.InvariantCulture))),
            SigV4Signer.EmptyPayloadHash);
        setup.Stop();

        SendRequestAsync list = async (_, _, token) =>
        {
            using var request = pool.Create(0, null);
            var page = await BenchS3Client.SendListAsync(context.Http, request, token);
            if (page is null)
            {
                return RequestOutcome.Failed;
            }
            if (page.CommonPrefixes != options.Prefixes || page.Keys != 0 || page.IsTruncated)
            {
                ErrorReport.Message($"ListObjectsV2 {bucket} delimiter '/': {page.CommonPrefixes} prefixes and {page.Keys} keys"
                    + $"{(page.IsTruncated ? " (truncated)" : "")}, expected {options.Prefixes} prefixes");
                return RequestOutcome.Failed;
            }
            return RequestOutcome.Ok(0);
        };
        await context.WarmUpAsync(options.Concurrency, 0, list, cancellationToken);
        var timed = await context.MeasureAsync(options.Concurrency, 0, list, cancellationToken);
        return new ScenarioOutcome(timed, setup.Elapsed, CountsBytes: false);
    }

    private static int Digits(long value, int minimum) => Math.Max(minimum, value.ToString(CultureInfo.InvariantCulture).Length);
}
