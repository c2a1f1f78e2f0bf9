using System.Data;
using System.Data.Common;

namespace Cairn.Metadata;

// A bucket's configurations (IBucketConfigurationCatalog): one row per kind and id, written in its
// own transaction; DeleteBucket removes a bucket's rows in its transaction.
public abstract partial class SqlMetadataStore
{
    private const string ConfigurationColumns = "bucket, kind, id, document, updated_at";

    /// <inheritdoc />
    public async ValueTask<BucketConfiguration?> GetBucketConfigurationAsync(string bucket, string kind, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + ConfigurationColumns + " FROM bucket_configurations WHERE bucket = @bucket AND kind = @kind AND id = @id");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@kind", DbType.String, kind);
        command.Add("@id", DbType.String, id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadConfiguration(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BucketConfiguration>> ListBucketConfigurationsAsync(string bucket, string kind,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + ConfigurationColumns + " FROM bucket_configurations WHERE bucket = @bucket AND kind = @kind ORDER BY id");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@kind", DbType.String, kind);
        return await ReadConfigurationsAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BucketConfiguration>> ListConfigurationsOfKindAsync(string kind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + ConfigurationColumns + " FROM bucket_configurations WHERE kind = @kind ORDER BY bucket, id");
        command.Add("@kind", DbType.String, kind);
        return await ReadConfigurationsAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> PutBucketConfigurationAsync(BucketConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return WriteAsync(static async (transaction, configuration, cancellationToken) =>
        {
            if (!await BucketExistsAsync(transaction, configuration.Bucket, cancellationToken))
            {
                return (false, false);
            }
            await using var command = transaction.CreateCommand(
                "INSERT INTO bucket_configurations (" + ConfigurationColumns + ") VALUES (@bucket, @kind, @id, @document, @updatedAt) " +
                "ON CONFLICT (bucket, kind, id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at");
            command.Add("@bucket", DbType.String, configuration.Bucket);
            command.Add("@kind", DbType.String, configuration.Kind);
            command.Add("@id", DbType.String, configuration.Id);
            command.Add("@document", DbType.String, configuration.Document);
            command.Add("@updatedAt", DbType.Int64, SqlParameters.ToUnixMs(configuration.UpdatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (true, true);
        }, configuration, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteBucketConfigurationAsync(string bucket, string kind, string id, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand(
                "DELETE FROM bucket_configurations WHERE bucket = @bucket AND kind = @kind AND id = @id");
            command.Add("@bucket", DbType.String, state.Bucket);
            command.Add("@kind", DbType.String, state.Kind);
            command.Add("@id", DbType.String, state.Id);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (deleted, deleted);
        }, (Bucket: bucket, Kind: kind, Id: id), cancellationToken);

    /// <summary>Removes a deleted bucket's configurations (in its transaction).</summary>
    private static async ValueTask ForgetBucketConfigurationsAsync(WriteTransaction transaction, string bucket, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand("DELETE FROM bucket_configurations WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async ValueTask<IReadOnlyList<BucketConfiguration>> ReadConfigurationsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var configurations = new List<BucketConfiguration>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            configurations.Add(ReadConfiguration(reader));
        }
        return configurations;
    }

    private static BucketConfiguration ReadConfiguration(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqlParameters.FromUnixMs(reader.GetLong(4)));
}
