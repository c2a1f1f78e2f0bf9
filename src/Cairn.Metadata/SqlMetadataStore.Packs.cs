using System.Data;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public ValueTask<bool> CreatePackAsync(string id, string blobName, string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var insert = transaction.CreateCommand(
                "INSERT INTO packs (id, blob_name, state, node, data_length, created_at) VALUES (@id, @blob, 0, @node, 0, @now) ON CONFLICT DO NOTHING");
            insert.Add("@id", DbType.String, state.Id);
            insert.Add("@blob", DbType.String, state.BlobName);
            insert.Add("@node", DbType.String, state.Node);
            insert.Add("@now", DbType.Int64, state.Now);
            var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (inserted, inserted);
        }, (Id: id, BlobName: blobName, Node: node, Now: SqlParameters.ToUnixMs(now)), cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> SealPackAsync(string id, long dataLength, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var update = transaction.CreateCommand(
                "UPDATE packs SET state = 1, data_length = @length, sealed_at = @now WHERE id = @id AND state = 0");
            update.Add("@id", DbType.String, state.Id);
            update.Add("@length", DbType.Int64, state.Length);
            update.Add("@now", DbType.Int64, state.Now);
            var sealedNow = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (sealedNow, sealedNow);
        }, (Id: id, Length: dataLength, Now: SqlParameters.ToUnixMs(now)), cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> MarkPackStoredAsync(string id, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, id, cancellationToken) =>
        {
            await using var update = transaction.CreateCommand("UPDATE packs SET state = 2, node = NULL WHERE id = @id AND state = 1");
            update.Add("@id", DbType.String, id);
            var stored = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (stored, stored);
        }, id, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> RetirePackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            string? blob;
            await using (var pack = transaction.CreateCommand(
                "SELECT blob_name FROM packs WHERE id = @id AND state = 2 " +
                "AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = @id AND refcount > 0) " +
                "AND NOT EXISTS (SELECT 1 FROM upload_chunks WHERE pack_id = @id)"))
            {
                pack.Add("@id", DbType.String, state.Id);
                blob = await pack.ExecuteScalarAsync(cancellationToken) as string;
            }
            if (blob is null)
            {
                return (false, false);
            }
            await using var enqueue = CreateEnqueueCommand(transaction);
            await EnqueueDeleteAsync(enqueue, blob, null, state.NotBefore, cancellationToken);
            return (true, true);
        }, (Id: id, NotBefore: SqlParameters.ToUnixMs(notBefore)), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PackInfo>> ListPacksAsync(CancellationToken cancellationToken)
    {
        var packs = new List<PackInfo>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT p.id, p.blob_name, p.state, p.node, p.data_length, p.created_at, p.sealed_at, " +
            "COALESCE(l.chunks, 0), COALESCE(l.bytes, 0) FROM packs p LEFT JOIN " +
            "(SELECT pack_id, COUNT(*) AS chunks, SUM(stored_length) AS bytes FROM chunks WHERE pack_id IS NOT NULL AND refcount > 0 GROUP BY pack_id) l " +
            "ON l.pack_id = p.id ORDER BY p.id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            packs.Add(new PackInfo(reader.GetString(0), reader.GetString(1), (PackState)reader.GetLong(2), reader.GetNullableString(3),
                reader.GetLong(4), reader.GetLong(7), reader.GetLong(8), SqlParameters.FromUnixMs(reader.GetLong(5)),
                reader.IsDBNull(6) ? null : SqlParameters.FromUnixMs(reader.GetLong(6))));
        }
        return packs;
    }
}
