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

    /// <summary>
    /// The least time between two WAL checkpoints run on a thread of their own, off the writer (see
    /// <c>WalCheckpointer</c>). Zero leaves checkpoints to SQLite, which runs them inside the commit
    /// that takes the WAL past 1,000 pages. Default 100 ms: at a few thousand writes a second about
    /// as many pages as SQLite's own threshold.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Whether concurrent point lookups and creates of new keys with inline bodies run as one
    /// statement per batch, as the PostgreSQL catalog does by default. In process there is no round
    /// trip to save (and the row cache answers most lookups), so it is off by default; the
    /// conformance suites turn it on to hold the batched statements to the same contract on both
    /// providers.
    /// </summary>
    public bool CoalesceLookupsAndCreates { get; set; }
}
