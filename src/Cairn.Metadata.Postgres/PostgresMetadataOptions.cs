namespace Cairn.Metadata.Postgres;

/// <summary>Settings of the PostgreSQL catalog (section <c>Metadata:Postgres</c>).</summary>
public sealed class PostgresMetadataOptions
{
    /// <summary>
    /// Npgsql connection string of the catalog database, e.g.
    /// <c>Host=db;Port=5432;Database=cairn;Username=cairn;Password=...</c>. Pool size, timeouts and
    /// TLS are set here. The database must exist; the store creates its tables. Required.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How many times a write runs when PostgreSQL aborts it as a serialization failure or a
    /// deadlock (writers on other connections or nodes touched the same rows), with short random
    /// pauses in between (growing to 250 ms), before the failure reaches the caller. Default 30
    /// (about 3 s of pauses).
    /// </summary>
    public int MaxWriteAttempts { get; set; } = 30;

    /// <summary>
    /// How long a statement waits for a lock (PostgreSQL's <c>lock_timeout</c>, set for the store's
    /// sessions) before its write is aborted and run again like a serialization failure. Under
    /// SERIALIZABLE a write that waits for a row another write changed fails anyway once that one
    /// commits, so a long wait gains nothing; a short one also breaks lock cycles (two writes, each
    /// holding a row the other wants) long before the server's deadlock check (<c>deadlock_timeout</c>,
    /// 1 s by default) would. It is a session setting, so a read waits no longer either (reads wait
    /// for locks only behind DDL, such as a newer node's migration). <see cref="TimeSpan.Zero"/> waits
    /// without limit. Default 100 ms.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How many write transactions this store runs at once; more writes wait for a turn. Under
    /// SERIALIZABLE, writes that read what others write (the same rows, or index pages they read)
    /// abort each other, so past some number in flight more concurrency adds aborted work, not
    /// commits. Creates of new keys read nothing of the key (see the store's InsertNewKeysFirst) and
    /// gain up to about 16: 4 KiB PUTs of new keys at c64 went about 20 % faster with 16 or 32 than
    /// with 8, with no aborts (docs/benchmarks.md, "Catalog providers and nodes"). Default 16.
    /// </summary>
    public int MaxConcurrentWrites { get; set; } = 16;

    /// <summary>
    /// How many statements Npgsql keeps prepared per physical connection (its <c>Max Auto Prepare</c>,
    /// which this overrides); a statement is prepared on its fifth use (<c>Auto Prepare Min Usages</c>,
    /// from the connection string). The catalog runs about 60 distinct statements. 0 turns
    /// preparation off. Default 128.
    /// </summary>
    public int MaxAutoPrepare { get; set; } = 128;

    /// <summary>
    /// Whether concurrent point lookups (an object's current version, a bucket) and creates of new
    /// keys with inline bodies run as one statement per batch instead of one each: each statement
    /// is a round trip that wakes a server backend, and at many connections those round trips bound
    /// the rate of small requests (docs/benchmarks.md, "Catalog providers and nodes"). A lone
    /// request runs at once, as before. Default true.
    /// </summary>
    public bool CoalesceLookupsAndCreates { get; set; } = true;
}
