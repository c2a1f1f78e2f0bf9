using Cairn.Metadata;
using Cairn.Metadata.Postgres;
using Cairn.Metadata.Sqlite;

namespace Cairn.Server;

/// <summary>Builds the catalog the configuration names (<see cref="MetadataOptions"/>).</summary>
internal static class MetadataProviders
{
    /// <summary>
    /// The embedded SQLite catalog in the data directory, its hot rows cached (this process is its only
    /// writer); or a PostgreSQL catalog, never cached, since other nodes write it too.
    /// </summary>
    /// <exception cref="InvalidOperationException">The PostgreSQL connection string does not parse.</exception>
    /// <remarks>With <c>journalRecords</c>, journal Put entries carry their whole version
    /// (<see cref="SqlMetadataStore.JournalRecords"/>): on when an archive is configured.</remarks>
    public static MetadataCatalog Create(MetadataOptions options, string dataDirectory, bool journalRecords = false)
    {
        if (options.Provider == MetadataOptions.PostgresProvider)
        {
            try
            {
                return MetadataCatalog.Over(new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = options.Postgres! })
                {
                    JournalRecords = journalRecords,
                });
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"{SettingOf(options)} is not a valid connection string: {ex.Message}", ex);
            }
        }
        var catalog = MetadataCatalog.Over(new SqliteMetadataStore(new SqliteMetadataOptions
        {
            DatabasePath = SqlitePath(dataDirectory),
        })
        {
            JournalRecords = journalRecords,
        });
        return options.CacheBytes > 0 ? catalog.WithRowCache(options.CacheBytes) : catalog;
    }

    /// <summary>The embedded catalog's file in a data directory.</summary>
    public static string SqlitePath(string dataDirectory) => Path.Combine(dataDirectory, "metadata.db");

    /// <summary>The setting to fix when the catalog cannot be reached.</summary>
    public static string SettingOf(MetadataOptions options) =>
        options.Provider == MetadataOptions.PostgresProvider ? "CAIRN_POSTGRES (Metadata:Postgres)" : "CAIRN_DATA_DIR (Cairn:DataDirectory)";
}
