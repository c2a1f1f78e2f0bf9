namespace Cairn.Metadata;

/// <summary>The catalog's schema.</summary>
public interface ICatalogSchema
{
    /// <summary>Applies pending migrations. Called once at start, before any other method.</summary>
    ValueTask MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The version of the newest migration applied: one trivial query, so readiness checks can ask
    /// whether the catalog answers. Throws when it does not (or was never migrated).
    /// </summary>
    ValueTask<long> GetSchemaVersionAsync(CancellationToken cancellationToken);
}
