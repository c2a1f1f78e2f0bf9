using System.Data;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Imports: a key range filled, or replaced wholesale, in one transaction (issue 11's import and
/// atomic prefix replace). Unlike every other write, versions are written as given (ids, times and
/// markers kept), not placed by the bucket's versioning state: an import reproduces a bucket.
/// </summary>
public abstract partial class SqlMetadataStore
{
    /// <summary>Journal entries appended per statement (13 parameters each; SQLite allows 32,766 per statement).</summary>
    private const int JournalBatch = 500;

    /// <inheritdoc />
    public ValueTask<ImportResult> ImportObjectsAsync(ObjectImport import, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        CheckImport(import);
        return WriteAsync(ImportCoreAsync, (import, now, SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken, [import.Bucket]);
    }

    /// <summary>The contract's argument checks: what no source may bring, whatever the bucket holds.</summary>
    private static void CheckImport(ObjectImport import)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var imported in import.Keys)
        {
            if (!imported.Key.StartsWith(import.Prefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Imported key '{imported.Key}' is outside the prefix '{import.Prefix}'.", nameof(import));
            }
            if (!keys.Add(imported.Key))
            {
                throw new ArgumentException($"Imported key '{imported.Key}' is given twice.", nameof(import));
            }
            if (imported.Versions.Count == 0)
            {
                throw new ArgumentException($"Imported key '{imported.Key}' has no version.", nameof(import));
            }
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var version in imported.Versions)
            {
                if (version.Bucket != import.Bucket || version.Key != imported.Key)
                {
                    throw new ArgumentException($"A version of imported key '{imported.Key}' names {version.Bucket}/{version.Key}.", nameof(import));
                }
                if (!ids.Add(version.VersionId))
                {
                    throw new ArgumentException($"Imported key '{imported.Key}' has version '{version.VersionId}' twice.", nameof(import));
                }
                if (version.InlineBody is not null && version.Chunks.Count > 0)
                {
                    throw new ArgumentException($"A version of imported key '{imported.Key}' is both inline and chunked.", nameof(import));
                }
                if (version.IsDeleteMarker && (version.InlineBody is { Length: > 0 } || version.Chunks.Count > 0))
                {
                    throw new ArgumentException($"A delete marker of imported key '{imported.Key}' has a body.", nameof(import));
                }
            }
        }
    }

    private static async ValueTask<(ImportResult Result, bool Commit)> ImportCoreAsync(WriteTransaction transaction,
        (ObjectImport Import, DateTimeOffset Now, long NotBefore) state, CancellationToken cancellationToken)
    {
        var (import, now, notBefore) = state;
        if (await ReadBucketWriteStateAsync(transaction, import.Bucket, cancellationToken) is not { } bucketState)
        {
            return (new ImportResult(ImportOutcome.NoSuchBucket), false);
        }
        if (bucketState.Versioning == BucketVersioning.Unversioned
            && import.Keys.FirstOrDefault(static key => key.Versions is not [{ VersionId: NullVersionId, IsDeleteMarker: false }]) is { } versioned)
        {
            // A bucket that was never versioned holds one null version per key, and its writes rely on it.
            return (new ImportResult(ImportOutcome.VersioningRequired, Key: versioned.Key), false);
        }

        var prefix = Encoding.UTF8.GetBytes(import.Prefix);
        var upper = Successor(prefix);
        List<RangeRow> removed = [];
        if (import.Replace)
        {
            removed = await ReadRangeAsync(transaction, import.Bucket, prefix, upper, cancellationToken);
            if (removed.FirstOrDefault(row => row.Lock.Protects(now, bypassGovernance: false)) is { Key: not null } locked)
            {
                return (new ImportResult(ImportOutcome.Locked, Key: Encoding.UTF8.GetString(locked.Key)), false);
            }
        }
        else
        {
            foreach (var imported in import.Keys)
            {
                if (await ReadCurrentRowAsync(transaction, import.Bucket, Encoding.UTF8.GetBytes(imported.Key), cancellationToken) is not null)
                {
                    return (new ImportResult(ImportOutcome.KeyExists, Key: imported.Key), false);
                }
            }
        }

        // References are added before the replaced versions' are released, so a chunk both sides use
        // never passes through zero (and is never queued).
        var chunks = import.Keys.SelectMany(static key => key.Versions).SelectMany(static version => version.Chunks).ToList();
        if (!await AddReferencesAsync(transaction, import.UploadId, ChunkListFormat.CountUses(chunks), cancellationToken))
        {
            return (new ImportResult(ImportOutcome.ChunkMissing), false);
        }
        var journal = new List<PendingEntry>();
        if (removed.Count > 0)
        {
            await HoldRangeBodiesAsync(transaction, import.Bucket, prefix, upper, removed.Count, cancellationToken);
            await DeleteRangeAsync(transaction, import.Bucket, prefix, upper, cancellationToken);
            var released = removed.SelectMany(static row => ChunkListFormat.Decode(row.Chunks)).ToList();
            await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(released), notBefore, cancellationToken);
            journal.AddRange(removed.Select(row => new PendingEntry(row.Key, row.VersionId, JournalChange.Remove, null, null)));
        }

        var versionsImported = 0;
        foreach (var imported in import.Keys)
        {
            var key = Encoding.UTF8.GetBytes(imported.Key);
            var count = imported.Versions.Count;
            // Newest first: the first is the key's current row, above every older one in the key's order.
            for (var i = count - 1; i >= 0; i--)
            {
                var version = WithDefaultRetention(imported.Versions[i], bucketState);
                await InsertVersionRowAsync(transaction, i == 0 ? "objects" : "object_versions", version, key, seq: count - i, cancellationToken);
                journal.Add(new PendingEntry(key, version.VersionId, JournalChange.Put, version, version.Tags, version.Lock));
                versionsImported++;
            }
        }
        foreach (var batch in journal.Chunk(JournalBatch))
        {
            await AppendJournalAsync(transaction, import.Bucket, batch, cancellationToken);
        }
        if (import.UploadId is { } uploadId)
        {
            await DropUploadsAsync(transaction, uploadId, expiredBefore: null, SqlParameters.ToUnixMs(now), cancellationToken);
        }
        return (new ImportResult(ImportOutcome.Imported, removed.Count(static row => row.IsCurrent), import.Keys.Count, versionsImported), true);
    }

    /// <summary>An imported version as a locked bucket keeps it: the bucket's default retention when it has none of its own, as a put's.</summary>
    private static ObjectVersionRecord WithDefaultRetention(ObjectVersionRecord version, BucketWriteState bucketState) =>
        version.IsDeleteMarker || version.Lock.Retention is not null || bucketState.DefaultRetention is not { } retention
            ? version
            : version with { Lock = version.Lock with { Retention = retention.For(version.LastModified) } };

    /// <summary>A version row under a key range: current or not, its id, its chunk list and its lock state.</summary>
    private readonly record struct RangeRow(byte[] Key, string VersionId, byte[]? Chunks, bool IsCurrent, ObjectLockState Lock);

    /// <summary>Every version row (current and noncurrent) whose key lies in [<paramref name="prefix"/>, <paramref name="upper"/>).</summary>
    private static async ValueTask<List<RangeRow>> ReadRangeAsync(WriteTransaction transaction, string bucket, byte[] prefix, byte[]? upper,
        CancellationToken cancellationToken)
    {
        var range = " WHERE bucket = @bucket AND key >= @prefix" + (upper is null ? "" : " AND key < @upper");
        await using var select = transaction.CreateCommand(
            "SELECT key, version_id, chunks, 1, " + LockColumns + " FROM objects" + range +
            " UNION ALL SELECT key, version_id, chunks, 0, " + LockColumns + " FROM object_versions" + range);
        select.Add("@bucket", DbType.String, bucket);
        select.Add("@prefix", DbType.Binary, prefix);
        select.Add("@upper", DbType.Binary, upper);
        var rows = new List<RangeRow>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RangeRow(reader.GetNullableBytes(0)!, reader.GetString(1), reader.GetNullableBytes(2), reader.GetLong(3) != 0,
                ReadLock(reader, 4)));
        }
        return rows;
    }

    /// <summary>Deletes every version row of the keys starting with <paramref name="prefix"/> (references are the caller's).</summary>
    private static async ValueTask DeleteRangeAsync(WriteTransaction transaction, string bucket, byte[] prefix, byte[]? upper,
        CancellationToken cancellationToken)
    {
        foreach (var table in VersionTables)
        {
            await using var delete = transaction.CreateCommand(
                "DELETE FROM " + table + " WHERE bucket = @bucket AND key >= @prefix" + (upper is null ? "" : " AND key < @upper"));
            delete.Add("@bucket", DbType.String, bucket);
            delete.Add("@prefix", DbType.Binary, prefix);
            delete.Add("@upper", DbType.Binary, upper);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Inserts one version row, as it is, into <paramref name="table"/> (<c>objects</c> for the current one) at place <paramref name="seq"/>.</summary>
    private static async ValueTask InsertVersionRowAsync(WriteTransaction transaction, string table, ObjectVersionRecord version, byte[] key,
        long seq, CancellationToken cancellationToken)
    {
        await using var insert = transaction.CreateCommand(
            "INSERT INTO " + table + " (" + VersionRowColumns + ") VALUES (@bucket, @key, @seq, " + string.Join(", ", ObjectValueParameters) + ")");
        insert.Add("@bucket", DbType.String, version.Bucket);
        insert.Add("@key", DbType.Binary, key);
        insert.Add("@seq", DbType.Int64, seq);
        AddObjectValues(insert, version, suffix: "");
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
