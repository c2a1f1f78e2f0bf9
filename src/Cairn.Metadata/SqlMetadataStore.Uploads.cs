using System.Data;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public ValueTask<ChunkReservation> ReserveChunkAsync(Guid uploadId, ContentHash hash, int length, ChunkPlacement candidate,
        DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WriteAsync(ReserveCoreAsync, (uploadId.ToString(), hash.Bytes.ToArray(), length, candidate, SqlParameters.ToUnixMs(deadline)),
            cancellationToken);

    private static async ValueTask<(ChunkReservation Result, bool Commit)> ReserveCoreAsync(WriteTransaction transaction,
        (string Upload, byte[] Hash, int Length, ChunkPlacement Candidate, long Deadline) state, CancellationToken cancellationToken)
    {
        // The deadline only moves later: a reservation made with an older clock reading never
        // shortens the life of an upload that another reservation already extended.
        await using (var upsert = transaction.CreateCommand(
            "INSERT INTO uploads (id, deadline) VALUES (@upload, @deadline) ON CONFLICT (id) DO UPDATE SET deadline = " +
            "CASE WHEN excluded.deadline > uploads.deadline THEN excluded.deadline ELSE uploads.deadline END"))
        {
            upsert.Add("@upload", DbType.String, state.Upload);
            upsert.Add("@deadline", DbType.Int64, state.Deadline);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        var (reserved, reservedBlob) = await ReadReservationAsync(transaction, state.Upload, state.Hash, cancellationToken);
        var committedBlob = await ReadChunkBlobAsync(transaction, state.Hash, cancellationToken);
        if (reserved)
        {
            return (new ChunkReservation(ChunkReservationKind.AlreadyReserved, reservedBlob ?? committedBlob), true);
        }

        // A committed chunk is pinned (a reservation without a blob): the sweeper postpones its
        // deletion while the pin exists, so the commit that follows finds the row.
        var candidate = state.Candidate;
        var blob = committedBlob is null ? candidate.BlobName : null;
        await using (var insert = transaction.CreateCommand(
            "INSERT INTO upload_chunks (upload_id, hash, length, blob_name, blob_offset, stored_length, codec, pack_id) " +
            "VALUES (@upload, @hash, @length, @blob, @offset, @storedLength, @codec, @pack)"))
        {
            insert.Add("@upload", DbType.String, state.Upload);
            insert.Add("@hash", DbType.Binary, state.Hash);
            insert.Add("@length", DbType.Int64, (long)state.Length);
            insert.Add("@blob", DbType.String, blob);
            insert.Add("@offset", DbType.Int64, candidate.Offset);
            insert.Add("@storedLength", DbType.Int64, (long)candidate.StoredLength);
            insert.Add("@codec", DbType.Int64, (long)candidate.Codec);
            insert.Add("@pack", DbType.String, candidate.PackId);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        return committedBlob is null
            ? (new ChunkReservation(ChunkReservationKind.MustWrite, candidate.BlobName), true)
            : (new ChunkReservation(ChunkReservationKind.AlreadyStored, committedBlob), true);
    }

    /// <inheritdoc />
    public async ValueTask AbortUploadAsync(Guid uploadId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await DropUploadsAsync(transaction, state.UploadId, expiredBefore: null, state.Now, cancellationToken);
            return (0, true);
        }, (UploadId: uploadId, Now: SqlParameters.ToUnixMs(now)), cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> ExpireUploadsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, now, cancellationToken) =>
        {
            var expired = await DropUploadsAsync(transaction, uploadId: null, expiredBefore: now, now, cancellationToken);
            return (expired, true);
        }, SqlParameters.ToUnixMs(now), cancellationToken);

    /// <summary>
    /// Ends uploads (one by id, or every one whose deadline is before <paramref name="expiredBefore"/>):
    /// queues for deletion at <paramref name="now"/> each blob they wrote that no chunk row adopted
    /// (never referenced, so no grace), then drops their reservations and rows. Returns how many
    /// uploads ended. Bytes appended to a pack are not a blob of their own: they stay as dead space in it.
    /// </summary>
    private static async ValueTask<int> DropUploadsAsync(WriteTransaction transaction, Guid? uploadId, long? expiredBefore, long now,
        CancellationToken cancellationToken)
    {
        var uploads = uploadId is null ? "SELECT id FROM uploads WHERE deadline < @expiredBefore" : "@upload";
        // The WHERE clause before ON CONFLICT is required by SQLite's parser for INSERT ... SELECT upserts.
        await using var command = transaction.CreateCommand(
            "INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts) " +
            "SELECT r.blob_name, r.hash, @now, 0 FROM upload_chunks r " +
            $"WHERE r.upload_id IN ({uploads}) AND r.blob_name IS NOT NULL AND r.pack_id IS NULL " +
            "AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.blob_name = r.blob_name) " +
            EnqueueConflictClause + "; " +
            $"DELETE FROM upload_chunks WHERE upload_id IN ({uploads})");
        command.Add("@now", DbType.Int64, now);
        command.Add("@upload", DbType.String, uploadId?.ToString());
        command.Add("@expiredBefore", DbType.Int64, expiredBefore);
        await command.ExecuteNonQueryAsync(cancellationToken);

        await using var delete = transaction.CreateCommand(uploadId is null
            ? "DELETE FROM uploads WHERE deadline < @expiredBefore"
            : "DELETE FROM uploads WHERE id = @upload");
        delete.Add("@upload", DbType.String, uploadId?.ToString());
        delete.Add("@expiredBefore", DbType.Int64, expiredBefore);
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the upload reserved the chunk, and the blob it writes for it (null for a pin).</summary>
    private static async ValueTask<(bool Reserved, string? Blob)> ReadReservationAsync(WriteTransaction transaction, string upload,
        byte[] hash, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(
            "SELECT blob_name FROM upload_chunks WHERE upload_id = @upload AND hash = @hash");
        command.Add("@upload", DbType.String, upload);
        command.Add("@hash", DbType.Binary, hash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (true, reader.GetNullableString(0)) : (false, null);
    }

    /// <summary>The blob of the committed chunk row with this address; null when there is none.</summary>
    private static async ValueTask<string?> ReadChunkBlobAsync(WriteTransaction transaction, byte[] hash, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand("SELECT blob_name FROM chunks WHERE hash = @hash");
        command.Add("@hash", DbType.Binary, hash);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
