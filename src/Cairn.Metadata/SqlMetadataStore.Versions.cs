using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// Versions: where a key's versions are placed and removed. Every write of an object row (commit,
/// completion, delete, delete marker, version removal) goes through <see cref="PlaceVersionAsync"/>
/// or <see cref="RemoveVersionAsync"/>, so the rules of the bucket's versioning state live here once,
/// and so does the journal entry of each change (<c>SqlMetadataStore.Journal.cs</c>).
/// </summary>
public abstract partial class SqlMetadataStore
{
    /// <summary>The null version's id, S3's spelling.</summary>
    private const string NullVersionId = "null";

    /// <summary>The columns a noncurrent row shares with a current one, in <c>object_versions</c> and <c>objects</c> alike.</summary>
    private const string VersionRowColumns = "bucket, key, version_seq, " + ObjectColumns;

    /// <summary>The key's current row as the write path needs it.</summary>
    private readonly record struct CurrentRow(string VersionId, long Seq, string ETag, byte[]? Chunks, bool IsDeleteMarker, ObjectLockState Lock,
        long LastModifiedMs)
    {
        /// <summary>The ETag a precondition is judged against: none for a delete marker (the key reads as absent).</summary>
        public string? LiveETag => IsDeleteMarker ? null : ETag;
    }

    /// <summary>A new version id: 24 random bytes in URL-safe base64 (32 characters, as long as S3's).</summary>
    internal static string NewVersionId()
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    private static string? VersioningText(BucketVersioning versioning) => versioning switch
    {
        BucketVersioning.Enabled => "Enabled",
        BucketVersioning.Suspended => "Suspended",
        _ => null,
    };

    private static BucketVersioning ParseVersioning(string? text) => text switch
    {
        "Enabled" => BucketVersioning.Enabled,
        "Suspended" => BucketVersioning.Suspended,
        _ => BucketVersioning.Unversioned,
    };

    /// <summary>What a write into a bucket follows: its versioning state and its default retention (null: none).</summary>
    /// <remarks><paramref name="HoldsRemovedBodies"/>: a removed version's inline body is copied for the bucket's tree (see <see cref="HoldBodyAsync"/>).</remarks>
    private readonly record struct BucketWriteState(BucketVersioning Versioning, DefaultRetention? DefaultRetention, bool HoldsRemovedBodies)
    {
        /// <summary>
        /// <paramref name="version"/> as placed in this bucket: with the version id the bucket's state
        /// gives it, and, when it is no delete marker and has no retention of its own, the bucket's
        /// default retention counted from its creation time.
        /// </summary>
        public ObjectVersionRecord Place(ObjectVersionRecord version) =>
            version.IsDeleteMarker || version.Lock.Retention is not null || DefaultRetention is not { } retention
                ? version with { VersionId = VersionIdFor(Versioning) }
                : version with { VersionId = VersionIdFor(Versioning), Lock = version.Lock with { Retention = retention.For(version.LastModified) } };
    }

    /// <summary>The bucket's versioning state and default retention, read in the write's transaction; null when there is no such bucket.</summary>
    private static async ValueTask<BucketWriteState?> ReadBucketWriteStateAsync(WriteTransaction transaction, string bucket,
        CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(
            "SELECT versioning, default_retention_mode, default_retention_days, default_retention_years, holds_removed_bodies FROM buckets WHERE name = @name");
        command.Add("@name", DbType.String, bucket);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new BucketWriteState(ParseVersioning(reader.GetNullableString(0)), ReadDefaultRetention(reader, 1), reader.GetLong(4) != 0)
            : null;
    }

    /// <summary>The key's current row; null when the key has no version.</summary>
    private static async ValueTask<CurrentRow?> ReadCurrentRowAsync(WriteTransaction transaction, string bucket, byte[] key,
        CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(
            "SELECT version_id, version_seq, etag, chunks, delete_marker, last_modified, " + LockColumns + " FROM objects WHERE bucket = @bucket AND key = @key");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new CurrentRow(reader.GetString(0), reader.GetLong(1), reader.GetString(2), reader.GetNullableBytes(3), reader.GetLong(4) != 0,
            ReadLock(reader, 6), reader.GetLong(5));
    }

    /// <summary>The version id a new version gets in a bucket in this state.</summary>
    private static string VersionIdFor(BucketVersioning versioning) =>
        versioning == BucketVersioning.Enabled ? NewVersionId() : NullVersionId;

    /// <summary>
    /// Makes <paramref name="version"/> (its references already added by the caller) the current
    /// version of its key, as the bucket's <paramref name="bucketState"/> says (see <see cref="BucketWriteState.Place"/>): the key's
    /// <paramref name="current"/> row (read in this transaction) is replaced when unversioned, or when
    /// suspended and it is the null version, and kept as a noncurrent version otherwise; suspended, a
    /// noncurrent null version goes too. What is replaced loses its references (queued at
    /// <paramref name="notBefore"/> when they reach zero). Returns the version id the version got.
    /// </summary>
    private static async ValueTask<string> PlaceVersionAsync(WriteTransaction transaction, ObjectVersionRecord version, byte[] key,
        BucketWriteState bucketState, CurrentRow? current, long notBefore, CancellationToken cancellationToken)
    {
        var versioning = bucketState.Versioning;
        var placed = bucketState.Place(version);
        if (current is { } previous)
        {
            if (versioning == BucketVersioning.Unversioned || (versioning == BucketVersioning.Suspended && previous.VersionId == NullVersionId))
            {
                if (bucketState.HoldsRemovedBodies)
                {
                    await HoldBodyAsync(transaction, version.Bucket, key, noncurrentVersionId: null, cancellationToken);
                }
                await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(ChunkListFormat.Decode(previous.Chunks)), notBefore,
                    cancellationToken);
                await AppendRemoveAsync(transaction, version.Bucket, key, previous.VersionId, cancellationToken);
            }
            else
            {
                await using var keep = transaction.CreateCommand(
                    "INSERT INTO object_versions (" + VersionRowColumns + ") SELECT " + VersionRowColumns +
                    " FROM objects WHERE bucket = @bucket AND key = @key");
                keep.Add("@bucket", DbType.String, version.Bucket);
                keep.Add("@key", DbType.Binary, key);
                await keep.ExecuteNonQueryAsync(cancellationToken);
            }
            if (versioning == BucketVersioning.Suspended)
            {
                await RemoveNoncurrentAsync(transaction, version.Bucket, key, NullVersionId, notBefore, cancellationToken);
            }
        }
        await WriteObjectAsync(transaction, placed, key, (current?.Seq ?? 0) + 1, insertOnly: false, cancellationToken);
        await AppendPutAsync(transaction, placed, key, cancellationToken);
        return placed.VersionId;
    }

    /// <summary>
    /// Removes a noncurrent version by id, releasing its references; its ETag and whether it was a
    /// delete marker, or null when the key has no such noncurrent version.
    /// </summary>
    private static async ValueTask<(string ETag, bool IsDeleteMarker)?> RemoveNoncurrentAsync(WriteTransaction transaction, string bucket,
        byte[] key, string versionId, long notBefore, CancellationToken cancellationToken)
    {
        byte[]? chunks;
        (string ETag, bool IsDeleteMarker) removed;
        await HoldBodyAsync(transaction, bucket, key, versionId, cancellationToken);
        await using (var delete = transaction.CreateCommand(
            "DELETE FROM object_versions WHERE bucket = @bucket AND key = @key AND version_id = @versionId RETURNING etag, chunks, delete_marker"))
        {
            delete.Add("@bucket", DbType.String, bucket);
            delete.Add("@key", DbType.Binary, key);
            delete.Add("@versionId", DbType.String, versionId);
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            removed = (reader.GetString(0), reader.GetLong(2) != 0);
            chunks = reader.GetNullableBytes(1);
        }
        await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(ChunkListFormat.Decode(chunks)), notBefore, cancellationToken);
        await AppendRemoveAsync(transaction, bucket, key, versionId, cancellationToken);
        return removed;
    }

    /// <summary>
    /// Removes the key's current row (<paramref name="current"/>), releasing its references, and
    /// makes the newest noncurrent version, if any, the current one. A bucket that was never
    /// versioned has no noncurrent versions: <paramref name="mayHaveNoncurrent"/> false skips looking.
    /// </summary>
    private static async ValueTask RemoveCurrentAsync(WriteTransaction transaction, string bucket, byte[] key, CurrentRow current,
        long notBefore, bool mayHaveNoncurrent, CancellationToken cancellationToken)
    {
        await HoldBodyAsync(transaction, bucket, key, noncurrentVersionId: null, cancellationToken, then: "DELETE FROM objects WHERE bucket = @bucket AND key = @key");
        await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(ChunkListFormat.Decode(current.Chunks)), notBefore,
            cancellationToken);
        await AppendRemoveAsync(transaction, bucket, key, current.VersionId, cancellationToken);
        if (!mayHaveNoncurrent)
        {
            return;
        }
        long? promoted = null;
        await using (var promote = transaction.CreateCommand(
            "INSERT INTO objects (" + VersionRowColumns + ") SELECT " + VersionRowColumns +
            " FROM object_versions WHERE bucket = @bucket AND key = @key ORDER BY version_seq DESC LIMIT 1 RETURNING version_seq"))
        {
            promote.Add("@bucket", DbType.String, bucket);
            promote.Add("@key", DbType.Binary, key);
            if (await promote.ExecuteScalarAsync(cancellationToken) is long seq)
            {
                promoted = seq;
            }
        }
        if (promoted is { } promotedSeq)
        {
            await using var drop = transaction.CreateCommand(
                "DELETE FROM object_versions WHERE bucket = @bucket AND key = @key AND version_seq = @seq");
            drop.Add("@bucket", DbType.String, bucket);
            drop.Add("@key", DbType.Binary, key);
            drop.Add("@seq", DbType.Int64, promotedSeq);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Removes one version of a key by id (current or noncurrent) when the precondition holds for it
    /// and its lock state does not protect it at <paramref name="now"/>.
    /// </summary>
    private static async ValueTask<DeleteObjectResult> RemoveVersionAsync(WriteTransaction transaction, string bucket, byte[] key,
        string versionId, WritePrecondition precondition, bool bypassGovernance, DateTimeOffset now, long notBefore,
        CancellationToken cancellationToken)
    {
        var current = await ReadCurrentRowAsync(transaction, bucket, key, cancellationToken);
        if (current is { } row && row.VersionId == versionId)
        {
            if (!precondition.HoldsFor(row.LiveETag) || precondition.IfNoncurrent)
            {
                return new DeleteObjectResult(DeleteObjectOutcome.PreconditionFailed, null, false);
            }
            if (row.Lock.Protects(now, bypassGovernance))
            {
                return new DeleteObjectResult(DeleteObjectOutcome.Locked, null, false);
            }
            await RemoveCurrentAsync(transaction, bucket, key, row, notBefore, mayHaveNoncurrent: true, cancellationToken);
            return new DeleteObjectResult(DeleteObjectOutcome.Deleted, versionId, row.IsDeleteMarker);
        }
        // Judged before the row goes: read it first.
        if (await ReadNoncurrentAsync(transaction, bucket, key, versionId, cancellationToken) is not { } noncurrent)
        {
            return new DeleteObjectResult(DeleteObjectOutcome.NoSuchVersion, null, false);
        }
        if (!precondition.HoldsFor(noncurrent.IsDeleteMarker ? null : noncurrent.ETag))
        {
            return new DeleteObjectResult(DeleteObjectOutcome.PreconditionFailed, null, false);
        }
        if (noncurrent.Lock.Protects(now, bypassGovernance))
        {
            return new DeleteObjectResult(DeleteObjectOutcome.Locked, null, false);
        }
        return await RemoveNoncurrentAsync(transaction, bucket, key, versionId, notBefore, cancellationToken) is { } removed
            ? new DeleteObjectResult(DeleteObjectOutcome.Deleted, versionId, removed.IsDeleteMarker)
            : new DeleteObjectResult(DeleteObjectOutcome.NoSuchVersion, null, false);
    }

    private static async ValueTask<(string ETag, bool IsDeleteMarker, ObjectLockState Lock)?> ReadNoncurrentAsync(WriteTransaction transaction,
        string bucket, byte[] key, string versionId, CancellationToken cancellationToken)
    {
        await using var select = transaction.CreateCommand(
            "SELECT etag, delete_marker, " + LockColumns + " FROM object_versions WHERE bucket = @bucket AND key = @key AND version_id = @versionId");
        select.Add("@bucket", DbType.String, bucket);
        select.Add("@key", DbType.Binary, key);
        select.Add("@versionId", DbType.String, versionId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetLong(1) != 0, ReadLock(reader, 2)) : null;
    }

    /// <inheritdoc />
    public ValueTask<DeleteObjectResult> DeleteObjectAsync(string bucket, string key, WritePrecondition precondition, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var (bucket, key, precondition, now, notBefore) = state;
            if (await ReadBucketWriteStateAsync(transaction, bucket, cancellationToken) is not { } bucketState)
            {
                return (new DeleteObjectResult(DeleteObjectOutcome.NoSuchKey, null, false), false);
            }
            var versioning = bucketState.Versioning;
            var current = await ReadCurrentRowAsync(transaction, bucket, key, cancellationToken);
            if (versioning == BucketVersioning.Unversioned || precondition != WritePrecondition.None)
            {
                // A conditional delete needs a live latest version to judge; so does removing the
                // key's one version in an unversioned bucket.
                if (current is not { IsDeleteMarker: false } live)
                {
                    return (new DeleteObjectResult(DeleteObjectOutcome.NoSuchKey, null, false), false);
                }
                if (!precondition.HoldsFor(live.ETag) || (precondition.IfLastModified is { } judged && SqlParameters.ToUnixMs(judged) != live.LastModifiedMs))
                {
                    return (new DeleteObjectResult(DeleteObjectOutcome.PreconditionFailed, null, false), false);
                }
                if (versioning == BucketVersioning.Unversioned)
                {
                    await RemoveCurrentAsync(transaction, bucket, key, live, notBefore, mayHaveNoncurrent: false, cancellationToken);
                    return (new DeleteObjectResult(DeleteObjectOutcome.Deleted, null, false), true);
                }
            }
            var marker = new ObjectVersionRecord
            {
                Bucket = bucket,
                Key = Encoding.UTF8.GetString(key),
                Size = 0,
                ETag = "",
                LastModified = now,
                IsDeleteMarker = true,
            };
            var versionId = await PlaceVersionAsync(transaction, marker, key, bucketState, current, notBefore, cancellationToken);
            return (new DeleteObjectResult(DeleteObjectOutcome.Deleted, versionId, true), true);
        }, (bucket, Encoding.UTF8.GetBytes(key), precondition, now, SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken, [bucket]);

    /// <inheritdoc />
    public ValueTask<DeleteObjectResult> DeleteObjectVersionAsync(string bucket, string key, string versionId, WritePrecondition precondition,
        bool bypassGovernance, DateTimeOffset now, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var result = await RemoveVersionAsync(transaction, state.Bucket, state.Key, state.VersionId, state.Precondition, state.Bypass,
                state.Now, state.NotBefore, cancellationToken);
            return (result, result.Outcome == DeleteObjectOutcome.Deleted);
        }, (Bucket: bucket, Key: Encoding.UTF8.GetBytes(key), VersionId: versionId, Precondition: precondition, Bypass: bypassGovernance, Now: now,
            NotBefore: SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken, [bucket]);

    private static readonly string[] VersionTables = ["objects", "object_versions"];

    /// <summary>Where a version's row is, and what a write to it must know first.</summary>
    private readonly record struct VersionRow(string Table, string VersionId, bool IsDeleteMarker, ObjectLockState Lock);

    /// <summary>
    /// The row of a version of a key, read in the write's transaction: the current row when
    /// <paramref name="versionId"/> is null (whatever it is), else the row with that id in either
    /// table; null when there is none.
    /// </summary>
    private static async ValueTask<VersionRow?> FindVersionRowAsync(WriteTransaction transaction, string bucket, byte[] key, string? versionId,
        CancellationToken cancellationToken)
    {
        foreach (var table in VersionTables)
        {
            if (versionId is null && table == "object_versions")
            {
                break;
            }
            await using var select = transaction.CreateCommand(
                "SELECT version_id, delete_marker, " + LockColumns + " FROM " + table + " WHERE bucket = @bucket AND key = @key" +
                (versionId is null ? "" : " AND version_id = @versionId"));
            select.Add("@bucket", DbType.String, bucket);
            select.Add("@key", DbType.Binary, key);
            select.Add("@versionId", DbType.String, versionId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new VersionRow(table, reader.GetString(0), reader.GetLong(1) != 0, ReadLock(reader, 2));
            }
        }
        return null;
    }

    /// <inheritdoc />
    public ValueTask<PutTagsOutcome> PutObjectTagsAsync(string bucket, string key, string? versionId, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (await FindVersionRowAsync(transaction, state.Bucket, state.Key, state.VersionId, cancellationToken) is not { } row)
            {
                return (PutTagsOutcome.NotFound, false);
            }
            if (row.IsDeleteMarker)
            {
                return (PutTagsOutcome.DeleteMarker, false);
            }
            await using (var update = transaction.CreateCommand(
                "UPDATE " + row.Table + " SET tags = @tags WHERE bucket = @bucket AND key = @key AND version_id = @versionId"))
            {
                update.Add("@tags", DbType.String, WriteDictionary(state.Tags));
                update.Add("@bucket", DbType.String, state.Bucket);
                update.Add("@key", DbType.Binary, state.Key);
                update.Add("@versionId", DbType.String, row.VersionId);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await AppendJournalAsync(transaction, state.Bucket, [new PendingEntry(state.Key, row.VersionId, JournalChange.Tags, null, state.Tags)],
                cancellationToken);
            return (PutTagsOutcome.Updated, true);
        }, (Bucket: bucket, Key: Encoding.UTF8.GetBytes(key), VersionId: versionId, Tags: tags), cancellationToken, [bucket]);

    /// <inheritdoc />
    public async ValueTask<ObjectVersionRecord?> GetObjectVersionAsync(string bucket, string key, string versionId,
        CancellationToken cancellationToken)
    {
        await using var connection = await RentReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + ObjectColumns + " FROM objects WHERE bucket = @bucket AND key = @key AND version_id = @versionId " +
            "UNION ALL SELECT " + ObjectColumns + " FROM object_versions WHERE bucket = @bucket AND key = @key AND version_id = @versionId");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, Encoding.UTF8.GetBytes(key));
        command.Add("@versionId", DbType.String, versionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadObjectVersion(reader, bucket, key, firstColumn: 0) : null;
    }

    /// <inheritdoc />
    public ValueTask<PutVersioningOutcome> PutBucketVersioningAsync(string name, BucketVersioning versioning, CancellationToken cancellationToken)
    {
        if (versioning == BucketVersioning.Unversioned)
        {
            throw new ArgumentOutOfRangeException(nameof(versioning), "A bucket's versioning can be enabled or suspended, not undone.");
        }
        return WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            // Object Lock keeps versioning enabled: only Enabled is written to a locked bucket.
            await using var command = transaction.CreateCommand(
                "UPDATE buckets SET versioning = @versioning WHERE name = @name AND (object_lock = 0 OR @versioning = 'Enabled') RETURNING 1");
            command.Add("@versioning", DbType.String, VersioningText(state.Versioning));
            command.Add("@name", DbType.String, state.Name);
            if (await command.ExecuteScalarAsync(cancellationToken) is not (null or DBNull))
            {
                return (PutVersioningOutcome.Updated, true);
            }
            return (await BucketExistsAsync(transaction, state.Name, cancellationToken) ? PutVersioningOutcome.ObjectLockEnabled : PutVersioningOutcome.NoSuchBucket,
                false);
        }, (Name: name, Versioning: versioning), cancellationToken);
    }

    private const string VersionListColumns = "key, version_seq, version_id, delete_marker, size, etag, last_modified";

    private static string VersionListSelect(string table, bool latest, bool bounded) =>
        "SELECT " + VersionListColumns + (latest ? ", 1" : ", 0") + ", storage_class FROM " + table +
        " WHERE bucket = @bucket AND key >= @fromKey AND NOT (key = @fromKey AND version_seq >= @fromSeq)" +
        (bounded ? " AND key < @upper" : "");

    /// <inheritdoc />
    public async ValueTask<VersionListing> ListObjectVersionsAsync(string bucket, ListVersionsQuery query, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(query.Prefix);
        var delimiter = string.IsNullOrEmpty(query.Delimiter) ? null : Encoding.UTF8.GetBytes(query.Delimiter);
        var upper = Successor(prefix);
        var empty = new VersionListing([], [], IsTruncated: false, null, null);
        if (query.MaxKeys <= 0 || StartAfter(prefix, delimiter, query.KeyMarker) is not { } fromKey
            || (upper is not null && fromKey.AsSpan().SequenceCompareTo(upper) >= 0))
        {
            return empty;
        }
        // Start: past every version of the key marker, or just past one of its versions.
        (byte[] Key, long Seq) start = (fromKey, long.MaxValue);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        if (query is { KeyMarker: { } markerKey, VersionIdMarker: { } markerVersion }
            && fromKey.AsSpan().SequenceEqual(ImmediateSuccessor(Encoding.UTF8.GetBytes(markerKey)))
            && await ReadVersionSeqAsync(connection, bucket, Encoding.UTF8.GetBytes(markerKey), markerVersion, cancellationToken) is { } markerSeq)
        {
            start = (Encoding.UTF8.GetBytes(markerKey), markerSeq);
        }

        var bounded = upper is not null;
        await using var command = connection.CreateCommand(
            VersionListSelect("objects", latest: true, bounded) + " UNION ALL " + VersionListSelect("object_versions", latest: false, bounded) +
            " ORDER BY key, version_seq DESC LIMIT @limit");
        command.Add("@bucket", DbType.String, bucket);
        var fromKeyParameter = command.Add("@fromKey", DbType.Binary);
        var fromSeqParameter = command.Add("@fromSeq", DbType.Int64);
        var limitParameter = command.Add("@limit", DbType.Int64);
        command.Add("@upper", DbType.Binary, upper);

        var versions = new List<VersionSummary>();
        var page = await ReadDelimitedPageAsync(command, limitParameter, query.MaxKeys, prefix, delimiter, keyColumn: 0,
            start: start,
            bind: ((byte[] Key, long Seq) position) =>
            {
                fromKeyParameter.Value = position.Key;
                fromSeqParameter.Value = position.Seq;
            },
            addRow: (reader, key) =>
            {
                var seq = reader.GetLong(1);
                versions.Add(new VersionSummary(Encoding.UTF8.GetString(key), reader.GetString(2), IsLatest: reader.GetLong(7) != 0,
                    IsDeleteMarker: reader.GetLong(3) != 0, reader.GetLong(4), reader.GetString(5), SqlParameters.FromUnixMs(reader.GetLong(6)))
                {
                    StorageClass = reader.GetNullableString(8),
                });
                return (Key: key, Seq: seq);
            },
            startOfKey: static next => (Key: next, Seq: long.MaxValue),
            cancellationToken);
        if (!page.Truncated)
        {
            return new VersionListing(versions, page.CommonPrefixes, IsTruncated: false, null, null);
        }
        return page.LastWasCommonPrefix
            ? new VersionListing(versions, page.CommonPrefixes, IsTruncated: true, page.CommonPrefixes[^1], null)
            : new VersionListing(versions, page.CommonPrefixes, IsTruncated: true, versions[^1].Key, versions[^1].VersionId);
    }

    /// <summary>The place of a key's version in its order; null when the key has no version with that id.</summary>
    private static async ValueTask<long?> ReadVersionSeqAsync(DbConnection connection, string bucket, byte[] key, string versionId,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            "SELECT version_seq FROM objects WHERE bucket = @bucket AND key = @key AND version_id = @versionId " +
            "UNION ALL SELECT version_seq FROM object_versions WHERE bucket = @bucket AND key = @key AND version_id = @versionId");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, key);
        command.Add("@versionId", DbType.String, versionId);
        return await command.ExecuteScalarAsync(cancellationToken) is { } seq and not DBNull
            ? Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }
}
