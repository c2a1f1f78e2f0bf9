namespace Cairn.S3.Auth;

/// <summary>Looks up the secret key of an access key id.</summary>
public interface ICredentialStore
{
    /// <summary>False when the access key is unknown.</summary>
    bool TryGetSecret(string accessKeyId, out string secretKey, out Principal principal);
}
