using System.Data.Common;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Cairn.Metadata;

// Group commit. With one writer (SQLite), every write transaction pays its own COMMIT, and with
// synchronous=FULL that is one fsync of the WAL per write: the fsync, not the SQL, bounds the write
// rate. So concurrent writes are queued, and one loop runs all that are waiting (up to
// MaxWritesPerGroup) in ONE transaction with ONE commit:
//
// 1. Each write runs in its own SAVEPOINT, one after another on the one connection, so each sees the
//    writes before it: exactly what the same writes would see if run serially. A write that asks not
//    to commit (a failed precondition) or throws is rolled back to its savepoint, which undoes its
//    writes and nobody else's.
// 2. Then one COMMIT, and only after it returns is any write's caller answered (DESIGN invariant 1:
//    a 2xx only after the change is durable).
// 3. If anything ends the transaction early (BEGIN, a savepoint that cannot be rolled back, the
//    COMMIT), every write of the group fails: none was answered yet, and even a write that changed
//    nothing may have decided on the uncommitted writes before it.
//
// No timer: the loop starts a group as soon as one write waits, so an idle store adds no latency;
// the writes that arrive while a COMMIT is fsyncing form the next group.
// Guarded by SqliteMetadataStoreTests.GroupCommit.cs and the Durability crash tests.
public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// The most writes one group carries. Bounds how long a group holds the write lock and how much one
    /// failed COMMIT takes down; at a few tens of microseconds per write it is still far from the fsync.
    /// </summary>
    private const int MaxWritesPerGroup = 256;

    /// <summary>One name serves every write: each savepoint is released before the next is made.</summary>
    private const string SaveSql = "SAVEPOINT cairn_write";

    private const string RollbackSql = "ROLLBACK TO SAVEPOINT cairn_write";

    private const string ReleaseSql = "RELEASE SAVEPOINT cairn_write";

    /// <summary>Writes waiting for the next group; null when the provider runs writes alone.</summary>
    private readonly Channel<PendingWrite>? _pendingWrites;

    private readonly Task? _groupCommitLoop;

    /// <summary>The writer connection's prepared commands; replaced when the provider hands out another connection.</summary>
    private PreparedCommandCache? _writerCommands;

    /// <summary>
    /// Test fault hook: runs in the group's transaction after its last write and before the COMMIT
    /// (to hold a group open while others queue, or to make the COMMIT fail).
    /// </summary>
    internal Func<DbTransaction, ValueTask>? BeforeGroupCommitHook { get; set; }

    private async ValueTask<TResult> WriteInGroupAsync<TState, TResult>(WriteWork<TState, TResult> work, TState state,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<TState, TResult>(work, state);
        // Cancelling drops a write only while it waits; once its group has started it runs to the end
        // (see RunAsync), so a cancelled caller never gets an error for a write that was committed.
        await using var registration = write.CancelWhileQueued(cancellationToken);
        if (!_pendingWrites!.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(GetType().FullName);
        }
        return await write.Completion;
    }

    /// <summary>
    /// Starts the loop on a thread of its own. SQLite's calls block (the COMMIT's fsync among them), and a
    /// pool thread blocked that long makes the pool add threads, which then compete for the cores with
    /// the loop that everything waits on; and a loop that parks in the pool's queue between groups waits
    /// behind every request queued there. The returned task completes when the loop ends.
    /// </summary>
    private Task StartGroupCommitThread()
    {
        var loopEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunGroupCommitLoop();
                loopEnded.SetResult();
            }
            catch (Exception exception)
            {
                loopEnded.SetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "Cairn group commit",
        };
        // Nothing of the constructing caller's context (its activity, its async locals) belongs to the loop.
        thread.UnsafeStart();
        return loopEnded.Task;
    }

    private void RunGroupCommitLoop()
    {
        var reader = _pendingWrites!.Reader;
        var group = new List<PendingWrite>(MaxWritesPerGroup);
        while (WaitSynchronously(reader.WaitToReadAsync(CancellationToken.None)))
        {
            while (group.Count < MaxWritesPerGroup && reader.TryRead(out var write))
            {
                if (write.TryStart())
                {
                    group.Add(write);
                }
            }
            if (group.Count > 0)
            {
                // With SQLite every await in a group completes synchronously, so the group runs on this
                // thread; should one not, its continuation runs on the pool while this thread waits.
                CommitGroupAsync(group).GetAwaiter().GetResult();
                group.Clear();
            }
        }
    }

    private static bool WaitSynchronously(ValueTask<bool> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>Runs the group in one transaction and answers every write in it. Never throws: the loop must live on.</summary>
    private async Task CommitGroupAsync(List<PendingWrite> group)
    {
        Exception? groupFailure = null;
        DbTransaction? transaction = null;
        var metrics = Metrics;
        var begun = Stopwatch.GetTimestamp();
        try
        {
            transaction = await BeginWriteAsync(CancellationToken.None);
            var writeTransaction = new WriteTransaction(transaction, WriterCommandsFor(transaction), JournalRecords);
            foreach (var write in group)
            {
                await RunInSavepointAsync(writeTransaction, write);
            }
            if (BeforeGroupCommitHook is { } hook)
            {
                await hook(transaction);
            }
            await transaction.CommitAsync(CancellationToken.None);
            Interlocked.Increment(ref _writeTransactionsCommitted);
            if (metrics is not null)
            {
                metrics.TransactionCommitted(begun);
                metrics.GroupCommitted(group.Count);
            }
        }
        catch (Exception exception)
        {
            groupFailure = exception;
        }
        finally
        {
            if (transaction is not null)
            {
                try
                {
                    await EndWriteAsync(transaction);
                }
                catch (Exception)
                {
                    // Either the group failed already (its first error is the one its writes report),
                    // or only the cleanup after a COMMIT that returned failed: then the group is durable
                    // and is answered as such. (SQLite then opens a fresh writer for the next group.)
                }
            }
        }
        foreach (var write in group)
        {
            if (groupFailure is null)
            {
                if (write.Failure is null)
                {
                    metrics?.WriteAnswered(write.QueuedAt);
                }
                write.Acknowledge();
            }
            else
            {
                write.Fail(groupFailure);
            }
        }
    }

    /// <summary>
    /// Runs one write between SAVEPOINT and RELEASE; a write that asks not to commit or throws is first
    /// rolled back to its savepoint. Throws only when the transaction itself is broken.
    /// </summary>
    private static async ValueTask RunInSavepointAsync(WriteTransaction writeTransaction, PendingWrite write)
    {
        await ExecuteAsync(writeTransaction, SaveSql);
        if (!await write.RunAsync(writeTransaction))
        {
            try
            {
                await ExecuteAsync(writeTransaction, RollbackSql);
            }
            catch (DbException) when (write.Failure is { } cause)
            {
                // SQLite rolls back the whole transaction by itself after some errors (SQLITE_FULL,
                // SQLITE_IOERR, an interrupt), and the savepoint is gone with it. The writes before
                // this one were lost too, so the group fails, with the error that caused it.
                ExceptionDispatchInfo.Throw(cause);
            }
        }
        await ExecuteAsync(writeTransaction, ReleaseSql);

        // The statements are the provider's own (DbTransaction.Save and Release send the same text),
        // but kept prepared on the writer: otherwise each write of a group would prepare two.
        static async ValueTask ExecuteAsync(WriteTransaction writeTransaction, string sql)
        {
            await using var command = writeTransaction.CreateCommand(sql);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The prepared commands of the transaction's connection. The provider may open a new writer (after
    /// a failed rollback, SQLite does); the old commands died with the old connection.
    /// </summary>
    private PreparedCommandCache WriterCommandsFor(DbTransaction transaction)
    {
        var connection = transaction.Connection
            ?? throw new InvalidOperationException("The write transaction has no connection.");
        if (_writerCommands is null || !ReferenceEquals(_writerCommands.Connection, connection))
        {
            _writerCommands?.Dispose();
            _writerCommands = new PreparedCommandCache(connection);
        }
        return _writerCommands;
    }

    /// <summary>Refuses new writes, lets the loop finish every write already queued, and waits for it.</summary>
    private async ValueTask StopGroupCommitAsync()
    {
        if (_pendingWrites is null || _groupCommitLoop is null)
        {
            return;
        }
        _pendingWrites.Writer.TryComplete();
        await _groupCommitLoop;
        _writerCommands?.Dispose();
        _writerCommands = null;
    }

    /// <summary>A write waiting for, or running in, a group; the loop sees it without its type arguments.</summary>
    private abstract class PendingWrite
    {
        private const int Queued = 0;
        private const int Started = 1;
        private const int Cancelled = 2;

        private int _phase = Queued;

        /// <summary>When the caller asked (<see cref="Stopwatch.GetTimestamp"/>), for the write duration metric.</summary>
        public long QueuedAt { get; } = Stopwatch.GetTimestamp();

        /// <summary>The exception the work threw, if it did.</summary>
        public Exception? Failure { get; protected set; }

        /// <summary>Claims the write for a group; false when its caller cancelled first.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _phase, Started, Queued) == Queued;

        /// <summary>Claims the write for cancellation; false once a group has started it.</summary>
        protected bool TryCancel() => Interlocked.CompareExchange(ref _phase, Cancelled, Queued) == Queued;

        /// <summary>Runs the work; true when its changes are to be kept. Its result or exception is kept for later.</summary>
        public abstract ValueTask<bool> RunAsync(WriteTransaction transaction);

        /// <summary>The group committed: the caller gets the work's result or the work's own exception.</summary>
        public abstract void Acknowledge();

        /// <summary>The group did not commit: the caller gets <paramref name="groupFailure"/>.</summary>
        public abstract void Fail(Exception groupFailure);
    }

    private sealed class PendingWrite<TState, TResult>(WriteWork<TState, TResult> work, TState state) : PendingWrite
    {
        // Continuations run on the thread pool, not inline on the loop: a caller's code never delays
        // the next group.
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TResult? _result;

        public Task<TResult> Completion => _completion.Task;

        public CancellationTokenRegistration CancelWhileQueued(CancellationToken cancellationToken) =>
            cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var write = (PendingWrite<TState, TResult>)state!;
                if (write.TryCancel())
                {
                    write._completion.TrySetCanceled(token);
                }
            }, this);

        public override async ValueTask<bool> RunAsync(WriteTransaction transaction)
        {
            try
            {
                // Never the caller's token: cancelling a statement interrupts SQLite, which rolls back
                // the whole transaction, and with it every other write of the group.
                var (result, commit) = await work(transaction, state, CancellationToken.None);
                _result = result;
                return commit;
            }
            catch (Exception exception)
            {
                Failure = exception;
                return false;
            }
        }

        public override void Acknowledge()
        {
            if (Failure is { } failure)
            {
                _completion.TrySetException(failure);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception groupFailure) => _completion.TrySetException(groupFailure);
    }
}
