using Cairn.Core;
using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    private const string ObjectColumns =
        "version_id, size, etag, last_modified, headers, user_metadata, checksums, inline_body, chunks, part_sizes, checksum_type, tags, delete_marker, part_checksums, " +
        LockColumns + ", inline_sha256, storage_class, encryption";

    /// <inheritdoc />
    public async ValueTask<ObjectVersionRecord?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (_objectLookups is not null)
        {
            return await _objectLookups.RunAsync(new ObjectLookup(bucket, key, Encoding.UTF8.GetBytes(key)), cancellationToken);
        }
        await using var connection = await RentReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT " + ObjectColumns + " FROM objects WHERE bucket = @bucket AND key = @key");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, Encoding.UTF8.GetBytes(key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadObjectVersion(reader, bucket, key, firstColumn: 0) : null;
    }

    /// <summary>Reads <see cref="ObjectColumns"/>, starting at <paramref name="firstColumn"/>, as a version of the key.</summary>
    private static ObjectVersionRecord ReadObjectVersion(DbDataReader reader, string bucket, string key, int firstColumn) =>
        new()
        {
            Bucket = bucket,
            Key = key,
            VersionId = reader.GetString(firstColumn),
            Size = reader.GetLong(firstColumn + 1),
            ETag = reader.GetString(firstColumn + 2),
            LastModified = SqlParameters.FromUnixMs(reader.GetLong(firstColumn + 3)),
            Headers = ReadHeaders(reader.GetNullableString(firstColumn + 4)),
            UserMetadata = ReadDictionary(reader.GetNullableString(firstColumn + 5)),
            Checksums = ReadDictionary(reader.GetNullableString(firstColumn + 6)),
            InlineBody = reader.GetNullableBytes(firstColumn + 7),
            Chunks = ChunkListFormat.Decode(reader.GetNullableBytes(firstColumn + 8)),
            PartSizes = PartSizeListFormat.Decode(reader.GetNullableBytes(firstColumn + 9)),
            ChecksumType = reader.GetString(firstColumn + 10),
            Tags = ReadDictionary(reader.GetNullableString(firstColumn + 11)),
            IsDeleteMarker = reader.GetLong(firstColumn + 12) != 0,
            PartChecksums = ReadPartChecksums(reader.GetNullableString(firstColumn + 13)),
            Lock = ReadLock(reader, firstColumn + 14),
            InlineBodyHash = reader.GetNullableBytes(firstColumn + 17) is { } hash ? ContentHash.FromBytes(hash) : null,
            StorageClass = reader.GetNullableString(firstColumn + 18),
            Encryption = reader.GetNullableBytes(firstColumn + 19),
        };

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<ContentHash, ChunkPlacement>> LocateChunksAsync(IReadOnlyCollection<ContentHash> hashes,
        CancellationToken cancellationToken)
    {
        const int BatchSize = 200;
        var found = new Dictionary<ContentHash, ChunkPlacement>(hashes.Count);
        if (hashes.Count == 0)
        {
            return found;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        var batch = new List<ContentHash>(BatchSize);
        foreach (var hash in hashes)
        {
            batch.Add(hash);
            if (batch.Count == BatchSize)
            {
                await LocateBatchAsync(connection, batch, found, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            await LocateBatchAsync(connection, batch, found, cancellationToken);
        }
        return found;
    }

    /// <summary>A chunk's placement, in <c>chunks</c> and in <c>upload_chunks</c> (the placement a reservation's writer chose); read by <see cref="ReadPlacement"/>.</summary>
    private const string PlacementColumns = "blob_name, blob_offset, stored_length, codec, pack_id";

    /// <summary>Reads <see cref="PlacementColumns"/> starting at column <paramref name="first"/>.</summary>
    private static ChunkPlacement ReadPlacement(DbDataReader reader, int first) =>
        new(reader.GetString(first), reader.GetLong(first + 1), (int)reader.GetLong(first + 2), (ChunkCodec)reader.GetLong(first + 3),
            reader.GetNullableString(first + 4));

    private static async Task LocateBatchAsync(DbConnection connection, List<ContentHash> batch, Dictionary<ContentHash, ChunkPlacement> found,
        CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT hash, " + PlacementColumns + " FROM chunks WHERE hash IN (");
        for (var i = 0; i < batch.Count; i++)
        {
            sql.Append(i == 0 ? "@h0" : ", @h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        sql.Append(')');
        await using var command = connection.CreateCommand(sql.ToString());
        for (var i = 0; i < batch.Count; i++)
        {
            command.Add("@h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), DbType.Binary, batch[i].Bytes.ToArray());
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[ContentHash.FromBytes(reader.GetFieldValue<byte[]>(0))] = ReadPlacement(reader, 1);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The version has both an inline body and chunks, or is a delete marker.</exception>
    public ValueTask<CommitResult> CommitObjectAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        if (commit.Version.InlineBody is not null && commit.Version.Chunks.Count > 0)
        {
            throw new ArgumentException("A version's body is inline or chunked, never both.", nameof(commit));
        }
        if (commit.Version.IsDeleteMarker)
        {
            throw new ArgumentException("Delete markers are added by DeleteObjectAsync, not committed.", nameof(commit));
        }
        return CanCoalesceCreate(commit)
            ? CommitCoalescedAsync(commit, now, gracePeriod, cancellationToken)
            : WriteAsync(CommitCoreAsync, (commit, now, gracePeriod, InsertNewKeysFirst), cancellationToken, [commit.Version.Bucket]);
    }

    /// <summary>
    /// A commit that, for a new key, only inserts a row: tried in a coalesced create first, and run as
    /// an ordinary commit when that did not insert it (the key exists, or the bucket does not).
    /// </summary>
    private async ValueTask<CommitResult> CommitCoalescedAsync(ObjectCommit commit, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        // The id it gets if its bucket has versioning enabled (the batch decides per bucket).
        if (await _newKeyCreates!.RunAsync(commit.Version with { VersionId = NewVersionId() }, cancellationToken) is { } versionId)
        {
            return new CommitResult(CommitOutcome.Committed, versionId);
        }
        return await WriteAsync(CommitCoreAsync, (commit, now, gracePeriod, InsertNewKeysFirst), cancellationToken, [commit.Version.Bucket]);
    }

    /// <summary>
    /// Whether a commit first tries to insert the version as a new key (<c>INSERT ... ON CONFLICT DO
    /// NOTHING</c>) and reads the key's current row only when one is there. Default false: read first.
    /// A provider whose concurrent writers are checked by predicate locks (PostgreSQL SERIALIZABLE)
    /// turns it on: reading an absent key locks the index page where the key would be, and writers
    /// inserting neighbouring new keys (sequential names) into that page then abort one another, while
    /// an insert reads nothing. Either way the outcome is what the key's current row decides: a new
    /// key has none (the precondition is judged against none, and a failed one rolls the insert back),
    /// and an existing key takes the read-first path.
    /// </summary>
    protected virtual bool InsertNewKeysFirst => false;

    private static async ValueTask<(CommitResult Result, bool Commit)> CommitCoreAsync(WriteTransaction transaction,
        (ObjectCommit Commit, DateTimeOffset Now, TimeSpan Grace, bool InsertFirst) state, CancellationToken cancellationToken)
    {
        var (commit, now, grace, insertFirst) = state;
        var version = commit.Version;
        var key = Encoding.UTF8.GetBytes(version.Key);
        if (await ReadBucketWriteStateAsync(transaction, version.Bucket, cancellationToken) is not { } bucketState)
        {
            return (new CommitResult(CommitOutcome.NoSuchBucket, null), false);
        }
        if (insertFirst)
        {
            // A key without a current row has no versions at all, so the new one is simply inserted.
            var created = bucketState.Place(version);
            if (await WriteObjectAsync(transaction, created, key, seq: 1, insertOnly: true, cancellationToken))
            {
                if (!commit.Precondition.HoldsFor(null))
                {
                    return (new CommitResult(CommitOutcome.PreconditionFailed, null), false);
                }
                await AppendPutAsync(transaction, created, key, cancellationToken);
                return await FinishCommitAsync(transaction, commit, now, cancellationToken)
                    ? (new CommitResult(CommitOutcome.Committed, created.VersionId), true)
                    : (new CommitResult(CommitOutcome.ChunkMissing, null), false);
            }
        }
        var current = await ReadCurrentRowAsync(transaction, version.Bucket, key, cancellationToken);
        if (!commit.Precondition.HoldsFor(current?.LiveETag))
        {
            return (new CommitResult(CommitOutcome.PreconditionFailed, null), false);
        }
        // References are added before the old version's are released, so a chunk both versions use
        // never passes through zero (and is never queued) on an overwrite.
        if (!await AddReferencesAsync(transaction, commit.UploadId, ChunkListFormat.CountUses(version.Chunks), cancellationToken))
        {
            return (new CommitResult(CommitOutcome.ChunkMissing, null), false);
        }
        var versionId = await PlaceVersionAsync(transaction, version, key, bucketState, current, SqlParameters.ToUnixMs(now + grace),
            cancellationToken);
        if (commit.UploadId is { } uploadId)
        {
            await DropUploadsAsync(transaction, uploadId, expiredBefore: null, SqlParameters.ToUnixMs(now), cancellationToken);
        }
        return (new CommitResult(CommitOutcome.Committed, versionId), true);
    }

    /// <summary>
    /// The rest of a commit whose row is written already (a new key): the body's references, then the
    /// upload's reservations. False when a chunk is missing (the caller rolls back).
    /// </summary>
    private static async ValueTask<bool> FinishCommitAsync(WriteTransaction transaction, ObjectCommit commit, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (!await AddReferencesAsync(transaction, commit.UploadId, ChunkListFormat.CountUses(commit.Version.Chunks), cancellationToken))
        {
            return false;
        }
        if (commit.UploadId is { } uploadId)
        {
            await DropUploadsAsync(transaction, uploadId, expiredBefore: null, SqlParameters.ToUnixMs(now), cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Adds the body's references: refcount += uses on committed chunks, or adopts the blob the upload
    /// wrote as a new chunk row. False (the caller rolls back) when a chunk is neither.
    /// </summary>
    private static async ValueTask<bool> AddReferencesAsync(WriteTransaction transaction, Guid? uploadId, List<ChunkUse> uses,
        CancellationToken cancellationToken)
    {
        if (uses.Count == 0)
        {
            return true;
        }
        SortByHash(uses);
        await using var increment = transaction.CreateCommand(
            "UPDATE chunks SET refcount = refcount + @uses WHERE hash = @hash RETURNING blob_name");
        var incrementUses = increment.Add("@uses", DbType.Int64);
        var incrementHash = increment.Add("@hash", DbType.Binary);
        // The upload's reservation holds where it wrote the bytes; the new row takes that placement.
        await using var adopt = transaction.CreateCommand(
            "INSERT INTO chunks (hash, length, refcount, " + PlacementColumns + ") " +
            "SELECT hash, length, @uses, " + PlacementColumns + " FROM upload_chunks " +
            "WHERE upload_id = @upload AND hash = @hash AND blob_name IS NOT NULL");
        var adoptUses = adopt.Add("@uses", DbType.Int64);
        adopt.Add("@upload", DbType.String, uploadId?.ToString());
        var adoptHash = adopt.Add("@hash", DbType.Binary);

        foreach (var use in uses)
        {
            var hash = use.Hash.Bytes.ToArray();
            incrementUses.Value = (long)use.Uses;
            incrementHash.Value = hash;
            if (await increment.ExecuteScalarAsync(cancellationToken) is not (null or DBNull))
            {
                // Committed already. If this upload also wrote the bytes (it lost a race to another
                // upload), its blob is left unadopted and DropUploadsAsync queues it.
                continue;
            }
            if (uploadId is null)
            {
                return false;
            }
            adoptHash.Value = hash;
            adoptUses.Value = (long)use.Uses;
            if (await adopt.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                // Not reserved, or reserved as a pin on a chunk row that no longer exists.
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Releases a removed body's references: refcount -= uses, and a chunk reaching zero has its blob
    /// queued for deletion at <paramref name="notBefore"/> (the grace period covers in-flight readers).
    /// A packed chunk reaching zero queues nothing: its row stays at zero, dead space in its pack
    /// until a compaction drops it, and its blob is the whole pack's.
    /// </summary>
    private static async ValueTask ReleaseReferencesAsync(WriteTransaction transaction, List<ChunkUse> uses, long notBefore,
        CancellationToken cancellationToken)
    {
        if (uses.Count == 0)
        {
            return;
        }
        SortByHash(uses);
        await using var decrement = transaction.CreateCommand(
            "UPDATE chunks SET refcount = refcount - @uses WHERE hash = @hash RETURNING refcount, blob_name, pack_id");
        var decrementUses = decrement.Add("@uses", DbType.Int64);
        var decrementHash = decrement.Add("@hash", DbType.Binary);
        await using var enqueue = CreateEnqueueCommand(transaction);
        foreach (var use in uses)
        {
            var hash = use.Hash.Bytes.ToArray();
            decrementUses.Value = (long)use.Uses;
            decrementHash.Value = hash;
            string? unreferencedBlob = null;
            await using (var reader = await decrement.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && reader.GetLong(0) <= 0 && reader.IsDBNull(2))
                {
                    unreferencedBlob = reader.GetString(1);
                }
            }
            if (unreferencedBlob is not null)
            {
                await EnqueueDeleteAsync(enqueue, unreferencedBlob, hash, notBefore, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Orders a body's chunks by address, the order in which every write updates chunk rows. Writers
    /// that run at once (PostgreSQL) then lock shared rows in the same order and wait for each other,
    /// instead of each holding a row the other needs until the server aborts one as a deadlock.
    /// </summary>
    private static void SortByHash(List<ChunkUse> uses) =>
        uses.Sort(static (a, b) => a.Hash.Bytes.SequenceCompareTo(b.Hash.Bytes));

    /// <summary>The parameters of <see cref="ObjectColumns"/>, in order (see <see cref="AddObjectValues"/>).</summary>
    private static readonly string[] ObjectValueParameters =
        ["@versionId", "@size", "@etag", "@lastModified", "@headers", "@userMetadata", "@checksums", "@inlineBody", "@chunks", "@partSizes", "@checksumType",
            "@tags", "@deleteMarker", "@partChecksums", "@lockMode", "@lockUntil", "@legalHold", "@inlineSha256",
            "@storageClass", "@encryption"];

    private static readonly string InsertObjectSql =
        "INSERT INTO objects (bucket, key, version_seq, " + ObjectColumns + ") VALUES (@bucket, @key, @seq, " + string.Join(", ", ObjectValueParameters) + ") ";

    /// <summary>The upsert's replacement of every column but the primary key by the inserted row's.</summary>
    private static readonly string ReplaceObjectSql = "ON CONFLICT (bucket, key) DO UPDATE SET " +
        string.Join(", ", ("version_seq, " + ObjectColumns).Split(", ").Select(static column => column + " = excluded." + column));

    /// <summary>
    /// Writes the version's row as the key's current one, at place <paramref name="seq"/> in the
    /// key's version order: inserted or replacing the key's row (upsert), or with
    /// <paramref name="insertOnly"/> inserted only when the key has none. True when a row was written.
    /// Only <see cref="PlaceVersionAsync"/> and a new key's insert call it.
    /// </summary>
    private static async ValueTask<bool> WriteObjectAsync(WriteTransaction transaction, ObjectVersionRecord version, byte[] key,
        long seq, bool insertOnly, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(insertOnly
            ? InsertObjectSql + "ON CONFLICT (bucket, key) DO NOTHING"
            : InsertObjectSql + ReplaceObjectSql);
        command.Add("@bucket", DbType.String, version.Bucket);
        command.Add("@key", DbType.Binary, key);
        command.Add("@seq", DbType.Int64, seq);
        AddObjectValues(command, version, suffix: "");
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Binds <see cref="ObjectValueParameters"/> (each name followed by <paramref name="suffix"/>) to the version's values.</summary>
    private static void AddObjectValues(DbCommand command, ObjectVersionRecord version, string suffix)
    {
        command.Add("@versionId" + suffix, DbType.String, version.VersionId);
        command.Add("@size" + suffix, DbType.Int64, version.Size);
        command.Add("@etag" + suffix, DbType.String, version.ETag);
        command.Add("@lastModified" + suffix, DbType.Int64, SqlParameters.ToUnixMs(version.LastModified));
        command.Add("@headers" + suffix, DbType.String, WriteHeaders(version.Headers));
        command.Add("@userMetadata" + suffix, DbType.String, WriteDictionary(version.UserMetadata));
        command.Add("@checksums" + suffix, DbType.String, WriteDictionary(version.Checksums));
        command.Add("@inlineBody" + suffix, DbType.Binary, version.InlineBody);
        command.Add("@chunks" + suffix, DbType.Binary, ChunkListFormat.Encode(version.Chunks));
        command.Add("@partSizes" + suffix, DbType.Binary, PartSizeListFormat.Encode(version.PartSizes));
        command.Add("@checksumType" + suffix, DbType.String, version.ChecksumType);
        command.Add("@tags" + suffix, DbType.String, WriteDictionary(version.Tags));
        command.Add("@deleteMarker" + suffix, DbType.Int64, version.IsDeleteMarker ? 1L : 0L);
        command.Add("@partChecksums" + suffix, DbType.String, WritePartChecksums(version.PartChecksums));
        AddLockValues(command, version.Lock, suffix);
        // A writer that did not hash its inline body (an import, a test) gets it hashed here.
        var inlineHash = version.InlineBodyHash ?? (version.InlineBody is { Length: > 0 } inline ? ContentHash.Compute(inline) : null);
        command.Add("@inlineSha256" + suffix, DbType.Binary, inlineHash?.Bytes.ToArray());
        // Every version is written with its bytes in the hot store (a copy or an import of a tiered
        // version too); only a lifecycle transition, which moves the bytes, names a tier.
        command.Add("@storageClass" + suffix, DbType.String, null);
        // Opaque to the catalog: kept as the engine sealed it, with the (ciphertext) body it describes.
        command.Add("@encryption" + suffix, DbType.Binary, version.Encryption);
    }

    private static string? WritePartChecksums(IReadOnlyList<IReadOnlyDictionary<string, string>> parts) =>
        parts.Count == 0
            ? null
            : JsonSerializer.Serialize(parts.Select(static part => new Dictionary<string, string>(part, StringComparer.Ordinal)).ToList(),
                MetadataJsonContext.Default.ListDictionaryStringString);

    private static IReadOnlyList<IReadOnlyDictionary<string, string>> ReadPartChecksums(string? json) =>
        json is null
            ? []
            : [.. (JsonSerializer.Deserialize(json, MetadataJsonContext.Default.ListDictionaryStringString) ?? [])];

    private static string? WriteHeaders(ContentHeaders headers) =>
        headers == new ContentHeaders() ? null : JsonSerializer.Serialize(headers, MetadataJsonContext.Default.ContentHeaders);

    private static ContentHeaders ReadHeaders(string? json) =>
        json is null
            ? new ContentHeaders()
            : JsonSerializer.Deserialize(json, MetadataJsonContext.Default.ContentHeaders) ?? new ContentHeaders();

    private static string? WriteDictionary(IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var copy = values as Dictionary<string, string> ?? new Dictionary<string, string>(values, StringComparer.Ordinal);
        return JsonSerializer.Serialize(copy, MetadataJsonContext.Default.DictionaryStringString);
    }

    private static IReadOnlyDictionary<string, string> ReadDictionary(string? json) =>
        json is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize(json, MetadataJsonContext.Default.DictionaryStringString)
                ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
