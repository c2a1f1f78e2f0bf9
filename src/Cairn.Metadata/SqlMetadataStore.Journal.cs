using System.Data;
using System.Globalization;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

// The change journal. Every change to a bucket's object rows appends entries in its own transaction
// (PlaceVersionAsync, RemoveCurrentAsync, RemoveNoncurrentAsync, the tag update and the coalesced
// create are the only callers), numbered per bucket from journal_heads: the transaction raises the
// bucket's last number by the entries it adds. Numbers follow commit order without gaps because
// no two transactions append to one bucket's journal at once: SQLite has one writer, and PostgreSQL
// takes an advisory lock per bucket: a session lock before a SERIALIZABLE transaction begins (see
// BeginJournaledWriteAsync), so its snapshot, taken after the lock, sees the previous holder's
// commit and its update of the head row never conflicts; or, in the coalesced create's READ
// COMMITTED transaction, a transaction lock on the same key taken after its inserts, in the command
// that appends (see BeginInsertOnlyWriteAsync and JournalTurnStatements).
public abstract partial class SqlMetadataStore
{
    /// <summary>An entry about to be appended: the change and, for a Put, the version placed.</summary>
    /// <remarks>The lock state is the version's for a Put and the new one for a Lock change.</remarks>
    private readonly record struct PendingEntry(byte[] Key, string VersionId, JournalChange Change, ObjectVersionRecord? Version,
        IReadOnlyDictionary<string, string>? Tags, ObjectLockState Lock = default);

    private static string ChangeText(JournalChange change) => change switch
    {
        JournalChange.Put => "put",
        JournalChange.Remove => "remove",
        JournalChange.Lock => "lock",
        _ => "tags",
    };

    private static JournalChange ParseChange(string text) => text switch
    {
        "put" => JournalChange.Put,
        "remove" => JournalChange.Remove,
        "tags" => JournalChange.Tags,
        "lock" => JournalChange.Lock,
        _ => throw new InvalidDataException($"Unknown journal change '{text}'."),
    };

    private static ValueTask AppendPutAsync(WriteTransaction transaction, ObjectVersionRecord version, byte[] key,
        CancellationToken cancellationToken) =>
        AppendJournalAsync(transaction, version.Bucket, [new PendingEntry(key, version.VersionId, JournalChange.Put, version, version.Tags, version.Lock)],
            cancellationToken);

    private static ValueTask AppendRemoveAsync(WriteTransaction transaction, string bucket, byte[] key, string versionId,
        CancellationToken cancellationToken) =>
        AppendJournalAsync(transaction, bucket, [new PendingEntry(key, versionId, JournalChange.Remove, null, null)], cancellationToken);

    /// <summary>
    /// Appends <paramref name="entries"/> to the bucket's journal, in order: the head moves by their
    /// number, and they take the numbers up to it. One command of two statements (one round trip to
    /// a database in another process): the second reads the head the first moved, which the
    /// transaction's own write makes visible to it.
    /// </summary>
    /// <remarks>
    /// <para>The entries travel in a VALUES list whose length is rounded up to a power of two, the
    /// last entry repeated with positions past the count, which the WHERE drops: so the statement is
    /// one of a few texts, which a provider keeps prepared (Npgsql prepares a text on its fifth use),
    /// not one per count. Measured on PostgreSQL with a text per count: the coalesced create's
    /// appends (20 to 50 entries) were mostly parsed and planned afresh.</para>
    /// <para><paramref name="turn"/>: statements run first, in the same command (see <see cref="JournalTurnStatements"/>).
    /// <paramref name="commit"/>: the command ends with a COMMIT (see <see cref="JournalTurn.CommitsWithLastAppend"/>).</para>
    /// </remarks>
    private static async ValueTask AppendJournalAsync(WriteTransaction transaction, string bucket, IReadOnlyList<PendingEntry> entries,
        CancellationToken cancellationToken, JournalTurn? turn = null, bool commit = false)
    {
        var rows = 1 << SizeClass(entries.Count);
        var sql = s_journalAppendSql.GetOrAdd(rows, BuildJournalAppendSql);
        await using var append = transaction.CreateCommand((turn is null ? sql : turn.Sql + sql) + (commit ? "; COMMIT" : ""));
        if (turn is not null)
        {
            var keys = append.CreateParameter();
            keys.ParameterName = turn.ParameterName;
            keys.Value = turn.Value;
            append.Parameters.Add(keys);
        }
        append.Add("@bucket", DbType.String, bucket);
        append.Add("@count", DbType.Int64, (long)entries.Count);
        // The writer's clock: what a point-in-time restore of an archive goes by.
        append.Add("@committedAt", DbType.Int64, SqlParameters.ToUnixMs(DateTimeOffset.UtcNow));
        for (var i = 0; i < rows; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var entry = entries[Math.Min(i, entries.Count - 1)];
            append.Add("@position" + n, DbType.Int64, (long)i + 1);
            append.Add("@key" + n, DbType.Binary, entry.Key);
            append.Add("@version" + n, DbType.String, entry.VersionId);
            append.Add("@change" + n, DbType.String, ChangeText(entry.Change));
            append.Add("@etag" + n, DbType.String, entry.Version?.ETag);
            append.Add("@size" + n, DbType.Int64, entry.Version?.Size);
            append.Add("@modified" + n, DbType.Int64, entry.Version is { } version ? SqlParameters.ToUnixMs(version.LastModified) : null);
            append.Add("@marker" + n, DbType.Int64, entry.Version is { } placed ? (placed.IsDeleteMarker ? 1L : 0L) : null);
            append.Add("@tags" + n, DbType.String, entry.Tags is { } tags ? WriteDictionary(tags) : null);
            AddLockValues(append, entry.Lock, n);
            append.Add("@record" + n, DbType.Binary,
                transaction.JournalRecords && entry is { Change: JournalChange.Put, Version: { } record } ? JournalRecordFormat.Encode(record) : null);
        }
        await append.ExecuteNonQueryAsync(cancellationToken);
        if (commit)
        {
            transaction.MarkCommittedByWork();
        }
    }

    /// <summary>The journal append's text by the length of its VALUES list (a power of two).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> s_journalAppendSql = new();

    private static string BuildJournalAppendSql(int rows)
    {
        var sql = new StringBuilder(
            "INSERT INTO journal_heads (bucket, last_seq) VALUES (@bucket, @count) " +
            "ON CONFLICT (bucket) DO UPDATE SET last_seq = journal_heads.last_seq + excluded.last_seq; " +
            "INSERT INTO journal (bucket, seq, key, version_id, change, etag, size, last_modified, delete_marker, tags, lock_mode, lock_until, legal_hold, " +
            "record, committed_at) " +
            "SELECT h.bucket, h.last_seq - @count + v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, " +
            "v.column9, v.column10, v.column11, v.column12, v.column13, @committedAt FROM (VALUES ");
        for (var i = 0; i < rows; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture,
                $"(@position{n}, @key{n}, @version{n}, @change{n}, @etag{n}, @size{n}, @modified{n}, @marker{n}, @tags{n}, @lockMode{n}, @lockUntil{n}, @legalHold{n}, @record{n})");
        }
        return sql.Append(") AS v, journal_heads AS h WHERE h.bucket = @bucket AND v.column1 <= @count").ToString();
    }

    /// <summary>Forgets a deleted bucket's journal (a bucket created again under the name starts at 1).</summary>
    private static async ValueTask ForgetBucketJournalAsync(WriteTransaction transaction, string bucket, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand(
            "DELETE FROM journal WHERE bucket = @bucket; DELETE FROM journal_archive WHERE bucket = @bucket; " +
            "DELETE FROM journal_heads WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string bucket, long afterSeq, int limit,
        CancellationToken cancellationToken)
    {
        var entries = new List<JournalEntry>();
        if (limit <= 0)
        {
            return entries;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT seq, key, version_id, change, etag, size, last_modified, delete_marker, tags, lock_mode, lock_until, legal_hold, record, committed_at " +
            "FROM journal " +
            "WHERE bucket = @bucket AND seq > @after ORDER BY seq LIMIT @limit");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@after", DbType.Int64, afterSeq);
        command.Add("@limit", DbType.Int64, (long)limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new JournalEntry(reader.GetLong(0), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)), reader.GetString(2),
                ParseChange(reader.GetString(3)))
            {
                ETag = reader.GetNullableString(4),
                Size = reader.IsDBNull(5) ? 0 : reader.GetLong(5),
                LastModified = reader.IsDBNull(6) ? null : SqlParameters.FromUnixMs(reader.GetLong(6)),
                IsDeleteMarker = !reader.IsDBNull(7) && reader.GetLong(7) != 0,
                Tags = ReadDictionary(reader.GetNullableString(8)),
                Lock = ReadLock(reader, 9),
                Record = reader.GetNullableBytes(12),
                CommittedAt = reader.IsDBNull(13) ? null : SqlParameters.FromUnixMs(reader.GetLong(13)),
            });
        }
        return entries;
    }
}
