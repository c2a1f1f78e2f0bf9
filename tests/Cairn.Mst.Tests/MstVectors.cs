using System.Text.Json;
using Cairn.Core;

namespace Cairn.Mst.Tests;

/// <summary>
/// The shared MST vectors (tests/Cairn.Mst.Tests/Vectors, copied from shared/vectors/mst). Missing vectors fail the
/// tests that need them: they are the point of those tests, never optional.
/// </summary>
internal static class MstVectors
{
    /// <summary>The tree files of index.json (every file whose cases carry entries and nodes).</summary>
    public static readonly string[] TreeFiles =
    [
        "empty.json", "single-key.json", "atproto-known-maps.json", "interop-commit-proofs.json",
        "random-1000.json", "shared-prefixes.json", "s3-keys.json",
    ];

    private static readonly Lazy<string> s_directory = new(FindDirectory);

    public static string Directory => s_directory.Value;

    public static JsonElement Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, file)));
        return document.RootElement.Clone();
    }

    /// <summary>Every (file, case name) pair of the tree files, for theories.</summary>
    public static TheoryData<string, string> TreeCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in TreeFiles)
        {
            foreach (var c in Load(file).GetProperty("cases").EnumerateArray())
            {
                data.Add(file, c.GetProperty("name").GetString()!);
            }
        }
        return data;
    }

    public static TreeCase LoadCase(string file, string name)
    {
        foreach (var c in Load(file).GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return new TreeCase(c);
            }
        }
        throw new InvalidOperationException($"No case '{name}' in {file}.");
    }

    private static string FindDirectory()
    {
        // Walk up from the test binaries to the folder holding Cairn.slnx. The vectors are kept in
        // the repository (tests/Cairn.Mst.Tests/Vectors, a copy of shared/vectors/mst as handed to
        // the project), so a clone anywhere runs them.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                var vectors = Path.Combine(dir.FullName, "tests", "Cairn.Mst.Tests", "Vectors");
                if (!File.Exists(Path.Combine(vectors, "index.json")))
                {
                    throw new InvalidOperationException($"The MST vectors are missing: no index.json in {vectors}.");
                }
                return vectors;
            }
        }
        throw new InvalidOperationException($"No Cairn.slnx above {AppContext.BaseDirectory}, so no MST vectors.");
    }

    internal sealed class TreeCase
    {
        public TreeCase(JsonElement c)
        {
            Name = c.GetProperty("name").GetString()!;
            ExpectedRoot = Cid.Parse(c.GetProperty("expected_root").GetString()!);
            RootLayer = c.GetProperty("root_layer").GetInt32();
            KeyCount = c.GetProperty("key_count").GetInt32();
            Entries = c.GetProperty("entries").EnumerateArray()
                .Select(e => new VectorEntry(
                    e.GetProperty("key").GetString()!,
                    Convert.FromHexString(e.GetProperty("key_hex").GetString()!),
                    e.GetProperty("height").GetInt32(),
                    Cid.Parse(e.GetProperty("value").GetString()!)))
                .ToList();
            Nodes = c.GetProperty("nodes").EnumerateArray()
                .Select(n => new VectorNode(
                    Cid.Parse(n.GetProperty("cid").GetString()!),
                    n.GetProperty("layer").GetInt32(),
                    Convert.FromHexString(n.GetProperty("cbor_hex").GetString()!)))
                .ToList();
            ValueRule = c.GetProperty("value_rule").GetString()!;
        }

        public string Name { get; }

        public Cid ExpectedRoot { get; }

        public int RootLayer { get; }

        public int KeyCount { get; }

        public List<VectorEntry> Entries { get; }

        public List<VectorNode> Nodes { get; }

        public string ValueRule { get; }

        public IEnumerable<KeyValuePair<byte[], Cid>> Pairs => Entries.Select(e => new KeyValuePair<byte[], Cid>(e.KeyBytes, e.Value));
    }

    internal sealed record VectorEntry(string Key, byte[] KeyBytes, int Height, Cid Value);

    internal sealed record VectorNode(Cid Cid, int Layer, byte[] Cbor);
}
