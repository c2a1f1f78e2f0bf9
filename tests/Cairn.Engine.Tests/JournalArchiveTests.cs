using System.Security.Cryptography;
using System.Text;
using Cairn.Core;
using Cairn.Engine.Archive;
using Cairn.Engine.Chunks;
using Cairn.Engine.Lifecycle;
using Cairn.Engine.Objects;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// Journal archiving and restore (issue 13) on a real catalog (SQLite, and PostgreSQL below) and an
/// in-memory archive: a workload archived and its catalog rebuilt in a new database from the archive
/// alone gives the same keys, versions, ETags, tags, configurations and bytes; a restore to a moment
/// gives exactly the state at that moment; a failing archive loses no entry and records nothing; the
/// journal pruner deletes no entry before its upload is confirmed, and a journal pruned to nothing
/// still restores whole from the archive; a damaged or missing segment stops a restore rather than be skipped.
/// </summary>
[Trait("Issue", "13")]
public abstract partial class JournalArchiveTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly EngineOptions _options = new() { ChunkSize = 64 * 1024, InlineThreshold = 1024, ArchiveSegmentEntries = 2 };
    private readonly InMemoryBlobBackend _hot = new();
    private readonly InMemoryBlobBackend _archiveStore = new();
    private FlakyBlobBackend _archive = null!;
    private SqlMetadataStore _store = null!;
    private ObjectService _objects = null!;
    private JournalArchiver _archiver = null!;

    /// <summary>A new, empty catalog (the one a restore builds); <paramref name="journalRecords"/> as a server with an archive runs it.</summary>
    protected abstract Task<SqlMetadataStore> OpenStoreAsync(bool journalRecords);

    protected abstract Task DropStoresAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync(journalRecords: true);
        await _store.MigrateAsync(Ct);
        _archive = new FlakyBlobBackend(_archiveStore, seed: 7);
        _objects = ObjectsOver(_store);
        // The archiver's clock is the real one, as the journal's commit times are.
        _archiver = new JournalArchiver(_store, _store, _store, _store, _store, new JournalArchiveStore(_archive), _options, TimeProvider.System,
            NullLogger<JournalArchiver>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropStoresAsync();
    }

    private ObjectService ObjectsOver(SqlMetadataStore store) =>
        new(store, store, new ChunkStore(_hot, store, _options, _clock, new ChunkReadPins()), _options, _clock);

    [Fact(Timeout = 60_000)]
    public async Task A_catalog_rebuilt_from_the_archive_alone_has_the_same_keys_versions_ETags_tags_configurations_and_bytes()
    {
        // Arrange: a versioned bucket with history, tags, markers; a plain one with overwrites and deletes; inline and chunked bodies.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var before = await SnapshotAsync(_store);

        // Act: a new catalog from the archive (the chunk store is the same).
        await using var rebuilt = await OpenStoreAsync(journalRecords: true);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert
        Assert.Equal(before, await SnapshotAsync(rebuilt));
        Assert.Empty(report.MissingChunks);
        Assert.Empty(report.VersionsWithoutRecord);
        Assert.Equal(2, report.Buckets);
        Assert.NotEqual(report.Lineage, report.NewLineage);
        Assert.True(report.Versions > report.Keys, "the versioned bucket's history is there");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restore_to_a_moment_gives_exactly_the_state_at_that_moment()
    {
        // Arrange: a first workload, archived; the moment; then more changes, archived too.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var atFirst = await SnapshotAsync(_store);
        await Task.Delay(20);
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await WorkloadAsync("two");
        await _objects.DeleteAsync("plain", "one/chunked", Ct);
        await ArchiveAllAsync();
        var atSecond = await SnapshotAsync(_store);

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, moment, Ct);

        // Assert: the first state exactly, not the second; the later bytes are queued for the sweeper, a day on.
        Assert.NotEqual(atFirst, atSecond);
        Assert.Equal(atFirst, await SnapshotAsync(rebuilt));
        Assert.NotNull(report.StandsAt);
        Assert.True(report.StandsAt <= moment);
        Assert.Equal(2, report.SnapshotsUsed);
        Assert.True(report.UnreferencedBlobs > 0);
        Assert.All(await rebuilt.GetDueDeletesAsync(DateTimeOffset.MaxValue, 1000, Ct),
            entry => Assert.True(entry.NotBefore > DateTimeOffset.UtcNow.AddHours(23)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restored_catalog_archives_under_a_lineage_of_its_own_and_a_second_restore_must_name_one()
    {
        // Arrange: a catalog restored from the archive, archiving into the same archive afterwards.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var before = await SnapshotAsync(_store);
        await using var rebuilt = await OpenStoreAsync(journalRecords: true);
        await rebuilt.MigrateAsync(Ct);
        var first = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);
        var rebuiltArchiver = new JournalArchiver(rebuilt, rebuilt, rebuilt, rebuilt, rebuilt, new JournalArchiveStore(_archiveStore), _options, TimeProvider.System,
            NullLogger<JournalArchiver>.Instance);
        for (var i = 0; i < 100 && (await rebuiltArchiver.WorkAsync(Ct) == WorkerState.Busy || rebuiltArchiver.EntriesBehind > 0); i++)
        {
        }

        // Act
        var lineages = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).ListLineagesAsync(Ct);
        await using var again = await OpenStoreAsync(journalRecords: false);
        await again.MigrateAsync(Ct);
        var restorer = new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(again), TimeProvider.System);
        var unnamed = await Record.ExceptionAsync(() => restorer.RestoreAsync(null, null, Ct));
        await restorer.RestoreAsync(first.NewLineage, null, Ct);

        // Assert: the original segments untouched, the new lineage complete on its own.
        Assert.Equal(new[] { first.Lineage, first.NewLineage }.Order(StringComparer.Ordinal), lineages);
        Assert.Contains("--lineage", Assert.IsType<InvalidDataException>(unnamed).Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(again));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_archive_records_nothing_and_loses_no_entry()
    {
        // Arrange
        await WorkloadAsync("one");
        var head = (await _store.ListJournalArchiveStatesAsync(Ct)).Sum(static s => s.HeadSeq);
        _archive.Inject(BlobOperation.Put, BlobFault.Always());

        // Act: steps while every upload fails.
        await _archiver.WorkAsync(Ct);
        await _archiver.WorkAsync(Ct);
        var whileFailing = await _store.ListJournalArchiveStatesAsync(Ct);
        var behindWhileFailing = _archiver.EntriesBehind;
        _archive.ClearAll();
        await ArchiveAllAsync();

        // Assert: nothing recorded while failing, every entry archived once it works, in whole segments.
        Assert.All(whileFailing, state => Assert.Equal(0, state.ArchivedSeq));
        Assert.Equal(head, behindWhileFailing);
        Assert.Equal(0, _archiver.EntriesBehind);
        var archived = new List<ArchivedEntry>();
        await foreach (var name in _archiveStore.ListAsync("", Ct))
        {
            if (ArchiveLayout.TryParseSegmentName(name, out _, out _, out _, out _, out _))
            {
                archived.AddRange((await JournalSegmentFormat.ReadAsync(new MemoryStream(await ReadAsync(name)), Ct)).Entries);
            }
        }
        Assert.Equal(head, archived.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Snapshots_are_counted_by_outcome_and_one_that_failed_is_taken_again()
    {
        // Arrange: an archiver that reports. In its first step the puts go: the bucket state, docs'
        // segment, docs' snapshot (stored, then the call fails: not confirmed), plain's segment and snapshot.
        using var recorder = new MeasurementRecorder();
        _options.ArchiveInterval = TimeSpan.FromSeconds(1); // the first wait before a failed snapshot is tried again
        _archiver = new JournalArchiver(_store, _store, _store, _store, _store, new JournalArchiveStore(_archive), _options, TimeProvider.System,
            NullLogger<JournalArchiver>.Instance, new EngineMetrics(recorder));
        await WorkloadAsync("one");
        _archive.Inject(BlobOperation.Put, BlobFault.OnCall(3) with { FailAfterInner = true });

        // Act: a step, another at once (within the wait), then the rest after the wait.
        await _archiver.WorkAsync(Ct);
        var afterFirstStep = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket);
        await _archiver.WorkAsync(Ct);
        var withinTheWait = (await _store.ListJournalArchiveStatesAsync(Ct)).Single(static s => s.Bucket == "docs").Snapshot;
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await ArchiveAllAsync();

        // Assert: the failed one not recorded, counted, not tried again at once, and taken after the wait;
        // each then stands at its journal's head.
        Assert.Null(afterFirstStep["docs"].Snapshot);
        Assert.Null(withinTheWait);
        Assert.NotNull(afterFirstStep["plain"].Snapshot);
        Assert.Equal(1.0, recorder.Values("cairn.archive.snapshots", "outcome=failed").Sum());
        Assert.Equal(2.0, recorder.Values("cairn.archive.snapshots", "outcome=uploaded").Sum());
        Assert.All(await _store.ListJournalArchiveStatesAsync(Ct), static state => Assert.Equal(state.HeadSeq, state.Snapshot!.Seq));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_pruner_keeps_every_entry_until_its_upload_is_confirmed_and_the_archive_still_restores_everything()
    {
        // Arrange: a pruner with no retention, so only the archive holds it back (no tree, no lifecycle progress here).
        using var recorder = new MeasurementRecorder();
        var pruner = new JournalPruner(_store, new EngineOptions { JournalRetention = TimeSpan.Zero }, TimeProvider.System,
            NullLogger<JournalPruner>.Instance, new JournalArchiveStore(_archive), new EngineMetrics(recorder));
        await WorkloadAsync("one");
        var heads = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket, static s => s.HeadSeq);
        _archive.Inject(BlobOperation.Put, BlobFault.Always());

        // Act + Assert: while every upload fails, nothing is pruned.
        await _archiver.WorkAsync(Ct);
        await pruner.WorkAsync(Ct);
        foreach (var (bucket, head) in heads)
        {
            Assert.Equal(Enumerable.Range(1, (int)head).Select(static i => (long)i), await JournalSeqsAsync(bucket));
        }

        // Act + Assert: one step uploads one segment (two entries) per bucket; exactly those go.
        _archive.ClearAll();
        await _archiver.WorkAsync(Ct);
        await pruner.WorkAsync(Ct);
        foreach (var (bucket, head) in heads)
        {
            Assert.Equal(2, (await _store.ListJournalArchiveStatesAsync(Ct)).Single(s => s.Bucket == bucket).ArchivedSeq);
            Assert.Equal(Enumerable.Range(3, (int)head - 2).Select(static i => (long)i), await JournalSeqsAsync(bucket));
        }

        // Act + Assert: once all is archived, all goes; numbering goes on after it.
        await ArchiveAllAsync();
        await pruner.WorkAsync(Ct);
        foreach (var bucket in heads.Keys)
        {
            Assert.Empty(await JournalSeqsAsync(bucket));
        }
        await WorkloadAsync("two");
        Assert.All(await _store.ListJournalArchiveStatesAsync(Ct), state => Assert.True(state.HeadSeq > heads[state.Bucket]));
        await ArchiveAllAsync();
        await pruner.WorkAsync(Ct);
        var before = await SnapshotAsync(_store);

        // Act: a new catalog from the archive alone, the journal it came from pruned to nothing.
        await using var rebuilt = await OpenStoreAsync(journalRecords: true);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert: every entry was pruned, counted, and the archive still rebuilds the same catalog.
        var total = (await _store.ListJournalArchiveStatesAsync(Ct)).Sum(static s => s.HeadSeq);
        foreach (var bucket in heads.Keys)
        {
            Assert.Empty(await JournalSeqsAsync(bucket));
        }
        Assert.Equal(total, recorder.Values("cairn.journal.pruned_entries").Sum());
        Assert.Equal(before, await SnapshotAsync(rebuilt));
        Assert.Empty(report.MissingChunks);
    }

    private async Task<List<long>> JournalSeqsAsync(string bucket) =>
        [.. (await _store.ReadJournalAsync(bucket, 0, 10_000, Ct)).Select(static e => e.Seq)];

    [Fact(Timeout = 60_000)]
    public async Task A_damaged_or_missing_segment_stops_the_restore()
    {
        // Arrange: segments of 2 entries after the bucket's first snapshot (a restore replays only
        // those); one flipped byte in the first, or the second gone.
        await WorkloadAsync("zero");
        await ArchiveAllAsync();
        var snapshotSeq = (await _store.ListJournalArchiveStatesAsync(Ct)).Single(static s => s.Bucket == "docs").Snapshot!.Seq;
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var segments = new List<string>();
        await foreach (var name in _archiveStore.ListAsync("", Ct))
        {
            if (ArchiveLayout.TryParseSegmentName(name, out _, out var bucket, out _, out var first, out _) && bucket == "docs" && first > snapshotSeq)
            {
                segments.Add(name);
            }
        }
        Assert.True(segments.Count >= 3);
        var original = await ReadAsync(segments[0]);
        var damaged = (byte[])original.Clone();
        damaged[damaged.Length / 2] ^= 0x40;

        // Act
        await _archiveStore.PutAsync(segments[0], damaged, Ct);
        var whenDamaged = await RestoreIntoNewCatalogAsync();
        await _archiveStore.PutAsync(segments[0], original, Ct);
        await _archiveStore.DeleteAsync(segments[1], Ct);
        var whenMissing = await RestoreIntoNewCatalogAsync();

        // Assert
        Assert.IsType<InvalidDataException>(whenDamaged);
        Assert.Contains(segments[0], whenDamaged!.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(whenMissing);
        Assert.Contains("missing from the archive", whenMissing!.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_chunk_missing_from_the_chunk_store_is_reported_and_its_key_left_out()
    {
        // Arrange
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var chunked = (await _store.GetObjectAsync("plain", "one/chunked", Ct))!;
        var gone = chunked.Chunks[0];
        await foreach (var name in _hot.ListAsync("chunks/", Ct))
        {
            if (name.Contains(gone.Hash.ToString(), StringComparison.Ordinal))
            {
                await _hot.DeleteAsync(name, Ct);
            }
        }

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert: the key left out, and its other chunks' blobs queued for the sweeper (nothing else names them).
        Assert.Contains(report.MissingChunks, missing => missing.StartsWith(gone.Hash.ToString(), StringComparison.Ordinal));
        Assert.Null(await rebuilt.GetObjectAsync("plain", "one/chunked", Ct));
        Assert.NotNull(await rebuilt.GetObjectAsync("plain", "one/small", Ct));
        var queued = (await rebuilt.GetDueDeletesAsync(DateTimeOffset.MaxValue, 10_000, Ct)).Select(static e => e.BlobName).ToList();
        var others = chunked.Chunks.Where(c => c.Hash != gone.Hash).ToList();
        Assert.NotEmpty(others);
        Assert.All(others, chunk => Assert.Contains(queued, name => name.Contains(chunk.Hash.ToString(), StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restore_starts_from_the_newest_snapshot_and_needs_no_segment_before_it()
    {
        // Arrange: a snapshot after each workload (due once the journal moved); then every segment a
        // snapshot covers is deleted from the archive.
        (_options.ArchiveSnapshotEntries, _options.ArchiveSnapshotInterval) = (1, TimeSpan.FromMilliseconds(1));
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var first = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket, static s => s.Snapshot!);
        await Task.Delay(5);
        await WorkloadAsync("two");
        await _objects.DeleteAsync("plain", "one/chunked", Ct);
        await ArchiveAllAsync();
        var second = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket, static s => s.Snapshot!);
        var before = await SnapshotAsync(_store);
        var covered = await DeleteSegmentsCoveredByAsync(second);

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert: the second snapshot of each bucket, at its head, with nothing left to replay.
        Assert.All(second, pair => Assert.True(pair.Value.Seq > first[pair.Key].Seq && pair.Value.TakenAt > first[pair.Key].TakenAt));
        Assert.True(covered > 0);
        Assert.Equal(2, report.SnapshotsUsed);
        Assert.Equal(before, await SnapshotAsync(rebuilt));
        Assert.Empty(report.MissingChunks);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restore_to_a_moment_before_a_snapshot_starts_from_an_earlier_one_and_replays_from_its_number()
    {
        // Arrange: a first snapshot; changes after it, in segments only (the next is not due yet); the
        // moment; more changes and a later snapshot. The segments the first snapshot covers are deleted.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        var first = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket, static s => s.Snapshot!);
        await PutAsync("docs", "one/doc", 1000);
        await _objects.PutTagsAsync("docs", "one/doc", new Dictionary<string, string> { ["after"] = "snapshot" }, Ct);
        await ArchiveAllAsync();
        var atMoment = await SnapshotAsync(_store);
        await Task.Delay(20);
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await WorkloadAsync("two");
        (_options.ArchiveSnapshotEntries, _options.ArchiveSnapshotInterval) = (1, TimeSpan.FromMilliseconds(1));
        await ArchiveAllAsync();
        var later = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket, static s => s.Snapshot!);
        await DeleteSegmentsCoveredByAsync(first);

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, moment, Ct);

        // Assert: the later snapshots were passed over; the first, and the entries after it up to the moment.
        Assert.All(later.Values, snapshot => Assert.True(snapshot.TakenAt > moment));
        Assert.Equal(atMoment, await SnapshotAsync(rebuilt));
        Assert.Equal(2, report.SnapshotsUsed);
        Assert.NotNull(report.LastEntryAt); // the two entries after the first snapshot were replayed
        Assert.True(report.LastEntryAt <= moment);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_damaged_snapshot_or_one_under_another_name_stops_the_restore()
    {
        // Arrange: docs' snapshot with one byte of its contents changed (gzip made again, so only the
        // snapshot's own checksum can tell); then the original copied under another journal number.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        string? snapshot = null;
        await foreach (var name in _archiveStore.ListAsync("", Ct))
        {
            if (ArchiveLayout.TryParseSnapshotName(name, out _, out var bucket, out _, out _, out _) && bucket == "docs")
            {
                snapshot = name;
            }
        }
        var original = await ReadAsync(snapshot!);
        var text = Gunzip(original);
        var at = Encoding.UTF8.GetString(text).IndexOf("\"key\":\"one/", StringComparison.Ordinal) + "\"key\":\"".Length;
        text[at] ^= 0x01; // "one/..." becomes "nne/...": still JSON, another key
        ArchiveLayout.TryParseSnapshotName(snapshot!, out var lineage, out _, out var created, out var seq, out var takenAt);
        var renamed = ArchiveLayout.SnapshotName(lineage, "docs", created, seq - 1, takenAt);

        // Act
        await _archiveStore.PutAsync(snapshot!, Gzip(text), Ct);
        var damaged = await RestoreIntoNewCatalogAsync();
        await _archiveStore.DeleteAsync(snapshot!, Ct);
        await _archiveStore.PutAsync(renamed, original, Ct);
        var misnamed = await RestoreIntoNewCatalogAsync();

        // Assert
        Assert.Contains("checksum", Assert.IsType<InvalidDataException>(damaged).Message, StringComparison.Ordinal);
        Assert.Contains(snapshot!, damaged!.Message, StringComparison.Ordinal);
        Assert.Contains("header names another", Assert.IsType<InvalidDataException>(misnamed).Message, StringComparison.Ordinal);
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    [Fact(Timeout = 60_000)]
    public async Task History_written_before_journal_records_is_restored_whole_from_the_first_snapshot()
    {
        // Arrange: a catalog that kept no journal records (archiving not configured) runs the workload,
        // overwrites and deletes included; then archiving starts.
        await _store.DisposeAsync();
        _store = await OpenStoreAsync(journalRecords: false);
        await _store.MigrateAsync(Ct);
        _objects = ObjectsOver(_store);
        await WorkloadAsync("one");
        var before = await SnapshotAsync(_store);
        _archiver = new JournalArchiver(_store, _store, _store, _store, _store, new JournalArchiveStore(_archive), _options, TimeProvider.System,
            NullLogger<JournalArchiver>.Instance);
        await ArchiveAllAsync();

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert: the versions overwritten or deleted before archiving are not asked for: the snapshot has what stands.
        Assert.Equal(before, await SnapshotAsync(rebuilt));
        Assert.Empty(report.VersionsWithoutRecord);
        Assert.Equal(2, report.SnapshotsUsed);
    }

    [Fact(Timeout = 60_000)]
    public async Task Archiving_turned_on_after_the_journal_was_pruned_starts_each_bucket_from_a_snapshot()
    {
        // Arrange: a catalog without an archive, its journal pruned to nothing; one more change in docs.
        await _store.DisposeAsync();
        _store = await OpenStoreAsync(journalRecords: false);
        await _store.MigrateAsync(Ct);
        _objects = ObjectsOver(_store);
        await WorkloadAsync("one");
        Assert.True(await _store.PruneJournalAsync(new JournalPruning(UntilArchived: false, TimeSpan.Zero), DateTimeOffset.UtcNow, Ct) > 0);
        await PutAsync("docs", "one/after-the-prune", 100);
        var before = await SnapshotAsync(_store);

        // Act: archiving starts.
        _archiver = new JournalArchiver(_store, _store, _store, _store, _store, new JournalArchiveStore(_archive), _options, TimeProvider.System,
            NullLogger<JournalArchiver>.Instance);
        await ArchiveAllAsync();
        var states = (await _store.ListJournalArchiveStatesAsync(Ct)).ToDictionary(static s => s.Bucket);
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var report = await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);

        // Assert: nothing left behind (the pruned entries stand as archived behind each snapshot), and the restore is whole.
        Assert.All(states.Values, static state => Assert.Equal(state.HeadSeq, state.ArchivedSeq));
        Assert.All(states.Values, static state => Assert.Equal(state.HeadSeq, state.Snapshot!.Seq));
        Assert.Equal(before, await SnapshotAsync(rebuilt));
        Assert.Equal(2, report.SnapshotsUsed);
        Assert.Empty(report.VersionsWithoutRecord);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restore_to_a_journal_entry_gives_exactly_the_bucket_right_after_it()
    {
        // Arrange: a first snapshot; two more entries of docs (the state wanted); then a marker, more
        // keys and a later snapshot past that entry.
        await WorkloadAsync("one");
        await ArchiveAllAsync();
        await PutAsync("docs", "one/doc", 1000);
        await _objects.PutTagsAsync("docs", "one/doc", new Dictionary<string, string> { ["at"] = "entry" }, Ct);
        var entry = (await _store.ListJournalArchiveStatesAsync(Ct)).Single(static s => s.Bucket == "docs").HeadSeq;
        var atEntry = await SnapshotAsync(_store);
        await _objects.DeleteAsync("docs", "one/doc", Ct);
        await PutAsync("docs", "three/new", 500);
        (_options.ArchiveSnapshotEntries, _options.ArchiveSnapshotInterval) = (1, TimeSpan.FromMilliseconds(1));
        await ArchiveAllAsync();
        var later = (await _store.ListJournalArchiveStatesAsync(Ct)).Single(static s => s.Bucket == "docs").Snapshot!;

        // Act
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        var restorer = new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System);
        var beyond = await Record.ExceptionAsync(() => restorer.RestoreAsync(null, null, Ct, new Dictionary<string, long> { ["docs"] = later.Seq + 1 }));
        var unknown = await Record.ExceptionAsync(() => restorer.RestoreAsync(null, null, Ct, new Dictionary<string, long> { ["nosuch"] = 1 }));
        var report = await restorer.RestoreAsync(null, null, Ct, new Dictionary<string, long> { ["docs"] = entry });

        // Assert: docs as right after the entry (plain did not change since), the later snapshot passed over.
        Assert.True(later.Seq > entry);
        Assert.Equal(atEntry, await SnapshotAsync(rebuilt));
        Assert.Equal(2, report.SnapshotsUsed);
        Assert.Contains($"ends at entry {later.Seq}", Assert.IsType<InvalidDataException>(beyond).Message, StringComparison.Ordinal);
        Assert.Contains("nosuch", Assert.IsType<InvalidDataException>(unknown).Message, StringComparison.Ordinal);
    }

    /// <summary>Deletes every segment whose entries the bucket's snapshot in <paramref name="snapshots"/> holds; returns how many.</summary>
    private async Task<int> DeleteSegmentsCoveredByAsync(Dictionary<string, JournalSnapshotState> snapshots)
    {
        var deleted = 0;
        await foreach (var name in _archiveStore.ListAsync("", Ct))
        {
            if (ArchiveLayout.TryParseSegmentName(name, out _, out var bucket, out _, out _, out var last) && last <= snapshots[bucket].Seq)
            {
                await _archiveStore.DeleteAsync(name, Ct);
                deleted++;
            }
        }
        return deleted;
    }

    private async Task<Exception?> RestoreIntoNewCatalogAsync()
    {
        await using var rebuilt = await OpenStoreAsync(journalRecords: false);
        await rebuilt.MigrateAsync(Ct);
        try
        {
            await new ArchiveRestorer(_archiveStore, _hot, [], MetadataCatalog.Over(rebuilt), TimeProvider.System).RestoreAsync(null, null, Ct);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>Writes keys named after <paramref name="round"/> in two buckets (made in the first round).</summary>
    private async Task WorkloadAsync(string round)
    {
        if (await _store.GetBucketAsync("docs", Ct) is null)
        {
            Assert.True(await _store.TryCreateBucketAsync(new BucketRecord("docs", _clock.GetUtcNow(), "us-east-1"), Ct));
            Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync("docs", BucketVersioning.Enabled, Ct));
            Assert.True(await _store.PutBucketTagsAsync("docs", new Dictionary<string, string> { ["team"] = "a" }, Ct));
            Assert.True(await _store.TryCreateBucketAsync(new BucketRecord("plain", _clock.GetUtcNow(), "eu-west-1"), Ct));
            await new LifecycleService(_store, _store, _options, _clock).PutAsync("plain", new LifecycleConfiguration([new LifecycleRule
            {
                Id = "tmp", Enabled = true, Filter = new LifecycleFilter { Prefix = "tmp/" }, Expiration = new LifecycleExpiration(3, null, false),
            }]), Ct);
        }
        for (var i = 0; i < 3; i++)
        {
            await PutAsync("docs", $"{round}/doc", 200 * 1024); // three versions of one key
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        await PutAsync("docs", $"{round}/small", 100, new Dictionary<string, string> { ["k"] = "v" });
        await _objects.DeleteAsync("docs", $"{round}/small", Ct); // a marker over it
        await _objects.PutTagsAsync("docs", $"{round}/doc", new Dictionary<string, string> { ["state"] = "final" }, Ct);
        await PutAsync("plain", $"{round}/chunked", 150 * 1024);
        await PutAsync("plain", $"{round}/small", 10);
        await PutAsync("plain", $"{round}/small", 20); // overwritten
        await PutAsync("plain", $"{round}/gone", 30);
        await _objects.DeleteAsync("plain", $"{round}/gone", Ct);
    }

    private async Task PutAsync(string bucket, string key, int size, Dictionary<string, string>? tags = null)
    {
        var body = RandomNumberGenerator.GetBytes(size);
        var result = await _objects.PutAsync(new PutObjectCommand
        {
            Bucket = bucket,
            Key = key,
            Body = new MemoryStream(body),
            DeclaredLength = size,
            Tags = tags ?? [],
            UserMetadata = new Dictionary<string, string> { ["origin"] = key },
            Headers = new ContentHeaders(ContentType: "application/x-test"),
        }, Ct);
        Assert.Equal(PutObjectStatus.Created, result.Status);
    }

    private async Task ArchiveAllAsync()
    {
        for (var i = 0; i < 100 && (await _archiver.WorkAsync(Ct) == WorkerState.Busy || _archiver.EntriesBehind > 0); i++)
        {
        }
        Assert.Equal(0, _archiver.EntriesBehind);
    }

    /// <summary>Everything a restore must bring back, as text: buckets, configurations, every version with its ETag, tags, headers, metadata and bytes.</summary>
    private async Task<string> SnapshotAsync(SqlMetadataStore store)
    {
        var objects = ObjectsOver(store);
        var text = new StringBuilder();
        foreach (var bucket in (await store.ListBucketsAsync(Ct)).OrderBy(static b => b.Name, StringComparer.Ordinal))
        {
            text.AppendLine($"bucket {bucket.Name} {bucket.CreatedAt:O} {bucket.Region} {bucket.Versioning} " +
                string.Join(",", bucket.Tags.OrderBy(static t => t.Key).Select(static t => $"{t.Key}={t.Value}")));
            foreach (var configuration in await store.ListBucketConfigurationsAsync(bucket.Name, LifecycleService.Kind, Ct))
            {
                text.AppendLine($"  configuration {configuration.Kind} {configuration.Document}");
            }
            var versions = await store.ListObjectVersionsAsync(bucket.Name, new ListVersionsQuery("", null, null, null, 1000), Ct);
            foreach (var summary in versions.Versions)
            {
                text.Append($"  {summary.Key} {summary.VersionId} latest={summary.IsLatest} marker={summary.IsDeleteMarker} {summary.ETag} {summary.Size} " +
                    $"{summary.LastModified:O}");
                if (!summary.IsDeleteMarker)
                {
                    var found = await objects.GetAsync(bucket.Name, summary.Key, ReadConditions.None, null, Ct, versionId: summary.VersionId);
                    var body = new MemoryStream();
                    await objects.WriteBodyAsync(found, body, Ct);
                    var version = found.Version;
                    text.Append($" tags={string.Join(",", version.Tags.OrderBy(static t => t.Key).Select(static t => $"{t.Key}={t.Value}"))}" +
                        $" type={version.Headers.ContentType} meta={string.Join(",", version.UserMetadata.Select(static m => $"{m.Key}={m.Value}"))}" +
                        $" sha256={Convert.ToHexStringLower(SHA256.HashData(body.ToArray()))}");
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    private async Task<byte[]> ReadAsync(string name) => await _archiveStore.ReadAllAsync(name, Ct);
}

public sealed class SqliteJournalArchiveTests : JournalArchiveTests
{
    protected override Task<SqlMetadataStore> OpenStoreAsync(bool journalRecords) =>
        Task.FromResult<SqlMetadataStore>(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory })
        {
            JournalRecords = journalRecords,
        });

    protected override Task DropStoresAsync() => Task.CompletedTask;
}

[Collection(PostgresCluster.Collection)]
public sealed class PostgresJournalArchiveTests(PostgresCluster cluster) : JournalArchiveTests
{
    private readonly List<string> _databases = [];

    protected override async Task<SqlMetadataStore> OpenStoreAsync(bool journalRecords)
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        _databases.Add(connectionString);
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = connectionString }) { JournalRecords = journalRecords };
    }

    protected override async Task DropStoresAsync()
    {
        foreach (var database in _databases)
        {
            await cluster.DropDatabaseAsync(database);
        }
    }
}
