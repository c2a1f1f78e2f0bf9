namespace Cairn.Metadata;

/// <summary>The catalog's schema.</summary>
public interface ICatalogSchema
{
    /// <summary>Applies pending migrations. Called once at start, before any other method.</summary>
    ValueTask MigrateAsync(CancellationToken cancellationToken);
}
