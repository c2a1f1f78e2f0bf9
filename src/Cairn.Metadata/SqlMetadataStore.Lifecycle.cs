using System.Data;
using System.Data.Common;
using System.Text;

namespace Cairn.Metadata;

// The lifecycle worker's state (ILifecycleCatalog): progress per bucket, due time per key. Only the
// worker (one at a time, under its lease) writes them; DeleteBucket removes a bucket's rows in its
// transaction.
public abstract partial class SqlMetadataStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LifecycleProgress>> ListLifecycleProgressAsync(CancellationToken cancellationToken)
    {
        var progress = new List<LifecycleProgress>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT bucket, configured_at, journal_seq FROM lifecycle_progress ORDER BY bucket");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            progress.Add(new LifecycleProgress(reader.GetString(0), SqlParameters.FromUnixMs(reader.GetLong(1)), reader.GetLong(2)));
        }
        return progress;
    }

    /// <inheritdoc />
    public ValueTask<bool> SaveLifecycleAsync(string bucket, IReadOnlyList<LifecycleDue> dues, LifecycleProgress? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dues);
        if (dues.Any(due => due.Bucket != bucket) || (progress is not null && progress.Bucket != bucket))
        {
            throw new ArgumentException($"Every due time and the progress must be of bucket '{bucket}'.", nameof(dues));
        }
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (!await BucketExistsAsync(transaction, state.Bucket, cancellationToken)
                || (state.Progress is { } judged && !await JournalKeptAfterAsync(transaction, state.Bucket, judged.JournalSeq, cancellationToken)))
            {
                return (false, false);
            }
            if (state.Dues.Count > 0)
            {
                await using var set = transaction.CreateCommand(
                    "INSERT INTO lifecycle_due (bucket, key, due_at) VALUES (@bucket, @key, @dueAt) " +
                    "ON CONFLICT (bucket, key) DO UPDATE SET due_at = excluded.due_at");
                await using var clear = transaction.CreateCommand("DELETE FROM lifecycle_due WHERE bucket = @bucket AND key = @key");
                var setKey = Bind(set, state.Bucket);
                var dueAt = set.Add("@dueAt", DbType.Int64, 0L);
                var clearKey = Bind(clear, state.Bucket);
                foreach (var due in state.Dues)
                {
                    var key = Encoding.UTF8.GetBytes(due.Key);
                    if (due.DueAt is { } at)
                    {
                        setKey.Value = key;
                        dueAt.Value = SqlParameters.ToUnixMs(at);
                        await set.ExecuteNonQueryAsync(cancellationToken);
                    }
                    else
                    {
                        clearKey.Value = key;
                        await clear.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
            }
            if (state.Progress is { } progress)
            {
                await using var save = transaction.CreateCommand(
                    "INSERT INTO lifecycle_progress (bucket, configured_at, journal_seq) VALUES (@bucket, @configuredAt, @journalSeq) " +
                    "ON CONFLICT (bucket) DO UPDATE SET configured_at = excluded.configured_at, journal_seq = excluded.journal_seq");
                save.Add("@bucket", DbType.String, progress.Bucket);
                save.Add("@configuredAt", DbType.Int64, SqlParameters.ToUnixMs(progress.ConfiguredAt));
                save.Add("@journalSeq", DbType.Int64, progress.JournalSeq);
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
            return (true, true);
        }, (Bucket: bucket, Dues: dues, Progress: progress), cancellationToken);

        static DbParameter Bind(DbCommand command, string bucket)
        {
            command.Add("@bucket", DbType.String, bucket);
            return command.Add("@key", DbType.Binary, Array.Empty<byte>());
        }
    }

    /// <inheritdoc />
    public async ValueTask ForgetLifecycleAsync(string bucket, CancellationToken cancellationToken) =>
        await WriteAsync(static async (transaction, bucket, cancellationToken) =>
        {
            await ForgetBucketLifecycleAsync(transaction, bucket, cancellationToken);
            return (true, true);
        }, bucket, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LifecycleDue>> ListLifecycleDueAsync(DateTimeOffset upTo, int max, CancellationToken cancellationToken,
        string? bucket = null)
    {
        var dues = new List<LifecycleDue>();
        if (max <= 0)
        {
            return dues;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT bucket, key, due_at FROM lifecycle_due WHERE due_at <= @upTo" + (bucket is null ? "" : " AND bucket = @bucket") +
            " ORDER BY due_at, bucket, key LIMIT @max");
        command.Add("@upTo", DbType.Int64, SqlParameters.ToUnixMs(upTo));
        command.Add("@max", DbType.Int64, (long)max);
        if (bucket is not null)
        {
            command.Add("@bucket", DbType.String, bucket);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            dues.Add(new LifecycleDue(reader.GetString(0), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)),
                SqlParameters.FromUnixMs(reader.GetLong(2))));
        }
        return dues;
    }

    /// <inheritdoc />
    public async ValueTask<long> CountLifecycleDueAsync(DateTimeOffset upTo, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT COUNT(*) FROM lifecycle_due WHERE due_at <= @upTo");
        command.Add("@upTo", DbType.Int64, SqlParameters.ToUnixMs(upTo));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Removes a bucket's lifecycle progress and due times (in the caller's transaction: a deleted bucket's, or a forgotten configuration's).</summary>
    private static async ValueTask ForgetBucketLifecycleAsync(WriteTransaction transaction, string bucket, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand(
            "DELETE FROM lifecycle_due WHERE bucket = @bucket; DELETE FROM lifecycle_progress WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
