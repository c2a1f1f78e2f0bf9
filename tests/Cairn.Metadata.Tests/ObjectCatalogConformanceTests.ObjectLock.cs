using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Object Lock on every catalog target: a bucket's lock configuration and its versioning, the
/// default retention a new version gets, what a retention or legal hold refuses (removal, a shorter
/// or other retention) with and without the governance bypass, and the journal entry of each change.
/// Refused changes change nothing and append nothing.
/// </summary>
public abstract partial class ObjectCatalogConformanceTests<TTarget>
{
    private static readonly ObjectRetention GovernanceDay = new(ObjectLockMode.Governance, Now.AddDays(1));
    private static readonly ObjectRetention ComplianceDay = new(ObjectLockMode.Compliance, Now.AddDays(1));

    /// <summary>Turns versioning on and Object Lock with it, with <paramref name="retention"/> as the default.</summary>
    private async Task LockBucketAsync(DefaultRetention? retention = null)
    {
        await VersioningAsync(BucketVersioning.Enabled);
        Assert.Equal(PutObjectLockOutcome.Updated,
            await Catalog.Buckets.PutObjectLockConfigurationAsync(Bucket, new ObjectLockConfiguration(retention), Ct));
    }

    private async Task<string> PutLockedAsync(string key, ObjectLockState state)
    {
        var result = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(null, InlineVersion(key) with { Lock = state }, WritePrecondition.None),
            Now, Grace, Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return result.VersionId!;
    }

    private ValueTask<DeleteObjectResult> DeleteVersionAsync(string key, string versionId, bool bypass, DateTimeOffset? at = null) =>
        Catalog.Objects.DeleteObjectVersionAsync(Bucket, key, versionId, WritePrecondition.None, bypass, at ?? Now, Grace, Ct);

    [Fact(Timeout = 10_000)]
    public async Task A_bucket_created_with_lock_has_versioning_enabled_and_keeps_it()
    {
        // Arrange
        var created = await Catalog.Buckets.TryCreateBucketAsync(
            new BucketRecord("locked", Now, "us-east-1") { ObjectLock = new ObjectLockConfiguration(null) }, Ct);

        // Act
        var suspend = await Catalog.Buckets.PutBucketVersioningAsync("locked", BucketVersioning.Suspended, Ct);
        var enable = await Catalog.Buckets.PutBucketVersioningAsync("locked", BucketVersioning.Enabled, Ct);
        var bucket = await Catalog.Buckets.GetBucketAsync("locked", Ct);

        // Assert
        Assert.True(created);
        Assert.Equal((PutVersioningOutcome.ObjectLockEnabled, PutVersioningOutcome.Updated), (suspend, enable));
        Assert.Equal((BucketVersioning.Enabled, new ObjectLockConfiguration(null)), (bucket!.Versioning, bucket.ObjectLock));
    }

    [Fact(Timeout = 10_000)]
    public async Task Lock_needs_versioning_enabled_and_its_default_retention_can_be_replaced_and_removed()
    {
        // Arrange
        var days = new DefaultRetention(ObjectLockMode.Governance, 30, null);
        var years = new DefaultRetention(ObjectLockMode.Compliance, null, 2);

        // Act
        var unversioned = await Catalog.Buckets.PutObjectLockConfigurationAsync(Bucket, new ObjectLockConfiguration(days), Ct);
        var afterRefusal = await Catalog.Buckets.GetBucketAsync(Bucket, Ct);
        var missing = await Catalog.Buckets.PutObjectLockConfigurationAsync("no-such-bucket", new ObjectLockConfiguration(days), Ct);
        await LockBucketAsync(days);
        var withDays = (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.ObjectLock;
        await LockBucketAsync(years);
        var withYears = (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.ObjectLock;
        await LockBucketAsync(null);
        var without = (await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.ObjectLock;

        // Assert
        Assert.Equal((PutObjectLockOutcome.VersioningNotEnabled, PutObjectLockOutcome.NoSuchBucket), (unversioned, missing));
        Assert.Null(afterRefusal!.ObjectLock);
        Assert.Equal(new ObjectLockConfiguration(days), withDays);
        Assert.Equal(new ObjectLockConfiguration(years), withYears);
        Assert.Equal(new ObjectLockConfiguration(null), without);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_new_version_without_its_own_retention_gets_the_default_counted_from_its_creation_and_a_marker_gets_none()
    {
        // Arrange
        await LockBucketAsync(new DefaultRetention(ObjectLockMode.Compliance, 3, null));
        var (upload, _) = await ReserveAsync(Chunk("a"));

        // Act: inline, chunked, an explicit retention, then a delete marker.
        var inline = await PutLockedAsync("inline", default);
        var chunked = await Catalog.Objects.CommitObjectAsync(new ObjectCommit(upload, Version("chunked", "e", Chunk("a")), WritePrecondition.None),
            Now, Grace, Ct);
        var own = await PutLockedAsync("own", new ObjectLockState(GovernanceDay, LegalHold: true));
        var marker = await Catalog.Objects.DeleteObjectAsync(Bucket, "inline", WritePrecondition.None, Now, Grace, Ct);

        // Assert
        var expected = new ObjectLockState(new ObjectRetention(ObjectLockMode.Compliance, Now.AddDays(3)), null);
        Assert.Equal(expected, (await Catalog.Objects.GetObjectVersionAsync(Bucket, "inline", inline, Ct))!.Lock);
        Assert.Equal(expected, (await Catalog.Objects.GetObjectVersionAsync(Bucket, "chunked", chunked.VersionId!, Ct))!.Lock);
        Assert.Equal(new ObjectLockState(GovernanceDay, true), (await Catalog.Objects.GetObjectVersionAsync(Bucket, "own", own, Ct))!.Lock);
        Assert.Equal(default, (await Catalog.Objects.GetObjectVersionAsync(Bucket, "inline", marker.VersionId!, Ct))!.Lock);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_protected_version_is_not_removed_and_stays_as_it_was()
    {
        // Arrange
        await LockBucketAsync();
        var held = await PutLockedAsync("held", new ObjectLockState(null, LegalHold: true));
        var governed = await PutLockedAsync("governed", new ObjectLockState(GovernanceDay, null));
        var complied = await PutLockedAsync("complied", new ObjectLockState(ComplianceDay, null));
        var before = await AllVersionsAsync();
        var journal = (await JournalAsync()).Count;

        // Act
        var heldBypassed = await DeleteVersionAsync("held", held, bypass: true);
        var governedPlain = await DeleteVersionAsync("governed", governed, bypass: false);
        var compliedBypassed = await DeleteVersionAsync("complied", complied, bypass: true);

        // Assert
        Assert.All([heldBypassed, governedPlain, compliedBypassed], static r => Assert.Equal(DeleteObjectOutcome.Locked, r.Outcome));
        Assert.Equal(before, await AllVersionsAsync());
        Assert.Equal(journal, (await JournalAsync()).Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task Bypass_removes_a_governed_version_and_an_expired_retention_protects_nothing()
    {
        // Arrange
        await LockBucketAsync();
        var governed = await PutLockedAsync("k", new ObjectLockState(GovernanceDay, LegalHold: false));
        var complied = await PutLockedAsync("k", new ObjectLockState(ComplianceDay, null));

        // Act: the governed one is noncurrent; the compliance one current, removed a day and a moment later.
        var bypassed = await DeleteVersionAsync("k", governed, bypass: true);
        var expired = await DeleteVersionAsync("k", complied, bypass: false, at: ComplianceDay.RetainUntil.AddMilliseconds(1));

        // Assert
        Assert.Equal((DeleteObjectOutcome.Deleted, DeleteObjectOutcome.Deleted), (bypassed.Outcome, expired.Outcome));
        Assert.Empty(await AllVersionsAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_noncurrent_version_keeps_its_lock_when_it_becomes_the_latest_again()
    {
        // Arrange
        await LockBucketAsync();
        var held = await PutLockedAsync("k", new ObjectLockState(GovernanceDay, LegalHold: true));
        var plain = await PutLockedAsync("k", default);

        // Act
        var removed = await DeleteVersionAsync("k", plain, bypass: false);
        var latest = await Catalog.Objects.GetObjectAsync(Bucket, "k", Ct);

        // Assert
        Assert.Equal(DeleteObjectOutcome.Deleted, removed.Outcome);
        Assert.Equal((held, new ObjectLockState(GovernanceDay, true)), (latest!.VersionId, latest.Lock));
        Assert.Equal(DeleteObjectOutcome.Locked, (await DeleteVersionAsync("k", held, bypass: true)).Outcome);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_retention_in_force_may_be_extended_in_its_mode_and_only_a_governed_one_changed_otherwise_with_bypass()
    {
        // Arrange
        await LockBucketAsync();
        var governed = await PutLockedAsync("g", new ObjectLockState(GovernanceDay, null));
        var complied = await PutLockedAsync("c", new ObjectLockState(ComplianceDay, null));
        var longer = (ObjectLockMode mode) => new ObjectRetention(mode, Now.AddDays(2));
        var shorter = (ObjectLockMode mode) => new ObjectRetention(mode, Now.AddHours(1));

        // Act
        async Task<PutLockOutcome> Put(string key, string? versionId, ObjectRetention? retention, bool bypass) =>
            await Catalog.Objects.PutObjectLockAsync(Bucket, key, versionId, ObjectLockChange.OfRetention(retention, bypass), Now, Ct);
        var outcomes = new[]
        {
            await Put("g", governed, shorter(ObjectLockMode.Governance), bypass: false),
            await Put("g", null, null, bypass: false),
            await Put("g", null, longer(ObjectLockMode.Compliance), bypass: false),
            await Put("c", complied, shorter(ObjectLockMode.Compliance), bypass: true),
            await Put("c", null, null, bypass: true),
            await Put("c", null, longer(ObjectLockMode.Governance), bypass: true),
        };
        var refusedState = ((await Catalog.Objects.GetObjectAsync(Bucket, "g", Ct))!.Lock, (await Catalog.Objects.GetObjectAsync(Bucket, "c", Ct))!.Lock);
        var extendedGoverned = await Put("g", governed, longer(ObjectLockMode.Governance), bypass: false);
        var extendedComplied = await Put("c", complied, longer(ObjectLockMode.Compliance), bypass: false);
        var removedWithBypass = await Put("g", governed, null, bypass: true);

        // Assert
        Assert.All(outcomes, static outcome => Assert.Equal(PutLockOutcome.Locked, outcome));
        Assert.Equal((new ObjectLockState(GovernanceDay, null), new ObjectLockState(ComplianceDay, null)), refusedState);
        Assert.Equal((PutLockOutcome.Updated, PutLockOutcome.Updated, PutLockOutcome.Updated), (extendedGoverned, extendedComplied, removedWithBypass));
        Assert.Equal(default, (await Catalog.Objects.GetObjectAsync(Bucket, "g", Ct))!.Lock);
        Assert.Equal(new ObjectLockState(longer(ObjectLockMode.Compliance), null), (await Catalog.Objects.GetObjectAsync(Bucket, "c", Ct))!.Lock);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_legal_hold_is_set_and_lifted_by_version_and_each_change_is_journaled_with_the_new_state()
    {
        // Arrange
        await LockBucketAsync();
        var old = await PutLockedAsync("k", default);
        await PutLockedAsync("k", default);
        var marker = await Catalog.Objects.DeleteObjectAsync(Bucket, "k", WritePrecondition.None, Now, Grace, Ct);
        var journal = (await JournalAsync()).Count;

        // Act
        var on = await Catalog.Objects.PutObjectLockAsync(Bucket, "k", old, ObjectLockChange.OfLegalHold(true), Now, Ct);
        var held = await DeleteVersionAsync("k", old, bypass: true);
        var off = await Catalog.Objects.PutObjectLockAsync(Bucket, "k", old, ObjectLockChange.OfLegalHold(false), Now, Ct);
        var onMarker = await Catalog.Objects.PutObjectLockAsync(Bucket, "k", marker.VersionId, ObjectLockChange.OfLegalHold(true), Now, Ct);
        var unknown = await Catalog.Objects.PutObjectLockAsync(Bucket, "k", "no-such-version", ObjectLockChange.OfLegalHold(true), Now, Ct);
        var absent = await Catalog.Objects.PutObjectLockAsync(Bucket, "absent", null, ObjectLockChange.OfLegalHold(true), Now, Ct);
        var entries = (await JournalAsync()).Skip(journal).ToList();

        // Assert
        Assert.Equal((PutLockOutcome.Updated, DeleteObjectOutcome.Locked, PutLockOutcome.Updated), (on, held.Outcome, off));
        Assert.Equal((PutLockOutcome.DeleteMarker, PutLockOutcome.NotFound, PutLockOutcome.NotFound), (onMarker, unknown, absent));
        Assert.Equal(new ObjectLockState(null, false), (await Catalog.Objects.GetObjectVersionAsync(Bucket, "k", old, Ct))!.Lock);
        Assert.Equal([(JournalChange.Lock, old, (bool?)true), (JournalChange.Lock, old, false)],
            entries.Select(static e => (e.Change, e.VersionId, e.Lock.LegalHold)));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_multipart_upload_keeps_the_lock_state_it_was_created_with()
    {
        // Arrange
        var state = new ObjectLockState(ComplianceDay, LegalHold: true);

        // Act
        Assert.True(await Catalog.Multipart.CreateMultipartUploadAsync(
            new MultipartUploadRecord { UploadId = "u-lock", Bucket = Bucket, Key = "k", Initiated = Now, Lock = state }, Ct));
        var upload = await Catalog.Multipart.GetMultipartUploadAsync("u-lock", Ct);

        // Assert
        Assert.Equal(state, upload!.Lock);
    }
}
