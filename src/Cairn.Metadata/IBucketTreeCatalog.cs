using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// The verifiable bucket's records: each bucket's latest tree commit and every recorded one, and
/// the segments holding the tree's blocks (blobs of the blob store, each a CAR file, one per
/// commit; a block's place is kept in its parent's segment, so the catalog holds one row per segment). The
/// committer (one at a time, under a lease) reads a bucket's state at one journal number through a
/// <see cref="ITreeFoldSnapshot"/>, writes the new blocks to a segment, and records the commit with
/// <see cref="RecordTreeCommitAsync"/>.
/// </summary>
/// <remarks>
/// A segment is registered before it is written (<see cref="ReserveTreeSegmentAsync"/>: queued for
/// deletion after a grace time) and adopted by the transaction that records its commit, which takes
/// it off the delete queue; a committer that dies in between leaves a queued blob, never an untracked
/// one. Deleting a bucket queues its segments and forgets its tree.
/// </remarks>
public interface IBucketTreeCatalog
{
    /// <summary>
    /// Up to <paramref name="max"/> buckets whose tree is behind their journal (or that have no tree
    /// yet), in name order, with their journal's last number and their latest commit.
    /// </summary>
    ValueTask<IReadOnlyList<TreeLag>> ListTreesBehindAsync(int max, CancellationToken cancellationToken);

    /// <summary>The bucket's latest commit; null when it has none (or no such bucket).</summary>
    ValueTask<TreeHead?> GetTreeHeadAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>The bucket's recorded commits, newest first, up to <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<TreeHead>> ListTreeCommitsAsync(string bucket, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a consistent reading of the bucket at its journal's current last number: the keys changed
    /// after <paramref name="afterSeq"/> (every key when null) and their versions, all as of that one
    /// number. Null when the bucket does not exist. The caller disposes it soon: it holds a read
    /// transaction open.
    /// </summary>
    /// <remarks>
    /// A fold's first snapshot of a bucket makes it hold removed inline bodies from then on (see
    /// <see cref="GetHeldBodyAsync"/>), before the snapshot is taken. A reading no commit is made of
    /// passes <paramref name="forFold"/> false and changes nothing.
    /// </remarks>
    ValueTask<ITreeFoldSnapshot?> OpenFoldSnapshotAsync(string bucket, long? afterSeq, CancellationToken cancellationToken, bool forFold = true);

    /// <summary>The bucket's segments, by the journal number of the commit whose fold wrote each (what a collection sweeps).</summary>
    ValueTask<IReadOnlyList<TreeSegmentInfo>> ListTreeSegmentsAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>The bucket's segment written by the fold of its commit at <paramref name="seq"/>; null when there is none (any more).</summary>
    ValueTask<TreeSegmentInfo?> GetTreeSegmentAsync(string bucket, long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Pins the bucket's commit recorded at <paramref name="seq"/> until <paramref name="expiresAt"/>
    /// (or <see cref="UnpinTreeCommitAsync"/>): no collection drops it or its blocks meanwhile, on any
    /// node. False, and nothing pinned, when no such commit is recorded (it may have been collected).
    /// </summary>
    ValueTask<bool> PinTreeCommitAsync(string bucket, long seq, Guid pin, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Removes a pin (nothing when there is none).</summary>
    ValueTask UnpinTreeCommitAsync(Guid pin, CancellationToken cancellationToken);

    /// <summary>The journal numbers of the bucket's commits pinned at <paramref name="now"/> (expired pins are left out).</summary>
    ValueTask<IReadOnlyList<long>> ListPinnedTreeCommitsAsync(string bucket, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The body a version of the bucket had inline when that version was removed for good, held
    /// because a commit may name it (by its hash) until a collection finds none that does; null when
    /// none is held. Bodies are held once the bucket's first fold has begun; a version's inline body
    /// otherwise lives in its row (see <see cref="IObjectCatalog.GetObjectVersionAsync"/>).
    /// </summary>
    ValueTask<byte[]?> GetHeldBodyAsync(string bucket, ContentHash hash, CancellationToken cancellationToken);

    /// <summary>
    /// The hashes of the bucket's held inline bodies (see <see cref="GetHeldBodyAsync"/>) whose
    /// removal's journal number is above <paramref name="removedAfter"/> and at most
    /// <paramref name="removedUpTo"/>. A commit at a number at or above a body's removal cannot name
    /// it: only older commits can (what a collection checks before it drops them).
    /// </summary>
    ValueTask<IReadOnlyCollection<ContentHash>> ListHeldBodiesAsync(string bucket, long removedAfter, long removedUpTo,
        CancellationToken cancellationToken);


    /// <summary>
    /// Registers a segment blob about to be written: it is queued for deletion at
    /// <paramref name="deleteAfter"/> unless <see cref="RecordTreeCommitAsync"/> adopts it first.
    /// </summary>
    ValueTask ReserveTreeSegmentAsync(string segment, DateTimeOffset deleteAfter, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: checks that the bucket is the one the snapshot read (same creation time)
    /// and that its latest commit is still <paramref name="previousSeq"/> (null: none), adopts the
    /// reserved <paramref name="segment"/> (taking it off the delete queue) as the segment of
    /// <paramref name="commit"/>, with the place of its commit block (<paramref name="commitPlace"/>),
    /// takes the segment's references on the chunks its manifests name (<paramref name="bodyChunks"/>,
    /// one per use; a chunk no longer in the catalog is passed over: its body is gone already), and
    /// makes <paramref name="commit"/> the bucket's latest. Dropping the segment (a collection, or
    /// deleting the bucket) releases those references as a removed body's are released. Anything else changed: Conflict, nothing
    /// recorded (the segment stays queued for deletion). So is a commit after whose number the journal
    /// lost entries (<see cref="IObjectCatalog.PruneJournalAsync"/> ran while the bucket had no tree):
    /// the next fold, which reads the journal after it, would miss them.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="collection"/>, the same transaction then drops the commits and segments
    /// it names (block rows too; the segments' blobs queued for deletion at <see cref="TreeCollection.DeleteAfter"/>),
    /// unless one of those commits is pinned at <see cref="TreeCollection.Now"/>, when nothing is
    /// dropped and the commit is recorded all the same. Collection rides on a record because the
    /// record's fence is what keeps a second fold out: a fold that links to a stored block either
    /// records after the drop (reading the drop's state) or is refused.
    /// </remarks>
    ValueTask<RecordTreeCommitOutcome> RecordTreeCommitAsync(TreeHead commit, DateTimeOffset bucketCreatedAt, long? previousSeq,
        string segment, TreeBlockLocation commitPlace, IReadOnlyList<ChunkRef> bodyChunks, CancellationToken cancellationToken,
        TreeCollection? collection = null);
}

/// <summary>
/// A bucket's state read at one journal number (see <see cref="IBucketTreeCatalog.OpenFoldSnapshotAsync"/>):
/// every read through it sees the catalog as it was when that number was the last.
/// </summary>
public interface ITreeFoldSnapshot : IAsyncDisposable
{
    /// <summary>The bucket's journal number the reading is at (0 when nothing was ever journaled).</summary>
    long HeadSeq { get; }

    /// <summary>The bucket's creation time (to tell it from a bucket created again under its name).</summary>
    DateTimeOffset BucketCreatedAt { get; }

    /// <summary>
    /// The keys changed after the snapshot's starting number up to <see cref="HeadSeq"/>, or every key
    /// with a version when it started from none, each once, in UTF-8 byte order.
    /// </summary>
    IAsyncEnumerable<string> ReadChangedKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every version of each of <paramref name="keys"/> (current and noncurrent, markers too), newest
    /// first; a key with none maps to an empty list. A version whose row holds its inline body's hash
    /// (<see cref="ObjectVersionRecord.InlineBodyHash"/>) comes without the body, which a manifest does not need,
    /// unless <paramref name="withInlineBodies"/> (an archive snapshot keeps every byte the catalog holds).
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, IReadOnlyList<ObjectVersionRecord>>> ReadVersionsAsync(IReadOnlyList<string> keys,
        CancellationToken cancellationToken, bool withInlineBodies = false);
}

/// <summary>A bucket's tree commit: the journal number folded up to, the commit block's and the tree root's CIDs, and when.</summary>
public sealed record TreeHead(string Bucket, long Seq, Cid Commit, Cid Root, DateTimeOffset CommittedAt);

/// <summary>A bucket whose tree is behind its journal: the journal's last number and the latest commit (null: none yet).</summary>
public sealed record TreeLag(string Bucket, long JournalSeq, TreeHead? Head);

/// <summary>
/// Where a stored tree block is: <paramref name="Length"/> bytes at <paramref name="Offset"/> of the
/// bucket's segment written by the fold of its commit at journal number <paramref name="Seq"/>.
/// When <paramref name="LinksLength"/> is not 0, the block's links block follows it in the segment
/// (the next CAR section): the places of the blocks it links to, which is how a tree is read from
/// its commit down without a catalog lookup per block.
/// </summary>
public readonly record struct TreeBlockLocation(long Seq, long Offset, int Length, int LinksLength);

/// <summary>A segment of a bucket's tree: the journal number of the commit whose fold wrote it, its blob, and its commit block's place.</summary>
public sealed record TreeSegmentInfo(long Seq, string Name, TreeBlockLocation Commit);

/// <summary>Outcome of <see cref="IBucketTreeCatalog.RecordTreeCommitAsync"/>.</summary>
public enum RecordTreeCommitOutcome
{
    Recorded,
    /// <summary>The bucket is gone or new, another commit was recorded since, or the segment was swept: nothing recorded.</summary>
    Conflict,
}

/// <summary>
/// What a collection drops from a bucket's tree with the commit being recorded (see <see cref="IBucketTreeCatalog.RecordTreeCommitAsync"/>):
/// the commits no retention rule keeps, the segments holding no block reachable from a kept one, and
/// the held inline bodies (<see cref="IBucketTreeCatalog.ListHeldBodiesAsync"/>) no kept commit names.
/// </summary>
public sealed record TreeCollection(IReadOnlyCollection<long> DropCommits, IReadOnlyCollection<string> DropSegments, DateTimeOffset Now,
    DateTimeOffset DeleteAfter)
{
    /// <summary>
    /// Every held inline body removed at this journal number or before goes: no kept commit is older
    /// (the oldest kept one's number). 0 by default: none.
    /// </summary>
    public long DropHeldRemovedUpTo { get; init; }

    /// <summary>Held inline bodies to drop besides, by hash: of those, the copies whose removal the recorded commit has folded go. None by default.</summary>
    public IReadOnlyCollection<ContentHash> DropHeldBodies { get; init; } = [];
}
