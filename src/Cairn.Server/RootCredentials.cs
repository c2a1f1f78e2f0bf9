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
        var keys = new StoredKeys("CAIRN" + RandomString(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
        File.WriteAllText(path, JsonSerializer.Serialize(keys));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return (keys.AccessKey, keys.SecretKey, true);
    }

    private static string RandomString(int length, string alphabet) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });

    private sealed record StoredKeys(string AccessKey, string SecretKey);
}
