using Cairn.S3.Auth;

namespace Cairn.S3.Tests.Auth;

internal sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal);

    public InMemoryCredentialStore Add(string accessKeyId, string secretKey)
    {
        _secrets[accessKeyId] = secretKey;
        return this;
    }

    public bool TryGetSecret(string accessKeyId, out string secretKey, out Principal principal)
    {
        if (_secrets.TryGetValue(accessKeyId, out var secret))
        {
            secretKey = secret;
            principal = new Principal(accessKeyId, "user-" + accessKeyId);
            return true;
        }
        secretKey = "";
        principal = null!;
        return false;
    }
}
