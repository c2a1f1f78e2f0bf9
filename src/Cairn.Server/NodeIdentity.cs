namespace Cairn.Server;

/// <summary>
/// This node's name in leases: from configuration when given (<c>CAIRN_NODE_ID</c>), otherwise
/// generated once and kept in <c>node-id</c> in the data directory. Keeping it matters after a crash:
/// the restarted process is the same node, so it takes its own unexpired leases back at once instead
/// of waiting out their time to live. Nodes must not share a data directory (nor a configured id).
/// </summary>
internal static class NodeIdentity
{
    private const string FileName = "node-id";

    public static string Resolve(string? configured, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim() is { Length: <= 200 } name
                ? name
                : throw new InvalidOperationException("CAIRN_NODE_ID (Engine:NodeId) must be at most 200 characters.");
        }
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return stored;
        }
        var generated = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
        File.WriteAllText(path, generated);
        return generated;
    }
}
