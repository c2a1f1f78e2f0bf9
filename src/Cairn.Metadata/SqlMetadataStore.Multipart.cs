using System.Data.Common;
using System.Data;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    private const string UploadColumns =
        "upload_id, bucket, key, initiated, headers, user_metadata, checksum_algorithm, checksum_type, tags" + ", " + LockColumns + ", encryption";

    private const string PartColumns = "part_number, size, etag, last_modified, checksums, chunks";

    /// <inheritdoc />
    public ValueTask<bool> CreateMultipartUploadAsync(MultipartUploadRecord upload, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, upload, cancellationToken) =>
        {
            if (!await BucketExistsAsync(transaction, upload.Bucket, cancellationToken))
            {
                return (false, false);
            }
            await using var insert = transaction.CreateCommand(
                "INSERT INTO multipart_uploads (" + UploadColumns + ") " +
                "VALUES (@upload, @bucket, @key, @initiated, @headers, @userMetadata, @checksumAlgorithm, @checksumType, @tags, @lockMode, @lockUntil, @legalHold, @encryption)");
            insert.Add("@upload", DbType.String, upload.UploadId);
            insert.Add("@bucket", DbType.String, upload.Bucket);
            insert.Add("@key", DbType.Binary, Encoding.UTF8.GetBytes(upload.Key));
            insert.Add("@initiated", DbType.Int64, SqlParameters.ToUnixMs(upload.Initiated));
            insert.Add("@headers", DbType.String, WriteHeaders(upload.Headers));
            insert.Add("@userMetadata", DbType.String, WriteDictionary(upload.UserMetadata));
            insert.Add("@checksumAlgorithm", DbType.String, upload.ChecksumAlgorithm);
            insert.Add("@checksumType", DbType.String, upload.ChecksumType);
            insert.Add("@tags", DbType.String, WriteDictionary(upload.Tags));
            AddLockValues(insert, upload.Lock, suffix: "");
            insert.Add("@encryption", DbType.Binary, upload.Encryption);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return (true, true);
        }, upload, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<MultipartUploadRecord?> GetMultipartUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT " + UploadColumns + " FROM multipart_uploads WHERE upload_id = @upload");
        command.Add("@upload", DbType.String, uploadId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUpload(reader) : null;
    }

    /// <inheritdoc />
    public ValueTask<PartCommitOutcome> CommitPartAsync(string uploadId, Guid? reservationId, PartRecord part, DateTimeOffset now,
        TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        WriteAsync(CommitPartCoreAsync, (uploadId, reservationId, part, SqlParameters.ToUnixMs(now), SqlParameters.ToUnixMs(now + gracePeriod)),
            cancellationToken);

    private static async ValueTask<(PartCommitOutcome Result, bool Commit)> CommitPartCoreAsync(WriteTransaction transaction,
        (string UploadId, Guid? ReservationId, PartRecord Part, long Now, long NotBefore) state, CancellationToken cancellationToken)
    {
        var (uploadId, reservationId, part, now, notBefore) = state;
        if (await ReadUploadTargetAsync(transaction, uploadId, cancellationToken) is null)
        {
            return (PartCommitOutcome.NoSuchUpload, false);
        }
        // As in CommitObjectAsync: the new part's references first, then the replaced part's
        // released, so a chunk both use never reaches zero.
        if (!await AddReferencesAsync(transaction, reservationId, ChunkListFormat.CountUses(part.Chunks), cancellationToken))
        {
            return (PartCommitOutcome.ChunkMissing, false);
        }
        List<ChunkRef> replaced = [];
        await using (var select = transaction.CreateCommand(
            "SELECT chunks FROM multipart_parts WHERE upload_id = @upload AND part_number = @part"))
        {
            select.Add("@upload", DbType.String, uploadId);
            select.Add("@part", DbType.Int64, (long)part.PartNumber);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                replaced.AddRange(ChunkListFormat.Decode(reader.GetNullableBytes(0)));
            }
        }
        await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(replaced), notBefore, cancellationToken);
        await UpsertPartAsync(transaction, uploadId, part, cancellationToken);
        if (reservationId is { } reservation)
        {
            await DropUploadsAsync(transaction, reservation, expiredBefore: null, now, cancellationToken);
        }
        return (PartCommitOutcome.Committed, true);
    }

    private static async ValueTask UpsertPartAsync(WriteTransaction transaction, string uploadId, PartRecord part, CancellationToken cancellationToken)
    {
        await using var upsert = transaction.CreateCommand(
            "INSERT INTO multipart_parts (upload_id, " + PartColumns + ") " +
            "VALUES (@upload, @part, @size, @etag, @lastModified, @checksums, @chunks) " +
            "ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag, " +
            "last_modified = excluded.last_modified, checksums = excluded.checksums, chunks = excluded.chunks");
        upsert.Add("@upload", DbType.String, uploadId);
        upsert.Add("@part", DbType.Int64, (long)part.PartNumber);
        upsert.Add("@size", DbType.Int64, part.Size);
        upsert.Add("@etag", DbType.String, part.ETag);
        upsert.Add("@lastModified", DbType.Int64, SqlParameters.ToUnixMs(part.LastModified));
        upsert.Add("@checksums", DbType.String, WriteDictionary(part.Checksums));
        upsert.Add("@chunks", DbType.Binary, ChunkListFormat.Encode(part.Chunks));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<PartListing> ListPartsAsync(string uploadId, int afterPartNumber, int maxParts, CancellationToken cancellationToken)
    {
        var parts = new List<PartRecord>();
        if (maxParts <= 0)
        {
            return new PartListing(parts, IsTruncated: false);
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        // One row more than the page needs: a row after a full page proves IsTruncated.
        await using var command = connection.CreateCommand(
            "SELECT " + PartColumns + " FROM multipart_parts WHERE upload_id = @upload AND part_number > @after " +
            "ORDER BY part_number LIMIT @limit");
        command.Add("@upload", DbType.String, uploadId);
        command.Add("@after", DbType.Int64, (long)afterPartNumber);
        command.Add("@limit", DbType.Int64, maxParts + 1L);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (parts.Count == maxParts)
            {
                return new PartListing(parts, IsTruncated: true);
            }
            parts.Add(new PartRecord
            {
                PartNumber = (int)reader.GetLong(0),
                Size = reader.GetLong(1),
                ETag = reader.GetString(2),
                LastModified = SqlParameters.FromUnixMs(reader.GetLong(3)),
                Checksums = ReadDictionary(reader.GetNullableString(4)),
                Chunks = ChunkListFormat.Decode(reader.GetNullableBytes(5)),
            });
        }
        return new PartListing(parts, IsTruncated: false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The version has an inline body, or is not for the upload's bucket and key.</exception>
    public ValueTask<CompleteMultipartResult> CompleteMultipartUploadAsync(string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, WritePrecondition precondition, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken)
    {
        if (version.InlineBody is not null)
        {
            throw new ArgumentException("A multipart object's body is its parts' chunks, never inline.", nameof(version));
        }
        return WriteAsync(CompleteCoreAsync,
            (uploadId, parts, version, precondition, SqlParameters.ToUnixMs(now), SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken,
            [version.Bucket]);
    }

    private static async ValueTask<(CompleteMultipartResult Result, bool Commit)> CompleteCoreAsync(WriteTransaction transaction,
        (string UploadId, IReadOnlyList<CompletedPart> Parts, ObjectVersionRecord Version, WritePrecondition Precondition, long Now, long NotBefore) state,
        CancellationToken cancellationToken)
    {
        var (uploadId, listed, version, precondition, now, notBefore) = state;
        var key = Encoding.UTF8.GetBytes(version.Key);
        if (await ReadUploadTargetAsync(transaction, uploadId, cancellationToken) is not { } target)
        {
            return (new CompleteMultipartResult(CompleteMultipartOutcome.NoSuchUpload, null), false);
        }
        if (!string.Equals(target.Bucket, version.Bucket, StringComparison.Ordinal) || !target.Key.AsSpan().SequenceEqual(key))
        {
            throw new ArgumentException($"Upload '{uploadId}' is for another bucket or key than the version.", nameof(state));
        }
        if (await ReadBucketWriteStateAsync(transaction, version.Bucket, cancellationToken) is not { } bucketState)
        {
            return (new CompleteMultipartResult(CompleteMultipartOutcome.NoSuchBucket, null), false);
        }
        var stored = await ReadPartsAsync(transaction, uploadId, cancellationToken);
        if (!ListedPartsMatch(listed, stored, version.Chunks))
        {
            return (new CompleteMultipartResult(CompleteMultipartOutcome.InvalidPart, null), false);
        }
        var current = await ReadCurrentRowAsync(transaction, version.Bucket, key, cancellationToken);
        if (!precondition.HoldsFor(current?.LiveETag))
        {
            return (new CompleteMultipartResult(CompleteMultipartOutcome.PreconditionFailed, null), false);
        }
        // The version's references go first: every chunk it names is held by a listed part right
        // now, so none of them passes through zero (or is queued) when the parts are released below.
        if (!await AddReferencesAsync(transaction, uploadId: null, ChunkListFormat.CountUses(version.Chunks), cancellationToken))
        {
            throw new InvalidOperationException($"A chunk of a stored part of upload '{uploadId}' has no chunk row.");
        }
        var partChunks = new List<ChunkRef>();
        foreach (var part in stored.Values)
        {
            partChunks.AddRange(part.Chunks);
        }
        await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(partChunks), notBefore, cancellationToken);
        await DeleteUploadRowsAsync(transaction, uploadId, cancellationToken);
        var versionId = await PlaceVersionAsync(transaction, version, key, bucketState, current, notBefore, cancellationToken);
        await RecordCompletionAsync(transaction, uploadId, listed, version with { VersionId = versionId }, key, now, cancellationToken);
        return (new CompleteMultipartResult(CompleteMultipartOutcome.Completed, versionId), true);
    }

    /// <summary>
    /// Whether every listed part is stored with the listed ETag (compared unquoted: clients send
    /// either form) and the version's chunks are exactly the listed parts' chunks, in order. A part
    /// re-uploaded since the caller listed it fails one check or the other.
    /// </summary>
    private static bool ListedPartsMatch(IReadOnlyList<CompletedPart> listed, Dictionary<int, (string ETag, IReadOnlyList<ChunkRef> Chunks)> stored,
        IReadOnlyList<ChunkRef> versionChunks)
    {
        var at = 0;
        foreach (var part in listed)
        {
            if (!stored.TryGetValue(part.PartNumber, out var storedPart)
                || !Unquote(part.ETag).SequenceEqual(Unquote(storedPart.ETag)))
            {
                return false;
            }
            foreach (var chunk in storedPart.Chunks)
            {
                if (at == versionChunks.Count || versionChunks[at] != chunk)
                {
                    return false;
                }
                at++;
            }
        }
        return at == versionChunks.Count;
    }

    private static ReadOnlySpan<char> Unquote(string etag) =>
        etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag.AsSpan(1, etag.Length - 2) : etag.AsSpan();

    /// <inheritdoc />
    public ValueTask<bool> AbortMultipartUploadAsync(string uploadId, DateTimeOffset now, TimeSpan gracePeriod,
        CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            if (await ReadUploadTargetAsync(transaction, state.UploadId, cancellationToken) is null)
            {
                return (false, false);
            }
            await DropMultipartUploadAsync(transaction, state.UploadId, state.NotBefore, cancellationToken);
            return (true, true);
        }, (UploadId: uploadId, NotBefore: SqlParameters.ToUnixMs(now + gracePeriod)), cancellationToken);

    /// <summary>
    /// Aborts an upload inside a write: every part's references are released (a count reaching zero
    /// queues the chunk's blob at <paramref name="notBefore"/>), then the parts and the upload go.
    /// </summary>
    private static async ValueTask DropMultipartUploadAsync(WriteTransaction transaction, string uploadId, long notBefore,
        CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkRef>();
        foreach (var part in (await ReadPartsAsync(transaction, uploadId, cancellationToken)).Values)
        {
            chunks.AddRange(part.Chunks);
        }
        await ReleaseReferencesAsync(transaction, ChunkListFormat.CountUses(chunks), notBefore, cancellationToken);
        await DeleteUploadRowsAsync(transaction, uploadId, cancellationToken);
    }

    private static async ValueTask DeleteUploadRowsAsync(WriteTransaction transaction, string uploadId, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand(
            "DELETE FROM multipart_parts WHERE upload_id = @upload; DELETE FROM multipart_uploads WHERE upload_id = @upload");
        delete.Add("@upload", DbType.String, uploadId);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every stored part of an upload by number: its ETag and chunks.</summary>
    private static async ValueTask<Dictionary<int, (string ETag, IReadOnlyList<ChunkRef> Chunks)>> ReadPartsAsync(WriteTransaction transaction,
        string uploadId, CancellationToken cancellationToken)
    {
        var parts = new Dictionary<int, (string ETag, IReadOnlyList<ChunkRef> Chunks)>();
        await using var select = transaction.CreateCommand("SELECT part_number, etag, chunks FROM multipart_parts WHERE upload_id = @upload");
        select.Add("@upload", DbType.String, uploadId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parts.Add((int)reader.GetLong(0), (reader.GetString(1), ChunkListFormat.Decode(reader.GetNullableBytes(2))));
        }
        return parts;
    }

    /// <summary>The bucket and key bytes an upload will complete into; null when the upload does not exist.</summary>
    private static async ValueTask<(string Bucket, byte[] Key)?> ReadUploadTargetAsync(WriteTransaction transaction, string uploadId,
        CancellationToken cancellationToken)
    {
        await using var select = transaction.CreateCommand("SELECT bucket, key FROM multipart_uploads WHERE upload_id = @upload");
        select.Add("@upload", DbType.String, uploadId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    /// <summary>The ids of a bucket's uploads in progress.</summary>
    private static async ValueTask<List<string>> ReadBucketUploadIdsAsync(WriteTransaction transaction, string bucket,
        CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await using var select = transaction.CreateCommand("SELECT upload_id FROM multipart_uploads WHERE bucket = @bucket");
        select.Add("@bucket", DbType.String, bucket);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    private static MultipartUploadRecord ReadUpload(DbDataReader reader) => new()
    {
        UploadId = reader.GetString(0),
        Bucket = reader.GetString(1),
        Key = Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)),
        Initiated = SqlParameters.FromUnixMs(reader.GetLong(3)),
        Headers = ReadHeaders(reader.GetNullableString(4)),
        UserMetadata = ReadDictionary(reader.GetNullableString(5)),
        ChecksumAlgorithm = reader.GetNullableString(6),
        ChecksumType = reader.GetNullableString(7),
        Tags = ReadDictionary(reader.GetNullableString(8)),
        Lock = ReadLock(reader, 9),
        Encryption = reader.GetNullableBytes(12),
    };
}
