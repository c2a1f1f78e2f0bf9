using System.Data;
using System.Globalization;
using Cairn.Core;

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
        RetireWhereAsync(id, notBefore,
            "state = 2 AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = @id AND refcount > 0) " +
            "AND NOT EXISTS (SELECT 1 FROM upload_chunks WHERE pack_id = @id)", cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> AbandonPackAsync(string id, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        RetireWhereAsync(id, notBefore,
            "state IN (0, 1) AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = @id) " +
            "AND NOT EXISTS (SELECT 1 FROM upload_chunks WHERE pack_id = @id)", cancellationToken);

    /// <summary>Retires pack <paramref name="id"/> (see <see cref="RetireAsync"/>) when its row meets <paramref name="condition"/> over <c>@id</c>; false otherwise.</summary>
    private ValueTask<bool> RetireWhereAsync(string id, DateTimeOffset notBefore, string condition, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            string? blob;
            await using (var pack = transaction.CreateCommand("SELECT blob_name FROM packs WHERE id = @id AND " + state.Condition))
            {
                pack.Add("@id", DbType.String, state.Id);
                blob = await pack.ExecuteScalarAsync(cancellationToken) as string;
            }
            if (blob is null)
            {
                return (false, false);
            }
            await RetireAsync(transaction, state.Id, blob, state.NotBefore, cancellationToken);
            return (true, true);
        }, (Id: id, NotBefore: SqlParameters.ToUnixMs(notBefore), Condition: condition), cancellationToken);

    /// <summary>Marks a pack retired and queues its blob; the sweeper removes the pack's rows with the blob.</summary>
    private static async ValueTask RetireAsync(WriteTransaction transaction, string id, string blob, long notBefore, CancellationToken cancellationToken)
    {
        await using (var retire = transaction.CreateCommand("UPDATE packs SET state = 3 WHERE id = @id"))
        {
            retire.Add("@id", DbType.String, id);
            await retire.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var enqueue = CreateEnqueueCommand(transaction);
        await EnqueueDeleteAsync(enqueue, blob, null, notBefore, cancellationToken);
    }

    /// <summary>
    /// The chunk rows of pack <c>@pack</c> that a compaction must carry over: referenced, or pinned
    /// by a reservation of their address. <see cref="ReadPackContentsAsync"/> lists them and
    /// <see cref="SwapPackAsync"/> re-reads their count and byte sum (the verification aggregate).
    /// </summary>
    private const string NeededInPack =
        "FROM chunks c WHERE c.pack_id = @pack AND (c.refcount > 0 OR EXISTS (SELECT 1 FROM upload_chunks u WHERE u.hash = c.hash))";

    /// <summary><see cref="PlacementColumns"/> of the chunk rows aliased <c>c</c> in <see cref="NeededInPack"/>.</summary>
    private static readonly string NeededPlacementColumns = string.Join(", ", PlacementColumns.Split(", ").Select(static column => "c." + column));

    /// <summary>Reservations naming bytes an upload appended to pack <c>@pack</c> that no chunk row adopted yet.</summary>
    private const string ReservationsInPackSql = "SELECT COUNT(*) FROM upload_chunks WHERE pack_id = @pack AND blob_name IS NOT NULL";

    /// <inheritdoc />
    public async ValueTask<PackContents> ReadPackContentsAsync(string id, CancellationToken cancellationToken)
    {
        var needed = new List<PackedChunk>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using (var command = connection.CreateCommand(
            "SELECT c.hash, c.length, " + NeededPlacementColumns + " " +
            NeededInPack + " ORDER BY c.blob_offset"))
        {
            command.Add("@pack", DbType.String, id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                needed.Add(new PackedChunk(ContentHash.FromBytes(reader.GetFieldValue<byte[]>(0)), (int)reader.GetLong(1), ReadPlacement(reader, 2)));
            }
        }
        await using var reservations = connection.CreateCommand(ReservationsInPackSql);
        reservations.Add("@pack", DbType.String, id);
        return new PackContents(needed, Convert.ToInt64(await reservations.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public ValueTask<PackSwapOutcome> SwapPackAsync(PackSwap swap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(swap);
        return WriteAsync(SwapCoreAsync, (Swap: swap, RetireAt: SqlParameters.ToUnixMs(swap.RetireAt)), cancellationToken);
    }

    private static async ValueTask<(PackSwapOutcome Result, bool Commit)> SwapCoreAsync(WriteTransaction transaction, (PackSwap Swap, long RetireAt) state,
        CancellationToken cancellationToken)
    {
        var swap = state.Swap;
        string? outputBlob;
        await using (var output = transaction.CreateCommand("SELECT blob_name FROM packs WHERE id = @id AND state = 1"))
        {
            output.Add("@id", DbType.String, swap.Output);
            outputBlob = await output.ExecuteScalarAsync(cancellationToken) as string;
        }
        if (outputBlob is null)
        {
            return (PackSwapOutcome.OutputNotReady, false);
        }

        // The verification aggregate: each input's needed chunks, counted and summed again now, must
        // be exactly what the compactor copied. A chunk referenced, pinned, released or moved by
        // another compactor since it read the pack changes one of them, and then nothing is swapped.
        var inputBlobs = new List<string>(swap.Inputs.Count);
        foreach (var input in swap.Inputs)
        {
            await using (var reservations = transaction.CreateCommand(ReservationsInPackSql))
            {
                reservations.Add("@pack", DbType.String, input);
                if (Convert.ToInt64(await reservations.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0)
                {
                    return (PackSwapOutcome.InputsReserved, false);
                }
            }
            await using (var aggregate = transaction.CreateCommand("SELECT COUNT(*), COALESCE(SUM(c.stored_length), 0) " + NeededInPack))
            {
                aggregate.Add("@pack", DbType.String, input);
                await using var reader = await aggregate.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                long expectedCount = 0, expectedBytes = 0;
                foreach (var move in swap.Moves)
                {
                    if (move.FromPack == input)
                    {
                        expectedCount++;
                        expectedBytes += move.StoredLength;
                    }
                }
                if (reader.GetLong(0) != expectedCount || reader.GetLong(1) != expectedBytes)
                {
                    return (PackSwapOutcome.InputsChanged, false);
                }
            }
            await using var blob = transaction.CreateCommand("SELECT blob_name FROM packs WHERE id = @id AND state = 2");
            blob.Add("@id", DbType.String, input);
            if (await blob.ExecuteScalarAsync(cancellationToken) is not string name)
            {
                return (PackSwapOutcome.InputsChanged, false);
            }
            inputBlobs.Add(name);
        }

        await using (var move = transaction.CreateCommand(
            "UPDATE chunks SET blob_name = @blob, blob_offset = @to, pack_id = @output " +
            "WHERE hash = @hash AND pack_id = @from AND blob_offset = @fromOffset AND stored_length = @storedLength"))
        {
            move.Add("@blob", DbType.String, outputBlob);
            move.Add("@output", DbType.String, swap.Output);
            var to = move.Add("@to", DbType.Int64);
            var hash = move.Add("@hash", DbType.Binary);
            var from = move.Add("@from", DbType.String);
            var fromOffset = move.Add("@fromOffset", DbType.Int64);
            var storedLength = move.Add("@storedLength", DbType.Int64);
            // In address order, as every write updates chunk rows (see SortByHash).
            var moves = swap.Moves.ToList();
            moves.Sort(static (a, b) => a.Hash.Bytes.SequenceCompareTo(b.Hash.Bytes));
            foreach (var chunk in moves)
            {
                to.Value = chunk.ToOffset;
                hash.Value = chunk.Hash.Bytes.ToArray();
                from.Value = chunk.FromPack;
                fromOffset.Value = chunk.FromOffset;
                storedLength.Value = (long)chunk.StoredLength;
                if (await move.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    return (PackSwapOutcome.InputsChanged, false);
                }
            }
        }

        for (var i = 0; i < swap.Inputs.Count; i++)
        {
            // What is left in an input is nobody's: its rows go now, so a later upload of the same
            // bytes writes them afresh instead of reviving a row in a pack on its way out. A row
            // still left is one the aggregate should have counted: then nothing is swapped.
            await using (var drop = transaction.CreateCommand(
                "DELETE FROM chunks WHERE pack_id = @pack AND refcount <= 0 AND NOT EXISTS (SELECT 1 FROM upload_chunks u WHERE u.hash = chunks.hash)"))
            {
                drop.Add("@pack", DbType.String, swap.Inputs[i]);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var left = transaction.CreateCommand("SELECT COUNT(*) FROM chunks WHERE pack_id = @pack"))
            {
                left.Add("@pack", DbType.String, swap.Inputs[i]);
                if (Convert.ToInt64(await left.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) != 0)
                {
                    return (PackSwapOutcome.InputsChanged, false);
                }
            }
            await RetireAsync(transaction, swap.Inputs[i], inputBlobs[i], state.RetireAt, cancellationToken);
        }
        await using (var stored = transaction.CreateCommand("UPDATE packs SET state = 2, node = NULL WHERE id = @id"))
        {
            stored.Add("@id", DbType.String, swap.Output);
            await stored.ExecuteNonQueryAsync(cancellationToken);
        }
        return (PackSwapOutcome.Swapped, true);
    }

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
