using System.Diagnostics;

namespace Cairn.Bench.Load.Runner;

/// <summary>
/// A closed loop: <c>concurrency</c> workers each send a request, wait for its end and send the next,
/// until <c>maxRequests</c> were started or <c>maxDuration</c> passed (a request in flight at the
/// deadline finishes and counts; the elapsed time includes it).
/// </summary>
internal static class LoadRunner
{
    public static async Task<PhaseResult> RunAsync(
        int concurrency, long maxRequests, TimeSpan maxDuration, int bufferSize, SendRequestAsync send, CancellationToken cancellationToken)
    {
        var workers = new WorkerState[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = new WorkerState(i, bufferSize);
        }
        var counter = new RequestCounter(maxRequests);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        var deadline = maxDuration == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : start + (long)(maxDuration.TotalSeconds * Stopwatch.Frequency);

        var tasks = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var worker = workers[i];
            tasks[i] = Task.Run(() => WorkAsync(worker, counter, deadline, send, cancellationToken), CancellationToken.None);
        }
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;

        var latencies = new LatencyHistogram();
        long succeeded = 0, errors = 0, bytes = 0;
        foreach (var worker in workers)
        {
            latencies.Add(worker.Latencies);
            succeeded += worker.Succeeded;
            errors += worker.Errors;
            bytes += worker.Bytes;
        }
        return new PhaseResult(succeeded, errors, bytes, elapsed, latencies, cpu);
    }

    private static async Task WorkAsync(
        WorkerState worker, RequestCounter counter, long deadline, SendRequestAsync send, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline && counter.TryTake(out var sequence))
        {
            var started = Stopwatch.GetTimestamp();
            RequestOutcome outcome;
            try
            {
                outcome = await send(worker, sequence, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A benchmark counts a failed request and goes on; the first few are printed.
                ErrorReport.Exception(ex);
                outcome = RequestOutcome.Failed;
            }
            if (outcome.Succeeded)
            {
                worker.Latencies.Record(Stopwatch.GetElapsedTime(started));
                worker.Succeeded++;
                worker.Bytes += outcome.Bytes;
            }
            else
            {
                worker.Errors++;
            }
        }
    }

    /// <summary>Hands out request numbers 0 .. max-1, once each, across workers.</summary>
    private sealed class RequestCounter(long max)
    {
        private long _next = -1;

        public bool TryTake(out long sequence)
        {
            sequence = Interlocked.Increment(ref _next);
            return sequence < max;
        }
    }
}
