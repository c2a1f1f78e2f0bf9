using Cairn.Core;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Lifecycle;

/// <summary>
/// Applies the buckets' lifecycle configurations (issue 13), by due time rather than by scanning:
/// it follows each configured bucket's change journal and judges every key the journal names
/// (<see cref="LifecycleEvaluator"/>), keeping when each key next needs it in the catalog
/// (<see cref="ILifecycleCatalog"/>); then it acts on the keys whose time has come, judging each
/// again first. A configuration put or replaced makes it judge the whole bucket once. Incomplete
/// multipart uploads are looked over at most once per lifecycle day and when one falls due.
/// </summary>
/// <remarks>
/// <para>Every action is a catalog write that checks what it was judged on: a current version is
/// expired only while it still has the ETag judged (If-Match), and a version is removed by its id
/// under the usual lock check (the lifecycle never bypasses governance). A key that changed since
/// it was judged is judged again from the journal. A version id removal cannot tell whether a
/// noncurrent version became current again in the milliseconds between judgement and removal
/// (someone removed the current version by id); S3's own lifecycle has the same window.</para>
/// <para>Its clock is the injected <see cref="TimeProvider"/>, its day <see cref="EngineOptions.LifecycleDay"/>.</para>
/// </remarks>
public sealed partial class LifecycleWorker(IBucketConfigurationCatalog configurations, ILifecycleCatalog lifecycle, IBucketTreeCatalog trees,
    IObjectCatalog objects, IMultipartCatalog multipart, EngineOptions options, TimeProvider time, ILogger<LifecycleWorker> logger,
    EngineMetrics? metrics = null, TierMover? tiers = null) : IWorker
{
    /// <summary>Keys judged per catalog write.</summary>
    private const int KeysPerBatch = 500;

    /// <summary>Due keys acted on per step.</summary>
    private const int DuePerStep = 1000;

    private const int UploadsPerPage = 1000;

    /// <summary>Due keys acted on at once.</summary>
    private const int ConcurrentKeys = 8;

    private readonly LifecycleCalendar _calendar = new(options.LifecycleDay);

    /// <summary>
    /// When a transition that failed (a tier or the hot store failing, a copy outrun by a compaction)
    /// is tried again: soon, but not in every step while a tier is down.
    /// </summary>
    private readonly TimeSpan _transitionRetry = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, options.LifecycleDay.Ticks / 4));

    /// <summary>
    /// Transitions failed in a row, by key: each failure doubles the wait before the next try, up to a
    /// lifecycle day (a tier refusing for good is not copied to every few minutes). Kept in memory: a
    /// restart starts afresh.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Bucket, string Key), int> _transitionFailures = new();

    private const int MaxRememberedFailures = 100_000;

    /// <summary>When each bucket's uploads are next looked over, and under which configuration that was computed.</summary>
    private readonly Dictionary<string, (DateTimeOffset ConfiguredAt, DateTimeOffset Next)> _uploadScans = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Name => "lifecycle";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>The lifecycle's calendar (its day is <see cref="EngineOptions.LifecycleDay"/>).</summary>
    public LifecycleCalendar Calendar => _calendar;

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var configured = await ReadConfigurationsAsync(cancellationToken).ConfigureAwait(false);
        var progress = (await lifecycle.ListLifecycleProgressAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(static p => p.Bucket, StringComparer.Ordinal);
        foreach (var bucket in progress.Keys.Where(bucket => !configured.ContainsKey(bucket)))
        {
            // The configuration was deleted: nothing is due any more.
            await lifecycle.ForgetLifecycleAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        var judged = 0;
        var aborted = 0;
        foreach (var (bucket, (configuration, configuredAt)) in configured)
        {
            // One bucket's failure (its catalog rows, a bad document) must not hold up the others.
            try
            {
                if (progress.TryGetValue(bucket, out var known) && known.ConfiguredAt == configuredAt)
                {
                    judged += await JudgeChangedKeysAsync(bucket, configuration, configuredAt, known.JournalSeq, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await lifecycle.ForgetLifecycleAsync(bucket, cancellationToken).ConfigureAwait(false);
                    var keys = await JudgeChangedKeysAsync(bucket, configuration, configuredAt, afterSeq: null, cancellationToken).ConfigureAwait(false);
                    judged += keys;
                    LogRebuilt(bucket, keys);
                }
                aborted += await AbortDueUploadsAsync(bucket, configuration, configuredAt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogBucketFailed(ex, bucket);
            }
        }
        foreach (var bucket in _uploadScans.Keys.Where(bucket => !configured.ContainsKey(bucket)).ToList())
        {
            _uploadScans.Remove(bucket);
        }
        var (acted, dueKeys) = await ActOnDueKeysAsync(configured, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        metrics?.LifecycleDueObserved(dueKeys == DuePerStep ? await lifecycle.CountLifecycleDueAsync(now, cancellationToken).ConfigureAwait(false) : 0);
        Status = $"last run {now:O}: {configured.Count} buckets configured, {judged} keys judged, {acted} versions expired or removed, {aborted} uploads aborted";
        if (acted > 0 || aborted > 0)
        {
            LogActed(acted, aborted);
        }
        return dueKeys == DuePerStep ? WorkerState.Busy : WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.LifecycleIdleWait, time, cancellationToken);

    /// <summary>
    /// What would be done by <paramref name="at"/> (now when null) in <paramref name="bucket"/>, as the
    /// worker judged its keys so far (its last step): each version's action, and the uploads that
    /// would be aborted. Changes nothing. Null when the bucket has no lifecycle configuration.
    /// </summary>
    public async Task<LifecyclePreview?> PreviewAsync(string bucket, DateTimeOffset? at, int max, CancellationToken cancellationToken)
    {
        var stored = await configurations.GetBucketConfigurationAsync(bucket, LifecycleService.Kind, BucketConfiguration.Single, cancellationToken)
            .ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }
        var configuration = LifecycleService.Decode(stored.Document);
        var moment = at ?? time.GetUtcNow();
        var actions = new List<LifecycleAction>();
        var dues = await lifecycle.ListLifecycleDueAsync(moment, max, cancellationToken, bucket).ConfigureAwait(false);
        foreach (var batch in dues.Select(static due => due.Key).Chunk(KeysPerBatch))
        {
            if (await ReadVersionsAsync(bucket, batch, cancellationToken).ConfigureAwait(false) is { } versions)
            {
                actions.AddRange(batch.SelectMany(key => LifecycleEvaluator.Evaluate(configuration, key, Judged(versions[key]), moment, _calendar).Due));
            }
        }
        var uploads = new List<LifecycleUploadAbort>();
        await foreach (var upload in ReadUploadsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            if (LifecycleEvaluator.UploadAbort(configuration, upload.Key, upload.Initiated, _calendar) is { } abort && abort.Due <= moment)
            {
                uploads.Add(new LifecycleUploadAbort(upload.Key, upload.UploadId, abort.RuleId, abort.Due));
            }
        }
        return new LifecyclePreview(bucket, moment, actions, uploads, Complete: dues.Count < max);
    }

    private async Task<Dictionary<string, (LifecycleConfiguration Configuration, DateTimeOffset ConfiguredAt)>> ReadConfigurationsAsync(
        CancellationToken cancellationToken)
    {
        var configured = new Dictionary<string, (LifecycleConfiguration, DateTimeOffset)>(StringComparer.Ordinal);
        foreach (var stored in await configurations.ListConfigurationsOfKindAsync(LifecycleService.Kind, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                configured[stored.Bucket] = (LifecycleService.Decode(stored.Document), stored.UpdatedAt);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
            {
                LogBucketFailed(ex, stored.Bucket);
            }
        }
        return configured;
    }

    /// <summary>
    /// Judges every key the bucket's journal names after <paramref name="afterSeq"/> (every key when
    /// null) and records when each next needs the worker, then the journal number reached. Returns
    /// the keys judged.
    /// </summary>
    private async Task<int> JudgeChangedKeysAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset configuredAt, long? afterSeq,
        CancellationToken cancellationToken)
    {
        await using var snapshot = await trees.OpenFoldSnapshotAsync(bucket, afterSeq, cancellationToken, forFold: false).ConfigureAwait(false);
        if (snapshot is null || (afterSeq is { } after && snapshot.HeadSeq == after))
        {
            return 0;
        }
        var now = time.GetUtcNow();
        var judged = 0;
        var batch = new List<string>(KeysPerBatch);
        await foreach (var key in snapshot.ReadChangedKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(key);
            if (batch.Count == KeysPerBatch)
            {
                judged += await SaveJudgementsAsync(bucket, configuration, snapshot, batch, now, progress: null, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        judged += await SaveJudgementsAsync(bucket, configuration, snapshot, batch, now, new LifecycleProgress(bucket, configuredAt, snapshot.HeadSeq),
            cancellationToken).ConfigureAwait(false);
        metrics?.LifecycleEvaluated(afterSeq is null ? "rebuild" : "journal", judged);
        return judged;
    }

    private async Task<int> SaveJudgementsAsync(string bucket, LifecycleConfiguration configuration, ITreeFoldSnapshot snapshot, List<string> keys,
        DateTimeOffset now, LifecycleProgress? progress, CancellationToken cancellationToken)
    {
        var versions = keys.Count == 0
            ? new Dictionary<string, IReadOnlyList<ObjectVersionRecord>>()
            : await snapshot.ReadVersionsAsync(keys, cancellationToken).ConfigureAwait(false);
        var dues = new List<LifecycleDue>(keys.Count);
        foreach (var key in keys)
        {
            var verdict = LifecycleEvaluator.Evaluate(configuration, key, Judged(versions[key]), now, _calendar);
            // Due now: the time it fell due (the act step below takes the earliest first).
            dues.Add(new LifecycleDue(bucket, key, verdict.Due.Count > 0 ? verdict.Due.Min(static action => action.Due) : verdict.NextDue));
        }
        await lifecycle.SaveLifecycleAsync(bucket, dues, progress, cancellationToken).ConfigureAwait(false);
        return keys.Count;
    }

    /// <summary>Acts on the keys due by now, judging each again first. Returns the versions acted on and the due keys read.</summary>
    private async Task<(int Acted, int DueKeys)> ActOnDueKeysAsync(
        Dictionary<string, (LifecycleConfiguration Configuration, DateTimeOffset ConfiguredAt)> configured, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await lifecycle.ListLifecycleDueAsync(now, DuePerStep, cancellationToken).ConfigureAwait(false);
        var acted = 0;
        foreach (var byBucket in due.GroupBy(static d => d.Bucket, StringComparer.Ordinal))
        {
            if (!configured.TryGetValue(byBucket.Key, out var entry))
            {
                // No configuration: left by a judgement of the whole bucket cut short (it records
                // progress only at its end) before the configuration was deleted. Forgotten, or they
                // would come first in every step.
                await lifecycle.ForgetLifecycleAsync(byBucket.Key, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var bucket = byBucket.Key;
            foreach (var batch in byBucket.Select(static d => d.Key).Chunk(KeysPerBatch))
            {
                // Read, then act with the reading closed: a write waits for no reader of its own.
                if (await ReadVersionsAsync(bucket, batch, cancellationToken).ConfigureAwait(false) is not { } versions)
                {
                    break; // the bucket is gone
                }
                var next = new LifecycleDue[batch.Length];
                // Keys side by side (a key's own actions in order): each action is its own catalog
                // write, and concurrent writes share commits (SQLite's group commit), as clients' do.
                await Parallel.ForAsync(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentKeys, CancellationToken = cancellationToken },
                    async (i, cancellation) =>
                    {
                        var key = batch[i];
                        var verdict = LifecycleEvaluator.Evaluate(entry.Configuration, key, Judged(versions[key]), now, _calendar);
                        var nextDue = verdict.NextDue;
                        foreach (var action in verdict.Due)
                        {
                            var outcome = await ActAsync(bucket, action, versions[key], now, cancellation).ConfigureAwait(false);
                            if (outcome == ActOutcome.Done)
                            {
                                Interlocked.Increment(ref acted);
                                _transitionFailures.TryRemove((bucket, key), out _);
                            }
                            else if (outcome == ActOutcome.Retry && now + TransitionRetryDelay(bucket, key) is var retryAt
                                && (nextDue is null || retryAt < nextDue))
                            {
                                // Nothing in the journal will bring the key back: a transition is tried again by its time.
                                nextDue = retryAt;
                            }
                        }
                        // What the actions change comes back through the journal and is judged then.
                        next[i] = new LifecycleDue(bucket, key, nextDue);
                    }).ConfigureAwait(false);
                await lifecycle.SaveLifecycleAsync(bucket, next, progress: null, cancellationToken).ConfigureAwait(false);
                metrics?.LifecycleEvaluated("due", batch.Length);
            }
        }
        return (acted, due.Count);
    }

    /// <summary>How long until a key whose transition just failed is tried again: doubling from the first wait, at most a day.</summary>
    private TimeSpan TransitionRetryDelay(string bucket, string key)
    {
        if (_transitionFailures.Count >= MaxRememberedFailures)
        {
            _transitionFailures.Clear(); // a tier down for a great many keys: start counting afresh
        }
        var failures = _transitionFailures.AddOrUpdate((bucket, key), 1, static (_, n) => n + 1);
        var delay = _transitionRetry * Math.Pow(2, Math.Min(failures - 1, 30));
        return delay < options.LifecycleDay ? delay : options.LifecycleDay;
    }

    /// <summary>What became of one action.</summary>
    private enum ActOutcome
    {
        Done,

        /// <summary>What it was judged on changed (the journal brings the key back), or a lock now forbids it.</summary>
        Skipped,

        /// <summary>A transition that failed or was refused for a reason the journal does not record: tried again later.</summary>
        Retry,
    }

    /// <summary>Takes one action on a version of <paramref name="versions"/> (the key's versions as judged).</summary>
    private async Task<ActOutcome> ActAsync(string bucket, LifecycleAction action, IReadOnlyList<ObjectVersionRecord> versions, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (action.Kind is LifecycleActionKind.TransitionCurrent or LifecycleActionKind.TransitionNoncurrent)
        {
            return await TransitionAsync(bucket, action, versions, cancellationToken).ConfigureAwait(false);
        }
        // Each write checks what the action was judged on: the current version by ETag and time, a
        // noncurrent one that it is still noncurrent (someone may have removed the version above it).
        var result = action.Kind == LifecycleActionKind.ExpireCurrent
            ? await objects.DeleteObjectAsync(bucket, action.Key,
                new WritePrecondition(IfNoneMatchAny: false, action.ETag) { IfLastModified = action.VersionLastModified }, now, options.GracePeriod,
                cancellationToken).ConfigureAwait(false)
            : await objects.DeleteObjectVersionAsync(bucket, action.Key, action.VersionId,
                action.Kind == LifecycleActionKind.ExpireNoncurrent ? new WritePrecondition(false, null) { IfNoncurrent = true } : WritePrecondition.None,
                bypassGovernance: false, now, options.GracePeriod, cancellationToken).ConfigureAwait(false);
        var done = result.Outcome == DeleteObjectOutcome.Deleted;
        metrics?.LifecycleActed(action.Kind, done);
        if (done)
        {
            LogAction(bucket, action.Key, action.VersionId, action.Kind, action.RuleId);
        }
        return done ? ActOutcome.Done : ActOutcome.Skipped;
    }

    /// <summary>Moves a version's bytes to the tier the action names (<see cref="TierMover"/>).</summary>
    private async Task<ActOutcome> TransitionAsync(string bucket, LifecycleAction action, IReadOnlyList<ObjectVersionRecord> versions,
        CancellationToken cancellationToken)
    {
        var version = versions.FirstOrDefault(version => version.VersionId == action.VersionId);
        if (tiers is null || action.StorageClass is not { } tier || !options.Tiers.Contains(tier, StringComparer.Ordinal) || version is null)
        {
            // A configuration naming a tier since removed from the settings: nothing to move it to.
            metrics?.LifecycleActed(action.Kind, "failed");
            LogNoTier(bucket, action.Key, action.StorageClass ?? "", action.RuleId);
            return ActOutcome.Retry;
        }
        try
        {
            var outcome = await tiers.MoveAsync(bucket, version, tier, cancellationToken).ConfigureAwait(false);
            metrics?.LifecycleActed(action.Kind, outcome == TierMoveOutcome.Moved ? "done" : "skipped");
            if (outcome == TierMoveOutcome.Moved)
            {
                LogAction(bucket, action.Key, action.VersionId, action.Kind, action.RuleId);
                return ActOutcome.Done;
            }
            return outcome == TierMoveOutcome.VersionChanged ? ActOutcome.Skipped : ActOutcome.Retry;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics?.LifecycleActed(action.Kind, "failed");
            LogTransitionFailed(ex, bucket, action.Key, action.VersionId, tier);
            return ActOutcome.Retry;
        }
    }

    /// <summary>
    /// Aborts the bucket's incomplete uploads whose time has come, looking them over at most once a
    /// lifecycle day (an upload begun after a look-over is due a day after it at the earliest) and
    /// when the earliest upload seen falls due. Returns how many were aborted.
    /// </summary>
    private async Task<int> AbortDueUploadsAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset configuredAt,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!configuration.Rules.Any(static rule => rule.Enabled && rule.AbortIncompleteUploadDays is not null)
            || (_uploadScans.TryGetValue(bucket, out var scan) && scan.ConfiguredAt == configuredAt && now < scan.Next))
        {
            return 0;
        }
        var next = now + options.LifecycleDay;
        var aborted = 0;
        await foreach (var upload in ReadUploadsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            if (LifecycleEvaluator.UploadAbort(configuration, upload.Key, upload.Initiated, _calendar) is not { } abort)
            {
                continue;
            }
            if (abort.Due > now)
            {
                next = abort.Due < next ? abort.Due : next;
                continue;
            }
            var done = await multipart.AbortMultipartUploadAsync(upload.UploadId, now, options.GracePeriod, cancellationToken).ConfigureAwait(false);
            metrics?.LifecycleActed(null, done);
            if (done)
            {
                aborted++;
                LogUploadAborted(bucket, upload.Key, upload.UploadId, abort.RuleId);
            }
        }
        _uploadScans[bucket] = (configuredAt, next);
        return aborted;
    }

    private async IAsyncEnumerable<MultipartUploadRecord> ReadUploadsAsync(string bucket,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? keyMarker = null;
        string? uploadIdMarker = null;
        while (true)
        {
            var page = await multipart.ListMultipartUploadsAsync(bucket, new MultipartUploadsQuery("", null, keyMarker, uploadIdMarker, UploadsPerPage),
                cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.Uploads)
            {
                yield return upload;
            }
            if (!page.IsTruncated || page.NextKeyMarker is null)
            {
                yield break;
            }
            (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
    }

    /// <summary>The versions of <paramref name="keys"/> as of now, newest first; null when the bucket is gone.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ObjectVersionRecord>>?> ReadVersionsAsync(string bucket, string[] keys,
        CancellationToken cancellationToken)
    {
        await using var snapshot = await trees.OpenFoldSnapshotAsync(bucket, afterSeq: null, cancellationToken, forFold: false).ConfigureAwait(false);
        return snapshot is null ? null : await snapshot.ReadVersionsAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A key's versions as the evaluator reads them (newest first, as the snapshot gives them).</summary>
    private static LifecycleVersion[] Judged(IReadOnlyList<ObjectVersionRecord> versions)
    {
        var judged = new LifecycleVersion[versions.Count];
        for (var i = 0; i < judged.Length; i++)
        {
            var version = versions[i];
            judged[i] = new LifecycleVersion(version.VersionId, version.IsDeleteMarker, version.Size, version.ETag, version.LastModified, version.Tags,
                version.Lock)
            {
                StorageClass = version.StorageClass,
                // An inline body (or none): nothing in the blob store to move.
                BodyInCatalog = version.Chunks.Count == 0,
            };
        }
        return judged;
    }

    // Event ids 170-179 belong to this worker; next free: 177.
    [LoggerMessage(EventId = 170, Level = LogLevel.Information, Message = "Lifecycle: judged all {Keys} keys of bucket {Bucket} under its configuration")]
    private partial void LogRebuilt(string bucket, int keys);

    [LoggerMessage(EventId = 171, Level = LogLevel.Information, Message = "Lifecycle: {Acted} versions expired or removed, {Aborted} uploads aborted")]
    private partial void LogActed(int acted, int aborted);

    [LoggerMessage(EventId = 172, Level = LogLevel.Debug, Message = "Lifecycle: {Kind} {Bucket}/{Key} version {VersionId} (rule {RuleId})")]
    private partial void LogAction(string bucket, string key, string versionId, LifecycleActionKind kind, string ruleId);

    [LoggerMessage(EventId = 173, Level = LogLevel.Debug, Message = "Lifecycle: aborted upload {UploadId} of {Bucket}/{Key} (rule {RuleId})")]
    private partial void LogUploadAborted(string bucket, string key, string uploadId, string ruleId);

    [LoggerMessage(EventId = 174, Level = LogLevel.Warning, Message = "Lifecycle: bucket {Bucket} could not be judged in this step; the others go on")]
    private partial void LogBucketFailed(Exception exception, string bucket);

    [LoggerMessage(EventId = 175, Level = LogLevel.Warning,
        Message = "Lifecycle: moving {Bucket}/{Key} version {VersionId} to tier {Tier} failed; nothing changed, tried again later")]
    private partial void LogTransitionFailed(Exception exception, string bucket, string key, string versionId, string tier);

    [LoggerMessage(EventId = 176, Level = LogLevel.Warning,
        Message = "Lifecycle: rule {RuleId} moves {Bucket}/{Key} to tier '{Tier}', which is not configured; tried again later")]
    private partial void LogNoTier(string bucket, string key, string tier, string ruleId);
}

/// <summary>
/// What the lifecycle would do in a bucket by <see cref="At"/>: versions' actions and uploads'
/// aborts; <see cref="Complete"/> is false when more keys were due than the preview was allowed to look at.
/// </summary>
public sealed record LifecyclePreview(string Bucket, DateTimeOffset At, IReadOnlyList<LifecycleAction> Actions,
    IReadOnlyList<LifecycleUploadAbort> Uploads, bool Complete);

/// <summary>An incomplete upload the lifecycle would abort (or aborts) by a rule.</summary>
public sealed record LifecycleUploadAbort(string Key, string UploadId, string RuleId, DateTimeOffset Due);
