using Cairn.Engine.Identity;

namespace Cairn.S3.Auth;

/// <summary>
/// The keys requests are signed with: the root key pair from configuration, then the users' active
/// access keys (<see cref="IdentityService.FindActiveKey"/>). An inactive or deleted key is unknown
/// here, so S3 answers it as AWS answers an inactive key: 403 InvalidAccessKeyId.
/// </summary>
public sealed class IdentityCredentialStore(string rootAccessKey, string rootSecretKey, IdentityService identities) : ICredentialStore
{
    private readonly Principal _root = new(rootAccessKey, "root") { IsRoot = true };

    /// <inheritdoc />
    public bool TryGetSecret(string accessKeyId, out string secretKey, out Principal principal)
    {
        if (string.Equals(accessKeyId, rootAccessKey, StringComparison.Ordinal))
        {
            secretKey = rootSecretKey;
            principal = _root;
            return true;
        }
        if (identities.FindActiveKey(accessKeyId, out var key))
        {
            secretKey = key.SecretKey;
            principal = new Principal(key.AccessKeyId, key.UserName) { User = key.UserName };
            return true;
        }
        secretKey = "";
        principal = null!;
        return false;
    }
}
