namespace Cairn.S3.Auth;

/// <summary>A fixed set of key pairs, each with root's rights (tests and benchmarks stand it in for the root credentials from configuration).</summary>
public sealed class StaticCredentialStore : ICredentialStore
{
    private readonly Dictionary<string, (string Secret, Principal Principal)> _keys = new(StringComparer.Ordinal);

    /// <summary>Adds a key pair.</summary>
    public StaticCredentialStore Add(string accessKeyId, string secretKey, string displayName)
    {
        _keys[accessKeyId] = (secretKey, new Principal(accessKeyId, displayName) { IsRoot = true });
        return this;
    }

    /// <inheritdoc />
    public bool TryGetSecret(string accessKeyId, out string secretKey, out Principal principal)
    {
        if (_keys.TryGetValue(accessKeyId, out var entry))
        {
            (secretKey, principal) = entry;
            return true;
        }
        secretKey = "";
        principal = null!;
        return false;
    }
}
