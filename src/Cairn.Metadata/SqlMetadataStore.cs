using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;

namespace Cairn.Metadata;

/// <summary>
/// The one implementation of every catalog role (see <see cref="MetadataCatalog"/>): plain ADO.NET over SQL that both SQLite
/// (3.35 and later) and PostgreSQL accept, so every provider runs the same statements ("one schema,
/// one code path"). A provider supplies only what differs: how connections are opened, how write
/// transactions are serialized, and its DDL as numbered migrations.
/// </summary>
/// <remarks>
/// <para>Storage conventions every provider's schema follows (see the SQLite <c>0001_Initial.sql</c>):
/// object keys and chunk addresses are binary columns (BLOB / bytea), so ORDER BY and range
/// comparisons on keys are byte order, which for UTF-8 is S3 order; times are unix milliseconds in
/// 64-bit integers; ids are text.</para>
/// <para>The provider surface: the constructor's <c>groupCommit</c> choice,
/// <see cref="OpenReadConnectionAsync"/>, <see cref="BeginWriteAsync"/> / <see cref="EndWriteAsync"/>,
/// <see cref="Migrations"/>, <see cref="DatabaseTimeSql"/>, <see cref="DisposeProviderAsync"/>, and optionally
/// <see cref="IsTransientConflict"/> with <see cref="MaxWriteAttempts"/>, <see cref="MigrationLockSql"/>
/// and <see cref="KeepReadConnections"/>.</para>
/// </remarks>
public abstract partial class SqlMetadataStore : ICatalogSchema, IBucketCatalog, IObjectCatalog, IChunkCatalog, IMultipartCatalog,
    IDeleteQueue, ILeaseStore, IBucketTreeCatalog, IPackCatalog, IBucketConfigurationCatalog, ILifecycleCatalog, IInventoryCatalog,
    IJournalArchiveCatalog, IIdentityCatalog, IAsyncDisposable
{
    /// <summary>The longest pause between two attempts of a write (see <see cref="WriteRetryDelay"/>).</summary>
    private const int MaxWriteRetryDelayMs = 250;

    private long _listingRowsRead;
    private int _disposed;
    private long _writeTransactionsCommitted;
    private long _writeConflictsRetried;

    /// <summary>
    /// Creates the shared store.
    /// </summary>
    /// <param name="groupCommit">True for a provider whose write transactions run one at a time anyway
    /// (SQLite's single writer): concurrent writes then share one transaction and one commit, each in
    /// its own savepoint (see <c>SqlMetadataStore.GroupCommit.cs</c>). False runs every write in its own
    /// transaction, retried on <see cref="IsTransientConflict"/> (providers with concurrent writers).</param>
    protected SqlMetadataStore(bool groupCommit)
    {
        if (groupCommit)
        {
            _pendingWrites = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
            _groupCommitLoop = StartGroupCommitThread();
        }
    }

    /// <summary>Rows the listing queries have read so far (the delimiter seek is judged by it).</summary>
    internal long ListingRowsRead => Interlocked.Read(ref _listingRowsRead);

    /// <summary>Write transactions committed so far; with group commit, fewer than the writes they carried.</summary>
    internal long WriteTransactionsCommitted => Interlocked.Read(ref _writeTransactionsCommitted);

    /// <summary>
    /// Where commit durations, group sizes and write retries are recorded; null (the default) records
    /// nothing. The composition root sets it once, before the first write.
    /// </summary>
    public MetadataMetrics? Metrics { get; set; }

    /// <summary>Writes run again after a transient conflict so far (providers with concurrent writers).</summary>
    internal long WriteConflictsRetried => Interlocked.Read(ref _writeConflictsRetried);

    /// <summary>The provider's migrations, ordered by version (see <see cref="SqlMigration.FromEmbeddedResources"/>).</summary>
    protected abstract IReadOnlyList<SqlMigration> Migrations { get; }

    /// <summary>
    /// Opens a connection for reading. The caller runs only SELECTs on it, outside any explicit
    /// transaction, and disposes it (which returns it to the provider's pool).
    /// </summary>
    protected abstract ValueTask<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction. Write transactions must behave as if they ran one at a time: the
    /// shared code reads a row, decides, then writes (preconditions, refcounts). SQLite: an async lock
    /// around one writer connection plus <c>BEGIN IMMEDIATE</c>. A provider that runs writers
    /// concurrently instead (PostgreSQL SERIALIZABLE) reports its serialization failures through
    /// <see cref="IsTransientConflict"/> so the write is retried. Under group commit the transaction
    /// carries a whole group of writes, each in a savepoint, so it must support savepoints.
    /// </summary>
    protected abstract ValueTask<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction that appends to the change journal of <paramref name="journaledBuckets"/>.
    /// The default is <see cref="BeginWriteAsync"/>: enough where write transactions run one at a
    /// time. A provider with concurrent writers makes the writers of one bucket take turns before
    /// their transactions begin (they all update the bucket's journal head, and would otherwise abort
    /// one another); <see cref="EndWriteAsync"/> ends the turn.
    /// </summary>
    protected virtual ValueTask<DbTransaction> BeginJournaledWriteAsync(IReadOnlyCollection<string> journaledBuckets,
        CancellationToken cancellationToken) =>
        BeginWriteAsync(cancellationToken);

    /// <summary>
    /// Begins a write transaction for work that inserts only rows that must not exist yet (each insert
    /// does nothing when its key does) and appends to the change journal of
    /// <paramref name="journaledBuckets"/>: the coalesced create. Such work decides nothing on what it
    /// reads, so a provider with concurrent writers may run it with less isolation than other writes,
    /// as long as the bucket's journal writers still take turns (such a provider begins without the
    /// turn and gives <see cref="JournalTurnStatements"/>, which the work runs before it appends). The
    /// default is <see cref="BeginJournaledWriteAsync"/>.
    /// </summary>
    protected virtual ValueTask<DbTransaction> BeginInsertOnlyWriteAsync(IReadOnlyCollection<string> journaledBuckets,
        CancellationToken cancellationToken) =>
        BeginJournaledWriteAsync(journaledBuckets, cancellationToken);

    /// <summary>
    /// Statements that take the journal turn of <paramref name="journaledBuckets"/> inside a
    /// transaction from <see cref="BeginInsertOnlyWriteAsync"/>, run in the same command as (just
    /// before) its first journal append, after its inserts; the turn ends with the transaction. The
    /// statements may use one parameter, <see cref="JournalTurn.ParameterName"/>, bound to
    /// <see cref="JournalTurn.Value"/>. Null by default: the default
    /// <see cref="BeginInsertOnlyWriteAsync"/> began with the turn. (So under group commit, where
    /// many works share one transaction, there is never a turn, nor a commit that rides with it.)
    /// </summary>
    protected virtual JournalTurn? JournalTurnStatements(IReadOnlyCollection<string> journaledBuckets) => null;

    /// <summary>SQL that takes a journal turn, and the one parameter it uses (see <see cref="JournalTurnStatements"/>).</summary>
    /// <param name="Sql">The statements, each ended by a semicolon; the append's follow them in the same command.</param>
    /// <param name="ParameterName">The one parameter the statements use.</param>
    /// <param name="Value">Its value.</param>
    /// <param name="CommitsWithLastAppend">
    /// Whether the work ends its transaction with a COMMIT in the command of its last journal append,
    /// instead of a COMMIT of its own afterwards: one round trip fewer, and the turn, taken in the
    /// command of the first append, is held only while the database runs the appends and the commit,
    /// never across a round trip to this process.
    /// </param>
    protected sealed record JournalTurn(string Sql, string ParameterName, object Value, bool CommitsWithLastAppend);

    /// <summary>
    /// Ends a transaction from <see cref="BeginWriteAsync"/>, <see cref="BeginJournaledWriteAsync"/> or
    /// <see cref="BeginInsertOnlyWriteAsync"/>, committed or not: disposes it (rolling
    /// back whatever was not committed) and releases what BeginWriteAsync took. Always called once.
    /// </summary>
    protected abstract ValueTask EndWriteAsync(DbTransaction transaction);

    /// <summary>
    /// An SQL expression for the database's current time in unix milliseconds (a 64-bit integer).
    /// Leases are timed by it, so that nodes whose clocks disagree still agree on expiry.
    /// </summary>
    protected abstract string DatabaseTimeSql { get; }

    /// <summary>True when a write failed only because it raced another writer and can be run again.</summary>
    protected virtual bool IsTransientConflict(DbException exception) => false;

    /// <summary>
    /// How many times a write runs before a transient conflict (<see cref="IsTransientConflict"/>) is
    /// given to its caller. Only writes that run alone (no group commit) are retried. The pauses
    /// between attempts grow to 250 ms (see <see cref="WriteRetryDelay"/>), so 30 attempts pause
    /// about 3 s in all (6 s at most): room for dozens of writers racing on the same rows, which
    /// get through one at a time.
    /// </summary>
    protected virtual int MaxWriteAttempts => 30;

    /// <summary>
    /// Journal Put entries carry the whole version placed (<see cref="JournalRecordFormat"/>), for
    /// journal archiving (issue 13): an archive of the entries alone then rebuilds every version.
    /// Off by default: a record repeats the row, inline body included.
    /// </summary>
    public bool JournalRecords { get; init; }

    /// <summary>
    /// SQL run first in the migration transaction, before it reads anything, so that stores starting
    /// at once against one database migrate one after another (each sees what the one before it
    /// committed). Null (the default): the provider's write transactions are serial already.
    /// </summary>
    protected virtual string? MigrationLockSql => null;

    /// <summary>
    /// Releases the provider's connections. Called once, from <see cref="DisposeAsync"/>, after every
    /// queued write has finished, so no write runs against a disposed provider.
    /// </summary>
    protected abstract ValueTask DisposeProviderAsync();

    /// <summary>
    /// Finishes the writes already queued, refuses new ones, closes the kept read connections, then
    /// releases the provider. Idempotent: a container that registered this store under several roles
    /// may dispose it once per role.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // Coalesced creates are writes: they finish before the group commit stops.
        await StopCoalescingAsync();
        await StopGroupCommitAsync();
        CloseReadConnections();
        await DisposeProviderAsync();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = Migrations;
        await WriteAsync(static async (transaction, state, cancellationToken) =>
        {
            var (migrations, lockSql) = state;
            if (lockSql is not null)
            {
                await using var take = transaction.CreateCommand(lockSql);
                await take.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var create = transaction.CreateCommand(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            // Every migration not recorded yet runs, not only those above the newest recorded: numbers
            // are handed out to work in progress, so one may land after a higher one already ran.
            var applied = new HashSet<long>();
            await using (var select = transaction.CreateCommand("SELECT version FROM schema_version"))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            var current = applied.Count == 0 ? 0 : applied.Max();
            var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
            if (current > latest)
            {
                throw new InvalidOperationException(
                    $"The database schema is at version {current}, newer than this build knows ({latest}). Refusing to run an older Cairn against it.");
            }
            foreach (var migration in migrations)
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }
                await using (var script = transaction.CreateCommand(migration.Script))
                {
                    await script.ExecuteNonQueryAsync(cancellationToken);
                }
                await using var record = transaction.CreateCommand(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @appliedAt)");
                record.Add("@version", DbType.Int64, (long)migration.Version);
                record.Add("@name", DbType.String, migration.Name);
                record.Add("@appliedAt", DbType.Int64, SqlParameters.ToUnixMs(DateTimeOffset.UtcNow));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            return (0, true);
        }, (migrations, MigrationLockSql), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<long> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT MAX(version) FROM schema_version");
        var version = await command.ExecuteScalarAsync(cancellationToken);
        return version is null or DBNull ? 0 : Convert.ToInt64(version, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The body of a write: its result, and whether to commit (false rolls back everything it wrote).
    /// It never commits or rolls back the transaction itself: under group commit the transaction
    /// carries other writes too.
    /// </summary>
    private delegate ValueTask<(TResult Result, bool Commit)> WriteWork<TState, TResult>(
        WriteTransaction transaction, TState state, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and returns its result once what it wrote
    /// is committed (or rolled back, when it asked not to commit or threw). Every public write goes
    /// through here: into a group commit when the provider chose one, else alone.
    /// </summary>
    /// <remarks><paramref name="journaledBuckets"/>: the buckets whose change journal the work appends
    /// to, if any (see <see cref="BeginJournaledWriteAsync"/>). <paramref name="insertOnly"/>: the work
    /// reads nothing it decides on and only inserts rows that do not exist yet (see
    /// <see cref="BeginInsertOnlyWriteAsync"/>).</remarks>
    private ValueTask<TResult> WriteAsync<TState, TResult>(WriteWork<TState, TResult> work, TState state,
        CancellationToken cancellationToken, IReadOnlyCollection<string>? journaledBuckets = null, bool insertOnly = false) =>
        _pendingWrites is null
            ? WriteAloneAsync(work, state, cancellationToken, journaledBuckets, insertOnly)
            : WriteInGroupAsync(work, state, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in its own write transaction, commits when it asks to, and runs it
    /// again on a transient conflict (providers with concurrent writers, e.g. PostgreSQL SERIALIZABLE).
    /// </summary>
    private async ValueTask<TResult> WriteAloneAsync<TState, TResult>(WriteWork<TState, TResult> work, TState state,
        CancellationToken cancellationToken, IReadOnlyCollection<string>? journaledBuckets, bool insertOnly)
    {
        var metrics = Metrics;
        var called = Stopwatch.GetTimestamp();
        var maxAttempts = Math.Max(1, MaxWriteAttempts);
        for (var attempt = 1; ; attempt++)
        {
            var begun = Stopwatch.GetTimestamp();
            DbTransaction transaction;
            try
            {
                transaction = insertOnly
                    ? await BeginInsertOnlyWriteAsync(journaledBuckets ?? [], cancellationToken)
                    : journaledBuckets is { Count: > 0 }
                        ? await BeginJournaledWriteAsync(journaledBuckets, cancellationToken)
                        : await BeginWriteAsync(cancellationToken);
            }
            catch (DbException exception) when (attempt < maxAttempts && IsTransientConflict(exception))
            {
                // A turn on a bucket's journal not given within the lock timeout: nothing began.
                Interlocked.Increment(ref _writeConflictsRetried);
                metrics?.WriteRetried();
                await Task.Delay(WriteRetryDelay(attempt), cancellationToken);
                continue;
            }
            try
            {
                var writeTransaction = new WriteTransaction(transaction, commands: null, JournalRecords);
                var (result, commit) = await work(writeTransaction, state, cancellationToken);
                if (commit)
                {
                    if (!writeTransaction.CommittedByWork)
                    {
                        await transaction.CommitAsync(cancellationToken);
                    }
                    Interlocked.Increment(ref _writeTransactionsCommitted);
                    metrics?.TransactionCommitted(begun);
                }
                metrics?.WriteAnswered(called);
                return result;
            }
            catch (DbException exception) when (attempt < maxAttempts && IsTransientConflict(exception))
            {
                // Nothing was committed (a conflict reported by COMMIT means the COMMIT did not
                // happen); the finally block rolls back, and after a pause the work runs again in a
                // fresh transaction, reading everything anew.
                Interlocked.Increment(ref _writeConflictsRetried);
                metrics?.WriteRetried();
            }
            finally
            {
                await EndWriteAsync(transaction);
            }
            await Task.Delay(WriteRetryDelay(attempt), cancellationToken);
        }
    }

    /// <summary>
    /// The pause after failed attempt <paramref name="attempt"/> (1-based): uniformly random below
    /// 2^(attempt-1) ms, at most <see cref="MaxWriteRetryDelayMs"/> ("full jitter"). The randomness
    /// spreads the writers that collided, so the next round has fewer conflicts; the first pauses
    /// are short, since most conflicts clear once the one winner has committed.
    /// </summary>
    internal static TimeSpan WriteRetryDelay(int attempt)
    {
        var ceilingMs = Math.Min(MaxWriteRetryDelayMs, 1 << Math.Clamp(attempt - 1, 0, 16));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceilingMs);
    }
}
