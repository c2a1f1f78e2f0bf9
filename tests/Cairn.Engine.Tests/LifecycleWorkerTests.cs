using System.Text;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Lifecycle;
using Cairn.Engine.Multipart;
using Cairn.Engine.Objects;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;
using Cairn.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// The lifecycle worker on a real catalog (SQLite, and PostgreSQL below) and a manual clock: each
/// rule kind acts when its day comes and not before, on the versions its filter picks; a key that
/// changes is judged again; a configuration put judges the existing objects, and a deleted one
/// stops everything; locked versions wait; incomplete uploads are aborted; a preview acts on nothing.
/// </summary>
[Trait("Issue", "13")]
public abstract class LifecycleWorkerTests : IAsyncLifetime
{
    private const string Bucket = "aging";
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>10:00 UTC: a day's rounding ends at the next midnight, 14 hours on.</summary>
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly EngineOptions _options = new() { ChunkSize = 64 * 1024, InlineThreshold = 1024, GracePeriod = TimeSpan.FromMinutes(5) };
    private SqlMetadataStore _store = null!;
    private ObjectService _objects = null!;
    private MultipartService _multipart = null!;
    private LifecycleService _configurations = null!;
    private LifecycleWorker _worker = null!;

    protected abstract Task<SqlMetadataStore> OpenStoreAsync();

    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync();
        await _store.MigrateAsync(Ct);
        Assert.True(await _store.TryCreateBucketAsync(new BucketRecord(Bucket, _clock.GetUtcNow(), "us-east-1"), Ct));
        var chunks = new ChunkStore(new InMemoryBlobBackend(), _store, _options, _clock, new ChunkReadPins());
        _objects = new ObjectService(_store, _store, chunks, _options, _clock);
        _multipart = new MultipartService(_store, _store, _store, chunks, _options, _clock);
        _configurations = new LifecycleService(_store, _store, _options, _clock);
        _worker = new LifecycleWorker(_store, _store, _store, _store, _store, _options, _clock, NullLogger<LifecycleWorker>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropStoreAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Expiration_days_removes_matching_objects_of_an_unversioned_bucket_at_the_rounded_day_and_not_before()
    {
        await PutConfigurationAsync(Rule("logs", new LifecycleFilter { Prefix = "logs/" }, expiration: new LifecycleExpiration(1, null, false)));
        await PutAsync("logs/a", "a");
        await PutAsync("other/b", "b");

        await StepAsync();
        // Created 10:00 on day 1: one day later, rounded up to midnight, is the start of day 3.
        _clock.Advance(TimeSpan.FromHours(37) + TimeSpan.FromMinutes(59));
        await StepAsync();
        Assert.Equal(["logs/a", "other/b"], await CurrentKeysAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        await StepAsync();
        Assert.Equal(["other/b"], await CurrentKeysAsync());
        Assert.Empty(await VersionsAsync("logs/a"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_written_again_before_its_day_is_judged_again_from_its_new_creation()
    {
        await PutConfigurationAsync(Rule("all", new LifecycleFilter(), expiration: new LifecycleExpiration(1, null, false)));
        await PutAsync("k", "first");
        await StepAsync();

        _clock.Advance(TimeSpan.FromHours(20)); // 06:00 on day 2
        await PutAsync("k", "second");
        await PutAsync("new", "written after the first step: judged from the journal");
        _clock.Advance(TimeSpan.FromHours(18)); // the first write's day has come (00:00 day 3)
        await StepAsync();
        Assert.Equal(["k", "new"], await CurrentKeysAsync());

        _clock.Advance(TimeSpan.FromDays(1)); // the second write's: 00:00 on day 4
        await StepAsync();
        Assert.Empty(await CurrentKeysAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_versioned_bucket_gets_a_delete_marker_then_noncurrent_versions_expire_keeping_the_newest_and_the_marker_goes_last()
    {
        Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        await PutConfigurationAsync(
            Rule("current", new LifecycleFilter(), expiration: new LifecycleExpiration(2, null, false)),
            Rule("noncurrent", new LifecycleFilter(), noncurrentDays: 1, newerNoncurrent: 1),
            Rule("markers", new LifecycleFilter(), expiration: new LifecycleExpiration(null, null, true)));
        var v1 = await PutAsync("k", "one");
        _clock.Advance(TimeSpan.FromHours(1));
        var v2 = await PutAsync("k", "two");
        _clock.Advance(TimeSpan.FromHours(1));
        var v3 = await PutAsync("k", "three"); // 12:00 day 1
        await StepAsync();

        // 00:00 day 3: v1 (noncurrent since v2, 11:00 day 1) is one day old as noncurrent; v2 is the newest noncurrent, kept.
        _clock.Advance(TimeSpan.FromHours(36));
        await StepAsync();
        Assert.Equal([v3, v2], (await VersionsAsync("k")).Select(static v => v.VersionId));

        // 00:00 day 4: v3 is two days old; it gets a delete marker over it.
        _clock.Advance(TimeSpan.FromDays(1));
        await StepAsync();
        var versions = await VersionsAsync("k");
        Assert.True(versions[0].IsDeleteMarker);
        Assert.Equal([v3, v2], versions.Skip(1).Select(static v => v.VersionId));

        // The next step judges the marker's change: v2 (now second noncurrent) is due at once; v3 is
        // kept as the newest noncurrent until a day after the marker (00:00 day 5).
        await StepAsync();
        Assert.Equal([versions[0].VersionId, v3], (await VersionsAsync("k")).Select(static v => v.VersionId));
        _clock.Advance(TimeSpan.FromDays(1));
        await StepAsync();
        await StepAsync();
        // v3 keeps its place as the one newest noncurrent version: NewerNoncurrentVersions never lets it go.
        Assert.Equal([versions[0].VersionId, v3], (await VersionsAsync("k")).Select(static v => v.VersionId));
        Assert.DoesNotContain(v1, (await VersionsAsync("k")).Select(static v => v.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_expired_delete_marker_is_removed_once_it_is_the_only_version()
    {
        Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        await PutConfigurationAsync(
            Rule("noncurrent", new LifecycleFilter(), noncurrentDays: 1),
            Rule("markers", new LifecycleFilter(), expiration: new LifecycleExpiration(null, null, true)));
        await PutAsync("k", "one");
        await _objects.DeleteAsync(Bucket, "k", Ct);
        await StepAsync();
        Assert.Equal(2, (await VersionsAsync("k")).Count);

        _clock.Advance(TimeSpan.FromHours(37)); // 23:00 day 2: not yet
        await StepAsync();
        Assert.Equal(2, (await VersionsAsync("k")).Count);
        _clock.Advance(TimeSpan.FromHours(1)); // 00:00 day 3: the noncurrent version (a day noncurrent since 10:00 day 1) goes
        await StepAsync();
        Assert.Single(await VersionsAsync("k"));

        await StepAsync(); // the marker, alone now and made on day 1, is due at once
        Assert.Empty(await VersionsAsync("k"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Tag_and_size_filters_pick_versions_and_a_tag_change_is_judged_again()
    {
        await PutConfigurationAsync(Rule("tmp", new LifecycleFilter
        {
            Tags = [new KeyValuePair<string, string>("class", "tmp")],
            SizeGreaterThan = 2,
            Form = LifecycleFilterForm.And,
        }, expiration: new LifecycleExpiration(1, null, false)));
        await PutAsync("tagged-big", "12345", tags: new() { ["class"] = "tmp" });
        await PutAsync("tagged-small", "12", tags: new() { ["class"] = "tmp" });
        await PutAsync("untagged-big", "12345");
        await PutAsync("retagged", "12345", tags: new() { ["class"] = "tmp" });
        await StepAsync();
        Assert.Equal(ObjectTaggingStatus.Done, await _objects.PutTagsAsync(Bucket, "retagged", new Dictionary<string, string> { ["class"] = "keep" }, Ct));
        Assert.Equal(ObjectTaggingStatus.Done, await _objects.PutTagsAsync(Bucket, "untagged-big", new Dictionary<string, string> { ["class"] = "tmp" }, Ct));
        await StepAsync();

        _clock.Advance(TimeSpan.FromDays(2));
        await StepAsync();
        // untagged-big was judged only when its tag change came through the journal.
        Assert.Equal(["retagged", "tagged-small"], await CurrentKeysAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_configuration_put_after_the_objects_judges_them_and_a_replaced_one_judges_them_anew()
    {
        await PutAsync("old/a", "a");
        await PutAsync("new/b", "b");
        _clock.Advance(TimeSpan.FromDays(3));
        await StepAsync(); // no configuration: nothing happens

        await PutConfigurationAsync(Rule("old", new LifecycleFilter { Prefix = "old/" }, expiration: new LifecycleExpiration(10, null, false)));
        await StepAsync();
        Assert.Equal(["new/b", "old/a"], await CurrentKeysAsync());
        Assert.Single(await _store.ListLifecycleDueAsync(DateTimeOffset.MaxValue, 10, Ct));

        _clock.Advance(TimeSpan.FromMilliseconds(5));
        await PutConfigurationAsync(Rule("new", new LifecycleFilter { Prefix = "new/" }, expiration: new LifecycleExpiration(1, null, false)));
        await StepAsync();
        Assert.Equal(["old/a"], await CurrentKeysAsync());

        // The replaced rule's due time for old/a went with it.
        _clock.Advance(TimeSpan.FromDays(10));
        await StepAsync();
        Assert.Equal(["old/a"], await CurrentKeysAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_deleted_configuration_stops_everything_and_forgets_the_due_times()
    {
        await PutConfigurationAsync(Rule("all", new LifecycleFilter(), expiration: new LifecycleExpiration(1, null, false)));
        await PutAsync("k", "v");
        await StepAsync();
        Assert.Single(await _store.ListLifecycleDueAsync(DateTimeOffset.MaxValue, 10, Ct));

        Assert.Equal(LifecycleStatus.Done, await _configurations.DeleteAsync(Bucket, Ct));
        _clock.Advance(TimeSpan.FromDays(5));
        await StepAsync();

        Assert.Equal(["k"], await CurrentKeysAsync());
        Assert.Empty(await _store.ListLifecycleDueAsync(DateTimeOffset.MaxValue, 10, Ct));
        Assert.Empty(await _store.ListLifecycleProgressAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Due_times_left_without_a_configuration_are_forgotten_and_hold_up_nothing()
    {
        // A judgement of the whole bucket cut short, then the configuration deleted: due rows, no progress, no configuration.
        var orphans = Enumerable.Range(0, 1500).Select(i => new LifecycleDue(Bucket, $"orphan-{i:D4}", _clock.GetUtcNow())).ToList();
        Assert.True(await _store.SaveLifecycleAsync(Bucket, orphans, progress: null, Ct));

        await _worker.WorkAsync(Ct);
        Assert.Empty(await _store.ListLifecycleDueAsync(DateTimeOffset.MaxValue, 10, Ct)); // all 1,500 at once, not a page per step

        await StepAsync(); // and the next step has nothing left to do (Idle)
    }

    [Fact(Timeout = 30_000)]
    public async Task A_noncurrent_version_under_legal_hold_waits_for_the_hold_to_be_lifted()
    {
        Assert.Equal(PutVersioningOutcome.Updated, await _store.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        await PutConfigurationAsync(Rule("noncurrent", new LifecycleFilter(), noncurrentDays: 1));
        var held = await PutAsync("k", "held");
        var current = await PutAsync("k", "current");
        Assert.Equal(PutLockOutcome.Updated, await _store.PutObjectLockAsync(Bucket, "k", held, ObjectLockChange.OfLegalHold(true), _clock.GetUtcNow(), Ct));
        await StepAsync();

        _clock.Advance(TimeSpan.FromDays(3));
        await StepAsync();
        Assert.Equal([current, held], (await VersionsAsync("k")).Select(static v => v.VersionId));

        Assert.Equal(PutLockOutcome.Updated, await _store.PutObjectLockAsync(Bucket, "k", held, ObjectLockChange.OfLegalHold(false), _clock.GetUtcNow(), Ct));
        await StepAsync(); // judged again from the journal: due since long ago, and removed
        Assert.Equal([current], (await VersionsAsync("k")).Select(static v => v.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Incomplete_uploads_under_the_rules_prefix_are_aborted_when_their_day_comes()
    {
        await PutConfigurationAsync(Rule("uploads", new LifecycleFilter { Prefix = "tmp/" }, abortDays: 1));
        var doomed = (await _multipart.CreateAsync(new CreateMultipartCommand { Bucket = Bucket, Key = "tmp/big" }, Ct))!.Value;
        var kept = (await _multipart.CreateAsync(new CreateMultipartCommand { Bucket = Bucket, Key = "keep/big" }, Ct))!.Value;
        await StepAsync();
        Assert.Equal(2, await UploadCountAsync());

        _clock.Advance(TimeSpan.FromHours(38)); // 00:00 day 3
        await StepAsync();
        Assert.Null(await _multipart.FindAsync(Bucket, "tmp/big", doomed.UploadId, Ct));
        Assert.NotNull(await _multipart.FindAsync(Bucket, "keep/big", kept.UploadId, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_preview_names_what_is_due_by_a_moment_and_changes_nothing()
    {
        await PutConfigurationAsync(
            Rule("logs", new LifecycleFilter { Prefix = "logs/" }, expiration: new LifecycleExpiration(1, null, false)),
            Rule("uploads", new LifecycleFilter(), abortDays: 2));
        await PutAsync("logs/a", "a");
        await PutAsync("keep", "k");
        var upload = (await _multipart.CreateAsync(new CreateMultipartCommand { Bucket = Bucket, Key = "big" }, Ct))!.Value;
        await StepAsync();

        Assert.Empty((await _worker.PreviewAsync(Bucket, null, 100, Ct))!.Actions);
        var dayThree = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero);
        var preview = await _worker.PreviewAsync(Bucket, dayThree, 100, Ct);

        Assert.NotNull(preview);
        var action = Assert.Single(preview.Actions);
        Assert.Equal((LifecycleActionKind.ExpireCurrent, "logs/a", "logs", dayThree), (action.Kind, action.Key, action.RuleId, action.Due));
        Assert.Empty(preview.Uploads);
        var abort = Assert.Single((await _worker.PreviewAsync(Bucket, dayThree.AddDays(1), 100, Ct))!.Uploads);
        Assert.Equal((upload.UploadId, "uploads"), (abort.UploadId, abort.RuleId));
        Assert.True(preview.Complete);
        Assert.Equal(["keep", "logs/a"], await CurrentKeysAsync());
        Assert.Null(await _worker.PreviewAsync("no-such-bucket", null, 100, Ct));
    }

    private static LifecycleRule Rule(string id, LifecycleFilter filter, LifecycleExpiration? expiration = null, int? noncurrentDays = null,
        int? newerNoncurrent = null, int? abortDays = null) => new()
        {
            Id = id,
            Enabled = true,
            Filter = filter,
            Expiration = expiration,
            NoncurrentDays = noncurrentDays,
            NewerNoncurrentVersions = newerNoncurrent,
            AbortIncompleteUploadDays = abortDays,
        };

    private async Task PutConfigurationAsync(params LifecycleRule[] rules) =>
        Assert.Equal(LifecycleStatus.Done, await _configurations.PutAsync(Bucket, new LifecycleConfiguration(rules), Ct));

    private async Task StepAsync() => Assert.Equal(WorkerState.Idle, await _worker.WorkAsync(Ct));

    private async Task<string> PutAsync(string key, string body, Dictionary<string, string>? tags = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var result = await _objects.PutAsync(new PutObjectCommand
        {
            Bucket = Bucket,
            Key = key,
            Body = new MemoryStream(bytes),
            DeclaredLength = bytes.Length,
            Tags = tags ?? [],
        }, Ct);
        Assert.Equal(PutObjectStatus.Created, result.Status);
        return result.Version.VersionId;
    }

    private async Task<List<string>> CurrentKeysAsync()
    {
        var listing = await _store.ListObjectsAsync(Bucket, new ListObjectsQuery("", null, null, 1000), Ct);
        return [.. listing.Objects.Select(static o => o.Key)];
    }

    private async Task<List<VersionSummary>> VersionsAsync(string key)
    {
        var listing = await _store.ListObjectVersionsAsync(Bucket, new ListVersionsQuery(key, null, null, null, 1000), Ct);
        return [.. listing.Versions.Where(v => v.Key == key)];
    }

    private async Task<int> UploadCountAsync() =>
        (await _store.ListMultipartUploadsAsync(Bucket, new MultipartUploadsQuery("", null, null, null, 1000), Ct)).Uploads.Count;
}

public sealed class SqliteLifecycleWorkerTests : LifecycleWorkerTests
{
    protected override Task<SqlMetadataStore> OpenStoreAsync() =>
        Task.FromResult<SqlMetadataStore>(new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory }));

    protected override Task DropStoreAsync() => Task.CompletedTask;
}

[Collection(PostgresCluster.Collection)]
public sealed class PostgresLifecycleWorkerTests(PostgresCluster cluster) : LifecycleWorkerTests
{
    private string _connectionString = "";

    protected override async Task<SqlMetadataStore> OpenStoreAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        return new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = _connectionString });
    }

    protected override Task DropStoreAsync() => cluster.DropDatabaseAsync(_connectionString);
}
