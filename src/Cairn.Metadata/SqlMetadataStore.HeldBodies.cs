using System.Data;
using Cairn.Core;

namespace Cairn.Metadata;

// Removed inline bodies a bucket's tree may still name (tree_held_bodies, SQLite 0016 / PostgreSQL
// 0016). A commit names a version's inline body by its hash, and the body lives in the version's
// row; a chunked body is held by its segment's references, an inline one is copied here when its
// row is removed for good, in the removal's transaction, once the bucket holds removed bodies
// (buckets.holds_removed_bodies, set before its first fold's snapshot). A collection drops a copy
// once its removal is folded and no kept commit names it (ApplyCollectionAsync).
//
// Why the flag is set under the bucket's journal turn: a fold names a version that its snapshot
// saw; a removal later than the snapshot must see the flag. On PostgreSQL a removal reads the flag
// in a transaction begun after the bucket's advisory lock, which the flag's write takes too; on
// SQLite the writer is one. So a removal either committed before the flag (and before the
// snapshot, which comes after the flag: no commit names its version) or sees the flag.
public abstract partial class SqlMetadataStore
{
    /// <summary>The condition under which a removal holds an inline body: the bucket holds removed bodies.</summary>
    private const string HoldsRemovedBodies = "EXISTS (SELECT 1 FROM buckets WHERE name = @bucket AND holds_removed_bodies = 1)";

    /// <summary>
    /// The statement that copies the inline bodies of the rows of <paramref name="table"/> matched by
    /// <paramref name="rows"/> (a condition on <c>r</c>, besides the bucket) into <c>tree_held_bodies</c>,
    /// numbered as removed at the bucket's journal number now plus <c>@ahead</c>: the removal's own
    /// entry, appended after it by the same transaction.
    /// </summary>
    private static string HoldBodiesSql(string table, string rows) =>
        "INSERT INTO tree_held_bodies (bucket, removed_seq, key, version_id, hash, body) " +
        "SELECT r.bucket, COALESCE((SELECT last_seq FROM journal_heads WHERE bucket = @bucket), 0) + @ahead, r.key, r.version_id, " +
        "r.inline_sha256, r.inline_body FROM " + table + " r " +
        "WHERE r.bucket = @bucket AND " + rows + " AND r.inline_sha256 IS NOT NULL AND " + HoldsRemovedBodies;

    private static readonly string s_holdCurrentBodySql = HoldBodiesSql("objects", "r.key = @key");

    private static readonly string s_holdNoncurrentBodySql = HoldBodiesSql("object_versions", "r.key = @key AND r.version_id = @versionId");

    /// <summary>
    /// Holds the inline body of the key's current row, or of its noncurrent version
    /// <paramref name="noncurrentVersionId"/>, before the caller removes or replaces it and appends
    /// the removal (as the transaction's next journal entry). <paramref name="then"/>: a statement run
    /// in the same command (the row's delete, one round trip instead of two).
    /// </summary>
    private static async ValueTask HoldBodyAsync(WriteTransaction transaction, string bucket, byte[] key, string? noncurrentVersionId,
        CancellationToken cancellationToken, string? then = null)
    {
        var hold = noncurrentVersionId is null ? s_holdCurrentBodySql : s_holdNoncurrentBodySql;
        await using var command = transaction.CreateCommand(then is null ? hold : hold + "; " + then);
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, key);
        command.Add("@versionId", DbType.String, noncurrentVersionId);
        command.Add("@ahead", DbType.Int64, 1L);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Holds the inline bodies of every version under a key range an import replaces, numbered as
    /// removed at the last of the <paramref name="removals"/> entries it appends next (an upper bound
    /// of each one's own number: a copy is then kept a fold longer at most).
    /// </summary>
    private static async ValueTask HoldRangeBodiesAsync(WriteTransaction transaction, string bucket, byte[] prefix, byte[]? upper, int removals,
        CancellationToken cancellationToken)
    {
        var range = "r.key >= @prefix" + (upper is null ? "" : " AND r.key < @upper");
        foreach (var table in VersionTables)
        {
            await using var hold = transaction.CreateCommand(HoldBodiesSql(table, range));
            hold.Add("@bucket", DbType.String, bucket);
            hold.Add("@prefix", DbType.Binary, prefix);
            hold.Add("@upper", DbType.Binary, upper);
            hold.Add("@ahead", DbType.Int64, (long)removals);
            await hold.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Makes the bucket hold removed inline bodies from now on, under its journal turn (see above);
    /// false when there is no such bucket.
    /// </summary>
    private ValueTask<bool> StartHoldingRemovedBodiesAsync(string bucket, CancellationToken cancellationToken) =>
        WriteAsync(static async (transaction, bucket, cancellationToken) =>
        {
            await using var update = transaction.CreateCommand("UPDATE buckets SET holds_removed_bodies = 1 WHERE name = @bucket");
            update.Add("@bucket", DbType.String, bucket);
            var found = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            return (found, found);
        }, bucket, cancellationToken, [bucket]);

    /// <inheritdoc />
    public async ValueTask<byte[]?> GetHeldBodyAsync(string bucket, ContentHash hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT body FROM tree_held_bodies WHERE bucket = @bucket AND hash = @hash LIMIT 1");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@hash", DbType.Binary, hash.Bytes.ToArray());
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<ContentHash>> ListHeldBodiesAsync(string bucket, long removedAfter, long removedUpTo,
        CancellationToken cancellationToken)
    {
        var hashes = new HashSet<ContentHash>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT DISTINCT hash FROM tree_held_bodies WHERE bucket = @bucket AND removed_seq > @after AND removed_seq <= @upTo");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@after", DbType.Int64, removedAfter);
        command.Add("@upTo", DbType.Int64, removedUpTo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hashes.Add(ContentHash.FromBytes(reader.GetFieldValue<byte[]>(0)));
        }
        return hashes;
    }

    /// <summary>
    /// Drops the held copies removed at <paramref name="removedUpTo"/> or before, and those of
    /// <paramref name="hashes"/> whose removal the commit at <paramref name="recordedSeq"/> has folded
    /// (a copy removed later may be named by that commit).
    /// </summary>
    private static async ValueTask DropHeldBodiesAsync(WriteTransaction transaction, string bucket, long removedUpTo, long recordedSeq,
        IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken)
    {
        if (removedUpTo > 0)
        {
            await using var old = transaction.CreateCommand("DELETE FROM tree_held_bodies WHERE bucket = @bucket AND removed_seq <= @upTo");
            old.Add("@bucket", DbType.String, bucket);
            old.Add("@upTo", DbType.Int64, Math.Min(removedUpTo, recordedSeq));
            await old.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var batch in hashes.Chunk(FoldKeysPerStatement))
        {
            await using var drop = transaction.CreateCommand(
                "DELETE FROM tree_held_bodies WHERE bucket = @bucket AND removed_seq <= @seq AND hash IN (" + InList("@h", batch.Length) + ")");
            drop.Add("@bucket", DbType.String, bucket);
            drop.Add("@seq", DbType.Int64, recordedSeq);
            AddList(drop, "@h", batch.Select(static hash => hash.Bytes.ToArray()).ToArray(), DbType.Binary);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
