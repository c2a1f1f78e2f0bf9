using Cairn.Core;

namespace Cairn.Server;

/// <summary>
/// Where the catalog lives. Bound from section <c>Metadata</c>; short environment names
/// <c>CAIRN_METADATA</c> and <c>CAIRN_POSTGRES</c> are mapped in <see cref="ServerHost"/>.
/// </summary>
public sealed class MetadataOptions
{
    /// <summary>The embedded SQLite catalog in the data directory (one node).</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>A PostgreSQL database, which several nodes may share.</summary>
    public const string PostgresProvider = "postgres";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>. Env: CAIRN_METADATA.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>
    /// The Npgsql connection string (<c>Host=...;Port=...;Database=...;Username=...;Password=...</c>),
    /// required with <c>postgres</c>. Env: CAIRN_POSTGRES.
    /// </summary>
    public string? Postgres { get; set; }

    /// <summary>
    /// Memory for bucket and object rows served without SQL (<c>32MiB</c>; <c>0</c> turns the cache
    /// off). Only on SQLite: a catalog that other nodes write cannot be cached this way.
    /// </summary>
    public string CacheSize { get; set; } = "32MiB";

    /// <summary>The parsed <see cref="CacheSize"/>.</summary>
    public long CacheBytes => ByteSize.Parse(CacheSize);

    /// <summary>Checks the values; returns the problems found, each naming its setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (Provider is not (SqliteProvider or PostgresProvider))
        {
            yield return $"CAIRN_METADATA (Metadata:Provider) must be '{SqliteProvider}' or '{PostgresProvider}' (was '{Provider}').";
        }
        if (Provider == PostgresProvider && string.IsNullOrWhiteSpace(Postgres))
        {
            yield return "CAIRN_POSTGRES (Metadata:Postgres) must hold the PostgreSQL connection string when CAIRN_METADATA=postgres.";
        }
        string? cacheProblem = null;
        try
        {
            _ = CacheBytes;
        }
        catch (FormatException ex)
        {
            cacheProblem = $"Metadata:CacheSize is not a size such as 32MiB: {ex.Message}";
        }
        if (cacheProblem is not null)
        {
            yield return cacheProblem;
        }
    }
}
