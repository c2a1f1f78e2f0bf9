namespace Cairn.Engine;

/// <summary>How the engine stores bodies and reclaims space. Bound from section <c>Engine</c>.</summary>
public sealed class EngineOptions
{
    /// <summary>Bodies are cut into chunks of this many bytes; also the per-upload buffer size. Default 4 MiB.</summary>
    public int ChunkSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bodies up to this many bytes stay in the metadata row instead of a blob. Default 4 KiB.</summary>
    public int InlineThreshold { get; set; } = 16 * 1024;

    /// <summary>A chunk that loses its last reference is deleted no sooner than this (covers in-flight readers). Default 5 minutes.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An upload that reserved chunks and went silent this long is presumed dead and reclaimed. Default 1 hour.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the sweeper looks for due deletions when idle. Default 30 seconds.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Multipart uploads initiated longer ago than this are aborted by the cleanup worker. Default 7 days.</summary>
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a completed multipart upload is remembered: within this time a CompleteMultipartUpload
    /// sent again with the same parts (an SDK retrying after a lost answer) gets the first answer
    /// again, 200 with the same ETag, instead of NoSuchUpload. The cleanup worker forgets older ones.
    /// Default 1 day.
    /// </summary>
    public TimeSpan CompletedUploadRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How chunks are compressed where they are stored: <see cref="ChunkCompression.Zstd"/> stores a
    /// chunk as one zstd frame when that saves at least <see cref="CompressionMinSaving"/> of its
    /// length, otherwise as is. Addresses are of the uncompressed bytes either way. Default zstd.
    /// </summary>
    public ChunkCompression Compression { get; set; } = ChunkCompression.Zstd;

    /// <summary>The zstd level (1 fastest, 19 smallest; negative levels are faster still). Default 1.</summary>
    public int CompressionLevel { get; set; } = 1;

    /// <summary>The fraction of a chunk's length that compression must save for the chunk to be stored compressed. Default 0.125.</summary>
    public double CompressionMinSaving { get; set; } = 0.125;

    /// <summary>
    /// Chunks whose stored bytes are at most this many are appended to a pack (issue 12) instead of
    /// a blob of their own. 0 (default, for now): packs are off, every chunk is a blob.
    /// </summary>
    public int PackThreshold { get; set; }

    /// <summary>A pack is sealed and shipped once its segment holds this many bytes. Default 32 MiB.</summary>
    public long PackTargetSize { get; set; } = 32L * 1024 * 1024;

    /// <summary>A pack holding anything is sealed and shipped once it is this old. Default 30 seconds.</summary>
    public TimeSpan PackMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Parts of a pack's upload to the blob store (5 MiB to 1 GiB). Default 8 MiB.</summary>
    public int PackPartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// When a PUT whose chunks go to a pack is acknowledged: <see cref="PackAcknowledgement.Segment"/>
    /// (default) once they are fsynced in this node's local segment; <see cref="PackAcknowledgement.Upload"/>
    /// once the pack is in the blob store (for a node whose local disk is not to be trusted with
    /// acknowledged data, e.g. in gateway mode on ephemeral storage).
    /// </summary>
    public PackAcknowledgement PackAcknowledge { get; set; } = PackAcknowledgement.Segment;

    /// <summary>
    /// With <see cref="PackAcknowledgement.Upload"/>: a pack is sealed and shipped once its first
    /// record has waited this long, so the PUTs of one window share one upload. Default 20 ms.
    /// </summary>
    public TimeSpan PackUploadWindow { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The most bytes this node's local segments may hold (packs being written or waiting to ship).
    /// At the limit a small chunk is stored as a blob of its own instead, so an upstream that is slow
    /// or down never fills the local disk. Default 1 GiB; at least <see cref="PackTargetSize"/>.
    /// </summary>
    public long SegmentStoreLimit { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// A stored pack is compacted (its needed chunks copied to a new pack) once this fraction of its
    /// bytes is dead. Default 0.15. Packs under a quarter of <see cref="PackTargetSize"/> are also
    /// merged, two or more at a time; any other pack is never rewritten.
    /// </summary>
    public double CompactionDeadRatio { get; set; } = 0.15;

    /// <summary>How often the compactor looks for packs to compact. Default 1 minute.</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Verify SHA-256 of every whole chunk read on GET (length is always checked). Default true.</summary>
    public bool VerifyChunksOnRead { get; set; } = true;

    /// <summary>
    /// A download fetches up to this many chunks beyond the one it is writing, so reading and checking
    /// the next chunks overlaps sending the current one. 0 reads strictly one chunk at a time. Default 2.
    /// </summary>
    public int ReadAheadChunks { get; set; } = 2;

    /// <summary>
    /// Chunk reads in flight, plus fetched chunks waiting to be sent, across all downloads: the bound on
    /// the memory downloads hold (this many chunk buffers) and on concurrent blob reads. Default 16.
    /// </summary>
    public int MaxConcurrentChunkReads { get; set; } = 16;

    /// <summary>
    /// An upload may have up to this many chunks being stored (hashed, reserved, written durably) in
    /// the background while it receives the next one, so the fsyncs of successive chunks overlap. Each
    /// such store holds one of <see cref="SharedWriteBuffers"/>. Default 4.
    /// </summary>
    public int WriteBehindChunks { get; set; } = 4;

    /// <summary>
    /// Chunk buffers shared by all uploads for background stores. With none free an upload stores
    /// each chunk before reading the next, in its own buffer: upload memory is at most one chunk
    /// buffer per upload plus these. 0 turns background stores off. Default 8.
    /// </summary>
    public int SharedWriteBuffers { get; set; } = 8;

    /// <summary>
    /// This node's name in leases (who holds which singleton worker). Default: host name, process id
    /// and a random suffix, so two processes on one machine never share a name.
    /// </summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";

    /// <summary>
    /// How long a singleton worker's lease lasts without renewal (by the database's clock): a node that
    /// dies holds its workers at most this long. Renewed every third of it. Default 30 seconds.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the tree committer runs in the background (issue 11), folding each bucket's journal
    /// into its Merkle Search Tree. Off by default: folding every 5 seconds costs 4 KiB PUTs at 64
    /// connections 4-7 % of their rate on two cores, 11-12 % more server CPU per PUT
    /// (docs/benchmarks.md). The admin API folds on request either way.
    /// </summary>
    public bool TreeCommitter { get; set; }

    /// <summary>
    /// How often the tree committer folds the buckets' change journals into their Merkle Search
    /// Trees when it found nothing to do (it runs again at once while buckets are behind). Default 5
    /// seconds: a fold's fixed costs (its snapshot, segment and two transactions) spread over more
    /// entries, the committer cost 4 KiB PUTs at c64 0.93-0.96x of their rate against 0.89-0.97x when
    /// folding every second (docs/benchmarks.md). The latest root lags the writes by about this much;
    /// the admin API's flush folds up to now on request.
    /// </summary>
    public TimeSpan TreeCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How old this node's copy of the access keys may grow before a request reads them again (a key
    /// made, disabled or deleted on another node counts here within about this time; on this node at
    /// once). Default 5 seconds.
    /// </summary>
    public TimeSpan CredentialRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes of tree blocks the committer keeps in memory between batches, for all buckets together. Default 32 MiB.</summary>
    public long TreeCacheBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Root retention, every N journal numbers: besides the latest commit, the newest commit of each
    /// span of this many journal numbers is kept (1..N, N+1..2N, ...). 0 (default): none.
    /// </summary>
    public long TreeKeepEvery { get; set; }

    /// <summary>Root retention, a time window: besides the latest commit, every commit younger than this is kept. Zero (default): none.</summary>
    public TimeSpan TreeKeepWithin { get; set; }

    /// <summary>
    /// How often a bucket's tree is collected: with a commit at most this often, the commits no
    /// retention rule keeps (nor a pin, such as a running export's) are dropped with every segment
    /// that holds no block they reach. Zero: with every commit. Default 10 minutes.
    /// </summary>
    public TimeSpan TreeCollectInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an export's pin keeps its commit from collection at most (an export that runs longer may lose blocks). Default 6 hours.</summary>
    public TimeSpan TreeExportPinTime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// The length of a lifecycle day (S3: 24 hours, a rule's days ending at midnight UTC). A short day
    /// makes rules act in seconds, for demos and end-to-end tests (env CAIRN_LIFECYCLE_DAY, e.g.
    /// <c>00:00:02</c>; RGW's <c>rgw_lc_debug_interval</c> is the same idea). Default 1 day.
    /// </summary>
    public TimeSpan LifecycleDay { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The names of the configured cold tiers (section <c>Tiers</c>), as a lifecycle Transition's
    /// StorageClass names them; empty when there are none. Set by the host from its tier settings.
    /// </summary>
    public IReadOnlyList<string> Tiers { get; set; } = [];

    /// <summary>How often the journal archiver (when an archive is configured) uploads what the journal gained. Default 5 s.</summary>
    public TimeSpan ArchiveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most journal entries in one archive segment. Default 10,000.</summary>
    public int ArchiveSegmentEntries { get; set; } = 10_000;

    /// <summary>How long the oldest entry may wait for the archive before the archive health check says so (503). Default 5 minutes.</summary>
    public TimeSpan ArchiveLagAlert { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Fewest journal entries after a bucket's last archived snapshot before the archiver takes the
    /// next (and never fewer than the versions that snapshot holds, so a snapshot's cost is repaid by
    /// the replay it saves a restore). Default 1,000,000: measured, a restore spends its time importing
    /// keys, not replaying entries, while each snapshot reads its whole bucket beside the writes.
    /// </summary>
    public long ArchiveSnapshotEntries { get; set; } = 1_000_000;

    /// <summary>
    /// How long after a bucket's last archived snapshot the next is taken anyway, once the journal
    /// moved by <see cref="ArchiveSnapshotEntries"/> entries (a bucket that barely changes is not read
    /// whole every day for the sake of a short replay). Default 1 day.
    /// </summary>
    public TimeSpan ArchiveSnapshotInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Where the archiver writes a snapshot before uploading it; null: the system's temporary
    /// directory. The server sets <c>tmp</c> in its data directory (a system /tmp is often a small tmpfs).
    /// </summary>
    public string? TempDirectory { get; set; }

    /// <summary>
    /// How long a change journal entry is kept after its commit at least, once every reader is past
    /// it (the archive, when configured; the bucket's tree; its lifecycle progress). Zero: as soon as
    /// they are. Default 1 hour.
    /// </summary>
    public TimeSpan JournalRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the journal pruner deletes the journal entries no reader needs any more. Default 1 minute.</summary>
    public TimeSpan JournalPruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the lifecycle worker looks for journal changes and due keys when it found nothing to
    /// do (at most half a lifecycle day). Default 10 seconds.
    /// </summary>
    public TimeSpan LifecycleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the lifecycle and inventory workers wait when idle: <see cref="LifecycleInterval"/>, at most half a lifecycle day.</summary>
    public TimeSpan LifecycleIdleWait => LifecycleInterval < LifecycleDay / 2 ? LifecycleInterval : LifecycleDay / 2;

    /// <summary>Rows per Parquet row group in an inventory report (each group's key range is recorded in the catalog). Default 100,000.</summary>
    public int InventoryRowsPerGroup { get; set; } = 100_000;

    /// <summary>Rows per data file of an inventory report. Default 1,000,000.</summary>
    public int InventoryRowsPerFile { get; set; } = 1_000_000;

    /// <summary>Checks the values; returns the problems found.</summary>
    public IEnumerable<string> Validate()
    {
        if (ChunkSize is < 64 * 1024 or > 64 * 1024 * 1024)
        {
            yield return $"Engine:ChunkSize must be between 64KiB and 64MiB (was {ChunkSize}).";
        }
        if (Compression == ChunkCompression.Zstd && (CompressionLevel is < -7 or > 19 or 0 || CompressionMinSaving is <= 0 or >= 1))
        {
            yield return $"Engine:CompressionLevel must be between -7 and 19 but not 0 (was {CompressionLevel}), and " +
                $"Engine:CompressionMinSaving above 0 and below 1 (was {CompressionMinSaving}).";
        }
        if (PackThreshold < 0 || PackThreshold > ChunkSize || PackTargetSize < 1024 || PackMaxAge <= TimeSpan.Zero
            || PackPartSize is < 5 * 1024 * 1024 or > 1024 * 1024 * 1024)
        {
            yield return $"Engine:PackThreshold must be between 0 and ChunkSize (was {PackThreshold}), PackTargetSize at least 1KiB, " +
                "PackMaxAge positive and PackPartSize between 5MiB and 1GiB.";
        }
        if (PackUploadWindow <= TimeSpan.Zero || SegmentStoreLimit < PackTargetSize)
        {
            yield return $"Engine:PackUploadWindow must be positive, and Engine:SegmentStoreLimit at least PackTargetSize (was {SegmentStoreLimit}).";
        }
        if (CompactionDeadRatio is <= 0 or > 1 || CompactionInterval <= TimeSpan.Zero)
        {
            yield return $"Engine:CompactionDeadRatio must be above 0 and at most 1 (was {CompactionDeadRatio}), and CompactionInterval positive.";
        }
        if (InlineThreshold < 0 || InlineThreshold > ChunkSize)
        {
            yield return $"Engine:InlineThreshold must be between 0 and ChunkSize (was {InlineThreshold}).";
        }
        if (TreeKeepEvery < 0 || TreeKeepWithin < TimeSpan.Zero || TreeCollectInterval < TimeSpan.Zero || TreeExportPinTime <= TimeSpan.Zero)
        {
            yield return "Engine:TreeKeepEvery, TreeKeepWithin and TreeCollectInterval must not be negative; TreeExportPinTime must be positive.";
        }
        if (GracePeriod < TimeSpan.Zero)
        {
            yield return "Engine:GracePeriod must not be negative.";
        }
        if (ReservationTimeout < TimeSpan.FromSeconds(1))
        {
            yield return "Engine:ReservationTimeout must be at least one second.";
        }
        if (AbandonedUploadAge < TimeSpan.FromMinutes(1))
        {
            yield return "Engine:AbandonedUploadAge must be at least one minute.";
        }
        if (CompletedUploadRetention < TimeSpan.FromMinutes(1))
        {
            yield return "Engine:CompletedUploadRetention must be at least one minute.";
        }
        if (string.IsNullOrWhiteSpace(NodeId) || NodeId.Length > 200)
        {
            yield return "Engine:NodeId must be a non-empty name of at most 200 characters.";
        }
        if (LeaseTime < TimeSpan.FromSeconds(1))
        {
            yield return "Engine:LeaseTime must be at least one second.";
        }
        if (TreeCommitInterval < TimeSpan.FromMilliseconds(10) || TreeCommitInterval > TimeSpan.FromHours(1))
        {
            yield return $"Engine:TreeCommitInterval must be between 10 ms and 1 hour (was {TreeCommitInterval}).";
        }
        if (CredentialRefreshInterval < TimeSpan.FromMilliseconds(100) || CredentialRefreshInterval > TimeSpan.FromHours(1))
        {
            yield return $"Engine:CredentialRefreshInterval must be between 100 ms and 1 hour (was {CredentialRefreshInterval}).";
        }
        if (TreeCacheBytes < 0)
        {
            yield return "Engine:TreeCacheBytes must not be negative.";
        }
        if (ReadAheadChunks is < 0 or > 64)
        {
            yield return $"Engine:ReadAheadChunks must be between 0 and 64 (was {ReadAheadChunks}).";
        }
        if (WriteBehindChunks is < 1 or > 64)
        {
            yield return $"Engine:WriteBehindChunks must be between 1 and 64 (was {WriteBehindChunks}).";
        }
        if (SharedWriteBuffers is < 0 or > 4096)
        {
            yield return $"Engine:SharedWriteBuffers must be between 0 and 4096 (was {SharedWriteBuffers}).";
        }
        if (MaxConcurrentChunkReads is < 1 or > 4096)
        {
            yield return $"Engine:MaxConcurrentChunkReads must be between 1 and 4096 (was {MaxConcurrentChunkReads}).";
        }
        if (ArchiveInterval < TimeSpan.FromMilliseconds(10) || ArchiveSegmentEntries is < 1 or > 1_000_000 || ArchiveLagAlert <= TimeSpan.Zero)
        {
            yield return $"Engine:ArchiveInterval must be at least 10 ms (was {ArchiveInterval}), ArchiveSegmentEntries between 1 and 1,000,000 " +
                $"(was {ArchiveSegmentEntries}), and ArchiveLagAlert positive (was {ArchiveLagAlert}).";
        }
        if (ArchiveSnapshotEntries < 1 || ArchiveSnapshotInterval <= TimeSpan.Zero)
        {
            yield return $"Engine:ArchiveSnapshotEntries must be at least 1 (was {ArchiveSnapshotEntries}) and ArchiveSnapshotInterval positive " +
                $"(was {ArchiveSnapshotInterval}).";
        }
        if (JournalRetention < TimeSpan.Zero || JournalPruneInterval < TimeSpan.FromMilliseconds(10))
        {
            yield return $"Engine:JournalRetention must not be negative (was {JournalRetention}), and Engine:JournalPruneInterval " +
                $"must be at least 10 ms (was {JournalPruneInterval}).";
        }
        if (LifecycleDay < TimeSpan.FromMilliseconds(100) || LifecycleDay > TimeSpan.FromDays(1) || LifecycleInterval < TimeSpan.FromMilliseconds(10))
        {
            yield return $"Engine:LifecycleDay must be between 100 ms and 1 day (was {LifecycleDay}), and LifecycleInterval at least 10 ms.";
        }
        if (InventoryRowsPerGroup < 1 || InventoryRowsPerFile < InventoryRowsPerGroup)
        {
            yield return $"Engine:InventoryRowsPerGroup must be at least 1 (was {InventoryRowsPerGroup}), and InventoryRowsPerFile at least that (was {InventoryRowsPerFile}).";
        }
        if (SweepInterval <= TimeSpan.Zero)
        {
            yield return "Engine:SweepInterval must be positive.";
        }
    }
}

/// <summary>How chunks are compressed where they are stored (<see cref="EngineOptions.Compression"/>).</summary>
public enum ChunkCompression
{
    /// <summary>Every chunk is stored as is.</summary>
    None,

    /// <summary>A chunk that compresses well enough is stored as one zstd frame.</summary>
    Zstd,
}

/// <summary>When a PUT whose chunks are packed is acknowledged (<see cref="EngineOptions.PackAcknowledge"/>).</summary>
public enum PackAcknowledgement
{
    /// <summary>Once its chunks are fsynced in this node's local segment; the pack ships in the background.</summary>
    Segment,

    /// <summary>Once the pack holding its chunks is in the blob store.</summary>
    Upload,
}
