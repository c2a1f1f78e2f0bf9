using System.Data;
using System.Text;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public async ValueTask QueueBlobsAsync(IReadOnlyList<string> blobNames, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        if (blobNames.Count == 0)
        {
            return;
        }
        await WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var enqueue = CreateEnqueueCommand(transaction);
            foreach (var name in state.Names)
            {
                await EnqueueDeleteAsync(enqueue, name, hash: null, state.NotBefore, cancellationToken);
            }
            return (0, true);
        }, (Names: blobNames, NotBefore: SqlParameters.ToUnixMs(notBefore)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<TierMoveOutcome> MoveVersionToTierAsync(TierMove move, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(move.StorageClass);
        // Chunk rows in address order, as every write takes them (no deadlock between writers on PostgreSQL).
        var chunks = move.Chunks.ToList();
        chunks.Sort(static (a, b) => a.Hash.Bytes.SequenceCompareTo(b.Hash.Bytes));
        return WriteAsync(MoveVersionToTierCoreAsync,
            (Move: move, Key: Encoding.UTF8.GetBytes(move.Key), Chunks: chunks, Now: SqlParameters.ToUnixMs(now),
                ClaimBefore: SqlParameters.ToUnixMs(now + TierMove.ClaimMargin), NotBefore: SqlParameters.ToUnixMs(now + gracePeriod)),
            cancellationToken);
    }

    private static async ValueTask<(TierMoveOutcome Result, bool Commit)> MoveVersionToTierCoreAsync(WriteTransaction transaction,
        (TierMove Move, byte[] Key, List<TierChunkMove> Chunks, long Now, long ClaimBefore, long NotBefore) state,
        CancellationToken cancellationToken)
    {
        var move = state.Move;
        string? table = null;
        await using (var version = transaction.CreateCommand(
            "SELECT 'objects', etag, delete_marker FROM objects WHERE bucket = @bucket AND key = @key AND version_id = @versionId " +
            "UNION ALL SELECT 'object_versions', etag, delete_marker FROM object_versions WHERE bucket = @bucket AND key = @key AND version_id = @versionId"))
        {
            version.Add("@bucket", DbType.String, move.Bucket);
            version.Add("@key", DbType.Binary, state.Key);
            version.Add("@versionId", DbType.String, move.VersionId);
            await using var reader = await version.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken) && reader.GetString(1) == move.ETag && reader.GetLong(2) == 0)
            {
                table = reader.GetString(0);
            }
        }
        if (table is null)
        {
            return (TierMoveOutcome.VersionChanged, false);
        }

        await using var enqueue = CreateEnqueueCommand(transaction);
        foreach (var chunk in state.Chunks)
        {
            // The tier blob must still be reserved, and not so close to its time that a sweeper could
            // be deleting it now: claimed by a row after the sweeper decided, it would be lost.
            await using (var reserved = transaction.CreateCommand("SELECT not_before FROM delete_queue WHERE blob_name = @blob"))
            {
                reserved.Add("@blob", DbType.String, chunk.ToBlobName);
                if (await reserved.ExecuteScalarAsync(cancellationToken) is not { } notBefore || notBefore is DBNull
                    || Convert.ToInt64(notBefore, System.Globalization.CultureInfo.InvariantCulture) <= state.ClaimBefore)
                {
                    return (TierMoveOutcome.ReservationLost, false);
                }
            }
            // The chunk must still be where its bytes were read from (a compaction may have moved it).
            await using (var row = transaction.CreateCommand("SELECT blob_name, blob_offset, pack_id FROM chunks WHERE hash = @hash"))
            {
                row.Add("@hash", DbType.Binary, chunk.Hash.Bytes.ToArray());
                await using var reader = await row.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken) || reader.GetString(0) != chunk.From.BlobName || reader.GetLong(1) != chunk.From.Offset
                    || reader.GetNullableString(2) != chunk.From.PackId)
                {
                    return (TierMoveOutcome.PlacementChanged, false);
                }
            }
            await using (var update = transaction.CreateCommand(
                "UPDATE chunks SET blob_name = @to, blob_offset = 0, pack_id = NULL WHERE hash = @hash"))
            {
                update.Add("@to", DbType.String, chunk.ToBlobName);
                update.Add("@hash", DbType.Binary, chunk.Hash.Bytes.ToArray());
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await ExecuteAsync(transaction, "DELETE FROM delete_queue WHERE blob_name = @blob", chunk.ToBlobName, null, cancellationToken);
            if (chunk.From.PackId is null)
            {
                // The hot blob goes after the grace period: a download that located the chunk before
                // this commit still reads it. A pack's blob stays; the chunk's bytes there are dead space.
                await EnqueueDeleteAsync(enqueue, chunk.From.BlobName, chunk.Hash.Bytes.ToArray(), state.NotBefore, cancellationToken);
            }
        }

        if (!move.Complete)
        {
            return (TierMoveOutcome.Moved, true);
        }
        await using (var update = transaction.CreateCommand(
            "UPDATE " + table + " SET storage_class = @storageClass WHERE bucket = @bucket AND key = @key AND version_id = @versionId"))
        {
            update.Add("@storageClass", DbType.String, move.StorageClass);
            update.Add("@bucket", DbType.String, move.Bucket);
            update.Add("@key", DbType.Binary, state.Key);
            update.Add("@versionId", DbType.String, move.VersionId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        return (TierMoveOutcome.Moved, true);
    }
}
