using System.Data;
using System.Data.Common;
using Npgsql;

namespace Cairn.Metadata.Postgres;

/// <summary>
/// The shared catalog: <see cref="SqlMetadataStore"/> over one PostgreSQL database that several
/// Cairn nodes may use at once. All connections come from one <see cref="NpgsqlDataSource"/> (one
/// pool). Every write runs in its own SERIALIZABLE transaction, concurrently with the others (at most
/// <see cref="PostgresMetadataOptions.MaxConcurrentWrites"/> per store), and is run again when
/// PostgreSQL aborts it as a serialization failure, a deadlock or a lock wait past
/// <see cref="PostgresMetadataOptions.LockTimeout"/>: the shared code reads, decides and writes
/// (preconditions, refcounts), and SERIALIZABLE makes that as safe as running the writes one at a
/// time, across nodes.
/// </summary>
/// <remarks>
/// <para>Durability (DESIGN invariant 1) is the server's: a COMMIT returns once its WAL is flushed
/// (<c>synchronous_commit = on</c>, PostgreSQL's default, with <c>fsync</c> on).</para>
/// <para>Statements are prepared by Npgsql's auto-prepare, per physical connection, and stay
/// prepared while the connection is in the pool; so the store does not keep read connections of
/// its own (<see cref="KeepReadConnections"/>).</para>
/// </remarks>
public sealed class PostgresMetadataStore : SqlMetadataStore
{
    /// <summary>
    /// Key of the advisory lock that serializes migrations (per database): ASCII "CairnMig".
    /// </summary>
    private const long MigrationLockKey = 0x436169726E4D6967;

    private static readonly IReadOnlyList<SqlMigration> s_migrations =
        SqlMigration.FromEmbeddedResources(typeof(PostgresMetadataStore).Assembly);

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxWriteAttempts;
    private readonly SemaphoreSlim _writeSlots;

    /// <summary>Creates the store and its connection pool; no I/O happens until the first call (normally <see cref="SqlMetadataStore.MigrateAsync"/>).</summary>
    /// <exception cref="ArgumentException"><see cref="PostgresMetadataOptions.ConnectionString"/> is empty, or a number is out of range.</exception>
    public PostgresMetadataStore(PostgresMetadataOptions options)
        : base(groupCommit: false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("PostgresMetadataOptions.ConnectionString is required.", nameof(options));
        }
        if (options.MaxWriteAttempts < 1)
        {
            throw new ArgumentException("PostgresMetadataOptions.MaxWriteAttempts must be at least 1.", nameof(options));
        }
        if (options.MaxConcurrentWrites < 1)
        {
            throw new ArgumentException("PostgresMetadataOptions.MaxConcurrentWrites must be at least 1.", nameof(options));
        }
        if (options.LockTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("PostgresMetadataOptions.LockTimeout must not be negative.", nameof(options));
        }
        if (options.MaxAutoPrepare < 0)
        {
            throw new ArgumentException("PostgresMetadataOptions.MaxAutoPrepare must not be negative.", nameof(options));
        }
        _maxWriteAttempts = options.MaxWriteAttempts;
        _writeSlots = new SemaphoreSlim(options.MaxConcurrentWrites, options.MaxConcurrentWrites);
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.MaxAutoPrepare = options.MaxAutoPrepare;
        // Writes are transactions of their own; an ambient System.Transactions scope must not capture them.
        settings.Enlist = false;
        // No session state to reset when a connection goes back to the pool: the store sets none
        // outside a transaction (lock_timeout comes with the startup packet; the migration's SET
        // TRANSACTION / SET LOCAL and its advisory lock end with the transaction; no LISTEN, no temp
        // tables, no cursors). With prepared statements Npgsql's reset is seven statements (RESET ALL,
        // CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(), ...) that the server runs on the next use
        // of the connection, i.e. on every lookup: measured on 4 KiB GETs at c64, about 40 % of
        // PostgreSQL's CPU per GET.
        settings.NoResetOnClose = true;
        settings.ApplicationName ??= "cairn";
        // Session settings go in the startup packet: no round trip per transaction.
        var lockTimeoutMs = (long)Math.Ceiling(options.LockTimeout.TotalMilliseconds);
        _restoreLockTimeoutSql = "SET lock_timeout = " + lockTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _journalTurnSql = "SET LOCAL lock_timeout = 0; SELECT pg_advisory_xact_lock(k) FROM unnest(@turnKeys) WITH ORDINALITY AS t(k, i) ORDER BY i; " +
            "SET LOCAL lock_timeout = " + lockTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture) + "; ";
        settings.Options = (settings.Options + " -c lock_timeout=" + lockTimeoutMs).Trim();
        _dataSource = builder.Build();
        if (options.CoalesceLookupsAndCreates)
        {
            CoalesceLookupsAndCreates();
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<SqlMigration> Migrations => s_migrations;

    /// <inheritdoc />
    protected override int MaxWriteAttempts => _maxWriteAttempts;

    /// <summary>
    /// On: under SERIALIZABLE, reading an absent key takes a predicate lock on the index page where it
    /// would go, and concurrent PUTs of neighbouring new keys (k0001, k0002, ...) all insert into that
    /// page, so each read conflicts with the others' inserts and most commits were aborted and run
    /// again (measured: 1 to 5 retries per 4 KiB PUT at c64). An insert of a new key reads nothing.
    /// </summary>
    protected override bool InsertNewKeysFirst => true;

    /// <summary>
    /// The pool already gives what kept connections would: a statement auto-prepared on a physical
    /// connection stays prepared when the connection goes back to the pool (the store turns Npgsql's
    /// reset off, and even that reset keeps prepared statements). Keeping connections out of the pool would only hold
    /// server backends (a process each) per node.
    /// </summary>
    protected override bool KeepReadConnections => false;

    /// <inheritdoc />
    /// <remarks>clock_timestamp(), not now(): now() is the transaction's start, and a write waits and retries.</remarks>
    protected override string DatabaseTimeSql => "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)";

    /// <summary>
    /// Nodes starting at once migrate one at a time: a transaction-scoped advisory lock, held until
    /// the migration commits. The migration transaction is switched to READ COMMITTED first (allowed
    /// before its first query), because a SERIALIZABLE one takes its snapshot when the lock statement
    /// starts, before it waits, and would not see the migration it waited for; READ COMMITTED takes a
    /// fresh snapshot per statement. Concurrent DDL needs no more isolation than the lock gives it.
    /// The migration waits for the lock, and its DDL for its table locks, as long as it takes
    /// (no <see cref="PostgresMetadataOptions.LockTimeout"/>).
    /// </summary>
    protected override string? MigrationLockSql =>
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = 0; SELECT pg_advisory_xact_lock(" + MigrationLockKey + ")";

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken) =>
        BeginJournaledWriteAsync([], cancellationToken);

    /// <summary>
    /// Takes a session advisory lock per bucket (in one order, so two writers never wait for each
    /// other's), then begins the transaction. Its snapshot is taken by its first statement, after the
    /// locks: it sees the commit of the bucket's previous journal writer, so the update of the
    /// journal head never aborts it. The locks are released by <see cref="EndWriteAsync"/>, after
    /// the transaction has ended. (Without them, SERIALIZABLE would still keep the journal's numbers
    /// gap-free and in commit order, by aborting all but one of the writers that update the head at once.)
    /// With no buckets it is <see cref="BeginWriteAsync"/>: a write slot, a connection, a SERIALIZABLE transaction.
    /// </summary>
    protected override ValueTask<DbTransaction> BeginJournaledWriteAsync(IReadOnlyCollection<string> journaledBuckets,
        CancellationToken cancellationToken) =>
        BeginAsync(journaledBuckets, IsolationLevel.Serializable, cancellationToken);

    /// <summary>
    /// A write slot, a connection, the session journal locks of <paramref name="journaledBuckets"/>
    /// (none for an empty list), then a transaction at <paramref name="isolation"/>; on failure, all
    /// of it given back.
    /// </summary>
    private async ValueTask<DbTransaction> BeginAsync(IReadOnlyCollection<string> journaledBuckets, IsolationLevel isolation,
        CancellationToken cancellationToken)
    {
        await _writeSlots.WaitAsync(cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            if (journaledBuckets.Count > 0)
            {
                await TakeJournalLocksAsync(connection, journaledBuckets, cancellationToken);
            }
            return await connection.BeginTransactionAsync(isolation, cancellationToken);
        }
        catch
        {
            if (connection is not null)
            {
                await ReleaseJournalLocksAsync(connection);
                await connection.DisposeAsync();
            }
            _writeSlots.Release();
            throw;
        }
    }

    /// <summary>
    /// The coalesced create: READ COMMITTED, with the journal turn taken after its inserts, as a
    /// transaction-scoped advisory lock on the same key as <see cref="BeginJournaledWriteAsync"/>'s
    /// session lock (<see cref="JournalTurnStatements"/>), so every writer of a bucket's journal still
    /// takes turns. A SERIALIZABLE transaction could not take its turn inside itself (its snapshot
    /// would predate the wait); a READ COMMITTED one reads with a fresh snapshot per statement, so the
    /// append after the lock sees the previous holder's commit. The work inserts only keys that do not
    /// exist (ON CONFLICT DO NOTHING, which the unique index decides whatever the isolation), so the
    /// inserts of two batches of one bucket run at once and only the appends and commits take turns;
    /// the lock rides in the append's command, and so does the COMMIT that ends it
    /// (<see cref="JournalTurnStatements"/>: no unlock round trip, no commit round trip).
    /// Before, a session lock was held over insert, head, entries, commit and unlock (five round
    /// trips); 4 KiB PUTs at c64 ran 1.05-1.21x, then 1.04-1.09x more, in A/B runs of the steps
    /// (docs/benchmarks.md, "Catalog providers and nodes"). One wait cycle
    /// is possible: a SERIALIZABLE writer holding its bucket's session lock waits for a key this
    /// batch inserted, while the batch waits for the lock; PostgreSQL breaks it (40P01 after
    /// <c>deadlock_timeout</c>) and the write aborted runs again.
    /// </summary>
    protected override ValueTask<DbTransaction> BeginInsertOnlyWriteAsync(IReadOnlyCollection<string> journaledBuckets,
        CancellationToken cancellationToken) =>
        BeginAsync([], IsolationLevel.ReadCommitted, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Waited for without the lock timeout, as the session lock is (see TakeJournalLocksAsync). The
    /// work commits in its last append's command: Npgsql sees the transaction end in the server's
    /// ReadyForQuery after the COMMIT and marks its transaction object completed, so the disposal
    /// that follows sends nothing.
    /// </remarks>
    protected override JournalTurn? JournalTurnStatements(IReadOnlyCollection<string> journaledBuckets) =>
        new(_journalTurnSql, "@turnKeys", JournalLockKeys(journaledBuckets), CommitsWithLastAppend: true);

    /// <summary>The journal lock keys of <paramref name="buckets"/>, each once, in the one order every writer takes them.</summary>
    private static long[] JournalLockKeys(IReadOnlyCollection<string> buckets) => buckets.Select(JournalLockKey).Distinct().Order().ToArray();

    private async ValueTask TakeJournalLocksAsync(NpgsqlConnection connection, IReadOnlyCollection<string> journaledBuckets,
        CancellationToken cancellationToken)
    {
        var keys = JournalLockKeys(journaledBuckets);
        // Registered first: whatever happens next, EndWriteAsync (or BeginJournaledWriteAsync's catch)
        // releases the locks and restores the lock timeout.
        _journalLocked.TryAdd(connection, 0);
        await using var take = connection.CreateCommand();
        // Waited for without the lock timeout: a writer waiting here holds no other lock, so it
        // cannot be part of a deadlock, and a hot bucket's writers only take turns.
        take.CommandText = "SET lock_timeout = 0; SELECT pg_advisory_lock(k) FROM unnest(@keys) WITH ORDINALITY AS t(k, i) ORDER BY i; " +
            _restoreLockTimeoutSql;
        take.Parameters.AddWithValue("keys", keys);
        await take.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Restores the session's lock timeout (<see cref="PostgresMetadataOptions.LockTimeout"/>).</summary>
    private readonly string _restoreLockTimeoutSql;

    /// <summary>
    /// Takes the journal locks of <c>@turnKeys</c> as transaction locks, waited for without the lock
    /// timeout, then sets the timeout back (<see cref="PostgresMetadataOptions.LockTimeout"/>) for
    /// the rest of the transaction.
    /// </summary>
    private readonly string _journalTurnSql;

    /// <summary>Connections that hold journal locks, released when their write ends.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<NpgsqlConnection, byte> _journalLocked = new();

    /// <summary>The advisory lock key of a bucket's journal: 64 bits of SHA-256 over a prefix and the name.</summary>
    private static long JournalLockKey(string bucket) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("cairn journal " + bucket)));

    /// <summary>
    /// Releases the journal locks a connection holds, before it goes back to the pool. A connection
    /// that cannot run the unlock is broken, and its session (with the locks) ends with it.
    /// </summary>
    private async ValueTask ReleaseJournalLocksAsync(NpgsqlConnection connection)
    {
        if (!_journalLocked.TryRemove(connection, out _))
        {
            return;
        }
        try
        {
            await using var release = connection.CreateCommand();
            release.CommandText = _restoreLockTimeoutSql + "; SELECT pg_advisory_unlock_all()";
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask EndWriteAsync(DbTransaction transaction)
    {
        // Disposing the transaction clears its Connection; take it first.
        var connection = transaction.Connection;
        try
        {
            await transaction.DisposeAsync();
        }
        finally
        {
            try
            {
                if (connection is NpgsqlConnection npgsql)
                {
                    await ReleaseJournalLocksAsync(npgsql);
                }
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
            finally
            {
                _writeSlots.Release();
            }
        }
    }

    /// <summary>
    /// SQLSTATE 40001 (serialization_failure: SERIALIZABLE found the transaction could not be ordered
    /// with the concurrent ones, also raised by a concurrent update of the same row), 40P01
    /// (deadlock_detected: two writes locked rows in opposite orders), 55P03 (lock_not_available: a
    /// wait passed <see cref="PostgresMetadataOptions.LockTimeout"/>) and 57014 (query_canceled).
    /// The last is how PostgreSQL 15 reports a lock timeout that fires as a row lock is granted and
    /// the next wait (for the row's updater to finish) begins: the second wait clears the timeout's
    /// mark, and the pending cancel reads as "due to user request". The caller's own cancellation
    /// never gets here (Npgsql throws <see cref="OperationCanceledException"/> for it); a
    /// <c>statement_timeout</c> set on the server also gives 57014 and is retried, within
    /// <see cref="PostgresMetadataOptions.MaxWriteAttempts"/>. And 23503 (foreign_key_violation):
    /// every write that inserts a row naming a bucket found the bucket in the same transaction, so
    /// the bucket was deleted in between; SERIALIZABLE reports that as 40001, the READ COMMITTED
    /// coalesced create (<see cref="BeginInsertOnlyWriteAsync"/>) as 23503. Each of these aborts the
    /// transaction before anything is committed, so running the write again is safe, and it reads
    /// anew (here: no bucket).
    /// </summary>
    protected override bool IsTransientConflict(DbException exception) =>
        exception is PostgresException
        {
            SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.ForeignKeyViolation,
        };

    /// <summary>Runs a query in a write transaction, begun as every write's is; returns its first value (tests).</summary>
    internal async ValueTask<object?> ReadInWriteTransactionAsync(string sql, CancellationToken cancellationToken)
    {
        var transaction = await BeginWriteAsync(cancellationToken);
        try
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            await EndWriteAsync(transaction);
        }
    }

    /// <summary>Closes the pool: its idle connections close now, the ones in use when they are returned.</summary>
    protected override ValueTask DisposeProviderAsync() => _dataSource.DisposeAsync();
}
