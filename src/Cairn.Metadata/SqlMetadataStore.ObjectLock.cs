using System.Data;
using System.Data.Common;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Object Lock: a bucket's lock configuration, each version's retention and legal hold. A version's
/// lock state lives in its row (<see cref="LockColumns"/>, part of every version row), so it moves
/// with the version between <c>objects</c> and <c>object_versions</c>; the rules that decide what
/// a lock allows are <see cref="ObjectLockState"/>'s, applied inside the transaction that changes
/// or removes the version.
/// </summary>
public abstract partial class SqlMetadataStore
{
    /// <summary>A version's lock state, in version rows, upload rows and journal entries alike.</summary>
    private const string LockColumns = "lock_mode, lock_until, legal_hold";

    /// <summary>The bucket columns <see cref="ReadBucket"/> reads, in order.</summary>
    private const string BucketColumns =
        "name, created_at, region, tags, versioning, object_lock, default_retention_mode, default_retention_days, default_retention_years, owner";

    /// <summary>Reads <see cref="LockColumns"/>, starting at <paramref name="first"/>.</summary>
    private static ObjectLockState ReadLock(DbDataReader reader, int first)
    {
        ObjectRetention? retention = null;
        if (!reader.IsDBNull(first) && ObjectLockNames.TryParseMode(reader.GetString(first), out var mode))
        {
            retention = new ObjectRetention(mode, SqlParameters.FromUnixMs(reader.GetLong(first + 1)));
        }
        bool? legalHold = reader.IsDBNull(first + 2) ? null : reader.GetLong(first + 2) != 0;
        return new ObjectLockState(retention, legalHold);
    }

    /// <summary>Binds <c>@lockMode</c>, <c>@lockUntil</c> and <c>@legalHold</c> (each followed by <paramref name="suffix"/>).</summary>
    private static void AddLockValues(DbCommand command, ObjectLockState state, string suffix)
    {
        command.Add("@lockMode" + suffix, DbType.String, state.Retention is { } retention ? ObjectLockNames.WireName(retention.Mode) : null);
        command.Add("@lockUntil" + suffix, DbType.Int64, state.Retention is { } until ? SqlParameters.ToUnixMs(until.RetainUntil) : null);
        command.Add("@legalHold" + suffix, DbType.Int64, state.LegalHold is { } hold ? (hold ? 1L : 0L) : null);
    }

    /// <summary>Reads a default retention (mode, days, years) starting at <paramref name="first"/>; null when the mode is.</summary>
    private static DefaultRetention? ReadDefaultRetention(DbDataReader reader, int first) =>
        !reader.IsDBNull(first) && ObjectLockNames.TryParseMode(reader.GetString(first), out var mode)
            ? new DefaultRetention(mode, reader.IsDBNull(first + 1) ? null : (int)reader.GetLong(first + 1),
                reader.IsDBNull(first + 2) ? null : (int)reader.GetLong(first + 2))
            : null;

    /// <summary>Reads <see cref="BucketColumns"/>.</summary>
    private static BucketRecord ReadBucket(DbDataReader reader) =>
        new(reader.GetString(0), SqlParameters.FromUnixMs(reader.GetLong(1)), reader.GetString(2))
        {
            Tags = ReadDictionary(reader.GetNullableString(3)),
            Versioning = ParseVersioning(reader.GetNullableString(4)),
            ObjectLock = reader.GetLong(5) != 0 ? new ObjectLockConfiguration(ReadDefaultRetention(reader, 6)) : null,
            Owner = reader.GetNullableString(9),
        };

    /// <inheritdoc />
    public ValueTask<PutObjectLockOutcome> PutObjectLockConfigurationAsync(string name, ObjectLockConfiguration configuration,
        CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (await ReadBucketWriteStateAsync(transaction, state.Name, cancellationToken) is not { } bucket)
            {
                return (PutObjectLockOutcome.NoSuchBucket, false);
            }
            if (bucket.Versioning != BucketVersioning.Enabled)
            {
                return (PutObjectLockOutcome.VersioningNotEnabled, false);
            }
            var retention = state.Configuration.DefaultRetention;
            await using var command = transaction.CreateCommand(
                "UPDATE buckets SET object_lock = 1, default_retention_mode = @mode, default_retention_days = @days, " +
                "default_retention_years = @years WHERE name = @name");
            command.Add("@mode", DbType.String, retention is null ? null : ObjectLockNames.WireName(retention.Mode));
            command.Add("@days", DbType.Int64, retention?.Days is { } days ? (long)days : null);
            command.Add("@years", DbType.Int64, retention?.Years is { } years ? (long)years : null);
            command.Add("@name", DbType.String, state.Name);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (PutObjectLockOutcome.Updated, true);
        }, (Name: name, Configuration: configuration), cancellationToken);

    /// <inheritdoc />
    public ValueTask<PutLockOutcome> PutObjectLockAsync(string bucket, string key, string? versionId, ObjectLockChange change, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (await FindVersionRowAsync(transaction, state.Bucket, state.Key, state.VersionId, cancellationToken) is not { } row)
            {
                return (PutLockOutcome.NotFound, false);
            }
            if (row.IsDeleteMarker)
            {
                return (PutLockOutcome.DeleteMarker, false);
            }
            var change = state.Change;
            if (change.SetsRetention && !row.Lock.AllowsRetention(change.Retention, state.Now, change.BypassGovernance))
            {
                return (PutLockOutcome.Locked, false);
            }
            var next = new ObjectLockState(change.SetsRetention ? change.Retention : row.Lock.Retention, change.LegalHold ?? row.Lock.LegalHold);
            await using (var update = transaction.CreateCommand(
                "UPDATE " + row.Table + " SET lock_mode = @lockMode, lock_until = @lockUntil, legal_hold = @legalHold " +
                "WHERE bucket = @bucket AND key = @key AND version_id = @versionId"))
            {
                AddLockValues(update, next, suffix: "");
                update.Add("@bucket", DbType.String, state.Bucket);
                update.Add("@key", DbType.Binary, state.Key);
                update.Add("@versionId", DbType.String, row.VersionId);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await AppendJournalAsync(transaction, state.Bucket, [new PendingEntry(state.Key, row.VersionId, JournalChange.Lock, null, null, next)],
                cancellationToken);
            return (PutLockOutcome.Updated, true);
        }, (Bucket: bucket, Key: Encoding.UTF8.GetBytes(key), VersionId: versionId, Change: change, Now: now), cancellationToken, [bucket]);
}
