namespace Cairn.Metadata.Sqlite;

/// <summary>Settings of the embedded SQLite catalog (section <c>Metadata:Sqlite</c>).</summary>
public sealed class SqliteMetadataOptions
{
    /// <summary>The value of <see cref="DatabasePath"/> that selects a private in-memory database (tests).</summary>
    public const string InMemory = ":memory:";

    /// <summary>
    /// Path of the database file, created when missing (its directory must exist); or
    /// <see cref="InMemory"/> for a database that lives as long as the store. Required.
    /// </summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>How long a statement waits for a lock held by another connection or process. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
