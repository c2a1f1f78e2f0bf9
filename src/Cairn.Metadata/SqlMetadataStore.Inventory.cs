using System.Data;
using System.Text;

namespace Cairn.Metadata;

// Inventory reports (IInventoryCatalog): written by the inventory worker after each report's
// manifest; DeleteBucket removes a bucket's rows in its transaction.
public abstract partial class SqlMetadataStore
{
    private const string InventoryReportColumns = "bucket, configuration_id, created_at, journal_seq, destination_bucket, manifest_key, format, object_count";

    /// <inheritdoc />
    public ValueTask<bool> RecordInventoryReportAsync(InventoryReport report, IReadOnlyList<InventoryReportGroup> groups,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(groups);
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var (report, groups) = state;
            if (!await BucketExistsAsync(transaction, report.Bucket, cancellationToken))
            {
                return (false, false);
            }
            var createdAt = SqlParameters.ToUnixMs(report.CreatedAt);
            await using (var insert = transaction.CreateCommand(
                "INSERT INTO inventory_reports (" + InventoryReportColumns + ") VALUES " +
                "(@bucket, @configurationId, @createdAt, @journalSeq, @destination, @manifestKey, @format, @objectCount)"))
            {
                insert.Add("@bucket", DbType.String, report.Bucket);
                insert.Add("@configurationId", DbType.String, report.ConfigurationId);
                insert.Add("@createdAt", DbType.Int64, createdAt);
                insert.Add("@journalSeq", DbType.Int64, report.JournalSeq);
                insert.Add("@destination", DbType.String, report.DestinationBucket);
                insert.Add("@manifestKey", DbType.String, report.ManifestKey);
                insert.Add("@format", DbType.String, report.Format);
                insert.Add("@objectCount", DbType.Int64, report.ObjectCount);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            if (groups.Count > 0)
            {
                await using var group = transaction.CreateCommand(
                    "INSERT INTO inventory_report_groups (bucket, configuration_id, created_at, file_key, row_group, first_key, last_key, row_count) " +
                    "VALUES (@bucket, @configurationId, @createdAt, @fileKey, @rowGroup, @firstKey, @lastKey, @rowCount)");
                group.Add("@bucket", DbType.String, report.Bucket);
                group.Add("@configurationId", DbType.String, report.ConfigurationId);
                group.Add("@createdAt", DbType.Int64, createdAt);
                var fileKey = group.Add("@fileKey", DbType.String, "");
                var rowGroup = group.Add("@rowGroup", DbType.Int64, 0L);
                var firstKey = group.Add("@firstKey", DbType.Binary, Array.Empty<byte>());
                var lastKey = group.Add("@lastKey", DbType.Binary, Array.Empty<byte>());
                var rowCount = group.Add("@rowCount", DbType.Int64, 0L);
                foreach (var row in groups)
                {
                    fileKey.Value = row.FileKey;
                    rowGroup.Value = (long)row.RowGroup;
                    firstKey.Value = Encoding.UTF8.GetBytes(row.FirstKey);
                    lastKey.Value = Encoding.UTF8.GetBytes(row.LastKey);
                    rowCount.Value = row.RowCount;
                    await group.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            return (true, true);
        }, (report, groups), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InventoryReport>> ListInventoryReportsAsync(string bucket, string? configurationId, int max,
        CancellationToken cancellationToken)
    {
        var reports = new List<InventoryReport>();
        if (max <= 0)
        {
            return reports;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + InventoryReportColumns + " FROM inventory_reports WHERE bucket = @bucket" +
            (configurationId is null ? "" : " AND configuration_id = @configurationId") + " ORDER BY created_at DESC, configuration_id LIMIT @max");
        command.Add("@bucket", DbType.String, bucket);
        if (configurationId is not null)
        {
            command.Add("@configurationId", DbType.String, configurationId);
        }
        command.Add("@max", DbType.Int64, (long)max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reports.Add(new InventoryReport(reader.GetString(0), reader.GetString(1), SqlParameters.FromUnixMs(reader.GetLong(2)), reader.GetLong(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetLong(7)));
        }
        return reports;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InventoryReportGroup>> ListInventoryReportGroupsAsync(string bucket, string configurationId,
        DateTimeOffset createdAt, string? fromKey, string? toKey, CancellationToken cancellationToken)
    {
        var groups = new List<InventoryReportGroup>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT file_key, row_group, first_key, last_key, row_count FROM inventory_report_groups " +
            "WHERE bucket = @bucket AND configuration_id = @configurationId AND created_at = @createdAt" +
            (fromKey is null ? "" : " AND last_key >= @fromKey") + (toKey is null ? "" : " AND first_key <= @toKey") +
            " ORDER BY file_key, row_group");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@configurationId", DbType.String, configurationId);
        command.Add("@createdAt", DbType.Int64, SqlParameters.ToUnixMs(createdAt));
        if (fromKey is not null)
        {
            command.Add("@fromKey", DbType.Binary, Encoding.UTF8.GetBytes(fromKey));
        }
        if (toKey is not null)
        {
            command.Add("@toKey", DbType.Binary, Encoding.UTF8.GetBytes(toKey));
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new InventoryReportGroup(reader.GetString(0), (int)reader.GetLong(1), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)),
                Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(3)), reader.GetLong(4)));
        }
        return groups;
    }

    /// <summary>Removes a deleted bucket's inventory reports (in its transaction; the files stay in their destination).</summary>
    private static async ValueTask ForgetBucketInventoryReportsAsync(WriteTransaction transaction, string bucket, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand(
            "DELETE FROM inventory_report_groups WHERE bucket = @bucket; DELETE FROM inventory_reports WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
