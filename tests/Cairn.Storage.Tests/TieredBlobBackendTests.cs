using System.Runtime.CompilerServices;

namespace Cairn.Storage.Tests;

/// <summary>
/// Routing by name (issue 13): <c>tiers/&lt;segment&gt;/&lt;name&gt;</c> to the tier, stored there as
/// <c>&lt;name&gt;</c>; everything else to the hot store. Each test looks into the stores themselves.
/// </summary>
[Trait("Issue", "13")]
public sealed class TieredBlobBackendTests
{
    private const int Timeout = 10_000;
    private const string Chunk = "chunks/ab/abcdef.0001";

    private readonly InMemoryBlobBackend _hot = new();
    private readonly InMemoryBlobBackend _cold = new();
    private readonly InMemoryBlobBackend _archive = new();
    private readonly TieredBlobBackend _tiered;

    public TieredBlobBackendTests() =>
        _tiered = new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { ["COLD"] = _cold, ["Deep_Archive"] = _archive });

    private static CancellationToken Ct => CancellationToken.None;

    private static async Task<List<string>> NamesAsync(IBlobBackend backend, string prefix = "")
    {
        var names = new List<string>();
        await foreach (var name in backend.ListAsync(prefix, Ct))
        {
            names.Add(name);
        }
        return names;
    }

    private static async Task<List<BlobMultipartUpload>> UploadsAsync(IBlobBackend backend, string prefix)
    {
        var uploads = new List<BlobMultipartUpload>();
        await foreach (var upload in backend.ListMultipartUploadsAsync(prefix, Ct))
        {
            uploads.Add(upload);
        }
        return uploads;
    }

    [Fact(Timeout = Timeout)]
    public async Task A_name_under_a_tier_is_written_read_measured_and_deleted_in_that_tier_under_the_ordinary_name()
    {
        // Arrange
        var name = TieredBlobBackend.NameIn("COLD", Chunk);
        byte[] data = [1, 2, 3, 4, 5];

        // Act + Assert
        await _tiered.PutAsync(name, data, Ct);
        Assert.Equal([Chunk], await NamesAsync(_cold));
        Assert.Empty(await NamesAsync(_hot));
        Assert.Empty(await NamesAsync(_archive));

        var buffer = new byte[3];
        Assert.Equal(3, await _tiered.ReadAsync(name, 2, buffer, Ct));
        Assert.Equal(data[2..], buffer);
        Assert.Equal(5, await _tiered.GetLengthAsync(name, Ct));

        await _tiered.DeleteAsync(name, Ct);
        Assert.Empty(await NamesAsync(_cold));
        Assert.Null(await _tiered.GetLengthAsync(name, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_name_outside_tiers_goes_to_the_hot_store_unchanged()
    {
        // Act
        await _tiered.PutAsync(Chunk, new byte[7], Ct);
        var created = await _tiered.PutIfAbsentAsync("packs/p1", new byte[2], Ct);

        // Assert
        Assert.True(created);
        Assert.Equal(["chunks/ab/abcdef.0001", "packs/p1"], await NamesAsync(_hot));
        Assert.Empty(await NamesAsync(_cold));
        Assert.Equal(7, await _tiered.GetLengthAsync(Chunk, Ct));
        Assert.Null(await _tiered.GetLengthAsync(TieredBlobBackend.NameIn("COLD", Chunk), Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutIfAbsent_under_a_tier_creates_once_in_that_tier()
    {
        // Arrange
        var name = TieredBlobBackend.NameIn("Deep_Archive", Chunk);

        // Act
        var first = await _tiered.PutIfAbsentAsync(name, new byte[] { 1 }, Ct);
        var second = await _tiered.PutIfAbsentAsync(name, new byte[] { 2, 2 }, Ct);

        // Assert
        Assert.True(first);
        Assert.False(second);
        Assert.Equal(1, await _archive.GetLengthAsync(Chunk, Ct));
        Assert.Null(await _hot.GetLengthAsync(Chunk, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_missing_blob_under_a_tier_is_reported_by_its_full_name()
    {
        var name = TieredBlobBackend.NameIn("COLD", Chunk);

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(async () => await _tiered.ReadAsync(name, 0, new byte[1], Ct));

        Assert.Equal(name, error.Name);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_multipart_upload_under_a_tier_lands_in_that_tier_and_lists_by_its_full_name()
    {
        // Arrange
        var name = TieredBlobBackend.NameIn("COLD", "packs/big");
        var abandoned = TieredBlobBackend.NameIn("COLD", "packs/abandoned");

        // Act
        var uploadId = await _tiered.BeginMultipartAsync(name, Ct);
        var part = await _tiered.UploadPartAsync(name, uploadId, 1, new byte[10], Ct);
        var leftOver = await _tiered.BeginMultipartAsync(abandoned, Ct);
        var listed = await UploadsAsync(_tiered, "");
        await _tiered.CompleteMultipartAsync(name, uploadId, [part], Ct);
        await _tiered.AbortMultipartAsync(abandoned, leftOver, Ct);

        // Assert
        Assert.Equal([(name, uploadId), (abandoned, leftOver)], listed.Select(u => (u.Name, u.UploadId)).OrderByDescending(u => u.Name));
        Assert.Equal(["packs/big"], await NamesAsync(_cold));
        Assert.Empty(await UploadsAsync(_cold, ""));
        Assert.Empty(await NamesAsync(_hot));
    }

    [Fact(Timeout = Timeout)]
    public async Task ListMultipartUploads_merges_the_hot_store_and_every_tier_the_prefix_can_reach()
    {
        // Arrange
        var hot = await _tiered.BeginMultipartAsync("packs/hot", Ct);
        var cold = await _tiered.BeginMultipartAsync(TieredBlobBackend.NameIn("COLD", "packs/a"), Ct);
        var archive = await _tiered.BeginMultipartAsync(TieredBlobBackend.NameIn("Deep_Archive", "packs/a"), Ct);

        // Act
        var all = await UploadsAsync(_tiered, "");
        var tiersOnly = await UploadsAsync(_tiered, "tiers/");
        var partialSegment = await UploadsAsync(_tiered, "tiers/de");
        var oneTier = await UploadsAsync(_tiered, "tiers/cold/packs/");
        var hotOnly = await UploadsAsync(_tiered, "packs/");

        // Assert
        Assert.Equal(new[] { hot, cold, archive }.Order(), all.Select(u => u.UploadId).Order());
        Assert.Equal(["packs/hot", "tiers/cold/packs/a", "tiers/deep-archive/packs/a"], all.Select(u => u.Name).Order());
        Assert.Equal(["tiers/cold/packs/a", "tiers/deep-archive/packs/a"], tiersOnly.Select(u => u.Name).Order());
        Assert.Equal([archive], partialSegment.Select(u => u.UploadId));
        Assert.Equal([cold], oneTier.Select(u => u.UploadId));
        Assert.Equal([hot], hotOnly.Select(u => u.UploadId));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_sends_each_store_its_own_names_in_one_request()
    {
        // Arrange
        var hot = new CountingBlobBackend(_hot);
        var cold = new CountingBlobBackend(_cold);
        var archive = new CountingBlobBackend(_archive);
        var tiered = new TieredBlobBackend(hot, new Dictionary<string, IBlobBackend> { ["COLD"] = cold, ["Deep_Archive"] = archive });
        string[] names = [Chunk, TieredBlobBackend.NameIn("COLD", Chunk), "packs/p", TieredBlobBackend.NameIn("COLD", "packs/p")];
        foreach (var name in names)
        {
            await tiered.PutAsync(name, new byte[1], Ct);
        }
        await _archive.PutAsync(Chunk, new byte[1], Ct);

        // Act
        var failures = await tiered.DeleteManyAsync(names, Ct);

        // Assert
        Assert.Empty(failures);
        Assert.Empty(await NamesAsync(_hot));
        Assert.Empty(await NamesAsync(_cold));
        Assert.Equal([Chunk], await NamesAsync(_archive));
        Assert.Equal(1, hot.Count(BlobOperation.DeleteMany));
        Assert.Equal(1, cold.Count(BlobOperation.DeleteMany));
        Assert.Equal(0, archive.Count(BlobOperation.DeleteMany));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_gives_a_tiers_per_name_failure_back_under_the_full_name()
    {
        // Arrange
        var stuck = new RefusingDeletes(_cold, refused: "chunks/ab/stuck");
        var tiered = new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { ["COLD"] = stuck });
        var stuckName = TieredBlobBackend.NameIn("COLD", "chunks/ab/stuck");
        var freeName = TieredBlobBackend.NameIn("COLD", Chunk);
        await tiered.PutAsync(stuckName, new byte[1], Ct);
        await tiered.PutAsync(freeName, new byte[1], Ct);
        await tiered.PutAsync(Chunk, new byte[1], Ct);

        // Act
        var failures = await tiered.DeleteManyAsync([Chunk, stuckName, freeName], Ct);

        // Assert
        var failure = Assert.Single(failures);
        Assert.Equal(stuckName, failure.Name);
        Assert.True(failure.IsTransient);
        Assert.Equal(["chunks/ab/stuck"], await NamesAsync(_cold));
        Assert.Empty(await NamesAsync(_hot));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_across_stores_reports_a_failed_tier_request_per_name_and_still_deletes_the_hot_blobs()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_cold).Inject(BlobOperation.DeleteMany, BlobFault.OnCall(1));
        var tiered = new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { ["COLD"] = flaky });
        var coldName = TieredBlobBackend.NameIn("COLD", Chunk);
        await tiered.PutAsync(coldName, new byte[1], Ct);
        await tiered.PutAsync(Chunk, new byte[1], Ct);

        // Act
        var failures = await tiered.DeleteManyAsync([Chunk, coldName], Ct);

        // Assert
        var failure = Assert.Single(failures);
        Assert.Equal(coldName, failure.Name);
        Assert.True(failure.IsTransient);
        Assert.Empty(await NamesAsync(_hot));
        Assert.Equal([Chunk], await NamesAsync(_cold));
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_within_one_store_throws_that_stores_failure_as_a_plain_backend_would()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(_cold).Inject(BlobOperation.DeleteMany, BlobFault.OnCall(1, isTransient: false));
        var tiered = new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { ["COLD"] = flaky });

        // Act
        var error = await Assert.ThrowsAsync<BlobBackendException>(async () =>
            await tiered.DeleteManyAsync([TieredBlobBackend.NameIn("COLD", Chunk)], Ct));

        // Assert
        Assert.False(error.IsTransient);
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteMany_reports_names_of_an_unconfigured_tier_as_permanent_failures_and_deletes_the_rest()
    {
        // Arrange
        await _tiered.PutAsync(Chunk, new byte[1], Ct);
        var unknown = "tiers/glacier/" + Chunk;

        // Act
        var failures = await _tiered.DeleteManyAsync([Chunk, unknown], Ct);

        // Assert
        var failure = Assert.Single(failures);
        Assert.Equal(unknown, failure.Name);
        Assert.False(failure.IsTransient);
        Assert.Contains("'glacier'", failure.Reason, StringComparison.Ordinal);
        Assert.Empty(await NamesAsync(_hot));
    }

    [Fact(Timeout = Timeout)]
    public async Task Every_call_for_an_unconfigured_tier_fails_permanently_naming_the_tier_and_touches_no_store()
    {
        // Arrange
        const string name = "tiers/glacier/" + Chunk;
        Func<Task>[] calls =
        [
            async () => await _tiered.PutAsync(name, new byte[1], Ct),
            async () => await _tiered.PutIfAbsentAsync(name, new byte[1], Ct),
            async () => await _tiered.ReadAsync(name, 0, new byte[1], Ct),
            async () => await _tiered.GetLengthAsync(name, Ct),
            async () => await _tiered.DeleteAsync(name, Ct),
            async () => await _tiered.ListPageAsync("tiers/glacier/chunks/", null, 10, Ct),
            async () => await _tiered.BeginMultipartAsync(name, Ct),
            async () => await _tiered.UploadPartAsync(name, "upload", 1, new byte[1], Ct),
            async () => await _tiered.CompleteMultipartAsync(name, "upload", [new BlobPart(1, "etag")], Ct),
            async () => await _tiered.AbortMultipartAsync(name, "upload", Ct),
            async () => await UploadsAsync(_tiered, "tiers/glacier/"),
        ];

        // Act + Assert
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<BlobBackendException>(call);
            Assert.False(error.IsTransient);
            Assert.Contains("cold tier 'glacier'", error.Message, StringComparison.Ordinal);
            Assert.Contains("not configured", error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, _hot.Count + _cold.Count + _archive.Count);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("tiers/cold")]
    [InlineData("tiers/glacier")]
    [InlineData("tiers/COLD/" + Chunk)]
    [InlineData("tiers/cold//x")]
    [InlineData("tiers/cold/../x")]
    public async Task A_name_under_tiers_that_names_no_tier_blob_is_an_invalid_argument(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await _tiered.PutAsync(name, new byte[1], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await _tiered.GetLengthAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await _tiered.DeleteManyAsync([Chunk, name], Ct));
        Assert.Equal(0, _hot.Count + _cold.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_prefix_under_a_tier_lists_that_tier_in_pages_with_full_names()
    {
        // Arrange
        for (var i = 0; i < 5; i++)
        {
            await _tiered.PutAsync(TieredBlobBackend.NameIn("COLD", $"chunks/{i:D2}"), new byte[i], Ct);
        }
        await _tiered.PutAsync("chunks/hot", new byte[1], Ct);
        await _tiered.PutAsync(TieredBlobBackend.NameIn("Deep_Archive", "chunks/00"), new byte[1], Ct);

        // Act
        var first = await _tiered.ListPageAsync("tiers/cold/chunks/", null, 2, Ct);
        var second = await _tiered.ListPageAsync("tiers/cold/chunks/", first.NextStartAfter, 10, Ct);
        var all = await NamesAsync(_tiered, "tiers/cold/");

        // Assert
        Assert.Equal([new BlobListEntry("tiers/cold/chunks/00", 0), new BlobListEntry("tiers/cold/chunks/01", 1)], first.Entries);
        Assert.Equal("tiers/cold/chunks/01", first.NextStartAfter);
        Assert.Equal(["tiers/cold/chunks/02", "tiers/cold/chunks/03", "tiers/cold/chunks/04"], second.Entries.Select(e => e.Name));
        Assert.Null(second.NextStartAfter);
        Assert.Equal(5, all.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_start_after_outside_the_tier_prefix_starts_at_the_beginning_or_past_the_end()
    {
        // Arrange
        await _tiered.PutAsync(TieredBlobBackend.NameIn("COLD", "chunks/a"), new byte[1], Ct);

        // Act
        var before = await _tiered.ListPageAsync("tiers/cold/", "packs/zzz", 10, Ct);
        var after = await _tiered.ListPageAsync("tiers/cold/", "tiers/deep-archive/x", 10, Ct);

        // Assert
        Assert.Equal(["tiers/cold/chunks/a"], before.Entries.Select(e => e.Name));
        Assert.Empty(after.Entries);
        Assert.Null(after.NextStartAfter);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("")]
    [InlineData("tiers/")]
    [InlineData("tiers/cold")]
    [InlineData("chunks/")]
    public async Task Any_other_prefix_lists_the_hot_store_only(string prefix)
    {
        // Arrange
        await _tiered.PutAsync("chunks/hot", new byte[1], Ct);
        await _tiered.PutAsync(TieredBlobBackend.NameIn("COLD", "chunks/cold"), new byte[1], Ct);

        // Act
        var names = await NamesAsync(_tiered, prefix);

        // Assert
        Assert.Equal(prefix.StartsWith("tiers", StringComparison.Ordinal) ? [] : ["chunks/hot"], names);
    }

    [Theory]
    [InlineData("COLD", "cold")]
    [InlineData("Deep_Archive", "deep-archive")]
    [InlineData("glacier-ir", "glacier-ir")]
    [InlineData("7", "7")]
    [InlineData("GLACIER_IR_2", "glacier-ir-2")]
    public void SegmentOf_lower_cases_and_maps_underscores_to_hyphens(string tier, string segment)
    {
        Assert.Equal(segment, TieredBlobBackend.SegmentOf(tier));
        Assert.Equal($"tiers/{segment}/{Chunk}", TieredBlobBackend.NameIn(tier, Chunk));
        Assert.True(BlobName.IsValid(TieredBlobBackend.NameIn(tier, Chunk)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("_cold")]
    [InlineData("-cold")]
    [InlineData("cold tier")]
    [InlineData("cold.tier")]
    [InlineData("cold/tier")]
    [InlineData("kalt\u00e9")]
    [InlineData("STANDARD")]
    [InlineData("standard")]
    [InlineData("REDUCED_REDUNDANCY")]
    [InlineData("reduced-redundancy")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Invalid_tier_names_are_refused_everywhere(string tier)
    {
        Assert.False(TieredBlobBackend.IsValidTierName(tier));
        Assert.Throws<ArgumentException>(() => TieredBlobBackend.SegmentOf(tier));
        Assert.Throws<ArgumentException>(() => TieredBlobBackend.NameIn(tier, Chunk));
        Assert.Throws<ArgumentException>(() => TieredBlobBackend.ThrowIfInvalidTierNames(["COLD", tier]));
        Assert.Throws<ArgumentException>(() => new TieredBlobBackend(_hot, new Dictionary<string, IBlobBackend> { [tier] = _cold }));
    }

    [Theory]
    [InlineData("COLD")]
    [InlineData("a")]
    [InlineData("9lives")]
    [InlineData("GLACIER")]
    [InlineData("STANDARD_IA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Valid_tier_names_are_accepted(string tier)
    {
        Assert.True(TieredBlobBackend.IsValidTierName(tier));
        TieredBlobBackend.ThrowIfInvalidTierNames([tier]);
    }

    [Theory]
    [InlineData("Cold", "COLD")]
    [InlineData("cold_1", "COLD-1")]
    public void Two_tier_names_with_one_segment_are_refused_naming_both(string first, string second)
    {
        var error = Assert.Throws<ArgumentException>(() => TieredBlobBackend.ThrowIfInvalidTierNames([first, second]));

        Assert.Contains($"'{first}' and '{second}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tiers/cold/chunks/ab/c", true, "cold", "chunks/ab/c")]
    [InlineData("tiers/x/y", true, "x", "y")]
    [InlineData("tiers/cold", false, null, null)]
    [InlineData("chunks/ab/c", false, null, null)]
    [InlineData("tiers", false, null, null)]
    [InlineData("tiers//x", false, null, null)]
    [InlineData(null, false, null, null)]
    public void TrySplitName_takes_a_tier_name_apart(string? blobName, bool isTierName, string? segment, string? name)
    {
        Assert.Equal(isTierName, TieredBlobBackend.TrySplitName(blobName, out var actualSegment, out var actualName));
        Assert.Equal(isTierName, TieredBlobBackend.IsTierName(blobName));
        Assert.Equal(segment, actualSegment);
        Assert.Equal(name, actualName);
    }

    [Fact]
    public void NameIn_refuses_a_name_that_would_pass_the_blob_name_limit()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('x', 100), 5)) + "/abcdefg";
        Assert.True(BlobName.IsValid(name));

        Assert.Throws<ArgumentException>(() => TieredBlobBackend.NameIn("COLD", name));
    }

    [Fact]
    public void The_stores_are_exposed_for_the_host_to_dispose_with_names_as_configured()
    {
        Assert.Same(_hot, _tiered.Hot);
        Assert.Equal(["COLD", "Deep_Archive"], _tiered.Tiers.Keys.Order());
        Assert.Same(_archive, _tiered.Tiers["Deep_Archive"]);
    }

    /// <summary>Reports one name as not deleted, as S3 does for a key DeleteObjects could not remove.</summary>
    private sealed class RefusingDeletes(IBlobBackend inner, string refused) : DelegatingBlobBackend(inner)
    {
        protected override ValueTask<TResult> InvokeAsync<TState, TResult>(BlobOperation operation, string target, TState state,
            Func<IBlobBackend, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken) =>
            call(Inner, state, cancellationToken);

        public override async ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names,
            CancellationToken cancellationToken)
        {
            var others = names.Where(n => n != refused).ToArray();
            await Inner.DeleteManyAsync(others, cancellationToken);
            return names.Contains(refused) ? [new BlobDeleteFailure(refused, "InternalError", IsTransient: true)] : [];
        }

        public override async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var upload in Inner.ListMultipartUploadsAsync(prefix, cancellationToken))
            {
                yield return upload;
            }
        }
    }
}
