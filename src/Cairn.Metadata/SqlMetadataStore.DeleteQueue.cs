using System.Data;
using System.Data.Common;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// Queueing a blob that is already queued keeps the later time: a second release of the same
    /// chunk must not shorten the grace period readers of the first release rely on.
    /// </summary>
    private const string EnqueueConflictClause =
        "ON CONFLICT (blob_name) DO UPDATE SET not_before = " +
        "CASE WHEN excluded.not_before > delete_queue.not_before THEN excluded.not_before ELSE delete_queue.not_before END";

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeleteQueueEntry>> GetDueDeletesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var entries = new List<DeleteQueueEntry>();
        if (max <= 0)
        {
            return entries;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT blob_name, chunk_hash, not_before, attempts, last_error FROM delete_queue " +
            "WHERE not_before <= @now ORDER BY not_before, blob_name LIMIT @max");
        command.Add("@now", DbType.Int64, SqlParameters.ToUnixMs(now));
        command.Add("@max", DbType.Int64, (long)max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var hash = reader.GetNullableBytes(1);
            entries.Add(new DeleteQueueEntry(
                reader.GetString(0),
                hash is null ? null : ContentHash.FromBytes(hash),
                SqlParameters.FromUnixMs(reader.GetLong(2)),
                (int)reader.GetLong(3),
                reader.GetNullableString(4)));
        }
        return entries;
    }

    /// <inheritdoc />
    public ValueTask<SweepDecision> PrepareDeleteAsync(string blobName, DateTimeOffset now, DateTimeOffset retryAt,
        CancellationToken cancellationToken) =>
        WriteAsync(PrepareDeleteCoreAsync, (blobName, SqlParameters.ToUnixMs(now), SqlParameters.ToUnixMs(retryAt)), cancellationToken);

    private static async ValueTask<(SweepDecision Result, bool Commit)> PrepareDeleteCoreAsync(WriteTransaction transaction,
        (string Blob, long Now, long RetryAt) state, CancellationToken cancellationToken)
    {
        var (blob, now, retryAt) = state;
        await using (var entry = transaction.CreateCommand("SELECT not_before FROM delete_queue WHERE blob_name = @blob"))
        {
            entry.Add("@blob", DbType.String, blob);
            var notBefore = await entry.ExecuteScalarAsync(cancellationToken);
            if (notBefore is null or DBNull)
            {
                return (SweepDecision.Gone, false);
            }
            if (Convert.ToInt64(notBefore, System.Globalization.CultureInfo.InvariantCulture) > now)
            {
                // Re-queued with a later time since the sweeper fetched it (a fresh release's grace).
                return (SweepDecision.Later, false);
            }
        }

        // Found by blob name, not by the entry's chunk_hash: a chunk row of the same address may hold
        // a newer blob (written after this one's row was deleted), and that row is not this entry's
        // business. A standalone blob has at most one row; a pack's blob one per chunk placed in it.
        var owners = 0;
        var referenced = false;
        await using (var owner = transaction.CreateCommand("SELECT refcount FROM chunks WHERE blob_name = @blob"))
        {
            owner.Add("@blob", DbType.String, blob);
            await using var reader = await owner.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                owners++;
                referenced |= reader.GetLong(0) > 0;
            }
        }

        if (referenced)
        {
            await ExecuteAsync(transaction, "DELETE FROM delete_queue WHERE blob_name = @blob", blob, null, cancellationToken);
            // A retired pack whose chunk came back to life is a stored pack again (compacted later).
            await ExecuteAsync(transaction, "UPDATE packs SET state = 2 WHERE blob_name = @blob AND state = 3", blob, null, cancellationToken);
            return (SweepDecision.Keep, true);
        }

        // A reservation of an owner's address pins the rows (the upload will reference it at commit);
        // a reservation naming this blob means an upload is still writing or about to adopt it.
        await using (var pinned = transaction.CreateCommand(
            "SELECT 1 FROM upload_chunks WHERE blob_name = @blob OR hash IN (SELECT hash FROM chunks WHERE blob_name = @blob) LIMIT 1"))
        {
            pinned.Add("@blob", DbType.String, blob);
            if (await pinned.ExecuteScalarAsync(cancellationToken) is not (null or DBNull))
            {
                await ExecuteAsync(transaction, "UPDATE delete_queue SET not_before = @value WHERE blob_name = @blob", blob, retryAt,
                    cancellationToken);
                return (SweepDecision.Later, true);
            }
        }

        if (owners > 0)
        {
            // The rows go now, in the transaction that checked them; the entry stays until the blob is
            // gone (CompleteDeleteAsync), so a crash in between makes the next sweep delete it again.
            await ExecuteAsync(transaction, "DELETE FROM chunks WHERE blob_name = @blob", blob, null, cancellationToken);
        }
        // A pack's row goes with its blob's last chunk rows.
        await ExecuteAsync(transaction, "DELETE FROM packs WHERE blob_name = @blob", blob, null, cancellationToken);
        return (SweepDecision.Delete, true);
    }

    /// <inheritdoc />
    public async ValueTask CompleteDeleteAsync(string blobName, CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, blob, cancellationToken) =>
        {
            await ExecuteAsync(transaction, "DELETE FROM delete_queue WHERE blob_name = @blob", blob, null, cancellationToken);
            return (0, true);
        }, blobName, cancellationToken);

    /// <inheritdoc />
    public async ValueTask RecordDeleteFailureAsync(string blobName, string error, DateTimeOffset retryAt,
        CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand(
                "UPDATE delete_queue SET attempts = attempts + 1, last_error = @error, not_before = @retryAt WHERE blob_name = @blob");
            command.Add("@error", DbType.String, state.Error);
            command.Add("@retryAt", DbType.Int64, state.RetryAt);
            command.Add("@blob", DbType.String, state.Blob);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (0, true);
        }, (Blob: blobName, Error: error, RetryAt: SqlParameters.ToUnixMs(retryAt)), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ChunkInfo>> ListChunksAsync(CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkInfo>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT hash, length, refcount, " + PlacementColumns + " FROM chunks ORDER BY hash");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            chunks.Add(new ChunkInfo(ContentHash.FromBytes(reader.GetFieldValue<byte[]>(0)), ReadPlacement(reader, 3),
                (int)reader.GetLong(1), reader.GetLong(2)));
        }
        return chunks;
    }

    /// <inheritdoc />
    public async ValueTask<int> CountPendingDeletesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT COUNT(*) FROM delete_queue");
        return (int)Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async ValueTask<DeleteQueueStats> GetDeleteQueueStatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT COUNT(*), MIN(not_before) FROM delete_queue");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new DeleteQueueStats(0, null);
        }
        var oldest = reader.IsDBNull(1) ? (DateTimeOffset?)null : SqlParameters.FromUnixMs(reader.GetLong(1));
        return new DeleteQueueStats((int)reader.GetLong(0), oldest);
    }

    /// <summary>The upsert that queues one blob; see <see cref="EnqueueDeleteAsync"/>.</summary>
    private static DbCommand CreateEnqueueCommand(WriteTransaction transaction)
    {
        var command = transaction.CreateCommand(
            "INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts) VALUES (@blob, @hash, @notBefore, 0) " +
            EnqueueConflictClause);
        command.Add("@blob", DbType.String);
        command.Add("@hash", DbType.Binary);
        command.Add("@notBefore", DbType.Int64);
        return command;
    }

    private static async ValueTask EnqueueDeleteAsync(DbCommand enqueue, string blob, byte[]? hash, long notBefore,
        CancellationToken cancellationToken)
    {
        enqueue.Parameters[0].Value = blob;
        enqueue.Parameters[1].Value = (object?)hash ?? DBNull.Value;
        enqueue.Parameters[2].Value = notBefore;
        await enqueue.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a statement over <c>@blob</c> and an optional integer <c>@value</c>.</summary>
    private static async ValueTask ExecuteAsync(WriteTransaction transaction, string sql, string blob, long? value,
        CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(sql);
        command.Add("@blob", DbType.String, blob);
        command.Add("@value", DbType.Int64, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
