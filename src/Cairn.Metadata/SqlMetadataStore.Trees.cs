using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

// The verifiable bucket's records (IBucketTreeCatalog). The committer is the only writer of these
// tables but DeleteBucket (which forgets a bucket's tree) and the sweeper (which keeps an adopted
// segment): its commit is one ordinary write transaction, fenced by the previous commit's number.
public abstract partial class SqlMetadataStore
{
    private const string TreeHeadColumns = "bucket, seq, commit_cid, root_cid, committed_at";

    /// <summary>
    /// <see cref="ObjectColumns"/> as a fold reads them: an inline body whose hash the row holds is
    /// not read (a manifest names it by its hash; the body sits on overflow pages, the costliest part of the row).
    /// </summary>
    private static readonly string FoldObjectColumns =
        ObjectColumns.Replace("inline_body", "CASE WHEN inline_sha256 IS NULL THEN inline_body END", StringComparison.Ordinal);

    /// <summary>Keys per statement when reading versions for a fold.</summary>
    private const int FoldKeysPerStatement = 200;

    /// <summary>
    /// Begins the read transaction of a fold snapshot: every statement on it sees one state of the
    /// database. The default is REPEATABLE READ (PostgreSQL: one snapshot for the transaction). A
    /// provider whose default would take a write lock (SQLite) overrides it.
    /// </summary>
    protected virtual async ValueTask<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TreeLag>> ListTreesBehindAsync(int max, CancellationToken cancellationToken)
    {
        var lags = new List<TreeLag>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT b.name, COALESCE(h.last_seq, 0), t.seq, t.commit_cid, t.root_cid, t.committed_at FROM buckets b " +
            "LEFT JOIN journal_heads h ON h.bucket = b.name LEFT JOIN bucket_trees t ON t.bucket = b.name " +
            "WHERE t.bucket IS NULL OR t.seq < COALESCE(h.last_seq, 0) ORDER BY b.name LIMIT @max");
        command.Add("@max", DbType.Int64, (long)max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var bucket = reader.GetString(0);
            var head = reader.IsDBNull(2)
                ? null
                : new TreeHead(bucket, reader.GetLong(2), Cid.FromBytes(reader.GetFieldValue<byte[]>(3)), Cid.FromBytes(reader.GetFieldValue<byte[]>(4)),
                    SqlParameters.FromUnixMs(reader.GetLong(5)));
            lags.Add(new TreeLag(bucket, reader.GetLong(1), head));
        }
        return lags;
    }

    /// <inheritdoc />
    public async ValueTask<TreeHead?> GetTreeHeadAsync(string bucket, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT " + TreeHeadColumns + " FROM bucket_trees WHERE bucket = @bucket");
        command.Add("@bucket", DbType.String, bucket);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTreeHead(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TreeHead>> ListTreeCommitsAsync(string bucket, int max, CancellationToken cancellationToken)
    {
        var commits = new List<TreeHead>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + TreeHeadColumns + " FROM tree_commits WHERE bucket = @bucket ORDER BY seq DESC LIMIT @max");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@max", DbType.Int64, (long)max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            commits.Add(ReadTreeHead(reader));
        }
        return commits;
    }

    private static TreeHead ReadTreeHead(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetLong(1), Cid.FromBytes(reader.GetFieldValue<byte[]>(2)), Cid.FromBytes(reader.GetFieldValue<byte[]>(3)),
            SqlParameters.FromUnixMs(reader.GetLong(4)));

    /// <inheritdoc />
    public async ValueTask<ITreeFoldSnapshot?> OpenFoldSnapshotAsync(string bucket, long? afterSeq, CancellationToken cancellationToken,
        bool forFold = true)
    {
        switch (await TryOpenFoldSnapshotAsync(bucket, afterSeq, cancellationToken))
        {
            case { Snapshot: var snapshot, HoldsRemovedBodies: true }:
                return snapshot;
            case { Snapshot: var reading } when !forFold:
                return reading;
            case { Snapshot: { } first }:
                // The bucket's first fold: removals from now on must keep the inline bodies a commit
                // can name (see SqlMetadataStore.HeldBodies.cs), so the flag is set before the snapshot.
                await first.DisposeAsync();
                return await StartHoldingRemovedBodiesAsync(bucket, cancellationToken)
                    ? (await TryOpenFoldSnapshotAsync(bucket, afterSeq, cancellationToken)).Snapshot
                    : null;
            default:
                return null;
        }
    }

    private async ValueTask<(FoldSnapshot? Snapshot, bool HoldsRemovedBodies)> TryOpenFoldSnapshotAsync(string bucket, long? afterSeq,
        CancellationToken cancellationToken)
    {
        var connection = await OpenReadConnectionAsync(cancellationToken);
        DbTransaction? transaction = null;
        try
        {
            transaction = await BeginSnapshotReadAsync(connection, cancellationToken);
            // The first statement fixes the snapshot: the bucket row and its journal head, read together.
            await using var command = connection.CreateCommand(
                "SELECT b.created_at, COALESCE(h.last_seq, 0), b.holds_removed_bodies FROM buckets b LEFT JOIN journal_heads h ON h.bucket = b.name " +
                "WHERE b.name = @bucket");
            command.Transaction = transaction;
            command.Add("@bucket", DbType.String, bucket);
            long createdAt, head;
            bool holds;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                    return (null, false);
                }
                createdAt = reader.GetLong(0);
                head = reader.GetLong(1);
                holds = reader.GetLong(2) != 0;
            }
            return (new FoldSnapshot(connection, transaction, bucket, afterSeq, head, SqlParameters.FromUnixMs(createdAt)), holds);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A read transaction held open over one connection; see <see cref="ITreeFoldSnapshot"/>.</summary>
    private sealed class FoldSnapshot(DbConnection connection, DbTransaction transaction, string bucket, long? afterSeq, long headSeq,
        DateTimeOffset bucketCreatedAt) : ITreeFoldSnapshot
    {
        /// <summary>Keys read per statement when listing every key of the bucket.</summary>
        private const int KeyPage = 1000;

        /// <summary>Journal entries read per statement when collecting the changed keys.</summary>
        private const int JournalPage = 10_000;

        public long HeadSeq => headSeq;

        public DateTimeOffset BucketCreatedAt => bucketCreatedAt;

        public async IAsyncEnumerable<string> ReadChangedKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (afterSeq is null)
            {
                // Every key with a version: the current rows, in key order, a page at a time.
                byte[]? after = null;
                while (true)
                {
                    var page = new List<byte[]>(KeyPage);
                    await using (var command = CreateCommand(after is null
                        ? "SELECT key FROM objects WHERE bucket = @bucket ORDER BY key LIMIT @limit"
                        : "SELECT key FROM objects WHERE bucket = @bucket AND key > @after ORDER BY key LIMIT @limit"))
                    {
                        command.Add("@bucket", DbType.String, bucket);
                        command.Add("@after", DbType.Binary, after);
                        command.Add("@limit", DbType.Int64, (long)KeyPage);
                        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                        while (await reader.ReadAsync(cancellationToken))
                        {
                            page.Add(reader.GetBlob(0));
                        }
                    }
                    foreach (var key in page)
                    {
                        yield return Encoding.UTF8.GetString(key);
                    }
                    if (page.Count < KeyPage)
                    {
                        yield break;
                    }
                    after = page[^1];
                }
            }
            // The journal is keyed by number, not by key: collect the distinct keys of the range, then sort.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var from = afterSeq.Value; from < headSeq; from += JournalPage)
            {
                await using var command = CreateCommand(
                    "SELECT key FROM journal WHERE bucket = @bucket AND seq > @from AND seq <= @to");
                command.Add("@bucket", DbType.String, bucket);
                command.Add("@from", DbType.Int64, from);
                command.Add("@to", DbType.Int64, Math.Min(from + JournalPage, headSeq));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    keys.Add(Encoding.UTF8.GetString(reader.GetBlob(0)));
                }
            }
            // UTF-8 byte order (UTF-16 ordinal order differs above U+FFFF).
            var sorted = keys.Select(static key => (Bytes: Encoding.UTF8.GetBytes(key), Key: key)).ToArray();
            Array.Sort(sorted, static (a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
            foreach (var (_, key) in sorted)
            {
                yield return key;
            }
        }

        public async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<ObjectVersionRecord>>> ReadVersionsAsync(IReadOnlyList<string> keys,
            CancellationToken cancellationToken, bool withInlineBodies = false)
        {
            var columns = withInlineBodies ? ObjectColumns : FoldObjectColumns;
            var versions = new Dictionary<string, IReadOnlyList<ObjectVersionRecord>>(keys.Count, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                versions[key] = new List<ObjectVersionRecord>();
            }
            for (var start = 0; start < keys.Count; start += FoldKeysPerStatement)
            {
                var count = Math.Min(FoldKeysPerStatement, keys.Count - start);
                var list = string.Join(", ", Enumerable.Range(0, count).Select(static i => "@k" + i.ToString(CultureInfo.InvariantCulture)));
                _hasNoncurrentVersions ??= await HasNoncurrentVersionsAsync(cancellationToken);
                await using var command = CreateCommand(_hasNoncurrentVersions.Value
                    ? "SELECT key, version_seq, " + columns + " FROM objects WHERE bucket = @bucket AND key IN (" + list + ") " +
                      "UNION ALL SELECT key, version_seq, " + columns + " FROM object_versions WHERE bucket = @bucket AND key IN (" + list + ") " +
                      "ORDER BY 1, 2 DESC"
                    // Without noncurrent versions each key has at most its one current row: nothing to merge or sort.
                    : "SELECT key, version_seq, " + columns + " FROM objects WHERE bucket = @bucket AND key IN (" + list + ")");
                command.Add("@bucket", DbType.String, bucket);
                for (var i = 0; i < count; i++)
                {
                    command.Add("@k" + i.ToString(CultureInfo.InvariantCulture), DbType.Binary, Encoding.UTF8.GetBytes(keys[start + i]));
                }
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var key = Encoding.UTF8.GetString(reader.GetBlob(0));
                    ((List<ObjectVersionRecord>)versions[key]).Add(ReadObjectVersion(reader, bucket, key, firstColumn: 2));
                }
            }
            return versions;
        }

        /// <summary>Whether the bucket has any noncurrent version at this snapshot; null until a read needs it.</summary>
        private bool? _hasNoncurrentVersions;

        private async ValueTask<bool> HasNoncurrentVersionsAsync(CancellationToken cancellationToken)
        {
            await using var command = CreateCommand("SELECT 1 FROM object_versions WHERE bucket = @bucket LIMIT 1");
            command.Add("@bucket", DbType.String, bucket);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken);
        }

        private DbCommand CreateCommand(string sql)
        {
            var command = connection.CreateCommand(sql);
            command.Transaction = transaction;
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private const string TreeSegmentColumns = "seq, name, commit_offset, commit_length, commit_links_length";

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TreeSegmentInfo>> ListTreeSegmentsAsync(string bucket, CancellationToken cancellationToken)
    {
        var segments = new List<TreeSegmentInfo>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + TreeSegmentColumns + " FROM tree_segments WHERE bucket = @bucket ORDER BY seq");
        command.Add("@bucket", DbType.String, bucket);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            segments.Add(ReadTreeSegment(reader));
        }
        return segments;
    }

    /// <inheritdoc />
    public async ValueTask<TreeSegmentInfo?> GetTreeSegmentAsync(string bucket, long seq, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + TreeSegmentColumns + " FROM tree_segments WHERE bucket = @bucket AND seq = @seq");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@seq", DbType.Int64, seq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTreeSegment(reader) : null;
    }

    private static TreeSegmentInfo ReadTreeSegment(DbDataReader reader)
    {
        var seq = reader.GetLong(0);
        return new TreeSegmentInfo(seq, reader.GetString(1),
            new TreeBlockLocation(seq, reader.GetLong(2), (int)reader.GetLong(3), (int)reader.GetLong(4)));
    }

    /// <inheritdoc />
    public async ValueTask ReserveTreeSegmentAsync(string segment, DateTimeOffset deleteAfter, CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var enqueue = CreateEnqueueCommand(transaction);
            await EnqueueDeleteAsync(enqueue, state.Segment, null, state.NotBefore, cancellationToken);
            return (0, true);
        }, (Segment: segment, NotBefore: SqlParameters.ToUnixMs(deleteAfter)), cancellationToken);

    /// <inheritdoc />
    public ValueTask<RecordTreeCommitOutcome> RecordTreeCommitAsync(TreeHead commit, DateTimeOffset bucketCreatedAt, long? previousSeq,
        string segment, TreeBlockLocation commitPlace, IReadOnlyList<ChunkRef> bodyChunks, CancellationToken cancellationToken,
        TreeCollection? collection = null) =>
        WriteAsync(RecordTreeCommitCoreAsync, (Commit: commit, CreatedAt: SqlParameters.ToUnixMs(bucketCreatedAt), PreviousSeq: previousSeq,
            Segment: segment, CommitPlace: commitPlace, BodyChunks: bodyChunks, Collection: collection), cancellationToken);

    private static async ValueTask<(RecordTreeCommitOutcome Result, bool Commit)> RecordTreeCommitCoreAsync(WriteTransaction transaction,
        (TreeHead Commit, long CreatedAt, long? PreviousSeq, string Segment, TreeBlockLocation CommitPlace, IReadOnlyList<ChunkRef> BodyChunks,
            TreeCollection? Collection) state,
        CancellationToken cancellationToken)
    {
        var bucket = state.Commit.Bucket;
        await using (var check = transaction.CreateCommand(
            "SELECT b.created_at, t.seq FROM buckets b LEFT JOIN bucket_trees t ON t.bucket = b.name WHERE b.name = @bucket"))
        {
            check.Add("@bucket", DbType.String, bucket);
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || reader.GetLong(0) != state.CreatedAt
                || (reader.IsDBNull(1) ? null : reader.GetLong(1)) != state.PreviousSeq)
            {
                return (RecordTreeCommitOutcome.Conflict, false);
            }
        }
        if (!await JournalKeptAfterAsync(transaction, bucket, state.Commit.Seq, cancellationToken))
        {
            return (RecordTreeCommitOutcome.Conflict, false);
        }
        // Adopt the segment: it must still be queued, i.e. not swept (its reservation outlived).
        await using (var adopt = transaction.CreateCommand("DELETE FROM delete_queue WHERE blob_name = @segment"))
        {
            adopt.Add("@segment", DbType.String, state.Segment);
            if (await adopt.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return (RecordTreeCommitOutcome.Conflict, false);
            }
        }
        await using (var insert = transaction.CreateCommand(
            "INSERT INTO tree_segments (name, bucket, seq, commit_offset, commit_length, commit_links_length) " +
            "VALUES (@segment, @bucket, @seq, @offset, @length, @linksLength)"))
        {
            insert.Add("@segment", DbType.String, state.Segment);
            insert.Add("@bucket", DbType.String, bucket);
            insert.Add("@seq", DbType.Int64, state.Commit.Seq);
            insert.Add("@offset", DbType.Int64, state.CommitPlace.Offset);
            insert.Add("@length", DbType.Int64, (long)state.CommitPlace.Length);
            insert.Add("@linksLength", DbType.Int64, (long)state.CommitPlace.LinksLength);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await HoldTreeChunksAsync(transaction, state.Segment, ChunkListFormat.CountUses(state.BodyChunks), cancellationToken);
        await using (var record = transaction.CreateCommand(
            "INSERT INTO tree_commits (" + TreeHeadColumns + ") VALUES (@bucket, @seq, @commit, @root, @at); " +
            "INSERT INTO bucket_trees (" + TreeHeadColumns + ") VALUES (@bucket, @seq, @commit, @root, @at) " +
            "ON CONFLICT (bucket) DO UPDATE SET seq = excluded.seq, commit_cid = excluded.commit_cid, root_cid = excluded.root_cid, " +
            "committed_at = excluded.committed_at"))
        {
            record.Add("@bucket", DbType.String, bucket);
            record.Add("@seq", DbType.Int64, state.Commit.Seq);
            record.Add("@commit", DbType.Binary, state.Commit.Commit.ToBytes());
            record.Add("@root", DbType.Binary, state.Commit.Root.ToBytes());
            record.Add("@at", DbType.Int64, SqlParameters.ToUnixMs(state.Commit.CommittedAt));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        if (state.Collection is { } collection)
        {
            await ApplyCollectionAsync(transaction, bucket, state.Commit.Seq, collection, cancellationToken);
        }
        return (RecordTreeCommitOutcome.Recorded, true);
    }

    /// <summary>
    /// Takes <paramref name="segment"/>'s references on the chunks its manifests name: refcount += uses
    /// on each chunk still in the catalog (one whose row is gone is passed over: its body went before
    /// the tree could hold it), recorded in <c>tree_segment_chunks</c> for the release.
    /// </summary>
    private static async ValueTask HoldTreeChunksAsync(WriteTransaction transaction, string segment, List<ChunkUse> uses,
        CancellationToken cancellationToken)
    {
        if (uses.Count == 0)
        {
            return;
        }
        SortByHash(uses);
        await using var increment = transaction.CreateCommand("UPDATE chunks SET refcount = refcount + @uses WHERE hash = @hash RETURNING hash");
        var incrementUses = increment.Add("@uses", DbType.Int64);
        var incrementHash = increment.Add("@hash", DbType.Binary);
        await using var held = transaction.CreateCommand("INSERT INTO tree_segment_chunks (segment, hash, uses) VALUES (@segment, @hash, @uses)");
        held.Add("@segment", DbType.String, segment);
        var heldHash = held.Add("@hash", DbType.Binary);
        var heldUses = held.Add("@uses", DbType.Int64);
        foreach (var use in uses)
        {
            var hash = use.Hash.Bytes.ToArray();
            incrementUses.Value = (long)use.Uses;
            incrementHash.Value = hash;
            if (await increment.ExecuteScalarAsync(cancellationToken) is null or DBNull)
            {
                continue;
            }
            heldHash.Value = hash;
            heldUses.Value = (long)use.Uses;
            await held.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Releases the chunk references held by <paramref name="segments"/> of <paramref name="bucket"/>
    /// (null: every segment of the bucket), as a removed body's: a chunk reaching zero is queued for
    /// deletion at <paramref name="notBefore"/>. The segments' rows must still be there.
    /// </summary>
    private static async ValueTask ReleaseTreeChunksAsync(WriteTransaction transaction, string bucket, IReadOnlyCollection<string>? segments,
        long notBefore, CancellationToken cancellationToken)
    {
        var released = new List<ChunkUse>();
        var batches = segments is null ? new string[]?[] { null } : segments.Chunk(FoldKeysPerStatement).ToArray<string[]?>();
        foreach (var batch in batches)
        {
            var only = batch is null ? "" : " AND name IN (" + InList("@g", batch.Length) + ")";
            await using (var select = transaction.CreateCommand(
                "SELECT hash, uses FROM tree_segment_chunks WHERE segment IN (SELECT name FROM tree_segments WHERE bucket = @bucket" + only + ")"))
            {
                select.Add("@bucket", DbType.String, bucket);
                if (batch is not null)
                {
                    AddList(select, "@g", batch, DbType.String);
                }
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    released.Add(new ChunkUse(ContentHash.FromBytes(reader.GetBlob(0)), 0, (int)reader.GetLong(1)));
                }
            }
            await using var delete = transaction.CreateCommand(
                "DELETE FROM tree_segment_chunks WHERE segment IN (SELECT name FROM tree_segments WHERE bucket = @bucket" + only + ")");
            delete.Add("@bucket", DbType.String, bucket);
            if (batch is not null)
            {
                AddList(delete, "@g", batch, DbType.String);
            }
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await ReleaseReferencesAsync(transaction, released, notBefore, cancellationToken);
    }

    /// <summary>
    /// Forgets a deleted bucket's tree: its segments are queued for deletion at <paramref name="notBefore"/>
    /// and their chunk references released, its commits and segment rows go.
    /// </summary>
    private static async ValueTask ForgetBucketTreeAsync(WriteTransaction transaction, string bucket, long notBefore,
        CancellationToken cancellationToken)
    {
        await using (var queue = transaction.CreateCommand(
            "INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts) SELECT name, NULL, @notBefore, 0 FROM tree_segments " +
            "WHERE bucket = @bucket " + EnqueueConflictClause))
        {
            queue.Add("@notBefore", DbType.Int64, notBefore);
            queue.Add("@bucket", DbType.String, bucket);
            await queue.ExecuteNonQueryAsync(cancellationToken);
        }
        await ReleaseTreeChunksAsync(transaction, bucket, segments: null, notBefore, cancellationToken);
        await using var delete = transaction.CreateCommand(
            "DELETE FROM tree_pins WHERE bucket = @bucket; DELETE FROM tree_commits WHERE bucket = @bucket; " +
            "DELETE FROM bucket_trees WHERE bucket = @bucket; DELETE FROM tree_segments WHERE bucket = @bucket; " +
            "DELETE FROM tree_held_bodies WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
