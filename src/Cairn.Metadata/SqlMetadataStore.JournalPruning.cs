using System.Data;

namespace Cairn.Metadata;

// Pruning the change journal (issue 13). Its readers each read only after a number they record:
// the archiver after journal_archive.archived_seq (and the commit time of the entry after it, for
// the lag), the tree committer after bucket_trees.seq (FoldSnapshot.ReadChangedKeysAsync), the
// lifecycle worker after lifecycle_progress.journal_seq; a first fold, a lifecycle judgement of a
// whole bucket and inventory reports read the object rows, not the journal. So an entry at or
// below every number a bucket has may go. Deleting only a run from the journal's first entry keeps
// what is left gap-free, which lets a reader about to record its first number check that nothing
// after it went meanwhile (JournalKeptAfterAsync). journal_heads is never touched: numbering goes on.
public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// One batch of one bucket: the entries from the journal's first up to <c>@batch</c> of them,
    /// at or below each reader's number, and before the first entry in that run committed after the
    /// retention cutoff (NULL: written before commit times were kept, old enough). The readers'
    /// numbers are read by the statement itself, in the deleting transaction, so a number recorded
    /// by a transaction that committed first is always seen.
    /// </summary>
    private static string PruneJournalBatchSql(bool untilArchived) =>
        "DELETE FROM journal WHERE bucket = @bucket " +
        "AND seq < (SELECT MIN(seq) FROM journal WHERE bucket = @bucket) + @batch " +
        (untilArchived ? "AND seq <= COALESCE((SELECT archived_seq FROM journal_archive WHERE bucket = @bucket), 0) " : "") +
        "AND seq <= COALESCE((SELECT seq FROM bucket_trees WHERE bucket = @bucket), seq) " +
        "AND seq <= COALESCE((SELECT journal_seq FROM lifecycle_progress WHERE bucket = @bucket), seq) " +
        "AND seq < COALESCE((SELECT MIN(seq) FROM journal WHERE bucket = @bucket AND committed_at > @cutoff " +
        "AND seq < (SELECT MIN(seq) FROM journal WHERE bucket = @bucket) + @batch), seq + 1)";

    private static readonly string s_pruneArchivedJournalBatchSql = PruneJournalBatchSql(untilArchived: true);
    private static readonly string s_pruneJournalBatchSql = PruneJournalBatchSql(untilArchived: false);

    /// <inheritdoc />
    public async ValueTask<long> PruneJournalAsync(JournalPruning rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfLessThan(rules.Retention, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(rules.BatchEntries, 1);
        var cutoff = SqlParameters.ToUnixMs(now - rules.Retention);
        long deleted = 0;
        foreach (var bucket in await ListPrunableJournalsAsync(rules.UntilArchived, cutoff, cancellationToken))
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = await WriteAsync(static async (transaction, state, cancellationToken) =>
                {
                    await using var delete = transaction.CreateCommand(state.UntilArchived ? s_pruneArchivedJournalBatchSql : s_pruneJournalBatchSql);
                    delete.Add("@bucket", DbType.String, state.Bucket);
                    delete.Add("@batch", DbType.Int64, (long)state.Batch);
                    delete.Add("@cutoff", DbType.Int64, state.Cutoff);
                    return (await delete.ExecuteNonQueryAsync(cancellationToken), true);
                }, (Bucket: bucket, rules.UntilArchived, Batch: rules.BatchEntries, Cutoff: cutoff), cancellationToken);
                deleted += batch;
                if (batch < rules.BatchEntries)
                {
                    break; // a rule held the rest back (or the journal ended)
                }
            }
        }
        return deleted;
    }

    /// <summary>
    /// The buckets whose first journal entry the rules would let go, as a read sees them now: the
    /// batches check again, this only spares a write transaction for every bucket with nothing to prune.
    /// </summary>
    private async ValueTask<List<string>> ListPrunableJournalsAsync(bool untilArchived, long cutoff, CancellationToken cancellationToken)
    {
        var buckets = new List<string>();
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT h.bucket FROM journal_heads h " +
            "JOIN journal j ON j.bucket = h.bucket AND j.seq = (SELECT MIN(seq) FROM journal WHERE bucket = h.bucket) " +
            "LEFT JOIN journal_archive a ON a.bucket = h.bucket LEFT JOIN bucket_trees t ON t.bucket = h.bucket " +
            "LEFT JOIN lifecycle_progress l ON l.bucket = h.bucket " +
            "WHERE (j.committed_at IS NULL OR j.committed_at <= @cutoff) AND j.seq <= COALESCE(t.seq, j.seq) " +
            "AND j.seq <= COALESCE(l.journal_seq, j.seq)" + (untilArchived ? " AND j.seq <= COALESCE(a.archived_seq, 0)" : "") +
            " ORDER BY h.bucket");
        command.Add("@cutoff", DbType.Int64, cutoff);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(reader.GetString(0));
        }
        return buckets;
    }

    /// <summary>
    /// Whether the bucket's journal still holds every entry after <paramref name="seq"/>: true when
    /// the head is not past it or the next entry is there (pruning deletes only a run from the first
    /// entry). A reader that read the object rows as of <paramref name="seq"/> (a first fold, a
    /// lifecycle judgement of the whole bucket) checks it in the transaction that records the number:
    /// while it had no number, the pruner did not wait for it.
    /// </summary>
    private static async ValueTask<bool> JournalKeptAfterAsync(WriteTransaction transaction, string bucket, long seq,
        CancellationToken cancellationToken)
    {
        await using var check = transaction.CreateCommand(
            "SELECT 1 FROM journal_heads h WHERE h.bucket = @bucket AND h.last_seq > @seq " +
            "AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.bucket = @bucket AND j.seq = @next)");
        check.Add("@bucket", DbType.String, bucket);
        check.Add("@seq", DbType.Int64, seq);
        check.Add("@next", DbType.Int64, seq + 1);
        return await check.ExecuteScalarAsync(cancellationToken) is null or DBNull;
    }
}
