using System.Globalization;
using System.Reflection;

namespace Cairn.Metadata;

/// <summary>One numbered schema migration: a provider's DDL script, applied once, in order.</summary>
/// <param name="Version">The number from the file name (<c>0001_Initial.sql</c> is 1).</param>
/// <param name="Name">The rest of the file name (<c>Initial</c>).</param>
/// <param name="Script">SQL statements, run in one command inside the migration transaction.</param>
public sealed record SqlMigration(int Version, string Name, string Script)
{
    private const string Folder = ".Migrations.";
    private const string Extension = ".sql";

    /// <summary>
    /// Loads every embedded resource named <c>*.Migrations.NNNN_Name.sql</c> from
    /// <paramref name="assembly"/>, ordered by version.
    /// </summary>
    /// <exception cref="InvalidOperationException">A name does not follow the pattern, or two files share a version.</exception>
    public static IReadOnlyList<SqlMigration> FromEmbeddedResources(Assembly assembly)
    {
        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var folder = resource.LastIndexOf(Folder, StringComparison.Ordinal);
            if (folder < 0 || !resource.EndsWith(Extension, StringComparison.Ordinal))
            {
                continue;
            }
            var fileName = resource[(folder + Folder.Length)..^Extension.Length];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || version <= 0)
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_Name.sql.");
            }
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Migration resource '{resource}' cannot be read.");
            using var reader = new StreamReader(stream);
            migrations.Add(new SqlMigration(version, fileName[(underscore + 1)..], reader.ReadToEnd()));
        }
        migrations.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations have version {migrations[i].Version}.");
            }
        }
        return migrations;
    }
}
