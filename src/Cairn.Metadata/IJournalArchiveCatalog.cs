namespace Cairn.Metadata;

/// <summary>
/// Journal archiving's own state (issue 13): for each bucket, the last journal number whose archive
/// upload is confirmed, and the bucket's newest archived snapshot. Only the archiver (one at a time, under its lease) writes it; a deleted
/// bucket's row goes with its journal.
/// </summary>
public interface IJournalArchiveCatalog
{
    /// <summary>
    /// Every bucket that has a journal: its last journal number, the last one archived (0: none), and
    /// when the oldest entry not archived yet was committed (null when all are, or for entries older
    /// than commit times).
    /// </summary>
    ValueTask<IReadOnlyList<JournalArchiveState>> ListJournalArchiveStatesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records that the bucket's entries up to <paramref name="archivedSeq"/> are archived, for the
    /// bucket created at <paramref name="bucketCreatedAt"/> (a bucket deleted and created again under
    /// the name since is another journal: false, nothing written). The number only moves forward.
    /// </summary>
    ValueTask<bool> SaveJournalArchivedAsync(string bucket, DateTimeOffset bucketCreatedAt, long archivedSeq, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records that a snapshot of the bucket (created at <paramref name="bucketCreatedAt"/>) as it was
    /// at journal number <paramref name="seq"/>, read at <paramref name="takenAt"/> and holding
    /// <paramref name="versions"/> versions, is in the archive. False, nothing written, when the
    /// bucket was created again since or its journal is not that far; a snapshot older than the one
    /// recorded is not recorded (true: the archive holds both). The archived number is not moved.
    /// </summary>
    ValueTask<bool> SaveJournalSnapshotAsync(string bucket, DateTimeOffset bucketCreatedAt, long seq, DateTimeOffset takenAt, long versions,
        CancellationToken cancellationToken);

    /// <summary>
    /// The archive lineage this catalog writes: the one recorded, or, when none is yet,
    /// <paramref name="candidate"/>, recorded now (the first caller's wins).
    /// </summary>
    ValueTask<string> GetOrCreateArchiveLineageAsync(string candidate, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One bucket's journal and how much of it is archived (<see cref="IJournalArchiveCatalog"/>).</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="HeadSeq">Its journal's last number.</param>
/// <param name="ArchivedSeq">The last number archived (0: none).</param>
/// <param name="OldestUnarchivedAt">When the oldest entry not archived yet was committed (null when all are, or it has no time).</param>
/// <param name="Snapshot">The newest snapshot archived (null: none yet).</param>
public sealed record JournalArchiveState(string Bucket, long HeadSeq, long ArchivedSeq, DateTimeOffset? OldestUnarchivedAt,
    JournalSnapshotState? Snapshot = null)
{
    /// <summary>Entries committed and not archived yet.</summary>
    public long Behind => HeadSeq - ArchivedSeq;
}

/// <summary>A bucket's newest archived snapshot: the journal number it stands at, when it was read, and how many versions it holds.</summary>
public sealed record JournalSnapshotState(long Seq, DateTimeOffset TakenAt, long Versions);

/// <summary>How far behind the archive is over every bucket: entries not archived, and how long the oldest has waited.</summary>
public readonly record struct JournalArchiveLag(long Entries, TimeSpan Oldest)
{
    /// <summary>The lag <paramref name="states"/> say at <paramref name="now"/>.</summary>
    public static JournalArchiveLag Of(IEnumerable<JournalArchiveState> states, DateTimeOffset now)
    {
        long entries = 0;
        var oldest = TimeSpan.Zero;
        foreach (var state in states)
        {
            entries += Math.Max(0, state.Behind);
            if (state.OldestUnarchivedAt is { } at && now - at > oldest)
            {
                oldest = now - at;
            }
        }
        return new JournalArchiveLag(entries, oldest);
    }
}
