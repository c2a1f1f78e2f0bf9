using Cairn.Core;

namespace Cairn.Metadata.Tests;

/// <summary>
/// Journal records (issue 13, for archiving): with <see cref="SqlMetadataStore.JournalRecords"/> on,
/// every Put entry carries its whole version, on every catalog and through every write path (a
/// commit, a coalesced create, a delete marker, an import); every entry says when it was committed;
/// with it off, entries carry no record.
/// </summary>
public abstract class JournalRecordsConformanceTests<TTarget>(TTarget target, bool recordsKept) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static ObjectVersionRecord Rich(string key) => Version(key, "etag-" + key, Chunk("a"), Chunk("b", 500)) with
    {
        Headers = new ContentHeaders(ContentType: "text/plain", CacheControl: "no-cache"),
        UserMetadata = new Dictionary<string, string> { ["owner"] = "ana" },
        Checksums = new Dictionary<string, string> { ["CRC32C"] = "AAAAAA==" },
        Tags = new Dictionary<string, string> { ["class"] = "gold" },
        PartSizes = [1000, 500],
        Lock = new ObjectLockState(new ObjectRetention(ObjectLockMode.Governance, Now.AddDays(3)), LegalHold: true),
        Encryption = [0x00, 0xFF, .. "sealed data key"u8],
    };

    [Fact(Timeout = 20_000)]
    public async Task Put_entries_carry_their_whole_version_exactly_when_records_are_kept()
    {
        // Arrange: versioned, so every version stays to compare against.
        Assert.Equal(PutVersioningOutcome.Updated, await Catalog.Buckets.PutBucketVersioningAsync(Bucket, BucketVersioning.Enabled, Ct));
        var before = DateTimeOffset.UtcNow;
        var (upload, _) = await ReserveAsync(Chunk("a"), Chunk("b", 500));
        Assert.Equal(CommitOutcome.Committed, await CommitAsync(upload, Rich("rich")));
        await PutInlineAsync("small");
        await Catalog.Objects.DeleteObjectAsync(Bucket, "small", WritePrecondition.None, Now, Grace, Ct); // a delete marker
        await Catalog.Objects.PutObjectTagsAsync(Bucket, "rich", null, new Dictionary<string, string> { ["class"] = "lead" }, Ct);
        var after = DateTimeOffset.UtcNow;

        // Act
        var entries = await Catalog.Objects.ReadJournalAsync(Bucket, 0, 100, Ct);

        // Assert: three puts (rich, small, the marker) and a tag change, each with its commit time.
        Assert.Equal([JournalChange.Put, JournalChange.Put, JournalChange.Put, JournalChange.Tags], entries.Select(static e => e.Change));
        Assert.All(entries, entry => Assert.InRange(entry.CommittedAt!.Value, before.AddMilliseconds(-1), after.AddMilliseconds(1)));
        Assert.Null(entries[3].Record);
        foreach (var entry in entries.Take(3))
        {
            if (!recordsKept)
            {
                Assert.Null(entry.Record);
                continue;
            }
            var stored = (await Catalog.Objects.GetObjectVersionAsync(Bucket, entry.Key, entry.VersionId, Ct))!;
            var recorded = JournalRecordFormat.Decode(entry.Record, Bucket, entry.Key);
            // The tag change came after the put: the record holds the tags as put.
            var expected = entry.Key == "rich" ? stored with { Tags = new Dictionary<string, string> { ["class"] = "gold" } } : stored;
            Assert.Equal(JournalRecordFormat.Encode(expected with { InlineBodyHash = null }), JournalRecordFormat.Encode(recorded));
            Assert.Equal(expected.InlineBody, recorded.InlineBody);
            Assert.Equal(expected.Chunks, recorded.Chunks);
            Assert.Equal(expected.Lock, recorded.Lock);
            Assert.Equal(expected.IsDeleteMarker, recorded.IsDeleteMarker);
            Assert.Equal(entry.Key == "rich" ? Rich("rich").Encryption : null, recorded.Encryption);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task An_imported_version_is_recorded_like_a_put()
    {
        // Arrange
        var (upload, _) = await ReserveAsync(Chunk("a"), Chunk("b", 500));
        var version = Rich("imported");

        // Act
        var result = await Catalog.Objects.ImportObjectsAsync(new ObjectImport(Bucket, "", Replace: false, upload, [new ImportedKey("imported", [version])]),
            Now, Grace, Ct);
        var entry = Assert.Single(await Catalog.Objects.ReadJournalAsync(Bucket, 0, 100, Ct));

        // Assert
        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.Equal(recordsKept, entry.Record is not null);
        if (entry.Record is { } record)
        {
            Assert.Equal(JournalRecordFormat.Encode(version), JournalRecordFormat.Encode(JournalRecordFormat.Decode(record, Bucket, "imported")));
        }
    }
}

public sealed class SqliteJournalRecordsTests() : JournalRecordsConformanceTests<SqliteTarget>(new SqliteTarget(journalRecords: true), recordsKept: true);

public sealed class SqliteCoalescedJournalRecordsTests()
    : JournalRecordsConformanceTests<SqliteTarget>(new SqliteTarget(coalesce: true, journalRecords: true), recordsKept: true);

public sealed class SqliteJournalWithoutRecordsTests() : JournalRecordsConformanceTests<SqliteTarget>(new SqliteTarget(), recordsKept: false);

[Collection(PostgresCluster.Collection)]
public sealed class PostgresJournalRecordsTests(PostgresCluster cluster)
    : JournalRecordsConformanceTests<PostgresTarget>(new PostgresTarget(cluster, journalRecords: true), recordsKept: true);

[Collection(PostgresCluster.Collection)]
public sealed class PostgresJournalWithoutRecordsTests(PostgresCluster cluster)
    : JournalRecordsConformanceTests<PostgresTarget>(new PostgresTarget(cluster), recordsKept: false);
