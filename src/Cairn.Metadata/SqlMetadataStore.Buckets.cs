using System.Data;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public async ValueTask<BucketRecord?> GetBucketAsync(string name, CancellationToken cancellationToken)
    {
        if (_bucketLookups is not null)
        {
            return await _bucketLookups.RunAsync(name, cancellationToken);
        }
        await using var connection = await RentReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT " + BucketColumns + " FROM buckets WHERE name = @name");
        command.Add("@name", DbType.String, name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadBucket(reader) : null;
    }

    /// <inheritdoc />
    public ValueTask<bool> TryCreateBucketAsync(BucketRecord bucket, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, bucket, cancellationToken) =>
        {
            // A bucket created with Object Lock has versioning enabled with it (S3 turns it on).
            var retention = bucket.ObjectLock?.DefaultRetention;
            await using var command = transaction.CreateCommand(
                "INSERT INTO buckets (name, created_at, region, versioning, object_lock, default_retention_mode, default_retention_days, " +
                "default_retention_years, owner) SELECT @name, @createdAt, @region, @versioning, @objectLock, @mode, @days, @years, @owner " +
                // A user's bucket only while the user exists (a key deleted on another node may still sign for a few seconds).
                "WHERE @owner IS NULL OR EXISTS (SELECT 1 FROM users WHERE name = @owner) " +
                "ON CONFLICT (name) DO NOTHING");
            command.Add("@name", DbType.String, bucket.Name);
            command.Add("@createdAt", DbType.Int64, SqlParameters.ToUnixMs(bucket.CreatedAt));
            command.Add("@region", DbType.String, bucket.Region);
            command.Add("@versioning", DbType.String,
                VersioningText(bucket.ObjectLock is null ? bucket.Versioning : BucketVersioning.Enabled));
            command.Add("@objectLock", DbType.Int64, bucket.ObjectLock is null ? 0L : 1L);
            command.Add("@mode", DbType.String, retention is null ? null : ObjectLockNames.WireName(retention.Mode));
            command.Add("@days", DbType.Int64, retention?.Days is { } days ? (long)days : null);
            command.Add("@years", DbType.Int64, retention?.Years is { } years ? (long)years : null);
            command.Add("@owner", DbType.String, bucket.Owner);
            var created = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (created, created);
        }, bucket, cancellationToken);

    /// <inheritdoc />
    public ValueTask<DeleteBucketOutcome> DeleteBucketAsync(string name, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken) =>
        WriteAsync(DeleteBucketCoreAsync, (name, SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken);

    /// <summary>
    /// Deletes the bucket when it holds no objects; its multipart uploads are aborted, their chunks
    /// released to be deleted no earlier than <paramref name="state"/>'s NotBefore.
    /// </summary>
    private static async ValueTask<(DeleteBucketOutcome Result, bool Commit)> DeleteBucketCoreAsync(WriteTransaction transaction,
        (string Name, long NotBefore) state, CancellationToken cancellationToken)
    {
        var (name, notBefore) = state;
        if (!await BucketExistsAsync(transaction, name, cancellationToken))
        {
            return (DeleteBucketOutcome.NoSuchBucket, false);
        }
        // Delete markers and noncurrent versions keep a bucket too, as in S3.
        if (await ExistsAsync(transaction, "SELECT 1 FROM objects WHERE bucket = @name LIMIT 1", name, cancellationToken)
            || await ExistsAsync(transaction, "SELECT 1 FROM object_versions WHERE bucket = @name LIMIT 1", name, cancellationToken))
        {
            return (DeleteBucketOutcome.NotEmpty, false);
        }
        // S3 deletes a general purpose bucket with uploads in progress (only directory buckets
        // require them aborted first); here they are aborted in this transaction, so no part's
        // chunks outlive the bucket unreferenced and untracked.
        foreach (var uploadId in await ReadBucketUploadIdsAsync(transaction, name, cancellationToken))
        {
            await DropMultipartUploadAsync(transaction, uploadId, notBefore, cancellationToken);
        }
        await ForgetBucketCompletionsAsync(transaction, name, cancellationToken);
        await ForgetBucketJournalAsync(transaction, name, cancellationToken);
        await ForgetBucketTreeAsync(transaction, name, notBefore, cancellationToken);
        await ForgetBucketConfigurationsAsync(transaction, name, cancellationToken);
        await ForgetBucketLifecycleAsync(transaction, name, cancellationToken);
        await ForgetBucketInventoryReportsAsync(transaction, name, cancellationToken);
        await using var delete = transaction.CreateCommand("DELETE FROM buckets WHERE name = @name");
        delete.Add("@name", DbType.String, name);
        await delete.ExecuteNonQueryAsync(cancellationToken);
        return (DeleteBucketOutcome.Deleted, true);
    }

    /// <summary>Whether <paramref name="sql"/> over <c>@name</c> returns a row.</summary>
    private static async ValueTask<bool> ExistsAsync(WriteTransaction transaction, string sql, string name, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(sql);
        command.Add("@name", DbType.String, name);
        return await command.ExecuteScalarAsync(cancellationToken) is not (null or DBNull);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BucketRecord>> ListBucketsAsync(CancellationToken cancellationToken)
    {
        var buckets = new List<BucketRecord>();
        await using (var connection = await OpenReadConnectionAsync(cancellationToken))
        await using (var command = connection.CreateCommand("SELECT " + BucketColumns + " FROM buckets"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                buckets.Add(ReadBucket(reader));
            }
        }
        // Sorted here, not in SQL: PostgreSQL's ORDER BY on text follows the database collation,
        // and the S3 order is ordinal.
        buckets.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return buckets;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BucketUsage>> ListBucketUsageAsync(CancellationToken cancellationToken)
    {
        // One statement, so every bucket's figures come from one snapshot; SUM over no rows is NULL, hence COALESCE.
        const string Sql =
            "SELECT b.name, " +
            "(SELECT COUNT(*) FROM objects o WHERE o.bucket = b.name AND o.delete_marker = 0), " +
            "(SELECT COALESCE(SUM(o.size), 0) FROM objects o WHERE o.bucket = b.name AND o.delete_marker = 0), " +
            "(SELECT COUNT(*) FROM object_versions v WHERE v.bucket = b.name AND v.delete_marker = 0), " +
            "(SELECT COALESCE(SUM(v.size), 0) FROM object_versions v WHERE v.bucket = b.name AND v.delete_marker = 0), " +
            "(SELECT COUNT(*) FROM objects o WHERE o.bucket = b.name AND o.delete_marker = 1) + " +
            "(SELECT COUNT(*) FROM object_versions v WHERE v.bucket = b.name AND v.delete_marker = 1) " +
            "FROM buckets b";
        var usage = new List<BucketUsage>();
        await using (var connection = await OpenReadConnectionAsync(cancellationToken))
        await using (var command = connection.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                usage.Add(new BucketUsage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5)));
            }
        }
        // By name in S3's (ordinal) order, as ListBucketsAsync sorts.
        usage.Sort(static (a, b) => string.CompareOrdinal(a.Bucket, b.Bucket));
        return usage;
    }

    /// <inheritdoc />
    public ValueTask<bool> PutBucketTagsAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var command = transaction.CreateCommand("UPDATE buckets SET tags = @tags WHERE name = @name");
            command.Add("@tags", DbType.String, WriteDictionary(state.Tags));
            command.Add("@name", DbType.String, state.Name);
            var updated = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (updated, updated);
        }, (Name: name, Tags: tags), cancellationToken);

    private static async ValueTask<bool> BucketExistsAsync(WriteTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand("SELECT 1 FROM buckets WHERE name = @name");
        command.Add("@name", DbType.String, name);
        return await command.ExecuteScalarAsync(cancellationToken) is not (null or DBNull);
    }
}
