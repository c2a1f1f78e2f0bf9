using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Archive;

/// <summary>
/// The object store journal archiving uploads to (a bucket of any S3, <c>Archive:*</c>). Disposing it
/// disposes the store's layers (the upstream client) that can be.
/// </summary>
public sealed record JournalArchiveStore(IBlobBackend Blobs) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        for (IBlobBackend? layer = Blobs; layer is not null; layer = (layer as DelegatingBlobBackend)?.Inner)
        {
            (layer as IDisposable)?.Dispose();
        }
    }
}

/// <summary>
/// Archives the catalog's change journal (issue 13): every step uploads each bucket's entries not yet
/// archived as one sealed, checksummed segment (<see cref="JournalSegmentFormat"/>) and only then
/// records them as archived (<see cref="IJournalArchiveCatalog"/>); a failed upload records nothing
/// and the same entries go again in the next step. Before the segments, when the buckets' rows or
/// configurations changed, a bucket-state document (<see cref="BucketStateFormat"/>). After them, when
/// one is due, a snapshot of a bucket's object rows (<see cref="BucketSnapshotFormat"/>), so a restore
/// starts from it and replays only the segments after. Lag (entries and seconds behind) is a metric
/// and a health endpoint.
/// </summary>
/// <remarks>
/// A Put entry carries its whole version when the catalog keeps journal records
/// (<see cref="SqlMetadataStore.JournalRecords"/>, on whenever archiving is); for an entry written
/// before that, the version is read from the catalog, and one removed meanwhile goes without it
/// (counted, logged: a restore reports such versions); the bucket's first snapshot holds it whole.
/// <see cref="Workers.JournalPruner"/> prunes the journal, never past the number recorded here after
/// an upload returned.
/// </remarks>
public sealed partial class JournalArchiver(IBucketCatalog buckets, IObjectCatalog objects, IBucketConfigurationCatalog configurations,
    IJournalArchiveCatalog archive, IBucketTreeCatalog snapshots, JournalArchiveStore store, EngineOptions options, TimeProvider time, ILogger<JournalArchiver> logger,
    EngineMetrics? metrics = null) : IWorker
{
    /// <summary>The configuration kinds a bucket-state document keeps (every kind the engine stores).</summary>
    public static readonly IReadOnlyList<string> ConfigurationKinds = [Lifecycle.LifecycleService.Kind, Inventory.InventoryService.Kind];

    /// <summary>Keys whose versions one statement of a snapshot reads.</summary>
    private const int SnapshotKeysPerRead = 200;

    /// <summary>A snapshot up to this size goes in one put; a larger one in multipart parts of this size.</summary>
    private const int SnapshotPartSize = 16 * 1024 * 1024;

    /// <summary>Longest wait before a failed snapshot of a bucket is tried again.</summary>
    private static readonly TimeSpan MaxSnapshotBackoff = TimeSpan.FromHours(1);

    /// <summary>Buckets whose last snapshot failed: when to try again, and how long the wait was.</summary>
    private readonly Dictionary<string, (DateTimeOffset NotBefore, TimeSpan Wait)> _snapshotBackoff = new(StringComparer.Ordinal);

    private byte[]? _lastState;
    private string? _lineage;

    /// <inheritdoc />
    public string Name => "journal-archiver";

    /// <inheritdoc />
    public string Status { get; private set; } = "starting";

    /// <summary>Entries committed and not archived yet, over every bucket, as of the last step (for health).</summary>
    public long EntriesBehind { get; private set; }

    /// <summary>How long the oldest entry not archived yet has waited, as of the last step (zero when none waits).</summary>
    public TimeSpan SecondsBehind { get; private set; }

    /// <summary>When the last step ended; null before the first.</summary>
    public DateTimeOffset? LastStep { get; private set; }

    /// <inheritdoc />
    public async Task<WorkerState> WorkAsync(CancellationToken cancellationToken)
    {
        var stepStart = time.GetUtcNow();
        _lineage ??= await archive.GetOrCreateArchiveLineageAsync(ArchiveLayout.NewLineage(stepStart), stepStart, cancellationToken)
            .ConfigureAwait(false);
        if (LastStep is { } last && stepStart - last > options.ArchiveInterval * 3)
        {
            // A gap between steps: the lease was perhaps another node's meanwhile, whose documents this
            // node has not seen; write the buckets' state again rather than trust the last one it wrote.
            _lastState = null;
        }
        var bucketRows = (await buckets.ListBucketsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(static b => b.Name, StringComparer.Ordinal);
        try
        {
            await WriteBucketStateAsync(bucketRows.Values, stepStart, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Written again next step (this node has not recorded it); the segments go on meanwhile.
            LogStateFailed(ex);
        }
        var busy = false;
        var segments = 0;
        var snapshotsTaken = 0;
        foreach (var state in await archive.ListJournalArchiveStatesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!bucketRows.TryGetValue(state.Bucket, out var bucket))
            {
                continue;
            }
            var snapshot = state.Snapshot;
            if (state.Behind > 0)
            {
                try
                {
                    (var archived, snapshot) = await ArchiveNextSegmentAsync(bucket, state, cancellationToken).ConfigureAwait(false);
                    segments++;
                    busy |= archived == options.ArchiveSegmentEntries;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Nothing recorded: the same entries go again next step. Other buckets go on.
                    metrics?.ArchiveSegment(false, 0);
                    LogSegmentFailed(ex, state.Bucket, state.ArchivedSeq + 1);
                    continue;
                }
            }
            if (SnapshotDue(state.HeadSeq, snapshot, stepStart)
                && !(_snapshotBackoff.TryGetValue(bucket.Name, out var backoff) && backoff.NotBefore > stepStart))
            {
                snapshotsTaken += await TryTakeSnapshotAsync(bucket, cancellationToken).ConfigureAwait(false) is null ? 0 : 1;
            }
        }
        await ObserveLagAsync(cancellationToken).ConfigureAwait(false);
        LastStep = time.GetUtcNow();
        Status = $"last run {LastStep:O}: {segments} segments, {snapshotsTaken} snapshots, {EntriesBehind} entries behind";
        return busy ? WorkerState.Busy : WorkerState.Idle;
    }

    /// <inheritdoc />
    public Task WaitForWorkAsync(CancellationToken cancellationToken) => Task.Delay(options.ArchiveInterval, time, cancellationToken);

    /// <summary>
    /// A snapshot is due for a bucket whose journal moved since its last one: at once when it has none,
    /// else after <see cref="EngineOptions.ArchiveSnapshotEntries"/> entries and at least as many as
    /// the last one's versions (a snapshot reads every row: the replay it saves must be worth that), or
    /// after <see cref="EngineOptions.ArchiveSnapshotInterval"/> once it moved by those entries.
    /// </summary>
    private bool SnapshotDue(long headSeq, JournalSnapshotState? last, DateTimeOffset now) => last switch
    {
        null => headSeq > 0,
        _ when headSeq - last.Seq < options.ArchiveSnapshotEntries => false,
        _ => headSeq - last.Seq >= last.Versions || now - last.TakenAt >= options.ArchiveSnapshotInterval,
    };

    /// <summary>
    /// Uploads the bucket's next entries after its archived number as one segment, then records them.
    /// Returns how many, and the bucket's newest snapshot after.
    /// </summary>
    private async Task<(int Entries, JournalSnapshotState? Snapshot)> ArchiveNextSegmentAsync(BucketRecord bucket, JournalArchiveState state,
        CancellationToken cancellationToken)
    {
        var afterSeq = state.ArchivedSeq;
        var snapshot = state.Snapshot;
        var entries = await objects.ReadJournalAsync(bucket.Name, afterSeq, options.ArchiveSegmentEntries, cancellationToken).ConfigureAwait(false);
        // The rows were listed at the step's start: a bucket deleted and made again since has another
        // journal, which must not go under the old bucket's creation time.
        if (await buckets.GetBucketAsync(bucket.Name, cancellationToken).ConfigureAwait(false) is not { } now || now.CreatedAt != bucket.CreatedAt)
        {
            LogBucketGone(bucket.Name);
            return (0, snapshot);
        }
        // The journal holds every entry not pruned, without gaps: none after the archived number while
        // the head is past it means all of them were pruned.
        var firstLeft = entries.Count > 0 ? entries[0].Seq : state.HeadSeq + 1;
        if (firstLeft > afterSeq + 1)
        {
            // Entries the archive never had are gone from the journal (pruned while nothing archived
            // it): no replay can cross them, so a snapshot past them comes first, and it stands for
            // them in the archive (they count as archived: nothing can upload them any more). A fresh
            // one: a snapshot recorded earlier may be in another archive (the settings changed).
            LogJournalGap(bucket.Name, afterSeq + 1, firstLeft - 1);
            snapshot = await TryTakeSnapshotAsync(bucket, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No snapshot of bucket {bucket.Name} could be taken past the entries gone from its journal.");
            await archive.SaveJournalArchivedAsync(bucket.Name, bucket.CreatedAt, firstLeft - 1, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        if (entries.Count == 0)
        {
            return (0, snapshot);
        }
        var archived = new List<ArchivedEntry>(entries.Count);
        foreach (var entry in entries)
        {
            archived.Add(await ToArchivedAsync(bucket.Name, entry, cancellationToken).ConfigureAwait(false));
        }
        var name = ArchiveLayout.SegmentName(_lineage!, bucket.Name, bucket.CreatedAt, entries[0].Seq, entries[^1].Seq);
        var segment = await JournalSegmentFormat.EncodeAsync(bucket.Name, bucket.CreatedAt, archived, cancellationToken).ConfigureAwait(false);
        // Durable in the archive when this returns; only then is the journal marked archived.
        await store.Blobs.PutAsync(name, segment, cancellationToken).ConfigureAwait(false);
        if (!await archive.SaveJournalArchivedAsync(bucket.Name, bucket.CreatedAt, entries[^1].Seq, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            // Deleted (and perhaps created again) meanwhile: the segment stays, under the old bucket's time.
            LogBucketGone(bucket.Name);
        }
        metrics?.ArchiveSegment(true, entries.Count);
        return (entries.Count, snapshot);
    }

    /// <summary>
    /// Reads every version of the bucket at one journal number (one read transaction), writes them to
    /// a temporary file as a snapshot, uploads it, and only then records it. Returns what was
    /// recorded; null (logged, counted) when the bucket went meanwhile or the upload failed: the next
    /// step tries again.
    /// </summary>
    private async Task<JournalSnapshotState?> TryTakeSnapshotAsync(BucketRecord bucket, CancellationToken cancellationToken)
    {
        try
        {
            var directory = options.TempDirectory ?? Path.GetTempPath();
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"cairn-snapshot-{Guid.NewGuid():N}.jsonl.gz");
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            long seq, versions;
            DateTimeOffset takenAt;
            await using (var reading = await snapshots.OpenFoldSnapshotAsync(bucket.Name, null, cancellationToken, forFold: false).ConfigureAwait(false))
            {
                if (reading is null || reading.BucketCreatedAt != bucket.CreatedAt)
                {
                    LogBucketGone(bucket.Name);
                    return null;
                }
                // After the read transaction began: every commit it sees was stamped before this.
                (seq, takenAt) = (reading.HeadSeq, time.GetUtcNow());
                await using var writer = new BucketSnapshotFormat.Writer(file, bucket.Name, bucket.CreatedAt, seq, takenAt);
                var keys = new List<string>(SnapshotKeysPerRead);
                await foreach (var key in reading.ReadChangedKeysAsync(cancellationToken).ConfigureAwait(false))
                {
                    keys.Add(key);
                    if (keys.Count == SnapshotKeysPerRead)
                    {
                        await WriteKeysAsync(reading, writer, keys, cancellationToken).ConfigureAwait(false);
                    }
                }
                await WriteKeysAsync(reading, writer, keys, cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                versions = writer.Versions;
            }
            file.Position = 0;
            await using (var upload = new MultipartBlobWriter(store.Blobs, ArchiveLayout.SnapshotName(_lineage!, bucket.Name, bucket.CreatedAt, seq, takenAt),
                SnapshotPartSize))
            {
                await upload.WriteFromAsync(file, cancellationToken).ConfigureAwait(false);
                await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            if (!await archive.SaveJournalSnapshotAsync(bucket.Name, bucket.CreatedAt, seq, takenAt, versions, cancellationToken).ConfigureAwait(false))
            {
                LogBucketGone(bucket.Name);
                return null;
            }
            metrics?.ArchiveSnapshot(true);
            _snapshotBackoff.Remove(bucket.Name);
            return new JournalSnapshotState(seq, takenAt, versions);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Each try reads the whole bucket in one read transaction: a failing archive or a full
            // disk must not make every step do that again.
            var wait = _snapshotBackoff.TryGetValue(bucket.Name, out var last)
                ? TimeSpan.FromTicks(Math.Min(last.Wait.Ticks * 2, MaxSnapshotBackoff.Ticks))
                : options.ArchiveInterval;
            _snapshotBackoff[bucket.Name] = (time.GetUtcNow() + wait, wait);
            metrics?.ArchiveSnapshot(false);
            LogSnapshotFailed(ex, bucket.Name, wait);
            return null;
        }
    }

    private static async Task WriteKeysAsync(ITreeFoldSnapshot reading, BucketSnapshotFormat.Writer writer, List<string> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }
        var versions = await reading.ReadVersionsAsync(keys, cancellationToken, withInlineBodies: true).ConfigureAwait(false);
        foreach (var key in keys)
        {
            await writer.WriteKeyAsync(key, versions[key], cancellationToken).ConfigureAwait(false);
        }
        keys.Clear();
    }

    private async Task<ArchivedEntry> ToArchivedAsync(string bucket, JournalEntry entry, CancellationToken cancellationToken)
    {
        ObjectVersionRecord? version = null;
        if (entry.Change == JournalChange.Put)
        {
            if (entry.Record is { } record)
            {
                // Into the segment as stored.
                return new ArchivedEntry(entry.Seq, entry.Key, entry.VersionId, entry.Change, entry.CommittedAt, null, null, default)
                {
                    RawRecord = record,
                };
            }
            else
            {
                // Written before the catalog kept records: the version as it is now, if it is still there.
                version = await objects.GetObjectVersionAsync(bucket, entry.Key, entry.VersionId, cancellationToken).ConfigureAwait(false);
                if (version is not null && (version.ETag != entry.ETag || version.Size != entry.Size || version.LastModified != entry.LastModified))
                {
                    version = null; // the null version written again since: not this entry's contents
                }
                if (version is null)
                {
                    LogVersionUnavailable(bucket, entry.Key, entry.VersionId, entry.Seq);
                }
            }
        }
        return new ArchivedEntry(entry.Seq, entry.Key, entry.VersionId, entry.Change, entry.CommittedAt,
            version is null ? null : version with { StorageClass = null },
            entry.Change == JournalChange.Tags ? entry.Tags : null, entry.Change == JournalChange.Lock ? entry.Lock : default);
    }

    /// <summary>Uploads the buckets' rows and configurations when they differ from the last document this node wrote.</summary>
    /// <remarks>Named by <paramref name="readAt"/>, taken before the rows were read: a bucket made after it is not in the document, and a restore to a later moment finds it in the journal.</remarks>
    private async Task WriteBucketStateAsync(IEnumerable<BucketRecord> rows, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        var archived = new List<ArchivedBucket>();
        foreach (var bucket in rows)
        {
            var stored = new List<BucketConfiguration>();
            foreach (var kind in ConfigurationKinds)
            {
                stored.AddRange(await configurations.ListBucketConfigurationsAsync(bucket.Name, kind, cancellationToken).ConfigureAwait(false));
            }
            archived.Add(new ArchivedBucket(bucket, stored));
        }
        var json = BucketStateFormat.EncodeJson(archived);
        if (_lastState is not null && json.AsSpan().SequenceEqual(_lastState))
        {
            return;
        }
        await store.Blobs.PutAsync(ArchiveLayout.StateName(_lineage!, readAt), BucketStateFormat.Compress(json), cancellationToken)
            .ConfigureAwait(false);
        _lastState = json;
    }

    private async Task ObserveLagAsync(CancellationToken cancellationToken)
    {
        var lag = JournalArchiveLag.Of(await archive.ListJournalArchiveStatesAsync(cancellationToken).ConfigureAwait(false), time.GetUtcNow());
        EntriesBehind = lag.Entries;
        SecondsBehind = lag.Oldest;
        metrics?.ArchiveLagObserved(lag.Entries, lag.Oldest);
    }

    // Event ids 200-209 belong to the journal archiver; next free: 206.
    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Archive: the snapshot of bucket {Bucket} failed; tried again in {Wait}")]
    private partial void LogSnapshotFailed(Exception exception, string bucket, TimeSpan wait);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning,
        Message = "Archive: bucket {Bucket}'s journal entries {FirstSeq} to {LastSeq} were pruned before they were archived; a snapshot goes first")]
    private partial void LogJournalGap(string bucket, long firstSeq, long lastSeq);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Archive: uploading the bucket state failed; tried again next step")]
    private partial void LogStateFailed(Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning,
        Message = "Archive: uploading bucket {Bucket}'s journal from entry {FirstSeq} failed; nothing recorded, tried again next step")]
    private partial void LogSegmentFailed(Exception exception, string bucket, long firstSeq);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning,
        Message = "Archive: {Bucket}/{Key} version {VersionId} (entry {Seq}) predates journal records and is gone; archived without its version")]
    private partial void LogVersionUnavailable(string bucket, string key, string versionId, long seq);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Archive: bucket {Bucket} was deleted while its journal was being archived")]
    private partial void LogBucketGone(string bucket);
}
