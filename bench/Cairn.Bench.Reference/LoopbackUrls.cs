namespace Cairn.Bench.Reference;

/// <summary>The reference server listens on loopback only: it is a benchmark target, not a service.</summary>
internal static class LoopbackUrls
{
    public static bool AreAllLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host is not ("127.0.0.1" or "[::1]" or "localhost"))
            {
                return false;
            }
        }
        return true;
    }
}
