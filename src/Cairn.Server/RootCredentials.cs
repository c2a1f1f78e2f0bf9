using System.Security.Cryptography;
using System.Text.Json;

namespace Cairn.Server;

/// <summary>
/// The root key pair: from configuration when given (both parts, or neither), otherwise generated
/// once and kept in <c>root-credentials.json</c> in the data directory so restarts keep it.
/// </summary>
internal static class RootCredentials
{
    private const string FileName = "root-credentials.json";

    public static (string AccessKey, string SecretKey, bool Generated) Resolve(CairnOptions options, string dataDirectory)
    {
        if (!string.IsNullOrEmpty(options.RootAccessKey) || !string.IsNullOrEmpty(options.RootSecretKey))
        {
            if (string.IsNullOrEmpty(options.RootAccessKey) || string.IsNullOrEmpty(options.RootSecretKey))
            {
                throw new InvalidOperationException("Set both CAIRN_ROOT_ACCESS_KEY and CAIRN_ROOT_SECRET_KEY (Cairn:RootAccessKey / Cairn:RootSecretKey), or neither.");
            }
            return (options.RootAccessKey, options.RootSecretKey, false);
        }
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<StoredKeys>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} is empty or malformed.");
            return (stored.AccessKey, stored.SecretKey, false);
        }
        var keys = new StoredKeys("CAIRN" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 15),
            RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40));
        File.WriteAllText(path, JsonSerializer.Serialize(keys));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return (keys.AccessKey, keys.SecretKey, true);
    }

    private sealed record StoredKeys(string AccessKey, string SecretKey);
}
