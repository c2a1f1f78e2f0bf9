using System.Data;

namespace Cairn.Metadata;

// Journal archiving's state (IJournalArchiveCatalog). Only the archiver writes it; DeleteBucket
// removes a bucket's row with its journal.
public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JournalArchiveState>> ListJournalArchiveStatesAsync(CancellationToken cancellationToken)
    {
        var states = new List<JournalArchiveState>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT h.bucket, h.last_seq, COALESCE(a.archived_seq, 0), " +
            "(SELECT j.committed_at FROM journal j WHERE j.bucket = h.bucket AND j.seq = COALESCE(a.archived_seq, 0) + 1), " +
            "a.snapshot_seq, a.snapshot_at, a.snapshot_versions " +
            "FROM journal_heads h LEFT JOIN journal_archive a ON a.bucket = h.bucket ORDER BY h.bucket");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var head = reader.GetLong(1);
            var archived = reader.GetLong(2);
            states.Add(new JournalArchiveState(reader.GetString(0), head, archived,
                archived < head && !reader.IsDBNull(3) ? SqlParameters.FromUnixMs(reader.GetLong(3)) : null,
                reader.IsDBNull(4) ? null : new JournalSnapshotState(reader.GetLong(4), SqlParameters.FromUnixMs(reader.GetLong(5)), reader.GetLong(6))));
        }
        return states;
    }

    /// <inheritdoc />
    public ValueTask<string> GetOrCreateArchiveLineageAsync(string candidate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(candidate);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using (var existing = transaction.CreateCommand("SELECT id FROM archive_lineage ORDER BY created_at, id LIMIT 1"))
            {
                if (await existing.ExecuteScalarAsync(cancellationToken) is string id)
                {
                    return (id, false);
                }
            }
            await using var insert = transaction.CreateCommand("INSERT INTO archive_lineage (id, created_at) VALUES (@id, @now)");
            insert.Add("@id", DbType.String, state.Candidate);
            insert.Add("@now", DbType.Int64, state.Now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return (state.Candidate, true);
        }, (Candidate: candidate, Now: SqlParameters.ToUnixMs(now)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> SaveJournalArchivedAsync(string bucket, DateTimeOffset bucketCreatedAt, long archivedSeq, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(archivedSeq);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (!await JournalReachesAsync(transaction, state.Bucket, state.Created, state.Seq, cancellationToken))
            {
                return (false, false);
            }
            await using var upsert = transaction.CreateCommand(
                "INSERT INTO journal_archive (bucket, archived_seq, archived_at) VALUES (@bucket, @seq, @now) " +
                "ON CONFLICT (bucket) DO UPDATE SET archived_seq = excluded.archived_seq, archived_at = excluded.archived_at " +
                "WHERE excluded.archived_seq > journal_archive.archived_seq");
            upsert.Add("@bucket", DbType.String, state.Bucket);
            upsert.Add("@seq", DbType.Int64, state.Seq);
            upsert.Add("@now", DbType.Int64, state.Now);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            return (true, true);
        }, (Bucket: bucket, Created: SqlParameters.ToUnixMs(bucketCreatedAt), Seq: archivedSeq, Now: SqlParameters.ToUnixMs(now)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> SaveJournalSnapshotAsync(string bucket, DateTimeOffset bucketCreatedAt, long seq, DateTimeOffset takenAt, long versions,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        ArgumentOutOfRangeException.ThrowIfNegative(versions);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (!await JournalReachesAsync(transaction, state.Bucket, state.Created, state.Seq, cancellationToken))
            {
                return (false, false);
            }
            // A bucket with no row yet has archived nothing: its row starts at 0.
            await using var upsert = transaction.CreateCommand(
                "INSERT INTO journal_archive (bucket, archived_seq, archived_at, snapshot_seq, snapshot_at, snapshot_versions) " +
                "VALUES (@bucket, 0, @takenAt, @seq, @takenAt, @versions) " +
                "ON CONFLICT (bucket) DO UPDATE SET snapshot_seq = excluded.snapshot_seq, snapshot_at = excluded.snapshot_at, " +
                "snapshot_versions = excluded.snapshot_versions " +
                "WHERE journal_archive.snapshot_seq IS NULL OR excluded.snapshot_at > journal_archive.snapshot_at");
            upsert.Add("@bucket", DbType.String, state.Bucket);
            upsert.Add("@seq", DbType.Int64, state.Seq);
            upsert.Add("@takenAt", DbType.Int64, state.TakenAt);
            upsert.Add("@versions", DbType.Int64, state.Versions);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            return (true, true);
        }, (Bucket: bucket, Created: SqlParameters.ToUnixMs(bucketCreatedAt), Seq: seq, TakenAt: SqlParameters.ToUnixMs(takenAt), Versions: versions),
            cancellationToken);
    }

    /// <summary>Whether the bucket created at <paramref name="created"/> (not one made again under its name) has a journal up to <paramref name="seq"/>.</summary>
    private static async ValueTask<bool> JournalReachesAsync(WriteTransaction transaction, string bucket, long created, long seq,
        CancellationToken cancellationToken)
    {
        await using var check = transaction.CreateCommand(
            "SELECT 1 FROM buckets b JOIN journal_heads h ON h.bucket = b.name " +
            "WHERE b.name = @bucket AND b.created_at = @created AND h.last_seq >= @seq");
        check.Add("@bucket", DbType.String, bucket);
        check.Add("@created", DbType.Int64, created);
        check.Add("@seq", DbType.Int64, seq);
        return await check.ExecuteScalarAsync(cancellationToken) is not (null or DBNull);
    }
}
