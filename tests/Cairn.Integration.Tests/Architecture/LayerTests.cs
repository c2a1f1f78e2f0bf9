using System.Reflection;
using System.Xml.Linq;

namespace Cairn.Integration.Tests.Architecture;

/// <summary>
/// The layer rules of docs/architecture.md ("Layers"), checked on the built assemblies: each one may
/// reference only the assemblies its layer allows (arrows point down; the S3 front end sees the engine
/// and core, never the catalog, the blob store or a provider; the engine never speaks HTTP; providers
/// never know about each other). A reference shows up here as soon as code uses a type of that
/// assembly, so a rule broken in code fails here, naming the reference. The S3 front end must not even
/// compile against the catalog or the blob store, which the engine's project file ensures (checked below).
/// </summary>
public sealed class LayerTests
{
    /// <summary>System.*, plus the few framework assemblies outside that name.</summary>
    private static readonly string[] Runtime = ["System", "System.*", "netstandard", "mscorlib", "Microsoft.Win32.*"];

    private static readonly Dictionary<string, (Assembly Assembly, string[] Allowed)> Layers = new()
    {
        ["Cairn.Core"] = (typeof(Cairn.Core.ETag).Assembly, Runtime),
        ["Cairn.Storage"] = (typeof(Cairn.Storage.IBlobBackend).Assembly, [.. Runtime, "Cairn.Core"]),
        ["Cairn.Storage.S3"] = (typeof(Cairn.Storage.S3.S3BlobBackend).Assembly, [.. Runtime, "Cairn.Core", "Cairn.Storage", "AWSSDK.*"]),
        ["Cairn.Metadata"] = (typeof(Cairn.Metadata.IObjectCatalog).Assembly, [.. Runtime, "Cairn.Core"]),
        ["Cairn.Mst"] = (typeof(Cairn.Mst.MstTree).Assembly, [.. Runtime, "Cairn.Core"]),
        ["Cairn.Metadata.Sqlite"] = (typeof(Cairn.Metadata.Sqlite.SqliteMetadataStore).Assembly,
            [.. Runtime, "Cairn.Core", "Cairn.Metadata", "Microsoft.Data.Sqlite", "SQLitePCLRaw.*"]),
        ["Cairn.Metadata.Postgres"] = (typeof(Cairn.Metadata.Postgres.PostgresMetadataStore).Assembly,
            [.. Runtime, "Cairn.Core", "Cairn.Metadata", "Npgsql"]),
        ["Cairn.Engine"] = (typeof(Cairn.Engine.Objects.ObjectService).Assembly,
            [.. Runtime, "Microsoft.Extensions.*", "Cairn.Core", "Cairn.Storage", "Cairn.Metadata", "Cairn.Mst", "ZstdSharp", "Parquet"]),
        ["Cairn.S3"] = (typeof(Cairn.S3.S3Middleware).Assembly,
            [.. Runtime, "Microsoft.AspNetCore.*", "Microsoft.Extensions.*", "Microsoft.Net.Http.Headers", "Cairn.Core", "Cairn.Engine"]),
        // The in-process test host: the server's composition root (assembly "cairn") and the AWS SDK client it hands out.
        ["Cairn.Testing"] = (typeof(Cairn.Testing.CairnTestHost).Assembly, [.. Runtime, "cairn", "Microsoft.AspNetCore", "Microsoft.AspNetCore.*", "Microsoft.Extensions.*", "AWSSDK.*"]),
    };

    public static TheoryData<string> LayerNames => [.. Layers.Keys];

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Each_assembly_references_only_what_its_layer_allows(string layer)
    {
        var (assembly, allowed) = Layers[layer];
        Assert.Equal(layer, assembly.GetName().Name);

        var offending = assembly.GetReferencedAssemblies()
            .Select(reference => reference.Name!)
            .Where(name => !allowed.Any(pattern => Matches(name, pattern)))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offending.Count == 0,
            $"{layer} references {string.Join(", ", offending)}, which its layer does not allow (allowed: {string.Join(", ", allowed)}). See docs/architecture.md, Layers.");
    }

    [Fact]
    public void The_engine_keeps_the_catalog_and_the_blob_store_to_itself()
    {
        var project = LoadProject("src/Cairn.Engine/Cairn.Engine.csproj");

        var visible = ProjectReferences(project)
            .Where(r => ReferencedProject(r).StartsWith("Cairn.Metadata", StringComparison.Ordinal) || ReferencedProject(r).StartsWith("Cairn.Storage", StringComparison.Ordinal)
                || ReferencedProject(r) == "Cairn.Mst")
            .Where(r => !string.Equals((string?)r.Attribute("PrivateAssets"), "all", StringComparison.OrdinalIgnoreCase))
            .Select(ReferencedProject)
            .ToList();

        Assert.True(visible.Count == 0,
            $"Cairn.Engine.csproj must reference {string.Join(", ", visible)} with PrivateAssets=\"all\": without it Cairn.S3 compiles against them.");
    }

    [Fact]
    public void The_S3_front_end_project_references_only_the_engine_and_core()
    {
        var project = LoadProject("src/Cairn.S3/Cairn.S3.csproj");

        var offending = ProjectReferences(project).Select(ReferencedProject)
            .Where(name => name is not ("Cairn.Core" or "Cairn.Engine"))
            .Concat(project.Descendants("PackageReference").Select(p => (string)p.Attribute("Include")!))
            .ToList();

        Assert.True(offending.Count == 0, $"Cairn.S3.csproj references {string.Join(", ", offending)}; it may reference only Cairn.Core, Cairn.Engine and ASP.NET Core.");
    }

    [Fact]
    public void The_engine_s_public_structs_hold_no_field_of_a_type_the_S3_front_end_cannot_see()
    {
        // A struct's fields, private ones too, are part of what every compilation that uses the struct
        // must resolve (a Debug build hoisting one into an async state machine checks them): a field
        // of a catalog type made Cairn.S3 fail to build in Debug while Release built.
        var engine = Layers["Cairn.Engine"].Assembly;
        var visibleToS3 = Layers["Cairn.S3"].Allowed;

        var offending = engine.GetExportedTypes()
            .Where(static type => type.IsValueType)
            .SelectMany(static type => type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Select(field => (Type: type, Field: field)))
            .Where(pair => pair.Field.FieldType.Assembly != engine
                && !visibleToS3.Any(pattern => Matches(pair.Field.FieldType.Assembly.GetName().Name!, pattern)))
            .Select(static pair => $"{pair.Type.FullName}.{pair.Field.Name} ({pair.Field.FieldType.FullName})")
            .ToList();

        Assert.True(offending.Count == 0, $"Public engine structs hold fields of types Cairn.S3 cannot see: {string.Join(", ", offending)}.");
    }

    [Fact]
    public void Every_src_project_has_a_layer_rule()
    {
        var src = Path.Combine(RepositoryRoot(), "src");

        var unruled = Directory.GetDirectories(src)
            .Select(directory => Path.GetFileName(directory))
            .Where(name => File.Exists(Path.Combine(src, name, name + ".csproj")))
            .Where(name => name != "Cairn.Server" && !Layers.ContainsKey(name))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(unruled.Count == 0,
            $"{string.Join(", ", unruled)} has no rule in LayerTests: add the references its layer allows (docs/architecture.md, Layers).");
    }

    private static bool Matches(string name, string pattern) =>
        pattern.EndsWith(".*", StringComparison.Ordinal)
            ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(name, pattern, StringComparison.Ordinal);

    private static IEnumerable<XElement> ProjectReferences(XDocument project) => project.Descendants("ProjectReference");

    /// <summary>The project name of a ProjectReference (<c>..\Cairn.Storage\Cairn.Storage.csproj</c> → Cairn.Storage).</summary>
    private static string ReferencedProject(XElement reference) =>
        Path.GetFileNameWithoutExtension(((string)reference.Attribute("Include")!).Replace('\\', '/'));

    private static XDocument LoadProject(string relativePath) => XDocument.Load(Path.Combine(RepositoryRoot(), relativePath));

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cairn.slnx")))
        {
            directory = directory.Parent;
        }
        Assert.True(directory is not null, $"No Cairn.slnx above {AppContext.BaseDirectory}.");
        return directory.FullName;
    }
}
