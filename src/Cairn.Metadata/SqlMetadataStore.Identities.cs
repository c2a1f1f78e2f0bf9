using System.Data;
using System.Data.Common;

namespace Cairn.Metadata;

// Users and access keys (IIdentityCatalog): rows written in their own transactions; a user is
// deleted with its keys, never while it owns a bucket.
public abstract partial class SqlMetadataStore
{
    private const string AccessKeyColumns = "access_key_id, user_name, secret_sealed, active, created_at";

    /// <inheritdoc />
    public ValueTask<bool> TryCreateUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return WriteAsync(static async (transaction, user, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand(
                "INSERT INTO users (name, created_at) VALUES (@name, @createdAt) ON CONFLICT DO NOTHING");
            command.Add("@name", DbType.String, user.Name);
            command.Add("@createdAt", DbType.Int64, SqlParameters.ToUnixMs(user.CreatedAt));
            var created = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (created, created);
        }, user, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT name, created_at FROM users WHERE name = @name");
        command.Add("@name", DbType.String, name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new UserRecord(reader.GetString(0), SqlParameters.FromUnixMs(reader.GetLong(1))) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken)
    {
        var users = new List<UserRecord>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT name, created_at FROM users ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new UserRecord(reader.GetString(0), SqlParameters.FromUnixMs(reader.GetLong(1))));
        }
        return users;
    }

    /// <inheritdoc />
    public ValueTask<DeleteUserOutcome> DeleteUserAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, name, cancellationToken) =>
        {
            await using (var owns = transaction.CreateCommand("SELECT 1 FROM buckets WHERE owner = @name LIMIT 1"))
            {
                owns.Add("@name", DbType.String, name);
                if (await owns.ExecuteScalarAsync(cancellationToken) is not (null or DBNull))
                {
                    return (DeleteUserOutcome.OwnsBuckets, false);
                }
            }
            await using (var keys = transaction.CreateCommand("DELETE FROM access_keys WHERE user_name = @name"))
            {
                keys.Add("@name", DbType.String, name);
                await keys.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var user = transaction.CreateCommand("DELETE FROM users WHERE name = @name");
            user.Add("@name", DbType.String, name);
            return await user.ExecuteNonQueryAsync(cancellationToken) == 1 ? (DeleteUserOutcome.Deleted, true) : (DeleteUserOutcome.NotFound, false);
        }, name, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AddAccessKeyOutcome> AddAccessKeyAsync(AccessKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(static async (transaction, key, cancellationToken) =>
        {
            var outcome = await InsertAccessKeyAsync(transaction, key, key.UserName, cancellationToken);
            return (outcome, outcome == AddAccessKeyOutcome.Added);
        }, key, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<AddAccessKeyOutcome> RotateAccessKeyAsync(string oldAccessKeyId, AccessKeyRecord replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            string userName;
            await using (var old = transaction.CreateCommand("SELECT user_name FROM access_keys WHERE access_key_id = @id"))
            {
                old.Add("@id", DbType.String, state.OldAccessKeyId);
                if (await old.ExecuteScalarAsync(cancellationToken) is not string owner)
                {
                    return (AddAccessKeyOutcome.NoSuchUser, false);
                }
                userName = owner;
            }
            var outcome = await InsertAccessKeyAsync(transaction, state.Replacement, userName, cancellationToken);
            if (outcome != AddAccessKeyOutcome.Added)
            {
                return (outcome, false);
            }
            await using var deactivate = transaction.CreateCommand("UPDATE access_keys SET active = 0 WHERE access_key_id = @id");
            deactivate.Add("@id", DbType.String, state.OldAccessKeyId);
            await deactivate.ExecuteNonQueryAsync(cancellationToken);
            return (AddAccessKeyOutcome.Added, true);
        }, (OldAccessKeyId: oldAccessKeyId, Replacement: replacement), cancellationToken);
    }

    /// <summary>Inserts <paramref name="key"/> for <paramref name="userName"/> when that user exists and the id is free.</summary>
    private static async ValueTask<AddAccessKeyOutcome> InsertAccessKeyAsync(WriteTransaction transaction, AccessKeyRecord key, string userName,
        CancellationToken cancellationToken)
    {
        await using (var user = transaction.CreateCommand("SELECT 1 FROM users WHERE name = @name"))
        {
            user.Add("@name", DbType.String, userName);
            if (await user.ExecuteScalarAsync(cancellationToken) is null or DBNull)
            {
                return AddAccessKeyOutcome.NoSuchUser;
            }
        }
        await using var insert = transaction.CreateCommand(
            "INSERT INTO access_keys (" + AccessKeyColumns + ") VALUES (@id, @user, @secret, @active, @createdAt) " +
            "ON CONFLICT (access_key_id) DO NOTHING");
        insert.Add("@id", DbType.String, key.AccessKeyId);
        insert.Add("@user", DbType.String, userName);
        insert.Add("@secret", DbType.Binary, key.SealedSecret);
        insert.Add("@active", DbType.Int64, key.Active ? 1L : 0L);
        insert.Add("@createdAt", DbType.Int64, SqlParameters.ToUnixMs(key.CreatedAt));
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1 ? AddAccessKeyOutcome.Added : AddAccessKeyOutcome.KeyExists;
    }

    /// <inheritdoc />
    public async ValueTask<AccessKeyRecord?> GetAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT " + AccessKeyColumns + " FROM access_keys WHERE access_key_id = @id");
        command.Add("@id", DbType.String, accessKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAccessKey(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? userName, CancellationToken cancellationToken)
    {
        var keys = new List<AccessKeyRecord>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(userName is null
            ? "SELECT " + AccessKeyColumns + " FROM access_keys ORDER BY user_name, access_key_id"
            : "SELECT " + AccessKeyColumns + " FROM access_keys WHERE user_name = @user ORDER BY user_name, access_key_id");
        command.Add("@user", DbType.String, userName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(ReadAccessKey(reader));
        }
        return keys;
    }

    private static AccessKeyRecord ReadAccessKey(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetLong(3) != 0, SqlParameters.FromUnixMs(reader.GetLong(4)));

    /// <inheritdoc />
    public ValueTask<bool> SetAccessKeyActiveAsync(string accessKeyId, bool active, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand("UPDATE access_keys SET active = @active WHERE access_key_id = @id");
            command.Add("@active", DbType.Int64, state.Active ? 1L : 0L);
            command.Add("@id", DbType.String, state.AccessKeyId);
            var updated = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (updated, updated);
        }, (AccessKeyId: accessKeyId, Active: active), cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, accessKeyId, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand("DELETE FROM access_keys WHERE access_key_id = @id");
            command.Add("@id", DbType.String, accessKeyId);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (deleted, deleted);
        }, accessKeyId, cancellationToken);
}
