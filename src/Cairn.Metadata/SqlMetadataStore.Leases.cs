using System.Data;
using System.Globalization;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public ValueTask<Lease?> TryAcquireAsync(string name, string holder, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        return WriteAsync(TryAcquireCoreAsync, (name, holder, (long)Math.Ceiling(timeToLive.TotalMilliseconds), DatabaseTimeSql),
            cancellationToken);
    }

    private static async ValueTask<(Lease? Result, bool Commit)> TryAcquireCoreAsync(WriteTransaction transaction,
        (string Name, string Holder, long TtlMs, string NowSql) state, CancellationToken cancellationToken)
    {
        var (name, holder, ttl, nowSql) = state;
        var now = await ReadDatabaseTimeAsync(transaction, nowSql, cancellationToken);
        string? currentHolder = null;
        long generation = 0;
        long expiresAt = 0;
        await using (var select = transaction.CreateCommand("SELECT holder, generation, expires_at FROM leases WHERE name = @name"))
        {
            select.Add("@name", DbType.String, name);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                currentHolder = reader.GetString(0);
                generation = reader.GetLong(1);
                expiresAt = reader.GetLong(2);
            }
        }
        var held = currentHolder is not null && expiresAt > now;
        if (held && currentHolder != holder)
        {
            return (null, false);
        }
        // Extending an unexpired lease keeps its generation; a fresh tenure (first, after expiry or
        // after a release) takes the next one, so work fenced by the old number can tell.
        var newGeneration = held ? generation : generation + 1;
        var newExpiry = now + ttl;
        await using (var upsert = transaction.CreateCommand(
            "INSERT INTO leases (name, holder, generation, acquired_at, expires_at) VALUES (@name, @holder, @generation, @now, @expiresAt) " +
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, generation = excluded.generation, " +
            "acquired_at = CASE WHEN excluded.generation = leases.generation THEN leases.acquired_at ELSE excluded.acquired_at END, " +
            "expires_at = excluded.expires_at"))
        {
            upsert.Add("@name", DbType.String, name);
            upsert.Add("@holder", DbType.String, holder);
            upsert.Add("@generation", DbType.Int64, newGeneration);
            upsert.Add("@now", DbType.Int64, now);
            upsert.Add("@expiresAt", DbType.Int64, newExpiry);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        return (new Lease(name, holder, newGeneration, SqlParameters.FromUnixMs(newExpiry)), true);
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var (lease, nowSql) = state;
            var now = await ReadDatabaseTimeAsync(transaction, nowSql, cancellationToken);
            // Expired now rather than deleted: the row keeps the generation, so the next holder's is higher.
            await using var command = transaction.CreateCommand(
                "UPDATE leases SET expires_at = @now WHERE name = @name AND holder = @holder AND generation = @generation AND expires_at > @now");
            command.Add("@now", DbType.Int64, now);
            command.Add("@name", DbType.String, lease.Name);
            command.Add("@holder", DbType.String, lease.Holder);
            command.Add("@generation", DbType.Int64, lease.Generation);
            var released = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (released, released);
        }, (lease, DatabaseTimeSql), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<LeaseListing> ListLeasesAsync(CancellationToken cancellationToken)
    {
        var leases = new List<Lease>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        long now;
        await using (var time = connection.CreateCommand("SELECT " + DatabaseTimeSql))
        {
            now = Convert.ToInt64(await time.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        await using (var command = connection.CreateCommand("SELECT name, holder, generation, expires_at FROM leases"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                leases.Add(new Lease(reader.GetString(0), reader.GetString(1), reader.GetLong(2), SqlParameters.FromUnixMs(reader.GetLong(3))));
            }
        }
        leases.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new LeaseListing(leases, SqlParameters.FromUnixMs(now));
    }

    private static async ValueTask<long> ReadDatabaseTimeAsync(WriteTransaction transaction, string nowSql, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand("SELECT " + nowSql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
