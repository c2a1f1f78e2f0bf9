using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cairn.Metadata.Sqlite;

/// <summary>
/// Copies the WAL's pages back into the database file on a thread of its own, so the writer does not.
/// </summary>
/// <remarks>
/// <para>SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past 1,000 pages, on
/// the committing connection: with group commit that is the one writer every PUT waits for, and a
/// checkpoint reads each page back from the WAL, writes it into the database and fsyncs it, about as
/// much work again as the commits that wrote them. So the writer's automatic checkpoint is off, and
/// this thread runs a PASSIVE checkpoint (it never waits for, nor blocks, readers or the writer) at
/// most every <see cref="Interval"/>, once a commit has happened since the last one.</para>
/// <para>A checkpoint that runs beside the writer can never catch up with it under steady load: the
/// writer appends while it copies. SQLite restarts the WAL from its beginning (so it stops growing)
/// only when a write transaction begins on a WAL copied in full. So after each checkpoint here the
/// writer is asked to finish the job: before its next transaction it runs one more PASSIVE
/// checkpoint itself, which copies only what was appended meanwhile, and the transaction that
/// follows restarts the WAL (see <see cref="TakeFinishRequest"/>).</para>
/// <para>Durability is unchanged: a commit is durable once its WAL frames are fsynced
/// (<c>synchronous=FULL</c>), whoever copies them later; a crash mid-checkpoint is SQLite's ordinary
/// recovery. Guarded by SqliteWalCheckpointerTests.</para>
/// </remarks>
internal sealed class WalCheckpointer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _committed = new(0, 1);
    private int _signalled;
    private int _finishRequested;
    private volatile bool _stopping;
    private long _checkpoints;
    private long _failures;

    /// <param name="connectionString">The database's connection string (a connection of its own is opened).</param>
    /// <param name="busyTimeoutMs">SQLite's busy timeout on that connection.</param>
    /// <param name="interval">The least time between two checkpoints.</param>
    public WalCheckpointer(string connectionString, int busyTimeoutMs, TimeSpan interval)
    {
        Interval = interval;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        var rc = raw.sqlite3_busy_timeout(_connection.Handle, busyTimeoutMs);
        if (rc != raw.SQLITE_OK)
        {
            _connection.Dispose();
            throw new InvalidOperationException($"sqlite3_busy_timeout failed with code {rc}.");
        }
        // A connection knows the file is in WAL mode (and can checkpoint it) once it has read it.
        using (var mode = _connection.CreateCommand())
        {
            mode.CommandText = "PRAGMA journal_mode";
            if (mode.ExecuteScalar() is not string journalMode || !journalMode.Equals("wal", StringComparison.OrdinalIgnoreCase))
            {
                _connection.Dispose();
                throw new InvalidOperationException("The database is not in WAL mode.");
            }
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "Cairn WAL checkpoint" };
        _thread.UnsafeStart();
    }

    /// <summary>The least time between two checkpoints.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Checkpoints run so far (tests).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Checkpoints that failed (another would follow the next commit).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Called by the writer after a write transaction ends: at most one wake-up per checkpoint.</summary>
    public void NoteCommit()
    {
        if (Volatile.Read(ref _signalled) == 0 && Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _committed.Release();
        }
    }

    /// <summary>
    /// True once after each checkpoint here: the writer then checkpoints what was appended meanwhile,
    /// before it begins its next transaction (<see cref="Checkpoint"/> on its own connection).
    /// </summary>
    public bool TakeFinishRequest() =>
        Volatile.Read(ref _finishRequested) == 1 && Interlocked.Exchange(ref _finishRequested, 0) == 1;

    /// <summary>A PASSIVE checkpoint on <paramref name="connection"/>; SQLite's result code.</summary>
    public static int Checkpoint(SqliteConnection connection) =>
        raw.sqlite3_wal_checkpoint_v2(connection.Handle, null, raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);

    private void Run()
    {
        var lastStart = long.MinValue;
        while (true)
        {
            _committed.Wait();
            if (_stopping)
            {
                return;
            }
            if (lastStart != long.MinValue)
            {
                var wait = Interval - Stopwatch.GetElapsedTime(lastStart);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }
            }
            // Commits from here on wake the next round.
            Volatile.Write(ref _signalled, 0);
            if (_stopping)
            {
                return;
            }
            lastStart = Stopwatch.GetTimestamp();
            var rc = Checkpoint(_connection);
            if (rc == raw.SQLITE_OK)
            {
                Interlocked.Increment(ref _checkpoints);
                Volatile.Write(ref _finishRequested, 1);
            }
            else
            {
                // SQLITE_BUSY when another checkpoint (the writer's) holds the checkpoint lock; anything
                // else is kept count of. The next commit brings another try either way.
                Interlocked.Increment(ref _failures);
            }
        }
    }

    /// <summary>Stops the thread (a checkpoint under way finishes first) and closes the connection.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        try
        {
            _committed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is pending already; the thread sees _stopping when it takes it.
        }
        _thread.Join();
        _connection.Dispose();
        _committed.Dispose();
    }
}
