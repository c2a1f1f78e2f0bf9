using System.Data.Common;

namespace Cairn.Metadata;

/// <summary>
/// The transaction a write's work runs in. It hands out commands enlisted in it: prepared once per
/// connection and reused when the store keeps a <see cref="PreparedCommandCache"/> (group commit),
/// fresh otherwise (a provider that prepares by itself, as Npgsql does with auto-prepare).
/// </summary>
internal sealed class WriteTransaction(DbTransaction transaction, PreparedCommandCache? commands, bool journalRecords = false)
{
    public DbTransaction Transaction => transaction;

    /// <summary>Journal Put entries written in this transaction carry their whole version (<see cref="SqlMetadataStore.JournalRecords"/>).</summary>
    public bool JournalRecords => journalRecords;

    /// <summary>
    /// True once the work has committed the transaction itself, with a COMMIT at the end of its last
    /// command (see <c>SqlMetadataStore.JournalTurn.CommitsWithLastAppend</c>); the store then does not.
    /// </summary>
    public bool CommittedByWork { get; private set; }

    /// <summary>Records that the command just run ended with a COMMIT that succeeded.</summary>
    public void MarkCommittedByWork() => CommittedByWork = true;

    /// <summary>A command for <paramref name="sql"/> in this transaction; the caller disposes it.</summary>
    public DbCommand CreateCommand(string sql)
    {
        if (commands is not null)
        {
            return commands.Rent(sql, transaction);
        }
        var connection = transaction.Connection
            ?? throw new InvalidOperationException("The write transaction has no connection.");
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
