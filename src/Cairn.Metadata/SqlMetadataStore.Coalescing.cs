using System.Data;
using System.Globalization;
using System.Text;

namespace Cairn.Metadata;

// Coalescing: concurrent point lookups (GetObject, GetBucket) and creates of new keys with small
// bodies run as one statement per batch (see Coalescer). For a database in another process every
// statement is a round trip that wakes a server backend, and at 64 connections on a small machine
// those round trips, not the SQL, bound the request rate; one statement for 30 lookups costs little
// more than one for one. The statements are plain SQL both providers run:
//   lookups   ... WHERE (bucket, key) IN (VALUES (@b0, @k0), (@b1, @k1), ...)
//   creates   INSERT ... SELECT ... FROM (VALUES (...), ...) AS v, buckets AS b WHERE b.name = v.bucket
//             ON CONFLICT (bucket, key) DO NOTHING RETURNING bucket, key, version_id
//             (the version id: the one given when the bucket has versioning enabled, else "null")
// A batch's size is rounded up to a power of two, so a connection prepares at most seven texts of
// each: a lookup repeats its last entry; a create adds rows that name no bucket, which the join drops.
// A create that the batch did not insert (the key exists, the bucket does not, or an earlier entry
// of the same batch took the key) runs the ordinary commit next, which reads the current row and
// decides exactly as it would have alone: the batch only takes the case where the ordinary commit
// would have inserted a new row and done nothing else.
public abstract partial class SqlMetadataStore
{
    /// <summary>The most requests one coalesced statement carries.</summary>
    private const int MaxCoalescedBatch = 64;

    /// <summary>
    /// Coalesced lookups of one kind running at once, each on its own pooled connection. Measured
    /// with bench/metadata.sh on 2 cores (4 KiB at c64, PostgreSQL / SQLite): 4 in flight gave GET
    /// 0.48x, 8 gave 0.51x with PUT down to 0.47x, 2 gave 0.53-0.55x for both; 1 was no faster than 2
    /// (creates then had two as well). Rechecked for GET after the creates went to one: 1, 2 and 3
    /// within the noise of each other (1.00, 1.04, 1.08).
    /// </summary>
    private const int CoalescedBatchesInFlight = 2;

    /// <summary>
    /// Coalesced create batches running at once. Creates of one bucket take turns on its journal
    /// (one append and commit at a time), so a second batch in flight only overlaps its inserts with
    /// the other's turn, and halves the batches. Since the turn is held only while the server appends
    /// and commits (see <c>JournalTurn.CommitsWithLastAppend</c>), one batch in flight measured better on
    /// PostgreSQL (A/B runs, 4 KiB PUT at c64, one bucket): 1.15x and 1.04x the rate of two, and
    /// 99 against 131 µs (134 against 162 µs) of PostgreSQL CPU per PUT; three and four were slower
    /// still. The cost: a batch that waits (a lock, a retry's pause) holds up the node's other creates.
    /// </summary>
    private const int CoalescedCreatesInFlight = 1;

    private Coalescer<ObjectLookup, ObjectVersionRecord?>? _objectLookups;
    private Coalescer<string, BucketRecord?>? _bucketLookups;
    private Coalescer<ObjectVersionRecord, string?>? _newKeyCreates;

    private static readonly string[] s_objectLookupSql = new string[BatchSizeClasses];
    private static readonly string[] s_bucketLookupSql = new string[BatchSizeClasses];
    private static readonly string[] s_newKeyCreateSql = new string[BatchSizeClasses];

    /// <summary>1, 2, 4, ..., <see cref="MaxCoalescedBatch"/>.</summary>
    private const int BatchSizeClasses = 7;

    /// <summary>
    /// Whether point lookups and creates of new keys with inline bodies are coalesced (see the
    /// comment at the top of <c>SqlMetadataStore.Coalescing.cs</c>). Called once by the constructor
    /// of a provider that wants it; not undone.
    /// </summary>
    protected void CoalesceLookupsAndCreates()
    {
        _objectLookups ??= new Coalescer<ObjectLookup, ObjectVersionRecord?>(LookUpObjectsAsync, MaxCoalescedBatch, CoalescedBatchesInFlight);
        _bucketLookups ??= new Coalescer<string, BucketRecord?>(LookUpBucketsAsync, MaxCoalescedBatch, CoalescedBatchesInFlight);
        _newKeyCreates ??= new Coalescer<ObjectVersionRecord, string?>(CreateNewKeysAsync, MaxCoalescedBatch, CoalescedCreatesInFlight);
    }

    /// <summary>Runs the coalesced requests already queued and refuses new ones (disposal, before writes stop).</summary>
    private async ValueTask StopCoalescingAsync()
    {
        if (_objectLookups is not null)
        {
            await _objectLookups.DisposeAsync();
        }
        if (_bucketLookups is not null)
        {
            await _bucketLookups.DisposeAsync();
        }
        if (_newKeyCreates is not null)
        {
            await _newKeyCreates.DisposeAsync();
        }
    }

    /// <summary>A key to look up: its UTF-8 bytes as stored, and its text as the result carries it.</summary>
    private readonly record struct ObjectLookup(string Bucket, string Key, byte[] KeyBytes);

    /// <summary>True when a commit is one the coalesced create can make (see <see cref="CommitObjectAsync"/>).</summary>
    private bool CanCoalesceCreate(ObjectCommit commit) =>
        _newKeyCreates is not null && commit.UploadId is null && commit.Version.Chunks.Count == 0 && commit.Precondition.HoldsFor(null);

    /// <summary>The size class a batch of <paramref name="count"/> rounds up to: 2^class entries.</summary>
    private static int SizeClass(int count) => count <= 1 ? 0 : 32 - (int)uint.LeadingZeroCount((uint)(count - 1));

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

    private async ValueTask<ObjectVersionRecord?[]> LookUpObjectsAsync(IReadOnlyList<ObjectLookup> lookups)
    {
        Metrics?.BatchCoalesced("object_lookup", lookups.Count);
        var sizeClass = SizeClass(lookups.Count);
        var sql = s_objectLookupSql[sizeClass] ??= BuildObjectLookupSql(1 << sizeClass);
        await using var connection = await RentReadConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand(sql);
        for (var i = 0; i < 1 << sizeClass; i++)
        {
            var lookup = lookups[Math.Min(i, lookups.Count - 1)];
            command.Add("@b" + Index(i), DbType.String, lookup.Bucket);
            command.Add("@k" + Index(i), DbType.Binary, lookup.KeyBytes);
        }
        var found = new Dictionary<(string Bucket, string Key), ObjectVersionRecord>(lookups.Count);
        await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                var bucket = reader.GetString(0);
                var key = Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1));
                found[(bucket, key)] = ReadObjectVersion(reader, bucket, key, firstColumn: 2);
            }
        }
        var results = new ObjectVersionRecord?[lookups.Count];
        for (var i = 0; i < lookups.Count; i++)
        {
            var lookup = lookups[i];
            results[i] = found.GetValueOrDefault((lookup.Bucket, Encoding.UTF8.GetString(lookup.KeyBytes)));
        }
        return results;
    }

    private static string BuildObjectLookupSql(int size)
    {
        var sql = new StringBuilder("SELECT bucket, key, " + ObjectColumns + " FROM objects WHERE (bucket, key) IN (VALUES ");
        for (var i = 0; i < size; i++)
        {
            sql.Append(i == 0 ? "(@b" : ", (@b").Append(Index(i)).Append(", @k").Append(Index(i)).Append(')');
        }
        return sql.Append(')').ToString();
    }

    private async ValueTask<BucketRecord?[]> LookUpBucketsAsync(IReadOnlyList<string> names)
    {
        Metrics?.BatchCoalesced("bucket_lookup", names.Count);
        var sizeClass = SizeClass(names.Count);
        var sql = s_bucketLookupSql[sizeClass] ??= BuildBucketLookupSql(1 << sizeClass);
        await using var connection = await RentReadConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand(sql);
        for (var i = 0; i < 1 << sizeClass; i++)
        {
            command.Add("@n" + Index(i), DbType.String, names[Math.Min(i, names.Count - 1)]);
        }
        var found = new Dictionary<string, BucketRecord>(names.Count, StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                var bucket = ReadBucket(reader);
                found[bucket.Name] = bucket;
            }
        }
        var results = new BucketRecord?[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            results[i] = found.GetValueOrDefault(names[i]);
        }
        return results;
    }

    private static string BuildBucketLookupSql(int size)
    {
        var sql = new StringBuilder("SELECT " + BucketColumns + " FROM buckets WHERE name IN (");
        for (var i = 0; i < size; i++)
        {
            sql.Append(i == 0 ? "@n" : ", @n").Append(Index(i));
        }
        return sql.Append(')').ToString();
    }

    /// <summary>
    /// Inserts each version whose key is new and whose bucket exists, in one write; for those
    /// inserted, the version id it got (its own when the bucket has versioning enabled, else "null"),
    /// null for the others. Only the first version of a key in the batch is sent: a later one of the
    /// same key is answered null, and its caller's ordinary commit then finds the key taken.
    /// </summary>
    private ValueTask<string?[]> CreateNewKeysAsync(IReadOnlyList<ObjectVersionRecord> versions)
    {
        Metrics?.BatchCoalesced("create", versions.Count);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var (store, versions) = state;
            var results = new string?[versions.Count];
            var rows = new List<int>(versions.Count);
            var seen = new HashSet<(string Bucket, string Key)>(versions.Count);
            for (var i = 0; i < versions.Count; i++)
            {
                if (seen.Add((versions[i].Bucket, versions[i].Key)))
                {
                    rows.Add(i);
                }
            }
            var sizeClass = SizeClass(rows.Count);
            var sql = s_newKeyCreateSql[sizeClass] ??= BuildNewKeyCreateSql(1 << sizeClass);
            await using var command = transaction.CreateCommand(sql);
            for (var row = 0; row < rows.Count; row++)
            {
                var version = versions[rows[row]];
                var suffix = Index(row);
                command.Add("@bucket" + suffix, DbType.String, version.Bucket);
                command.Add("@key" + suffix, DbType.Binary, Encoding.UTF8.GetBytes(version.Key));
                AddObjectValues(command, version, suffix);
            }
            for (var row = rows.Count; row < 1 << sizeClass; row++)
            {
                var suffix = Index(row);
                command.Add("@bucket" + suffix, DbType.String, null);
                command.Add("@key" + suffix, DbType.Binary, null);
                AddObjectValues(command, s_paddingRow, suffix);
            }
            var inserted = new Dictionary<(string Bucket, string Key), string>(rows.Count);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted[(reader.GetString(0), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)))] = reader.GetString(2);
                }
            }
            var entries = new Dictionary<string, List<PendingEntry>>(StringComparer.Ordinal);
            foreach (var i in rows)
            {
                results[i] = inserted.GetValueOrDefault((versions[i].Bucket, versions[i].Key));
                if (results[i] is { } versionId)
                {
                    var created = versions[i] with { VersionId = versionId };
                    if (!entries.TryGetValue(created.Bucket, out var bucketEntries))
                    {
                        entries[created.Bucket] = bucketEntries = [];
                    }
                    bucketEntries.Add(new PendingEntry(Encoding.UTF8.GetBytes(created.Key), versionId, JournalChange.Put, created, created.Tags));
                }
            }
            // The journal turn, taken only now: the inserts (most of the work) of batches of one
            // bucket run at once, and only the appends and commits take turns.
            var turn = entries.Count > 0 ? store.JournalTurnStatements(entries.Keys) : null;
            var commitWithLast = turn?.CommitsWithLastAppend ?? false;
            var appendsLeft = entries.Count;
            foreach (var (bucket, bucketEntries) in entries)
            {
                await AppendJournalAsync(transaction, bucket, bucketEntries, cancellationToken, turn, commit: commitWithLast && --appendsLeft == 0);
                turn = null;
            }
            return (results, true);
        }, (this, versions), CancellationToken.None, versions.Select(static v => v.Bucket).Distinct(StringComparer.Ordinal).ToArray(), insertOnly: true);
    }

    /// <summary>
    /// The values of a create batch's padding rows (see the top of this file): their bucket is NULL,
    /// which no bucket's name equals, so the join drops them. Small, so padding a batch of 33 to 64
    /// rows sends 31 rows of a few bytes, not 31 copies of the last body.
    /// </summary>
    private static readonly ObjectVersionRecord s_paddingRow = new()
    {
        Bucket = "",
        Key = "",
        Size = 0,
        ETag = "",
        LastModified = DateTimeOffset.UnixEpoch,
    };

    private static string BuildNewKeyCreateSql(int size)
    {
        var sql = new StringBuilder("INSERT INTO objects (bucket, key, " + ObjectColumns + ") SELECT ");
        for (var column = 1; column <= 2 + ObjectValueParameters.Length; column++)
        {
            // Column 3 is the version id: kept only where the bucket has versioning enabled.
            sql.Append(column == 1 ? "" : ", ").Append(column == 3
                ? "CASE WHEN b.versioning = 'Enabled' THEN v.column3 ELSE '" + NullVersionId + "' END"
                : "v.column" + Index(column));
        }
        sql.Append(" FROM (VALUES ");
        for (var row = 0; row < size; row++)
        {
            var suffix = Index(row);
            sql.Append(row == 0 ? "(" : ", (")
                .Append("@bucket").Append(suffix).Append(", @key").Append(suffix);
            foreach (var parameter in ObjectValueParameters)
            {
                sql.Append(", ").Append(parameter).Append(suffix);
            }
            sql.Append(')');
        }
        // The WHERE also settles SQLite's parse of INSERT ... SELECT ... ON CONFLICT (without one, ON
        // would be read as a join's).
        // A bucket with a default retention gives each new version a retention of its own: such
        // creates take the ordinary commit, which applies it.
        sql.Append(") AS v, buckets AS b WHERE b.name = v.column1 AND b.default_retention_mode IS NULL ");
        sql.Append("ON CONFLICT (bucket, key) DO NOTHING RETURNING bucket, key, version_id");
        return sql.ToString();
    }
}
