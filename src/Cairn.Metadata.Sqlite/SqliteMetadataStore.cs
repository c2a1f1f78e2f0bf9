using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Cairn.Metadata.Sqlite;

/// <summary>
/// The embedded catalog: <see cref="SqlMetadataStore"/> over one SQLite database in WAL mode.
/// Readers use pooled connections; all writes go through one writer connection, one transaction
/// at a time (an async lock plus <c>BEGIN IMMEDIATE</c>, so another process sharing the file
/// waits on the busy timeout instead of failing mid-transaction). Concurrent writes share those
/// transactions by group commit (see <see cref="SqlMetadataStore"/>).
/// </summary>
/// <remarks>
/// Durability (DESIGN invariant 1): <c>synchronous=FULL</c> fsyncs the WAL at every commit, so a
/// committed transaction survives power loss, not only a process crash. Group commit keeps that:
/// a write is answered only after the COMMIT of the transaction that carried it.
/// </remarks>
public sealed class SqliteMetadataStore : SqlMetadataStore
{
    private static readonly IReadOnlyList<SqlMigration> s_migrations =
        SqlMigration.FromEmbeddedResources(typeof(SqliteMetadataStore).Assembly);

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly TimeSpan _checkpointInterval;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private WalCheckpointer? _checkpointer;
    private bool _disposed;

    static SqliteMetadataStore()
    {
        SQLitePCL.Batteries_V2.Init();
    }

    /// <summary>Creates the store; no I/O happens until the first call (normally <see cref="SqlMetadataStore.MigrateAsync"/>).</summary>
    /// <exception cref="ArgumentException"><see cref="SqliteMetadataOptions.DatabasePath"/> is empty.</exception>
    public SqliteMetadataStore(SqliteMetadataOptions options)
        : base(groupCommit: true)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("SqliteMetadataOptions.DatabasePath is required.", nameof(options));
        }
        var inMemory = options.DatabasePath == SqliteMetadataOptions.InMemory;
        _busyTimeoutMs = (int)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
        // An in-memory database has no WAL to checkpoint.
        _checkpointInterval = inMemory ? TimeSpan.Zero : options.CheckpointInterval;
        _connectionString = new SqliteConnectionStringBuilder
        {
            // A shared-cache in-memory database lives while one connection to it is open: the
            // writer connection, held for the store's life. The unique name keeps stores apart.
            DataSource = inMemory ? "cairn-" + Guid.NewGuid().ToString("N") : options.DatabasePath,
            Mode = inMemory ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Cache = inMemory ? SqliteCacheMode.Shared : SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
        if (options.CoalesceLookupsAndCreates)
        {
            CoalesceLookupsAndCreates();
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<SqlMigration> Migrations => s_migrations;

    /// <inheritdoc />
    /// <remarks>julianday('now') has millisecond precision on every SQLite version (unixepoch needs 3.38).</remarks>
    protected override string DatabaseTimeSql => "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)";

    /// <inheritdoc />
    /// <summary>
    /// A deferred transaction: in WAL mode its first SELECT takes a read snapshot, and it never takes
    /// the write lock (SQLite's default, IMMEDIATE, would queue behind the writer).
    /// </summary>
    protected override ValueTask<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    protected override async ValueTask<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            SetBusyTimeout(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer ??= await OpenWriterAsync(cancellationToken);
            if (_checkpointer?.TakeFinishRequest() == true)
            {
                // Copies what the writer appended while the checkpointer ran, so that the transaction
                // begun next restarts the WAL. A busy result (the checkpointer's next round has begun)
                // only defers that to the round after.
                WalCheckpointer.Checkpoint(_writer);
            }
            // deferred: false issues BEGIN IMMEDIATE: the write lock is taken now, not at the first
            // write, so a transaction never fails halfway on a lock upgrade.
            return _writer.BeginTransaction(deferred: false);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask EndWriteAsync(DbTransaction transaction)
    {
        try
        {
            await transaction.DisposeAsync();
            _checkpointer?.NoteCommit();
        }
        catch
        {
            // A failed rollback can leave the connection inside a transaction; start afresh.
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the writer and clears this database's pooled connections (releasing the file).</summary>
    protected override async ValueTask DisposeProviderAsync()
    {
        await _writeLock.WaitAsync(CancellationToken.None);
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _checkpointer?.Dispose();
            _checkpointer = null;
            if (_writer is not null)
            {
                SqliteConnection.ClearPool(_writer);
                await _writer.DisposeAsync();
                _writer = null;
            }
            else
            {
                await using var connection = new SqliteConnection(_connectionString);
                SqliteConnection.ClearPool(connection);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Checkpoints the checkpointer thread has completed (tests); 0 without one.</summary>
    internal long CheckpointsRun => _checkpointer?.Checkpoints ?? 0;

    /// <summary>Reads a PRAGMA on the writer connection, where the durability settings live (tests).</summary>
    internal async ValueTask<object?> ReadWriterPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        var transaction = await BeginWriteAsync(cancellationToken);
        try
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "PRAGMA " + pragma;
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            await EndWriteAsync(transaction);
        }
    }

    /// <summary>Reads a PRAGMA on a pooled reader connection (tests).</summary>
    internal async ValueTask<object?> ReadReaderPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite's own busy timeout on <paramref name="connection"/>: what <c>PRAGMA busy_timeout</c> sets,
    /// through the C function the PRAGMA calls, so a pooled reader pays no statement per open.
    /// </summary>
    /// <remarks>
    /// Every connection needs it, readers too: without it a statement that meets a lock fails at once
    /// and only Microsoft.Data.Sqlite's coarser retry loop (up to the command timeout) waits. With it
    /// SQLite retries after 1, 2, 5, ... 100 ms; the bundled e_sqlite3 (SQLite 3.53) is built with
    /// <c>HAVE_USLEEP</c>, so those sleeps are as short as asked (SQLitePCLRaw 2.0.6's build slept
    /// whole seconds, which once needed a hand-made busy handler).
    /// </remarks>
    private void SetBusyTimeout(SqliteConnection connection)
    {
        var rc = SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, _busyTimeoutMs);
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"sqlite3_busy_timeout failed with code {rc}.");
        }
    }

    private async ValueTask<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // journal_mode is stored in the file (readers inherit it); the others are per connection.
            SetBusyTimeout(connection);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;" +
                (_checkpointInterval > TimeSpan.Zero ? " PRAGMA wal_autocheckpoint = 0;" : "");
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            // Once the file is in WAL mode: the checkpointer's connection opens it as such.
            if (_checkpointInterval > TimeSpan.Zero)
            {
                _checkpointer ??= new WalCheckpointer(_connectionString, _busyTimeoutMs, _checkpointInterval);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
