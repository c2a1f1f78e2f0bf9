using System.Data;
using System.Globalization;

namespace Cairn.Metadata;

// Collection of a bucket's tree (IBucketTreeCatalog): pins that keep a commit from any node's
// collection, and the drop of what it found
// unreachable, applied in the transaction that records a commit (so no other fold can interleave:
// a fold that reused a stored block records after it or not at all).
public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public ValueTask<bool> PinTreeCommitAsync(string bucket, long seq, Guid pin, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            // Inserted only while the commit is recorded: a collection that dropped it first leaves nothing to pin.
            await using var insert = transaction.CreateCommand(
                "INSERT INTO tree_pins (pin_id, bucket, seq, expires_at) SELECT @pin, bucket, seq, @expiresAt FROM tree_commits " +
                "WHERE bucket = @bucket AND seq = @seq");
            insert.Add("@pin", DbType.String, state.Pin.ToString());
            insert.Add("@expiresAt", DbType.Int64, SqlParameters.ToUnixMs(state.ExpiresAt));
            insert.Add("@bucket", DbType.String, state.Bucket);
            insert.Add("@seq", DbType.Int64, state.Seq);
            var pinned = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (pinned, pinned);
        }, (Bucket: bucket, Seq: seq, Pin: pin, ExpiresAt: expiresAt), cancellationToken);

    /// <inheritdoc />
    public async ValueTask UnpinTreeCommitAsync(Guid pin, CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, pin, cancellationToken) =>
        {
            await using var delete = transaction.CreateCommand("DELETE FROM tree_pins WHERE pin_id = @pin");
            delete.Add("@pin", DbType.String, pin.ToString());
            return (true, await delete.ExecuteNonQueryAsync(cancellationToken) > 0);
        }, pin, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<long>> ListPinnedTreeCommitsAsync(string bucket, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var seqs = new List<long>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT DISTINCT seq FROM tree_pins WHERE bucket = @bucket AND expires_at > @now ORDER BY seq");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@now", DbType.Int64, SqlParameters.ToUnixMs(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seqs.Add(reader.GetLong(0));
        }
        return seqs;
    }

    /// <summary>
    /// Applies a collection in the transaction recording a commit (see <see cref="IBucketTreeCatalog.RecordTreeCommitAsync"/>):
    /// drops the commits and segments it names, releases the segments' chunk references and queues
    /// their blobs, and drops the held inline bodies it names whose removal <paramref name="recordedSeq"/> folded. Skipped, with nothing
    /// dropped, when a commit to drop is pinned at its time (an export began on it meanwhile). False when skipped.
    /// </summary>
    private static async ValueTask<bool> ApplyCollectionAsync(WriteTransaction transaction, string bucket, long recordedSeq, TreeCollection collection,
        CancellationToken cancellationToken)
    {
        var now = SqlParameters.ToUnixMs(collection.Now);
        foreach (var batch in collection.DropCommits.Chunk(FoldKeysPerStatement))
        {
            await using var pinned = transaction.CreateCommand(
                "SELECT 1 FROM tree_pins WHERE bucket = @bucket AND expires_at > @now AND seq IN (" + InList("@s", batch.Length) + ") LIMIT 1");
            pinned.Add("@bucket", DbType.String, bucket);
            pinned.Add("@now", DbType.Int64, now);
            AddList(pinned, "@s", batch, DbType.Int64);
            if (await pinned.ExecuteScalarAsync(cancellationToken) is not (null or DBNull))
            {
                return false;
            }
        }
        foreach (var batch in collection.DropCommits.Chunk(FoldKeysPerStatement))
        {
            await using var drop = transaction.CreateCommand("DELETE FROM tree_commits WHERE bucket = @bucket AND seq IN (" + InList("@s", batch.Length) + ")");
            drop.Add("@bucket", DbType.String, bucket);
            AddList(drop, "@s", batch, DbType.Int64);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await ReleaseTreeChunksAsync(transaction, bucket, collection.DropSegments, SqlParameters.ToUnixMs(collection.DeleteAfter), cancellationToken);
        foreach (var batch in collection.DropSegments.Chunk(FoldKeysPerStatement))
        {
            var list = InList("@g", batch.Length);
            await using (var queue = transaction.CreateCommand(
                "INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts) SELECT name, NULL, @notBefore, 0 FROM tree_segments " +
                "WHERE bucket = @bucket AND name IN (" + list + ") " + EnqueueConflictClause))
            {
                queue.Add("@notBefore", DbType.Int64, SqlParameters.ToUnixMs(collection.DeleteAfter));
                queue.Add("@bucket", DbType.String, bucket);
                AddList(queue, "@g", batch, DbType.String);
                await queue.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var delete = transaction.CreateCommand(
                "DELETE FROM tree_segments WHERE bucket = @bucket AND name IN (" + list + ")");
            delete.Add("@bucket", DbType.String, bucket);
            AddList(delete, "@g", batch, DbType.String);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await DropHeldBodiesAsync(transaction, bucket, collection.DropHeldRemovedUpTo, recordedSeq, collection.DropHeldBodies, cancellationToken);
        // Expired pins are forgotten here too: nothing else reads them.
        await using (var expired = transaction.CreateCommand("DELETE FROM tree_pins WHERE bucket = @bucket AND expires_at <= @now"))
        {
            expired.Add("@bucket", DbType.String, bucket);
            expired.Add("@now", DbType.Int64, now);
            await expired.ExecuteNonQueryAsync(cancellationToken);
        }
        return true;
    }

    private static string InList(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)));

    private static void AddList<T>(System.Data.Common.DbCommand command, string prefix, T[] values, DbType type)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Add(prefix + i.ToString(CultureInfo.InvariantCulture), type, values[i]);
        }
    }
}
