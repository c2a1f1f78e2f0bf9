namespace Cairn.Server;

/// <summary>Builds and runs the server (placeholder until the host lands in this issue).</summary>
public static class ServerHost
{
    /// <summary>Runs until shutdown; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Task.FromResult(0);
    }
}
