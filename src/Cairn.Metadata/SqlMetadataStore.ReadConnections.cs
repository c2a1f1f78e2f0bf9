using System.Collections.Concurrent;
using System.Data.Common;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <summary>Idle read connections kept beyond this many are closed (back to the provider's pool).</summary>
    private const int MaxIdleReadConnections = 16;

    private readonly ConcurrentBag<ReadConnection> _idleReadConnections = [];
    private int _idleReadConnectionCount;
    private volatile bool _readConnectionsClosed;

    /// <summary>
    /// Whether the hot lookups keep up to <see cref="MaxIdleReadConnections"/> read connections open,
    /// with their commands prepared (see <see cref="RentReadConnectionAsync"/>). A provider whose own
    /// pool keeps prepared statements with each physical connection (Npgsql's auto-prepare) turns it
    /// off: then every lookup opens a connection from the pool and disposes it after.
    /// </summary>
    protected virtual bool KeepReadConnections => true;

    /// <summary>
    /// A read connection for the hot lookups (GetBucket, GetObject: one or two per request), kept open
    /// with its statements prepared. Preparing is most of a lookup's cost: measured on
    /// Microsoft.Data.Sqlite 6.0, about 17 µs of CPU with a pooled connection and a fresh command,
    /// 5 µs with a prepared one. The provider's pool cannot keep commands, so the store keeps the
    /// connections. Dispose returns it.
    /// </summary>
    private async ValueTask<ReadConnection> RentReadConnectionAsync(CancellationToken cancellationToken)
    {
        if (!KeepReadConnections)
        {
            return new ReadConnection(this, await OpenReadConnectionAsync(cancellationToken), kept: false);
        }
        if (_idleReadConnections.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleReadConnectionCount);
            return idle;
        }
        return new ReadConnection(this, await OpenReadConnectionAsync(cancellationToken), kept: true);
    }

    private void ReturnReadConnection(ReadConnection connection)
    {
        if (!_readConnectionsClosed)
        {
            if (Interlocked.Increment(ref _idleReadConnectionCount) <= MaxIdleReadConnections)
            {
                _idleReadConnections.Add(connection);
                if (_readConnectionsClosed)
                {
                    // Disposal began while this one was being returned and may have drained the bag already.
                    CloseIdleReadConnections();
                }
                return;
            }
            Interlocked.Decrement(ref _idleReadConnectionCount);
        }
        connection.Close();
    }

    /// <summary>Closes every idle read connection and every one returned from now on (disposal).</summary>
    private void CloseReadConnections()
    {
        _readConnectionsClosed = true;
        CloseIdleReadConnections();
    }

    private void CloseIdleReadConnections()
    {
        while (_idleReadConnections.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleReadConnectionCount);
            connection.Close();
        }
    }

    /// <summary>
    /// An open read connection and, when kept, its prepared commands; used by one caller at a time.
    /// One not kept is disposed (back to the provider's pool) when its user is done.
    /// </summary>
    private sealed class ReadConnection(SqlMetadataStore owner, DbConnection connection, bool kept) : IAsyncDisposable
    {
        private readonly PreparedCommandCache? _commands = kept ? new(connection) : null;

        /// <summary>A command for <paramref name="sql"/>; the caller disposes it before this connection.</summary>
        public DbCommand CreateCommand(string sql) => _commands?.Rent(sql, transaction: null) ?? connection.CreateCommand(sql);

        /// <summary>Returns the connection for the next lookup, or to the provider's pool when not kept.</summary>
        public ValueTask DisposeAsync()
        {
            if (_commands is null)
            {
                return connection.DisposeAsync();
            }
            owner.ReturnReadConnection(this);
            return ValueTask.CompletedTask;
        }

        public void Close()
        {
            _commands?.Dispose();
            connection.Dispose();
        }
    }
}
