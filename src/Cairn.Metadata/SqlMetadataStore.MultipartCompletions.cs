using System.Data;
using System.Text;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    private const string CompletionColumns =
        "upload_id, bucket, key, version_id, size, etag, checksums, checksum_type, parts_digest, completed";

    /// <summary>
    /// Records, inside the completing transaction, what the completion of <paramref name="uploadId"/>
    /// answered and which parts it listed (<see cref="IMultipartCatalog.GetCompletedMultipartUploadAsync"/>).
    /// </summary>
    private static async ValueTask RecordCompletionAsync(WriteTransaction transaction, string uploadId, IReadOnlyList<CompletedPart> parts,
        ObjectVersionRecord version, byte[] key, long completed, CancellationToken cancellationToken)
    {
        await using var insert = transaction.CreateCommand(
            "INSERT INTO multipart_completions (" + CompletionColumns + ") " +
            "VALUES (@upload, @bucket, @key, @versionId, @size, @etag, @checksums, @checksumType, @partsDigest, @completed)");
        insert.Add("@upload", DbType.String, uploadId);
        insert.Add("@bucket", DbType.String, version.Bucket);
        insert.Add("@key", DbType.Binary, key);
        insert.Add("@versionId", DbType.String, version.VersionId);
        insert.Add("@size", DbType.Int64, version.Size);
        insert.Add("@etag", DbType.String, version.ETag);
        insert.Add("@checksums", DbType.String, WriteDictionary(version.Checksums));
        insert.Add("@checksumType", DbType.String, version.ChecksumType);
        insert.Add("@partsDigest", DbType.Binary, CompletedMultipartUploadRecord.DigestOf(parts));
        insert.Add("@completed", DbType.Int64, completed);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets, inside a bucket's deletion, the completions of its uploads (they name the bucket).</summary>
    private static async ValueTask ForgetBucketCompletionsAsync(WriteTransaction transaction, string bucket, CancellationToken cancellationToken)
    {
        await using var delete = transaction.CreateCommand("DELETE FROM multipart_completions WHERE bucket = @bucket");
        delete.Add("@bucket", DbType.String, bucket);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<CompletedMultipartUploadRecord?> GetCompletedMultipartUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT " + CompletionColumns + " FROM multipart_completions WHERE upload_id = @upload");
        command.Add("@upload", DbType.String, uploadId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new CompletedMultipartUploadRecord
        {
            UploadId = reader.GetString(0),
            Bucket = reader.GetString(1),
            Key = Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)),
            VersionId = reader.GetString(3),
            Size = reader.GetLong(4),
            ETag = reader.GetString(5),
            Checksums = ReadDictionary(reader.GetNullableString(6)),
            ChecksumType = reader.GetString(7),
            PartsDigest = reader.GetFieldValue<byte[]>(8),
            Completed = SqlParameters.FromUnixMs(reader.GetLong(9)),
        };
    }

    /// <inheritdoc />
    public ValueTask<int> ForgetCompletedMultipartUploadsAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
        max <= 0 ? ValueTask.FromResult(0) : WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            await using var delete = transaction.CreateCommand(
                "DELETE FROM multipart_completions WHERE upload_id IN " +
                "(SELECT upload_id FROM multipart_completions WHERE completed < @cutoff ORDER BY completed, upload_id LIMIT @max)");
            delete.Add("@cutoff", DbType.Int64, state.Cutoff);
            delete.Add("@max", DbType.Int64, (long)state.Max);
            var forgotten = await delete.ExecuteNonQueryAsync(cancellationToken);
            return (forgotten, forgotten > 0);
        }, (Cutoff: SqlParameters.ToUnixMs(cutoff), Max: max), cancellationToken);
}
